"""Households already in the register, for tests.

- ``registered_household``: the family of ``testing.proposals.member_rows`` (Budi
  Santoso, his wife, a child), optionally holding chosen NIKs;
- ``numbered_household``: one head, "Kepala <serial>", KK and NIK made from the serial;
- ``household_headed_by``: a generated family (``testing.factories``) whose head has a
  chosen name, in the DTSEN or not; ``add_member`` adds a named member to it.
"""

import datetime

from django.utils import timezone

from registrations.models import Household, Member
from testing.factories import MemberFactory, make_household_with_members
from testing.numbers import village_kk
from testing.proposals import member_rows
from testing.regions import VILLAGE_A, district_of


def registered_household(village: str = VILLAGE_A, niks: list[str] | None = None) -> Household:
    """A household already in the register, whose members hold ``niks``."""
    household = Household.objects.create(
        kk_number=village_kk(village), village_id=village, address="Jl. Lama 1", rt="001", rw="002"
    )
    rows = member_rows(district_of(village))
    for row, nik in zip(rows, niks or [r["nik"] for r in rows], strict=False):
        fields = {k: v for k, v in row.items() if k in {f.name for f in Member._meta.fields}}
        fields["nik"] = nik
        Member.objects.create(household=household, **fields)
    return household


def numbered_household(village: str, serial: int) -> Household:
    """A household with one head, "Kepala <serial>" (serial below 1000)."""
    household = Household.objects.create(
        kk_number=f"{village[:2]}{village[3:5]}{village[6:8]}0101260{serial:03d}",
        village_id=village,
        address=f"Jl. Uji No. {serial}",
        rt="001",
        rw="002",
    )
    Member.objects.create(
        household=household,
        nik=f"{village[:2]}{village[3:5]}{village[6:8]}0101800{serial:03d}",
        full_name=f"Kepala {serial}",
        birth_place="Bandung",
        birth_date=datetime.date(1980, 1, 1),
        sex="L",
        relation="kepala",
        marital_status="kawin",
    )
    return household


def household_headed_by(head_name: str, village: str = VILLAGE_A, *, size: int = 2, registered: bool = True):
    household = make_household_with_members(village, size=size)
    head = household.members.get(relation="kepala")
    head.full_name = head_name
    head.save(update_fields=["full_name"])
    if registered:
        Household.objects.filter(pk=household.pk).update(registered_at=timezone.now())
    return household


def add_member(household, full_name: str):
    return MemberFactory(household=household, full_name=full_name)
