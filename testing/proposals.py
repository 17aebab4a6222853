"""Proposals for tests: the rows of a complete family, a draft with every step filled
through the services, and fast rows written straight into a status.

``complete_draft`` takes the real path (services, a processed photo), about a second
each: right for the tests of who may act. ``queued`` and ``bulk_submitted`` write
proposals and their members in bulk, as the services would have left them, for the
list, count, export and API tests that need many rows.
"""

import datetime

from django.utils import timezone

from registrations.models import Channel, Household, Proposal, ProposalMember, ProposalStatus, User
from registrations.services import proposals as proposal_services
from registrations.services.proposals import new_tracking_number
from testing.numbers import kk_for, nik_for, village_kk
from testing.regions import DISTRICT_A, VILLAGE_A, district_of
from testing.uploads import photo_upload


def member_rows(district: str = DISTRICT_A) -> list[dict]:
    head_birth, wife_birth, child_birth = (
        datetime.date(1980, 2, 3),
        datetime.date(1984, 7, 9),
        datetime.date(2016, 11, 20),
    )
    base = {"disability": "tidak", "pregnant": False}
    return [
        {
            **base,
            "nik": nik_for(head_birth, "L", district),
            "full_name": "Budi Santoso",
            "relation": "kepala",
            "birth_place": "Bandung",
            "birth_date": head_birth,
            "sex": "L",
            "marital_status": "kawin",
            "education": "smp",
            "occupation": "buruh",
        },
        {
            **base,
            "nik": nik_for(wife_birth, "P", district),
            "full_name": "Siti Aminah",
            "relation": "pasangan",
            "birth_place": "Garut",
            "birth_date": wife_birth,
            "sex": "P",
            "marital_status": "kawin",
            "education": "sd",
            "occupation": "mengurus_rumah_tangga",
            "pregnant": True,
        },
        {
            **base,
            "nik": nik_for(child_birth, "L", district),
            "full_name": "Ahmad Fauzi",
            "relation": "anak",
            "birth_place": "Bandung",
            "birth_date": child_birth,
            "sex": "L",
            "marital_status": "belum_kawin",
            "education": "sd",
            "occupation": "pelajar",
        },
    ]


CONDITIONS = {
    "no_fixed_income": True,
    "spends_mostly_on_staple_food": True,
    "poor_floor": True,
    "floor_area_m2": 24,
    "monthly_income": 1_200_000,
    "owns_motorcycle": True,
}


def complete_draft(actor: User, *, kinds=("kk",)) -> Proposal:
    """A draft with every step filled, ready to submit."""
    proposal = proposal_services.proposal_create_draft(actor=actor)
    district = district_of(proposal.village_id)
    proposal_services.proposal_save_household(
        proposal=proposal,
        actor=actor,
        data={
            "kk_number": proposal.kk_number or kk_for(district),
            "village": proposal.village,
            "address": "Jl. Sukapura No. 7",
            "rt": "003",
            "rw": "007",
            "phone": "081234567890",
        },
    )
    proposal_services.proposal_save_members(proposal=proposal, actor=actor, members=member_rows(district))
    proposal_services.proposal_save_conditions(proposal=proposal, actor=actor, data=CONDITIONS)
    proposal_services.proposal_save_programmes(
        proposal=proposal, actor=actor, programmes=["PKH", "PBI_JK"], statement=""
    )
    for i, kind in enumerate(kinds):
        proposal_services.proposal_add_document(
            proposal=proposal, actor=actor, kind=kind, file_obj=photo_upload(f"{kind}.jpg", seed=100 + i)
        )
    proposal.refresh_from_db()
    return proposal


def queued(
    count: int,
    *,
    status: str,
    entered_by,
    village: str = VILLAGE_A,
    waiting_days: int = 0,
    head_name: str = "Budi Santoso",
    household: Household | None = None,
) -> list[Proposal]:
    """``count`` offline proposals of ``village`` waiting in ``status`` for ``waiting_days``."""
    since = timezone.now() - datetime.timedelta(days=waiting_days, hours=1)
    district = district_of(village)
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                tracking_number=new_tracking_number(),
                channel=Channel.OFFLINE,
                entered_by=entered_by,
                kk_number=household.kk_number if household else village_kk(village),
                household=household,
                kind="perubahan" if household else "baru",
                update_reason="ekonomi" if household else "",
                village_id=village,
                address="Jl. Sukapura No. 7",
                rt="003",
                rw="007",
                status=status,
                submitted_at=since,
                status_changed_at=since,
                floor_area_m2=24,
                monthly_income=1_200_000,
                no_fixed_income=True,
                programmes=["PKH"],
            )
            for _ in range(count)
        ]
    )
    members = []
    for proposal in proposals:
        for row in member_rows(district):
            if row["relation"] == "kepala":
                row["full_name"] = head_name
            members.append(ProposalMember(proposal=proposal, **row))
    ProposalMember.objects.bulk_create(members)
    return proposals


def bulk_submitted(count: int, *, operator: User, village: str = VILLAGE_A, members: int = 2) -> list[Proposal]:
    """Walk-in proposals already submitted, written directly (no documents): enough for
    lists and query counts, without running the intake ``count`` times."""
    district = district_of(village)
    now = timezone.now()
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                tracking_number=new_tracking_number(),
                channel=Channel.OFFLINE,
                status=ProposalStatus.SUBMITTED,
                entered_by=operator,
                kk_number=kk_for(district),
                village_id=village,
                address="Jl. Uji",
                rt="001",
                rw="002",
                submitted_at=now,
                status_changed_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(count)
        ]
    )
    births = [datetime.date(1980, 1, 1), datetime.date(1982, 5, 5), datetime.date(2010, 3, 3)]
    relations = ["kepala", "pasangan", "anak"]
    ProposalMember.objects.bulk_create(
        [
            ProposalMember(
                proposal=p,
                nik=nik_for(births[j], "L" if j != 1 else "P", district),
                full_name=f"Anggota {j}",
                relation=relations[j],
                birth_place="Bandung",
                birth_date=births[j],
                sex="L" if j != 1 else "P",
                marital_status="kawin" if j < 2 else "belum_kawin",
                education="sd",
                occupation="buruh",
            )
            for p in proposals
            for j in range(members)
        ]
    )
    return proposals
