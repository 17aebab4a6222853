"""Drafting and submitting proposals: the rules, the refusals, the timeline."""

import pytest
from django.db import IntegrityError, transaction

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from registrations.models import Channel, Proposal, ProposalEvent, ProposalStatus, ResidentProfile
from registrations.services import proposals as services
from registrations.workflow import proposal_transition
from testing.proposals import complete_draft, member_rows
from testing.regions import VILLAGE_A, VILLAGE_B
from testing.residents import confirmed_resident
from testing.uploads import photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def resident(personas):
    return confirmed_resident()


def test_resident_draft_starts_from_own_kk_and_village(resident):
    proposal = services.proposal_create_draft(actor=resident)
    assert proposal.status == ProposalStatus.DRAFT and proposal.channel == Channel.ONLINE
    assert proposal.kk_number == resident.resident.kk_number and proposal.village_id == VILLAGE_A
    assert proposal.tracking_number.startswith("US") and len(proposal.tracking_number) == 10


def test_one_open_proposal_per_kk(resident):
    services.proposal_create_draft(actor=resident)
    with pytest.raises(Conflict):
        services.proposal_create_draft(actor=resident)


def test_database_refuses_a_second_open_proposal_for_the_same_kk(resident):
    first = services.proposal_create_draft(actor=resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(
            tracking_number="US2222XXXX",
            kk_number=first.kk_number,
            village_id=VILLAGE_A,
            entered_by=resident,
            applicant=resident,
        )


def test_submit_records_event_and_emails_in_indonesian(resident, mailoutbox, django_capture_on_commit_callbacks):
    proposal = complete_draft(resident)
    assert services.proposal_problems(proposal) == []
    with django_capture_on_commit_callbacks(execute=True):
        event = services.proposal_submit(proposal=proposal, actor=resident)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.submitted_at is not None
    assert (event.from_status, event.to_status, event.actor, event.actor_role) == (
        "draf",
        "diajukan",
        resident,
        "warga",
    )
    assert len(mailoutbox) == 1
    assert proposal.tracking_number in mailoutbox[0].subject
    assert "Diajukan, menunggu musyawarah desa" in mailoutbox[0].body
    assert proposal.kk_number not in mailoutbox[0].body


def test_resident_cannot_submit_before_identity_is_confirmed(resident):
    proposal = complete_draft(resident)
    ResidentProfile.objects.filter(user=resident).update(identity_status="menunggu")
    resident.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.proposal_submit(proposal=proposal, actor=resident)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT and not proposal.events.exists()


def test_incomplete_draft_is_refused_with_what_is_missing(resident):
    proposal = services.proposal_create_draft(actor=resident)
    problems = services.proposal_problems(proposal)
    assert any("Alamat" in str(p) for p in problems) and any("Anggota" in str(p) for p in problems)
    with pytest.raises(DomainError):
        services.proposal_submit(proposal=proposal, actor=resident)


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda rows: rows[1].update(relation="kepala"), "tepat satu kepala"),
        (lambda rows: rows[2].update(nik=rows[0]["nik"]), "lebih dari sekali"),
        (lambda rows: rows[0].update(pregnant=True), "hamil"),
        (lambda rows: rows[2].update(sex="P"), "Jenis kelamin"),
        (lambda rows: rows[0].update(nik="3204129999999999"), ""),
    ],
)
def test_member_rules(resident, mutate, needle):
    proposal = services.proposal_create_draft(actor=resident)
    rows = member_rows()
    mutate(rows)
    with pytest.raises(DomainError) as excinfo:
        services.proposal_save_members(proposal=proposal, actor=resident, members=rows)
    assert needle.lower() in str(excinfo.value.message).lower()
    assert not proposal.members.exists()


def test_submitted_proposal_can_no_longer_be_edited(resident):
    proposal = complete_draft(resident)
    services.proposal_submit(proposal=proposal, actor=resident)
    proposal.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.proposal_save_members(proposal=proposal, actor=resident, members=member_rows())
    with pytest.raises(InvalidTransition):
        services.proposal_add_document(proposal=proposal, actor=resident, kind="rumah", file_obj=photo_upload())


def test_withdraw_before_musdes_then_a_new_proposal_may_open(resident):
    proposal = complete_draft(resident)
    services.proposal_submit(proposal=proposal, actor=resident)
    with pytest.raises(DomainError):
        services.proposal_withdraw(proposal=proposal, actor=resident, reason="")
    services.proposal_withdraw(proposal=proposal, actor=resident, reason="Sudah pindah ke kota lain")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert services.proposal_create_draft(actor=resident).kk_number == proposal.kk_number


def test_returned_proposal_is_corrected_and_resubmitted(resident, personas):
    proposal = complete_draft(resident)
    services.proposal_submit(proposal=proposal, actor=resident)
    proposal_transition(
        proposal_id=proposal.pk, name="return_for_correction", actor=personas.operator_a, reason="Foto KK tidak terbaca"
    )
    proposal.refresh_from_db()
    assert proposal.is_editable
    services.proposal_add_document(proposal=proposal, actor=resident, kind="rumah", file_obj=photo_upload(seed=55))
    services.proposal_submit(proposal=proposal, actor=resident)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert list(proposal.events.values_list("to_status", flat=True)) == ["diajukan", "dikembalikan", "diajukan"]


def test_other_residents_and_other_villages_cannot_touch_it(resident, personas):
    proposal = complete_draft(resident)
    other = confirmed_resident("budi", village=VILLAGE_B)
    for actor in (other, personas.operator_a, personas.social_officer):
        with pytest.raises(NotAllowed):
            services.proposal_save_members(proposal=proposal, actor=actor, members=member_rows())
    with pytest.raises(NotAllowed):
        proposal_transition(
            proposal_id=proposal.pk, name="return_for_correction", actor=personas.operator_b, reason="x"
        )


def test_walk_in_entered_by_operator_needs_the_paper_form(personas):
    operator = personas.operator_a
    proposal = complete_draft(operator)
    assert proposal.channel == Channel.OFFLINE and proposal.applicant is None
    assert any("formulir" in str(p) for p in services.proposal_problems(proposal))
    services.proposal_add_document(proposal=proposal, actor=operator, kind="formulir", file_obj=photo_upload(seed=77))
    services.proposal_submit(proposal=Proposal.objects.get(pk=proposal.pk), actor=operator)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED


def test_operator_cannot_enter_a_walk_in_for_another_village(personas):
    from registrations.models import Region

    with pytest.raises(NotAllowed):
        services.proposal_create_draft(actor=personas.operator_a, village=Region.objects.get(code=VILLAGE_B))


def test_the_same_document_twice_is_refused(resident):
    proposal = services.proposal_create_draft(actor=resident)
    services.proposal_add_document(proposal=proposal, actor=resident, kind="rumah", file_obj=photo_upload(seed=3))
    with pytest.raises(Conflict):
        services.proposal_add_document(proposal=proposal, actor=resident, kind="rumah", file_obj=photo_upload(seed=3))


def test_events_cannot_be_changed_or_deleted(resident):
    proposal = complete_draft(resident)
    event = services.proposal_submit(proposal=proposal, actor=resident)
    event.reason = "diubah"
    with pytest.raises(Exception):  # noqa: B017 - the model refuses any update
        event.save()
    with pytest.raises(Exception):  # noqa: B017
        event.delete()
    assert ProposalEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.postgres
def test_postgres_refuses_event_updates_and_deletes_even_through_querysets(resident):
    from django.db import DatabaseError

    proposal = complete_draft(resident)
    event = services.proposal_submit(proposal=proposal, actor=resident)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProposalEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ProposalEvent.objects.filter(pk=event.pk)._raw_delete(ProposalEvent.objects.db)
    assert ProposalEvent.objects.get(pk=event.pk).reason == ""
