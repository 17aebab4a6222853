"""The outbox: nothing lost when the broker is down, nothing done twice."""

import datetime

import pytest
from django.utils import timezone

from registrations.models import FollowUp, FollowUpState
from registrations.services import followups
from registrations.services.proposals import proposal_submit
from testing.proposals import complete_draft
from testing.residents import confirmed_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas, django_capture_on_commit_callbacks):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    return resident, proposal


def test_submission_while_the_broker_is_down_is_kept_and_sent_later(
    submitted, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from registrations import tasks

    resident, proposal = submitted

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_followup, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_submit(proposal=proposal, actor=resident)  # no exception reaches the resident
    proposal.refresh_from_db()
    assert proposal.status == "diajukan"
    followup = FollowUp.objects.get(kind="notify_proposer")
    assert followup.state == FollowUpState.PENDING and mailoutbox == []
    monkeypatch.undo()  # the broker is back
    assert followups.followups_sweep() == 2  # the e-mail and the matching
    followup.refresh_from_db()
    assert followup.state == FollowUpState.DONE and len(mailoutbox) == 1


def test_a_followup_delivered_twice_is_done_once(submitted, mailoutbox):
    resident, proposal = submitted
    proposal_submit(proposal=proposal, actor=resident)  # on_commit not run: nothing dispatched
    followup = FollowUp.objects.get(kind="notify_proposer")
    assert followups.followup_run(followup.pk) is True
    assert followups.followup_run(followup.pk) is False
    assert len(mailoutbox) == 1


def test_a_dead_workers_claim_expires_and_is_handed_out_again(submitted, mailoutbox):
    resident, proposal = submitted
    proposal_submit(proposal=proposal, actor=resident)
    followup = FollowUp.objects.get(kind="notify_proposer")
    FollowUp.objects.filter(pk=followup.pk).update(
        state=FollowUpState.RUNNING, claimed_at=timezone.now() - datetime.timedelta(hours=1), attempts=1
    )
    FollowUp.objects.filter(kind="match_members").update(state=FollowUpState.DONE)
    assert followups.followups_sweep(lease=datetime.timedelta(minutes=10)) == 1
    followup.refresh_from_db()
    assert followup.state == FollowUpState.DONE and followup.attempts == 2 and len(mailoutbox) == 1


def test_a_failing_handler_backs_off_and_is_retried(submitted, monkeypatch, mailoutbox):
    resident, proposal = submitted
    proposal_submit(proposal=proposal, actor=resident)
    followup = FollowUp.objects.get(kind="notify_proposer")

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(followups, "send_mail", smtp_down)
    assert followups.followup_run(followup.pk) is False
    followup.refresh_from_db()
    assert followup.state == FollowUpState.PENDING and followup.available_at > timezone.now()
    assert "SMTP down" in followup.last_error
    FollowUp.objects.filter(kind="match_members").update(state=FollowUpState.DONE)
    assert followups.followups_sweep() == 0  # not due yet


def test_the_status_email_links_to_the_status_page_in_full_without_numbers(submitted, mailoutbox, settings):
    """The e-mail is sent by a worker with no request at hand: the link must still be whole."""
    settings.PORTAL_BASE_URL = "https://dtsen.example.go.id"
    resident, proposal = submitted
    proposal_submit(proposal=proposal, actor=resident)
    followup = FollowUp.objects.get(kind="notify_proposer")
    followups.followup_run(followup.pk)
    body = mailoutbox[0].body
    assert f"https://dtsen.example.go.id/usulan/{proposal.tracking_number}/" in body
    assert proposal.kk_number not in body
    assert all(m.nik not in body for m in proposal.members.all())
