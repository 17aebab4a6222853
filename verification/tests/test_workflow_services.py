"""The whole path, step by step: who may act, what is refused, what is written."""

import pytest

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from registrations.models import Household, Member, Proposal, ProposalStatus
from registrations.storage import private_storage
from registrations.workflow import proposal_transition
from testing.concurrency import at_once
from testing.uploads import photo_upload
from testing.workflow import TODAY, held_musdes, submitted_proposal, through_province, through_regency, verified
from verification.models import DeliberationStatus, Outcome
from verification.workflow.services import approvals, musdes, review

pytestmark = pytest.mark.django_db


def test_full_path_from_submission_to_the_register(personas):
    proposal = submitted_proposal()
    d = held_musdes(personas.operator_a, [proposal])
    assert d.status == DeliberationStatus.SIGNED
    with private_storage().open(d.minutes_pdf.name) as fh:
        assert fh.read(5) == b"%PDF-"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MUSDES_APPROVED
    verified(personas.social_officer, proposal)
    through_regency(personas.regency_head, [proposal.pk])
    through_province(personas.provincial, [proposal.pk])
    batch = approvals.ministry_determine(
        actor=personas.ministry,
        period="2026-Q4",
        number="PEN-1",
        document_date=TODAY,
        determine_ids=[proposal.pk],
        reject_ids=[],
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DETERMINED and list(batch.proposals.all()) == [proposal]
    household = Household.objects.get(kk_number=proposal.kk_number)
    assert household.registered_at is not None and household.members.count() == 3
    assert household.no_fixed_income and household.poor_roof  # as observed by the visit
    assert list(proposal.events.values_list("to_status", flat=True)) == [
        "diajukan",
        "disetujui_musdes",
        "terverifikasi",
        "disetujui_bupati",
        "diteruskan",
        "ditetapkan",
    ]


def test_musdes_rejection_closes_the_proposal_only_after_signing(personas):
    proposal = submitted_proposal()
    d = held_musdes(personas.operator_a, [proposal], outcome=Outcome.REJECTED, sign=False)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED  # not yet signed
    musdes.deliberation_sign(deliberation_id=d.pk, actor=personas.operator_a, scan=photo_upload("ttd.jpg", seed=40))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.MUSDES_REJECTED
    assert proposal.events.last().reason == "Mampu"


def test_musdes_refusals(personas):
    proposal = submitted_proposal()
    from registrations.models import Region

    village = Region.objects.get(code="32.04.12.2002")
    with pytest.raises(NotAllowed):
        musdes.deliberation_open(
            actor=personas.operator_b,
            village=village,
            basis="musdes",
            held_on=TODAY,
            place="x",
            chair="y",
            chair_position="z",
        )
    d = musdes.deliberation_open(
        actor=personas.operator_a,
        village=village,
        basis="musdes",
        held_on=TODAY,
        place="x",
        chair="y",
        chair_position="z",
    )
    with pytest.raises(Conflict):  # one open deliberation per village
        musdes.deliberation_open(
            actor=personas.operator_a,
            village=village,
            basis="musdes",
            held_on=TODAY,
            place="x",
            chair="y",
            chair_position="z",
        )
    assert musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=personas.operator_a) == 1
    assert musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=personas.operator_a) == 0
    item = d.items.get()
    with pytest.raises(DomainError):
        musdes.deliberation_close(deliberation_id=d.pk, actor=personas.operator_a)  # outcome missing
    with pytest.raises(DomainError):
        musdes.deliberation_record_outcome(item_id=item.pk, actor=personas.operator_a, outcome=Outcome.REJECTED)
    musdes.deliberation_record_outcome(item_id=item.pk, actor=personas.operator_a, outcome=Outcome.APPROVED)
    with pytest.raises(DomainError):
        musdes.deliberation_close(deliberation_id=d.pk, actor=personas.operator_a)  # no signatory attendee
    with pytest.raises(InvalidTransition):
        musdes.deliberation_sign(deliberation_id=d.pk, actor=personas.operator_a, scan=photo_upload(seed=41))
    assert proposal.pk == item.proposal_id


def test_sptjm_without_attendees(personas):
    proposal = submitted_proposal()
    from registrations.models import Region

    d = musdes.deliberation_open(
        actor=personas.operator_a,
        village=Region.objects.get(code="32.04.12.2002"),
        basis="sptjm",
        held_on=TODAY,
        place="Kantor Desa",
        chair="Asep",
        chair_position="Kepala Desa",
        notes="Musdes tidak dapat diadakan karena banjir.",
    )
    musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=personas.operator_a)
    musdes.deliberation_record_outcome(item_id=d.items.get().pk, actor=personas.operator_a, outcome=Outcome.APPROVED)
    musdes.deliberation_close(deliberation_id=d.pk, actor=personas.operator_a)
    musdes.deliberation_sign(deliberation_id=d.pk, actor=personas.operator_a, scan=photo_upload(seed=42))
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.MUSDES_APPROVED


def test_deferred_proposals_wait_for_the_next_musdes(personas):
    first, second = submitted_proposal("a1"), submitted_proposal("a2")
    from registrations.models import Region

    d = musdes.deliberation_open(
        actor=personas.operator_a,
        village=Region.objects.get(code="32.04.12.2002"),
        basis="musdes",
        held_on=TODAY,
        place="Balai",
        chair="Asep",
        chair_position="Kepala Desa",
    )
    musdes.deliberation_add_attendee(
        deliberation_id=d.pk, actor=personas.operator_a, name="D", position="BPD", signs=True
    )
    musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=personas.operator_a)
    a, b = d.items.order_by("id")
    musdes.deliberation_record_outcome(item_id=a.pk, actor=personas.operator_a, outcome=Outcome.APPROVED)
    musdes.deliberation_record_outcome(item_id=b.pk, actor=personas.operator_a, outcome=Outcome.DEFERRED)
    musdes.deliberation_close(deliberation_id=d.pk, actor=personas.operator_a)
    musdes.deliberation_sign(deliberation_id=d.pk, actor=personas.operator_a, scan=photo_upload(seed=43))
    assert {Proposal.objects.get(pk=first.pk).status, Proposal.objects.get(pk=second.pk).status} == {
        ProposalStatus.MUSDES_APPROVED,
        ProposalStatus.SUBMITTED,
    }


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("social_officer", True), ("social_officer_other_regency", False), ("operator_a", False), ("regency_head", False)],
)
def test_only_the_regencys_social_office_verifies(personas, persona, allowed):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    actor = getattr(personas, persona)
    if allowed:
        verified(actor, proposal)
        assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.VERIFIED
    else:
        with pytest.raises(NotAllowed):
            verified(actor, proposal)


def test_assigned_verifier_only_and_visit_corrects_the_data(personas):
    from testing.personas import make_user
    from testing.regions import REGENCY

    colleague = make_user("dinsos_b", "dinsos", REGENCY)
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    review.verifier_assign(proposal_id=proposal.pk, actor=personas.social_officer, verifier=colleague)
    with pytest.raises(NotAllowed):
        verified(personas.social_officer, proposal)
    review.field_visit_record(
        proposal_id=proposal.pk,
        actor=colleague,
        visited_on=TODAY,
        result="kembalikan",
        conditions={"owns_car": True, "floor_area_m2": 90, "monthly_income": 7_000_000},
        notes="Rumah sudah direnovasi; mohon perbarui data.",
        photos=[photo_upload("rumah.jpg", seed=50)],
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RETURNED and proposal.owns_car and proposal.monthly_income == 7_000_000
    assert proposal.field_visits.get().photos.count() == 1


def test_role_separation_one_account_one_hand(personas):
    """Even if an account's role changes, it may not act twice on one proposal."""
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    operator = personas.operator_a
    operator.role, operator.region_id = "dinsos", "32.04"
    operator.save()
    with pytest.raises(NotAllowed, match="Pemisahan peran"):
        verified(operator, proposal)


def test_regency_batch_is_all_or_nothing(personas):
    ok, stale = submitted_proposal("b1"), submitted_proposal("b2")
    held_musdes(personas.operator_a, [ok, stale])
    verified(personas.social_officer, ok)  # the other one is not verified yet
    with pytest.raises(InvalidTransition, match=stale.tracking_number):
        through_regency(personas.regency_head, [ok.pk, stale.pk])
    assert Proposal.objects.get(pk=ok.pk).status == ProposalStatus.VERIFIED
    with pytest.raises(NotAllowed):
        through_regency(personas.regency_head.__class__.objects.get(username="prov_jabar"), [ok.pk])
    batch = through_regency(personas.regency_head, [ok.pk])
    with pytest.raises(Conflict):  # decree numbers are unique per issuer
        through_regency(personas.regency_head, [ok.pk])
    assert batch.proposals.count() == 1


def test_province_of_another_province_cannot_forward(personas):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    verified(personas.social_officer, proposal)
    through_regency(personas.regency_head, [proposal.pk])
    with pytest.raises(NotAllowed):
        through_province(personas.provincial_other, [proposal.pk])


def test_ministry_not_determined_needs_nothing_entered(personas):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    verified(personas.social_officer, proposal)
    through_regency(personas.regency_head, [proposal.pk])
    through_province(personas.provincial, [proposal.pk])
    approvals.ministry_determine(
        actor=personas.ministry,
        period="2026-Q4",
        number="PEN-2",
        document_date=TODAY,
        determine_ids=[],
        reject_ids=[proposal.pk],
        reject_reason="Desil di atas batas.",
    )
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.NOT_DETERMINED
    assert not Household.objects.filter(kk_number=proposal.kk_number).exists()
    assert not Member.objects.filter(nik__in=proposal.members.values("nik")).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_officers_at_once_give_exactly_one_transition(personas):
    proposal = submitted_proposal()
    held_musdes(personas.operator_a, [proposal])
    outcomes = at_once(
        lambda: proposal_transition(proposal_id=proposal.pk, name="verify", actor=personas.social_officer), 20
    )
    results = [type(o).__name__ if isinstance(o, Exception) else "ok" for o in outcomes]
    assert results.count("ok") == 1 and results.count("InvalidTransition") == 19
    assert proposal.events.filter(to_status=ProposalStatus.VERIFIED).count() == 1


def test_a_proposal_returned_during_the_musdes_does_not_block_signing(personas):
    kept, returned = submitted_proposal("c1"), submitted_proposal("c2")
    d = held_musdes(personas.operator_a, [kept, returned], sign=False)
    proposal_transition(
        proposal_id=returned.pk, name="return_for_correction", actor=personas.operator_a, reason="KK salah"
    )
    musdes.deliberation_sign(deliberation_id=d.pk, actor=personas.operator_a, scan=photo_upload(seed=44))
    assert Proposal.objects.get(pk=kept.pk).status == ProposalStatus.MUSDES_APPROVED
    assert Proposal.objects.get(pk=returned.pk).status == ProposalStatus.RETURNED


def test_determination_needs_the_ministry_and_at_least_one_proposal(personas):
    with pytest.raises(NotAllowed):
        approvals.ministry_determine(
            actor=personas.operator_a,
            period="2026-Q4",
            number="X",
            document_date=TODAY,
            determine_ids=[],
            reject_ids=[],
        )
    with pytest.raises(DomainError):
        approvals.ministry_determine(
            actor=personas.ministry, period="2026-Q4", number="X", document_date=TODAY, determine_ids=[], reject_ids=[]
        )


def test_national_accounts_cannot_open_a_musdes(personas):
    with pytest.raises(NotAllowed):
        musdes.deliberation_open(
            actor=personas.ministry,
            village=None,
            basis="musdes",
            held_on=TODAY,
            place="x",
            chair="y",
            chair_position="z",
        )


# --- what a proposal offers each hand (allowed_moves: the mover's own checks, unlocked) ---------


def test_each_hand_is_offered_exactly_the_moves_the_mover_accepts(personas):
    proposal = submitted_proposal()
    assert proposal.allowed_moves(personas.operator_a) == ["musdes_approve", "musdes_reject", "return_for_correction"]
    for outsider in (personas.operator_b, personas.regency_head, personas.ministry):
        assert proposal.allowed_moves(outsider) == []
    assert proposal.allowed_moves(personas.social_officer) == ["return_for_correction"]  # as the table has it
    held_musdes(personas.operator_a, [proposal])
    proposal.refresh_from_db()
    assert proposal.allowed_moves(personas.social_officer) == ["return_for_correction", "verify", "verification_reject"]
    # The operator who recorded the musdes may still return it (its own hand), nothing else.
    assert proposal.allowed_moves(personas.operator_a) == ["return_for_correction"]
    verified(personas.social_officer, proposal)
    proposal.refresh_from_db()
    assert proposal.allowed_moves(personas.social_officer) == []
    assert proposal.allowed_moves(personas.regency_head) == ["regency_approve"]
    # Every offered move is accepted by the mover, and a move not offered is refused.
    with pytest.raises(InvalidTransition):
        proposal_transition(proposal_id=proposal.pk, name="forward", actor=personas.provincial)
    proposal_transition(proposal_id=proposal.pk, name="regency_approve", actor=personas.regency_head)


def test_assigning_and_visiting_are_refused_as_the_verify_move_would_be(personas):
    proposal = submitted_proposal()  # not through the musdes yet
    with pytest.raises(InvalidTransition):
        review.verifier_assign(proposal_id=proposal.pk, actor=personas.social_officer, verifier=personas.social_officer)
    with pytest.raises(NotAllowed):
        review.verifier_assign(proposal_id=proposal.pk, actor=personas.operator_a, verifier=personas.social_officer)


def test_a_musdes_step_is_refused_in_a_status_that_does_not_allow_it(personas):
    proposal = submitted_proposal()
    d = held_musdes(personas.operator_a, [proposal])  # signed
    with pytest.raises(InvalidTransition):
        musdes.deliberation_add_attendee(
            deliberation_id=d.pk, actor=personas.operator_a, name="Asep", position="Ketua RT", signs=True
        )
    with pytest.raises(InvalidTransition):
        musdes.deliberation_close(deliberation_id=d.pk, actor=personas.operator_a)
    with pytest.raises(NotAllowed):
        musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=personas.operator_b)
