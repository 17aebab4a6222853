"""factory_boy factories for the portal's main rows, with plausible Indonesian people.

Households and their members (``HouseholdFactory``, ``MemberFactory``,
``make_household_with_members``); proposals with their families (``ProposalFactory``,
``ProposalMemberFactory``); a musdes (``DeliberationFactory``), a field visit
(``FieldVisitFactory``), a sanggah (``ObjectionFactory``), a civil-registry record
(``PopulationRecordFactory``), a score (``HouseholdScoreFactory``); the accounts they
need (``UserFactory``). Each builds one valid row with everything it points to.

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
from decimal import Decimal

import factory
import factory.random
from django.utils import timezone
from factory.django import DjangoModelFactory
from lokal import wilayah

from eligibility.models import DesilSource, HouseholdScore, ScoreModel
from lookup.indexing import public_mask
from lookup.models import Objection, ObjectionKind, ObjectionReason
from registrations.models import (
    Channel,
    Household,
    Member,
    Proposal,
    ProposalMember,
    ProposalStatus,
    Region,
    Role,
    User,
)
from registrations.models.choices import Education, MaritalStatus, Occupation, Relation, Sex
from registrations.models.conditions import HouseholdConditions
from registrations.names import normalize_name
from registrations.nik import build_nik
from registrations.services.proposals import TRACKING_ALPHABET
from testing.personas import PASSWORD
from testing.regions import VILLAGE_A, district_of
from verification.models import (
    Deliberation,
    DeliberationItem,
    FieldVisit,
    LifeStatus,
    PopulationRecord,
)
from verification.models.workflow import DeliberationBasis, FieldVisitResult

#: The household-condition fields a proposal claims and a field visit observes.
CONDITION_FIELDS = [f.name for f in HouseholdConditions._meta.get_fields()]

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


def new_kk_number(village_code: str, serial: int) -> str:
    """A KK number of the village's district, issued on a random day since 2005."""
    issued = birth_date_between(datetime.date(2005, 1, 1), datetime.date.today())
    return f"{district_of(village_code).replace('.', '')}{issued:%d%m%y}{serial:04d}"


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


# --- the portal's other main rows -------------------------------------------------------


def _faker():
    return factory.Faker._get_faker(LOCALE)


def person_name(sex: str) -> str:
    """A gendered first + last name pair (Faker ``id_ID``)."""
    faker = _faker()
    if sex == Sex.MALE:
        return f"{faker.first_name_male()} {faker.last_name_male()}"
    return f"{faker.first_name_female()} {faker.last_name_female()}"


def education_for(birth_date: datetime.date) -> str:
    """The last school level of someone born on ``birth_date`` (children: their level now)."""
    age = age_on(birth_date)
    if age < 7:
        return Education.NONE
    if age < 13:
        return Education.PRIMARY
    if age < 16:
        return Education.JUNIOR
    return _rng().choice(
        [Education.PRIMARY] * 4
        + [Education.JUNIOR] * 3
        + [Education.SENIOR] * 3
        + [Education.NONE, Education.DIPLOMA, Education.DEGREE]
    )


def tracking_number(prefix: str = "US") -> str:
    """A number like the portal's (``new_tracking_number``), drawn from the seeded random."""
    return prefix + "".join(_rng().choice(TRACKING_ALPHABET) for _ in range(8))


def phone_number() -> str:
    """An Indonesian mobile number (Telkomsel, Indosat, XL prefixes)."""
    rng = _rng()
    return rng.choice(["0812", "0813", "0821", "0852", "0856", "0857", "0817", "0878"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(8)
    )


class UserFactory(DjangoModelFactory):
    """An account of ``role`` (default village operator) working in ``region`` (default
    ``VILLAGE_A``), with the personas' password (``testing.personas.PASSWORD``)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@contoh.go.id")
    first_name = factory.LazyFunction(lambda: person_name(_rng().choice([Sex.MALE, Sex.FEMALE])).split()[0])
    role = Role.VILLAGE_OPERATOR
    region = factory.LazyFunction(_default_village)
    password = factory.django.Password(PASSWORD)


class ProposalMemberFactory(DjangoModelFactory):
    """A member of a proposal's family: a NIK valid for the proposal's district, birth
    date and sex; the same defaults as ``MemberFactory``, plus the school level."""

    class Meta:
        model = ProposalMember

    class Params:
        nik_serial = factory.Sequence(lambda n: n % 9999 + 1)

    proposal = factory.SubFactory("testing.factories.ProposalFactory", members=0)
    relation = factory.LazyAttribute(
        lambda o: Relation.CHILD if o.proposal.members.filter(relation=Relation.HEAD).exists() else Relation.HEAD
    )
    sex = factory.LazyFunction(lambda: _rng().choice([Sex.MALE, Sex.FEMALE]))
    birth_date = factory.LazyAttribute(lambda o: birth_date_for_age(*AGE_RANGES[Relation(o.relation)]))
    full_name = factory.LazyAttribute(lambda o: person_name(o.sex))
    birth_place = factory.LazyAttribute(lambda o: birth_place_for(o.proposal.village_id))
    marital_status = factory.LazyAttribute(_marital_status)
    education = factory.LazyAttribute(lambda o: education_for(o.birth_date))
    occupation = factory.LazyAttribute(lambda o: occupation_for(o.birth_date, o.relation, o.sex))
    nik = factory.LazyAttribute(
        lambda o: build_nik(
            district_code=district_of(o.proposal.village_id),
            birth_date=o.birth_date,
            sex=o.sex,
            serial=o.nik_serial,
        )
    )


def _submitted_at(o):
    return None if o.status == ProposalStatus.DRAFT else timezone.now() - datetime.timedelta(days=1)


class ProposalFactory(DjangoModelFactory):
    """A walk-in proposal of an existing village, entered by an operator of that village,
    submitted (``status``) and waiting for its musdes, with household conditions of a
    poor family and ``members`` people (default 3: head, spouse, child; 0 for none).

    The family comes from ``add_family``, so NIKs, ages and sexes fit together. An
    online proposal needs ``channel=Channel.ONLINE`` and an ``applicant``.
    """

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    class Params:
        kk_serial = factory.Sequence(lambda n: n % 9999 + 1)

    tracking_number = factory.LazyFunction(tracking_number)
    channel = Channel.OFFLINE
    status = ProposalStatus.SUBMITTED
    village = factory.LazyFunction(_default_village)
    entered_by = factory.SubFactory(UserFactory, role=Role.VILLAGE_OPERATOR, region=factory.SelfAttribute("..village"))
    kk_number = factory.LazyAttribute(lambda o: new_kk_number(o.village.code, o.kk_serial))
    address = factory.Faker("street_address", locale=LOCALE)
    rt = factory.LazyFunction(lambda: f"{_rng().randint(1, 12):03d}")
    rw = factory.LazyFunction(lambda: f"{_rng().randint(1, 8):03d}")
    phone = factory.LazyFunction(phone_number)
    programmes = factory.LazyFunction(lambda: ["PKH", "PBI_JK"])
    no_fixed_income = True
    spends_mostly_on_staple_food = True
    poor_floor = factory.LazyFunction(lambda: _rng().random() < 0.6)
    poor_walls = factory.LazyFunction(lambda: _rng().random() < 0.4)
    floor_area_m2 = factory.LazyFunction(lambda: Decimal(_rng().randint(18, 60)))
    monthly_income = factory.LazyFunction(lambda: _rng().randint(6, 25) * 100_000)
    submitted_at = factory.LazyAttribute(_submitted_at)
    status_changed_at = factory.SelfAttribute("submitted_at")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        size = 3 if extracted is None else extracted
        if create and size:
            add_family(ProposalMemberFactory, size, proposal=obj)


class DeliberationFactory(DjangoModelFactory):
    """An open musdes (muskel in a kelurahan) of an existing village, opened by an
    operator of that village; ``proposals=[...]`` puts them on its agenda."""

    class Meta:
        model = Deliberation
        skip_postgeneration_save = True

    village = factory.LazyFunction(_default_village)
    basis = factory.LazyAttribute(
        lambda o: DeliberationBasis.MUSKEL if o.village.kind == "kelurahan" else DeliberationBasis.MUSDES
    )
    held_on = factory.LazyFunction(datetime.date.today)
    place = factory.LazyAttribute(lambda o: f"Balai {o.village.get_kind_display()} {o.village.name.title()}")
    chair = factory.LazyFunction(lambda: person_name(Sex.MALE))
    opened_by = factory.SubFactory(UserFactory, role=Role.VILLAGE_OPERATOR, region=factory.SelfAttribute("..village"))

    @factory.post_generation
    def proposals(obj, create, extracted, **kwargs):
        for proposal in extracted or ():
            DeliberationItem.objects.create(deliberation=obj, proposal=proposal)


def _regency_of(o) -> Region:
    """The regency of the visited proposal (the verifier's region), from a SubFactory."""
    return Region.objects.get(pk=o.factory_parent.proposal.village_id[:5])


class FieldVisitFactory(DjangoModelFactory):
    """The social office's visit to a proposal approved by its musdes: the verifier is an
    officer of the proposal's regency, the observed conditions are the ones the proposal
    claims (pass any of them to observe otherwise), the result "layak"."""

    class Meta:
        model = FieldVisit

    proposal = factory.SubFactory(ProposalFactory, status=ProposalStatus.MUSDES_APPROVED)
    verifier = factory.SubFactory(UserFactory, role=Role.SOCIAL_OFFICER, region=factory.LazyAttribute(_regency_of))
    visited_on = factory.LazyFunction(datetime.date.today)
    result = FieldVisitResult.VERIFIED

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        proposal = kwargs["proposal"]
        for name in CONDITION_FIELDS:
            kwargs.setdefault(name, getattr(proposal, name))
        return kwargs


class ObjectionFactory(DjangoModelFactory):
    """A sanggah from a resident of an existing village about a neighbour missing from the
    DTSEN (kind ``layak_terlewat``: no target in the lookup needed), just received."""

    class Meta:
        model = Objection

    number = factory.LazyFunction(lambda: tracking_number("SG"))
    kind = ObjectionKind.MISSING
    village = factory.LazyFunction(_default_village)
    objector = factory.SubFactory(UserFactory, role=Role.RESIDENT, region=factory.SelfAttribute("..village"))
    target_name = factory.LazyFunction(lambda: person_name(_rng().choice([Sex.MALE, Sex.FEMALE])))
    target_masked_name = factory.LazyAttribute(lambda o: public_mask(o.target_name))
    rt = factory.LazyFunction(lambda: f"{_rng().randint(1, 12):03d}")
    rw = factory.LazyFunction(lambda: f"{_rng().randint(1, 8):03d}")
    reason = ObjectionReason.MISSING_POOR
    statement = factory.LazyFunction(lambda: _rng().choice(OBJECTION_STATEMENTS))


#: What residents write about a neighbour the DTSEN missed.
OBJECTION_STATEMENTS = [
    "Tetangga kami janda dengan tiga anak, bekerja sebagai buruh cuci, belum pernah didata.",
    "Keluarga ini tinggal di rumah berlantai tanah dan kepala keluarganya sakit menahun.",
    "Bapak ini buruh tani harian tanpa penghasilan tetap dan merawat orang tua yang lumpuh.",
    "Nenek ini tinggal sendiri tanpa penghasilan dan belum menerima bantuan apa pun.",
]


class PopulationRecordFactory(DjangoModelFactory):
    """A person in the portal's copy of the civil registry, alive, living in
    ``village_code`` (a code: the registry keeps codes, not regions); the NIK fits the
    village's district, the birth date and the sex; ``name_key`` is the normalised name."""

    class Meta:
        model = PopulationRecord

    class Params:
        nik_serial = factory.Sequence(lambda n: n % 9999 + 1)
        kk_serial = factory.Sequence(lambda n: n % 9999 + 1)

    village_code = VILLAGE_A
    sex = factory.LazyFunction(lambda: _rng().choice([Sex.MALE, Sex.FEMALE]))
    birth_date = factory.LazyFunction(lambda: birth_date_for_age(0, 90))
    nik = factory.LazyAttribute(
        lambda o: build_nik(
            district_code=district_of(o.village_code), birth_date=o.birth_date, sex=o.sex, serial=o.nik_serial
        )
    )
    kk_number = factory.LazyAttribute(lambda o: new_kk_number(o.village_code, o.kk_serial))
    full_name = factory.LazyAttribute(lambda o: person_name(o.sex))
    name_key = factory.LazyAttribute(lambda o: normalize_name(o.full_name))
    birth_place = factory.LazyAttribute(lambda o: birth_place_for(o.village_code))
    address = factory.Faker("street_address", locale=LOCALE)
    rt = factory.LazyFunction(lambda: f"{_rng().randint(1, 12):03d}")
    rw = factory.LazyFunction(lambda: f"{_rng().randint(1, 8):03d}")
    status = LifeStatus.ALIVE


class HouseholdScoreFactory(DjangoModelFactory):
    """A household's score under the active model (v1, seeded by eligibility's migration),
    with one desil (``model_desil``) for the nation and the province alike; the household
    is in the register."""

    class Meta:
        model = HouseholdScore

    model = factory.LazyFunction(lambda: ScoreModel.objects.active())
    household = factory.SubFactory(HouseholdFactory, registered_at=factory.LazyFunction(timezone.now))
    village_code = factory.SelfAttribute("household.village_id")
    score = factory.LazyFunction(lambda: round(_rng().uniform(0, 100), 4))
    model_desil = factory.LazyFunction(lambda: _rng().randint(1, 10))
    desil_national = factory.SelfAttribute("model_desil")
    desil_province = factory.SelfAttribute("model_desil")
    source = DesilSource.MODEL
    computed_at = factory.LazyFunction(timezone.now)


def make_household_with_members(village_code: str = VILLAGE_A, size: int = 4, **household_fields) -> Household:
    """A plausible family: a head, a spouse of the other sex, then children.

    ``size`` counts everyone (1 = the head alone). Children are born while their mother
    is 19 to 42 and never in the future; parents are adults.
    """
    if size < 1:
        raise ValueError("A household has at least its head")
    village = Region.objects.get(pk=village_code)
    household = HouseholdFactory(village=village, **household_fields)
    add_family(MemberFactory, size, household=household)
    return household


def add_family(member_factory, size: int, **owner) -> list:
    """``size`` people of one family made by ``member_factory`` (``MemberFactory`` with
    ``household=...``, ``ProposalMemberFactory`` with ``proposal=...``): a head, a
    spouse of the other sex, then children (see ``make_household_with_members``)."""
    if size < 1:
        raise ValueError("A household has at least its head")
    rng = _rng()
    children = max(size - 2, 0)
    head_sex = Sex.MALE if size == 1 or rng.random() < 0.9 else Sex.FEMALE
    # Old enough to have the children: at least 21 + 2 years per child.
    head_birth = birth_date_for_age(max(25, 21 + 2 * children), 65)
    head = member_factory(
        **owner,
        relation=Relation.HEAD,
        sex=head_sex,
        birth_date=head_birth,
        marital_status=MaritalStatus.MARRIED if size > 1 else MaritalStatus.SINGLE,
    )
    if size == 1:
        return [head]

    spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
    gap = rng.randint(0, 8) * (1 if head_sex == Sex.MALE else -1)  # the husband usually older
    spouse_birth = head_birth + datetime.timedelta(days=365 * gap + rng.randint(0, 364))
    spouse_birth = min(spouse_birth, _years_before(datetime.date.today(), 20))
    spouse = member_factory(**owner, relation=Relation.SPOUSE, sex=spouse_sex, birth_date=spouse_birth)

    mother_birth = spouse_birth if spouse_sex == Sex.FEMALE else head.birth_date
    youngest_parent = max(head.birth_date, spouse_birth)
    first = max(
        _years_before(mother_birth, -19),
        _years_before(youngest_parent, -19),
        _years_before(datetime.date.today(), 30),  # older children have usually left the KK
    )
    last = min(_years_before(mother_birth, -42), datetime.date.today())
    return [head, spouse] + [
        member_factory(
            **owner,
            relation=Relation.CHILD,
            sex=rng.choice([Sex.MALE, Sex.FEMALE]),
            birth_date=birth,
            marital_status=MaritalStatus.SINGLE,
        )
        for birth in spaced_birth_dates(first, last, children)
    ]
