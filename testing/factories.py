"""factory-boy factories for households and members, with plausible Indonesian people.

Regions are real and are not made here: a household's village must already be in the
database (the ``regions`` fixture loads the personas' districts). Names come from
Faker ``id_ID`` as gendered first + last name pairs (``name_male()`` is not gendered);
addresses are Faker street lines only, never its mismatched cities and provinces.
NIKs are built from the household's district, the birth date and the sex, so they
pass ``registrations.nik.parse_nik``.

Randomness goes through ``factory.random`` (shared with Faker), reseeded below, so a
test run produces the same people in the same order.
"""

import datetime

import factory
import factory.random
from factory.django import DjangoModelFactory
from lokal import wilayah

from registrations.models import Household, Member, Region
from registrations.models.choices import MaritalStatus, Occupation, Relation, Sex
from registrations.nik import build_nik
from testing.regions import VILLAGE_A, district_of

LOCALE = "id_ID"
SEED = 2026
factory.random.reseed_random(SEED)

#: Birth places other than the household's own regency: cities of Jawa Barat and beyond.
OTHER_BIRTH_PLACES = ["Bandung", "Cimahi", "Garut", "Sumedang", "Tasikmalaya", "Cianjur", "Majalengka", "Jakarta"]

#: Age ranges (years) by relation to the head.
AGE_RANGES = {
    Relation.HEAD: (22, 75),
    Relation.SPOUSE: (20, 70),
    Relation.CHILD: (0, 25),
    Relation.CHILD_IN_LAW: (19, 40),
    Relation.GRANDCHILD: (0, 12),
    Relation.PARENT: (60, 90),
    Relation.PARENT_IN_LAW: (60, 90),
    Relation.OTHER_FAMILY: (10, 70),
    Relation.OTHER: (15, 60),
}


def _rng():
    return factory.random.randgen


def home_town(village_code: str) -> str:
    """The town people of this village are usually born in: the regency's name."""
    regency = wilayah.get_wilayah(village_code[:5])
    if regency is None:
        return "Bandung"
    return regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")


def birth_place_for(village_code: str) -> str:
    rng = _rng()
    if rng.random() < 0.7:
        return home_town(village_code)
    if rng.random() < 0.7:
        return rng.choice(OTHER_BIRTH_PLACES)
    return factory.Faker._get_faker(LOCALE).city()


def birth_date_between(oldest: datetime.date, youngest: datetime.date) -> datetime.date:
    youngest = min(youngest, datetime.date.today())
    if youngest <= oldest:
        return youngest
    return oldest + datetime.timedelta(days=_rng().randint(0, (youngest - oldest).days))


def spaced_birth_dates(first: datetime.date, last: datetime.date, count: int, gap_days: int = 456):
    """``count`` sorted dates in ``first..last``, at least ``gap_days`` apart when the span allows."""
    span = max((min(last, datetime.date.today()) - first).days, 0)
    gap = min(gap_days, span // count) if count > 1 else 0
    offsets = sorted(_rng().randint(0, span - gap * (count - 1)) for _ in range(count))
    return [first + datetime.timedelta(days=offset + i * gap) for i, offset in enumerate(offsets)]


def birth_date_for_age(min_age: int, max_age: int) -> datetime.date:
    """A birth date giving an age in ``min_age..max_age`` completed years today."""
    today = datetime.date.today()
    oldest = _years_before(today, max_age + 1) + datetime.timedelta(days=1)
    youngest = _years_before(today, min_age)
    return birth_date_between(oldest, youngest)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth_date: datetime.date, day: datetime.date | None = None) -> int:
    day = day or datetime.date.today()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def occupation_for(birth_date: datetime.date, relation: str, sex: str) -> str:
    age = age_on(birth_date)
    rng = _rng()
    if age < 5:
        return Occupation.NONE
    if age < 19 or (age < 23 and relation == Relation.CHILD and rng.random() < 0.4):
        return Occupation.STUDENT
    if age >= 65:
        return rng.choice([Occupation.NONE, Occupation.RETIRED, Occupation.FARMER])
    if sex == Sex.FEMALE and relation in (Relation.SPOUSE, Relation.PARENT, Relation.PARENT_IN_LAW):
        return rng.choice([Occupation.HOMEMAKER] * 5 + [Occupation.TRADER, Occupation.LABOURER])
    return rng.choice(
        [Occupation.LABOURER] * 3
        + [Occupation.FARMER] * 2
        + [Occupation.TRADER, Occupation.SELF_EMPLOYED, Occupation.PRIVATE_EMPLOYEE, Occupation.NONE]
    )


def _default_village() -> Region:
    try:
        return Region.objects.get(pk=VILLAGE_A)
    except Region.DoesNotExist:
        raise Region.DoesNotExist(
            f"Village {VILLAGE_A} is not loaded: use the `regions` fixture or pass village=..."
        ) from None


def _kk_number(o) -> str:
    village_code = o.village.code if hasattr(o.village, "code") else str(o.village)
    district = district_of(village_code).replace(".", "")
    return f"{district}{o.issue_date:%d%m%y}{o.kk_serial:04d}"


class HouseholdFactory(DjangoModelFactory):
    """A household (KK) in an existing village; ``village`` defaults to ``VILLAGE_A``."""

    class Meta:
        model = Household

    class Params:
        kk_serial = factory.Sequence(lambda n: n % 9999 + 1)
        issue_date = factory.LazyFunction(lambda: birth_date_between(datetime.date(2005, 1, 1), datetime.date.today()))

    village = factory.LazyFunction(_default_village)
    kk_number = factory.LazyAttribute(_kk_number)
    address = factory.Faker("street_address", locale=LOCALE)
    rt = factory.LazyFunction(lambda: f"{_rng().randint(1, 12):03d}")
    rw = factory.LazyFunction(lambda: f"{_rng().randint(1, 8):03d}")


def _default_relation(o) -> str:
    household = o.household
    if household.pk and household.members.filter(relation=Relation.HEAD).exists():
        return Relation.CHILD
    return Relation.HEAD


def _marital_status(o) -> str:
    if o.relation in (Relation.HEAD, Relation.SPOUSE, Relation.CHILD_IN_LAW):
        return MaritalStatus.MARRIED
    if o.relation in (Relation.PARENT, Relation.PARENT_IN_LAW):
        return MaritalStatus.WIDOWED
    return MaritalStatus.SINGLE


class MemberFactory(DjangoModelFactory):
    """A member with a NIK valid for the household's district, birth date and sex.

    ``relation`` defaults to head for a household without one, else child; the birth
    date follows the relation (adults for head and spouse, young for children).
    """

    class Meta:
        model = Member

    class Params:
        nik_serial = factory.Sequence(lambda n: n % 9999 + 1)
        is_male = factory.LazyAttribute(lambda o: o.sex == Sex.MALE)
        first_name = factory.Maybe(
            "is_male",
            yes_declaration=factory.Faker("first_name_male", locale=LOCALE),
            no_declaration=factory.Faker("first_name_female", locale=LOCALE),
        )
        last_name = factory.Maybe(
            "is_male",
            yes_declaration=factory.Faker("last_name_male", locale=LOCALE),
            no_declaration=factory.Faker("last_name_female", locale=LOCALE),
        )

    household = factory.SubFactory(HouseholdFactory)
    relation = factory.LazyAttribute(_default_relation)
    sex = factory.LazyFunction(lambda: _rng().choice([Sex.MALE, Sex.FEMALE]))
    birth_date = factory.LazyAttribute(lambda o: birth_date_for_age(*AGE_RANGES[Relation(o.relation)]))
    full_name = factory.LazyAttribute(lambda o: f"{o.first_name} {o.last_name}")
    birth_place = factory.LazyAttribute(lambda o: birth_place_for(o.household.village_id))
    marital_status = factory.LazyAttribute(_marital_status)
    occupation = factory.LazyAttribute(lambda o: occupation_for(o.birth_date, o.relation, o.sex))
    nik = factory.LazyAttribute(
        lambda o: build_nik(
            district_code=district_of(o.household.village_id),
            birth_date=o.birth_date,
            sex=o.sex,
            serial=o.nik_serial,
        )
    )


def make_household_with_members(village_code: str = VILLAGE_A, size: int = 4, **household_fields) -> Household:
    """A plausible family: a head, a spouse of the other sex, then children.

    ``size`` counts everyone (1 = the head alone). Children are born while their mother
    is 19 to 42 and never in the future; parents are adults.
    """
    if size < 1:
        raise ValueError("A household has at least its head")
    rng = _rng()
    village = Region.objects.get(pk=village_code)
    children = max(size - 2, 0)
    household = HouseholdFactory(village=village, **household_fields)

    head_sex = Sex.MALE if size == 1 or rng.random() < 0.9 else Sex.FEMALE
    # Old enough to have the children: at least 21 + 2 years per child.
    head_birth = birth_date_for_age(max(25, 21 + 2 * children), 65)
    head = MemberFactory(
        household=household,
        relation=Relation.HEAD,
        sex=head_sex,
        birth_date=head_birth,
        marital_status=MaritalStatus.MARRIED if size > 1 else MaritalStatus.SINGLE,
    )
    if size == 1:
        return household

    spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
    gap = rng.randint(0, 8) * (1 if head_sex == Sex.MALE else -1)  # the husband usually older
    spouse_birth = head_birth + datetime.timedelta(days=365 * gap + rng.randint(0, 364))
    spouse_birth = min(spouse_birth, _years_before(datetime.date.today(), 20))
    MemberFactory(household=household, relation=Relation.SPOUSE, sex=spouse_sex, birth_date=spouse_birth)

    mother_birth = spouse_birth if spouse_sex == Sex.FEMALE else head.birth_date
    youngest_parent = max(head.birth_date, spouse_birth)
    first = max(
        _years_before(mother_birth, -19),
        _years_before(youngest_parent, -19),
        _years_before(datetime.date.today(), 30),  # older children have usually left the KK
    )
    last = min(_years_before(mother_birth, -42), datetime.date.today())
    for birth in spaced_birth_dates(first, last, children):
        MemberFactory(
            household=household,
            relation=Relation.CHILD,
            sex=rng.choice([Sex.MALE, Sex.FEMALE]),
            birth_date=birth,
            marital_status=MaritalStatus.SINGLE,
        )
    return household
