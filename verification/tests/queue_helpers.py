"""Fast builders for the queue tests.

``workflow_helpers`` moves a proposal along the real path (photos, PDF, services),
about a second each: right for the tests of who may act, too slow for the tests that
need 30+ rows on a page. ``queued`` writes proposals straight into a status with
their members, as the services would have left them, for the list, count and export
tests only.
"""

import datetime
import itertools

from django.utils import timezone

from registrations.models import Channel, Household, Member, Proposal, ProposalMember
from registrations.services.proposals import new_tracking_number
from registrations.tests.builders import member_rows
from registrations.tests.personas import VILLAGE_A

_kk_serial = itertools.count(1)


def _kk(village: str) -> str:
    digits = village.replace(".", "")
    return f"{digits}{next(_kk_serial):06d}"[-16:].rjust(16, "9")


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
    district = village.rsplit(".", 1)[0]
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                tracking_number=new_tracking_number(),
                channel=Channel.OFFLINE,
                entered_by=entered_by,
                kk_number=household.kk_number if household else _kk(village),
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


def registered_household(village: str = VILLAGE_A, niks: list[str] | None = None) -> Household:
    """A household already in the register, whose members hold ``niks``."""
    household = Household.objects.create(
        kk_number=_kk(village), village_id=village, address="Jl. Lama 1", rt="001", rw="002"
    )
    rows = member_rows(village.rsplit(".", 1)[0])
    for row, nik in zip(rows, niks or [r["nik"] for r in rows], strict=False):
        fields = {k: v for k, v in row.items() if k in {f.name for f in Member._meta.fields}}
        fields["nik"] = nik
        Member.objects.create(household=household, **fields)
    return household
