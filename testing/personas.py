"""Personas per role and region, built for each test (never "whatever row exists"),
and the ``personas`` fixture.

Each persona works in one of the real places of ``testing.regions``; every account
has the password ``PASSWORD``.
"""

from dataclasses import dataclass

import pytest

from registrations.models import Role, User
from testing.regions import (
    OTHER_PROVINCE,
    OTHER_REGENCY,
    OTHER_REGENCY_VILLAGE,
    PROVINCE,
    REGENCY,
    VILLAGE_A,
    VILLAGE_B,
)

PASSWORD = "uji-sandi-2026!"  # noqa: S105 - every test account's password


@dataclass
class Personas:
    resident: User
    operator_a: User
    operator_b: User
    operator_other_regency: User
    social_officer: User
    social_officer_other_regency: User
    regency_head: User
    provincial: User
    provincial_other: User
    ministry: User
    admin: User

    def all(self) -> dict[str, User]:
        return dict(vars(self))


def make_user(username: str, role: str, region_code: str | None, **extra) -> User:
    user = User(username=username, role=role, region_id=region_code, email=f"{username}@contoh.go.id", **extra)
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


def make_personas() -> Personas:
    return Personas(
        resident=make_user("warga_a", Role.RESIDENT, VILLAGE_A),
        operator_a=make_user("operator_a", Role.VILLAGE_OPERATOR, VILLAGE_A),
        operator_b=make_user("operator_b", Role.VILLAGE_OPERATOR, VILLAGE_B),
        operator_other_regency=make_user("operator_sumedang", Role.VILLAGE_OPERATOR, OTHER_REGENCY_VILLAGE),
        social_officer=make_user("dinsos_bandung", Role.SOCIAL_OFFICER, REGENCY),
        social_officer_other_regency=make_user("dinsos_sumedang", Role.SOCIAL_OFFICER, OTHER_REGENCY),
        regency_head=make_user("bupati_bandung", Role.REGENCY_HEAD, REGENCY),
        provincial=make_user("prov_jabar", Role.PROVINCIAL_STAFF, PROVINCE),
        provincial_other=make_user("prov_diy", Role.PROVINCIAL_STAFF, OTHER_PROVINCE),
        ministry=make_user("kemensos", Role.MINISTRY_STAFF, None),
        admin=make_user("admin", Role.ADMIN, None, is_staff=True, is_superuser=True),
    )


@pytest.fixture
def personas(regions):
    """One account per role: ``personas.operator_a``, ``personas.operator_b``, ..."""
    return make_personas()
