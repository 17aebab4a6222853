"""Builders that move proposals along the real workflow (services, photos, PDF) for tests."""

import datetime

from registrations.models import Proposal, Region
from registrations.services.proposals import proposal_submit
from testing.proposals import complete_draft
from testing.regions import VILLAGE_A
from testing.residents import confirmed_resident
from testing.uploads import photo_upload
from verification.models import Outcome
from verification.workflow.services import approvals, musdes, review

TODAY = datetime.date(2026, 11, 20)


def submitted_proposal(username: str = "siti", village: str = VILLAGE_A) -> Proposal:
    resident = confirmed_resident(username, village=village)
    proposal = complete_draft(resident)
    proposal_submit(proposal=proposal, actor=resident)
    return Proposal.objects.get(pk=proposal.pk)


def held_musdes(operator, proposals, *, outcome=Outcome.APPROVED, sign=True):
    d = musdes.deliberation_open(
        actor=operator,
        village=Region.objects.get(code=operator.region_id),
        basis="musdes",
        held_on=TODAY,
        place="Balai Desa",
        chair="Asep Sunandar",
        chair_position="Kepala Desa",
    )
    musdes.deliberation_add_attendee(
        deliberation_id=d.pk, actor=operator, name="Dedi", position="Ketua BPD", signs=True
    )
    musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=operator)
    for item in d.items.all():
        musdes.deliberation_record_outcome(
            item_id=item.pk, actor=operator, outcome=outcome, reason="" if outcome == Outcome.APPROVED else "Mampu"
        )
    musdes.deliberation_close(deliberation_id=d.pk, actor=operator)
    if sign:
        musdes.deliberation_sign(deliberation_id=d.pk, actor=operator, scan=photo_upload("ttd.jpg", seed=31))
    d.refresh_from_db()
    return d


def verified(officer, proposal):
    review.field_visit_record(
        proposal_id=proposal.pk,
        actor=officer,
        visited_on=TODAY,
        result="layak",
        conditions={"no_fixed_income": True, "poor_roof": True, "floor_area_m2": 20, "monthly_income": 900000},
        notes="",
    )


def through_regency(head, ids, number="SK-1"):
    return approvals.regency_approve_batch(actor=head, proposal_ids=ids, number=number, document_date=TODAY)


def through_province(staff, ids, number="PROV-1"):
    return approvals.province_forward_batch(actor=staff, proposal_ids=ids, number=number, document_date=TODAY)
