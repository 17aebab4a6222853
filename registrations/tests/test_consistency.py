"""``check_consistency``: silent on a sound portal, and each broken invariant is named."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from lookup.indexing import lookup_sweep
from registrations.models import FollowUp, FollowUpState, Household, Proposal, ProposalStatus
from registrations.services.consistency import consistency_findings
from registrations.services.proposals import proposal_submit
from registrations.storage import private_storage
from testing.households import household_headed_by
from testing.proposals import complete_draft
from testing.residents import confirmed_resident

pytestmark = pytest.mark.django_db


def findings() -> list[tuple[str, str, str]]:
    return [(f.check, f.subject, f.detail) for f in consistency_findings()]


def run_command() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_consistency", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def submitted(personas):
    resident = confirmed_resident()
    proposal = complete_draft(resident)
    proposal_submit(proposal=proposal, actor=resident)  # its follow-ups stay pending: that is fine
    return proposal


def test_the_demo_portal_is_consistent():
    call_command("seed_demo", "--force", stdout=io.StringIO())  # tests run with DEBUG off
    lookup_sweep()
    assert findings() == []
    assert run_command() == (0, "consistent: no findings\n")


def test_a_status_without_its_event_is_found(submitted):
    assert findings() == []
    Proposal.objects.filter(pk=submitted.pk).update(status=ProposalStatus.VERIFIED)
    assert findings() == [
        ("proposal_events", submitted.tracking_number, "status terverifikasi, last event reached diajukan")
    ]
    draft = complete_draft(confirmed_resident("budi"))
    Proposal.objects.filter(pk=draft.pk).update(status=ProposalStatus.SUBMITTED)  # what a lost write would leave
    assert (
        "proposal_events",
        draft.tracking_number,
        "status diajukan without any event",
    ) in findings()


def test_failed_follow_ups_and_dead_leases_are_found(submitted):
    notify, match = FollowUp.objects.filter(event__proposal=submitted).order_by("kind")
    FollowUp.objects.filter(pk=notify.pk).update(state=FollowUpState.FAILED)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    FollowUp.objects.filter(pk=match.pk).update(state=FollowUpState.RUNNING, claimed_at=long_ago)
    number = submitted.tracking_number
    assert sorted(findings()) == [
        ("followups", f"{number} #{match.pk} {match.kind}", "claimed, lease expired (its worker died)"),
        ("followups", f"{number} #{notify.pk} {notify.kind}", "failed"),
    ]
    FollowUp.objects.filter(pk=match.pk).update(claimed_at=timezone.now())  # a live lease is fine
    assert [f[0] for f in findings()] == ["followups"]


def test_a_missing_file_and_a_file_without_a_row_are_found(submitted):
    document = submitted.documents.first()
    storage = private_storage()
    storage.delete(document.thumbnail.name)
    stray = storage.save("proposals/zz/stray.jpg", io.BytesIO(b"\xff\xd8\xff"))
    from verification.population.jobs import imports_dir

    imports_dir().mkdir(parents=True, exist_ok=True)
    (imports_dir() / "0123abcd.csv").write_text("nik\n")  # a job's upload: no row, not a finding
    assert sorted(findings()) == sorted(
        [
            ("stored_files", f"registrations.ProposalDocument #{document.pk}", "thumbnail: file missing"),
            ("stored_files", stray, "file without a row"),
        ]
    )
    code, out = run_command()
    assert code == 1 and out.count("\n") == 2 and "thumbnail: file missing" in out


def test_a_register_household_missing_from_the_lookup_is_found(regions):
    household = household_headed_by("Bambang Wiryawan")
    assert [f[0] for f in findings()] == ["lookup_index"]  # no sweep has ever run
    lookup_sweep()
    assert findings() == []
    # Changed after the last sweep began: not late yet; before it and not indexed: found.
    Household.objects.filter(pk=household.pk).update(updated_at=timezone.now() - datetime.timedelta(days=1))
    from lookup.models import LookupEntry

    LookupEntry.objects.filter(household_id=household.pk).delete()
    assert findings() == [
        (
            "lookup_index",
            f"household #{household.pk} ({household.village_id})",
            "in the register, not in the lookup index",
        )
    ]
