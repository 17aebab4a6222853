"""Programme rules: each programme's criteria, each exclusion, and the facts read from
the register (ages on the period's first day, deceased members, occupations)."""

import datetime

import pytest
from django.utils import timezone

from eligibility import determination
from eligibility.periods import period_start, previous_period, shift_period
from eligibility.rules import Facts, ProgrammeRules, evaluate
from registrations.models.choices import Disability, Occupation
from testing.regions import VILLAGE_A
from testing.scoring import AS_OF, household, member
from verification.models import PopulationRecord

pytestmark = pytest.mark.django_db

REGISTERED = timezone.make_aware(datetime.datetime(2025, 1, 1))


def facts(**fields) -> Facts:
    base = {"household_id": 1, "village_code": VILLAGE_A, "registered_at": REGISTERED, "score": 10.0, "desil": 3}
    base.update(members=2, living=2)
    base.update(fields)
    return Facts(**base)


def decide(programme, **fields):
    eligible, reasons = evaluate(ProgrammeRules.of(programme), facts(**fields))
    return eligible, {r["code"]: r for r in reasons}


@pytest.mark.parametrize(("code", "ceiling"), [("PKH", 4), ("BPNT", 4), ("PBI_JK", 5), ("BLT", 4), ("KIP_KULIAH", 4)])
def test_desil_ceiling_of_each_programme(programmes, code, ceiling):
    condition = {"PKH": {"child_under_5": 1}, "KIP_KULIAH": {"student": 1}}.get(code, {})
    eligible, reasons = decide(programmes[code], desil=ceiling, **condition)
    assert eligible and reasons["desil"]["ok"]
    assert f"batas desil 1-{ceiling}" in reasons["desil"]["message"]
    eligible, reasons = decide(programmes[code], desil=ceiling + 1, **condition)
    assert not eligible and not reasons["desil"]["ok"]
    assert f"Desil {ceiling + 1}, di atas batas" in reasons["desil"]["message"]


@pytest.mark.parametrize("condition", ["pregnant", "child_under_5", "school_age", "elderly", "severe_disability"])
def test_pkh_needs_one_member_condition(programmes, condition):
    eligible, reasons = decide(programmes["PKH"], **{condition: 1})
    assert eligible and reasons["members"]["ok"]
    eligible, reasons = decide(programmes["PKH"])
    assert not eligible
    assert reasons["members"]["message"].startswith("Tidak ada anggota keluarga yang memenuhi syarat program ini:")
    assert "ibu hamil" in reasons["members"]["message"] and "lansia" in reasons["members"]["message"]


def test_pkh_student_alone_is_not_enough_but_kip_kuliah_needs_one(programmes):
    assert not decide(programmes["PKH"], student=1)[0]
    assert decide(programmes["KIP_KULIAH"], student=1)[0]
    eligible, reasons = decide(programmes["KIP_KULIAH"], school_age=1)
    assert not eligible and "pelajar/mahasiswa usia 18-24 tahun" in reasons["members"]["message"]


@pytest.mark.parametrize("code", ["BPNT", "PBI_JK", "BLT"])
def test_programmes_without_member_conditions(programmes, code):
    eligible, reasons = decide(programmes[code])
    assert eligible and "members" not in reasons


def test_blt_ceiling_is_configurable(programmes):
    blt = programmes["BLT"]
    assert not decide(blt, desil=6)[0]
    blt.desil_ceiling = 6
    blt.save()
    assert decide(blt, desil=6)[0]


@pytest.mark.parametrize(
    ("fields", "code", "phrase"),
    [
        ({"excluded_occupation": 1}, "excluded_occupation", "ASN, TNI, atau Polri"),
        ({"head_deceased": 1}, "deceased", "Kepala keluarga tercatat meninggal"),
        ({"living": 0}, "deceased", "Tidak ada anggota keluarga yang tercatat masih hidup"),
        ({"registered_at": None}, "not_registered", "tidak (lagi) terdaftar di DTSEN"),
        ({"desil": None, "score": None}, "no_score", "Belum ada skor"),
    ],
)
def test_exclusions_apply_to_every_programme(programmes, fields, code, phrase):
    for programme in programmes.values():
        condition = {"PKH": {"child_under_5": 1}, "KIP_KULIAH": {"student": 1}}.get(programme.code, {})
        eligible, reasons = decide(programme, **{**condition, **fields})
        assert not eligible, programme.code
        assert phrase in reasons[code]["message"]


def test_every_failed_rule_is_listed(programmes):
    eligible, reasons = decide(programmes["PKH"], desil=8, excluded_occupation=1)
    assert not eligible
    assert {c for c, r in reasons.items() if not r["ok"]} == {"excluded_occupation", "desil", "members"}


def test_official_desil_is_named_in_the_reason(programmes):
    _eligible, reasons = decide(programmes["BPNT"], desil=2, desil_source="official")
    assert "dari file desil resmi" in reasons["desil"]["message"]


def test_exclusions_are_data(programmes):
    bpnt = programmes["BPNT"]
    bpnt.exclusions = ["not_registered"]
    bpnt.save()
    assert decide(bpnt, excluded_occupation=1)[0]


# --- facts from the register ---------------------------------------------------------------


def _facts_of(h):
    return determination.household_facts(h, model_id=None, as_of=AS_OF)


def test_ages_are_counted_on_the_first_day_of_the_period(regions):
    day = period_start("2026-Q4")
    assert day == AS_OF

    def born(years: int, days: int = 0) -> datetime.date:
        return day.replace(year=day.year - years) + datetime.timedelta(days=days)

    h = household(
        VILLAGE_A,
        members=[
            member("kepala", 0, birth_date=born(45)),
            member("anak", 0, birth_date=born(5, days=1)),  # turns 5 tomorrow: under five
            member("anak", 0, birth_date=born(5)),  # 5 today: school age? no (6-18)
            member("anak", 0, birth_date=born(6)),  # 6 today: school age
            member("anak", 0, birth_date=born(19, days=1)),  # 18: school age, not a student (occupation)
            member("anak", 0, birth_date=born(24), occupation=Occupation.STUDENT),  # 24 student
            member("anak", 0, birth_date=born(25), occupation=Occupation.STUDENT),  # 25: too old
            member("orang_tua", 0, birth_date=born(60)),  # 60 today: elderly
            member("orang_tua", 0, birth_date=born(60, days=1), disability=Disability.SEVERE),
        ],
    )
    f = _facts_of(h)
    assert (f.members, f.living, f.child_under_5, f.school_age, f.student, f.elderly, f.severe_disability) == (
        9,
        9,
        1,
        2,
        1,
        1,
        1,
    )
    assert f.registered and f.desil is None


def test_student_aged_eighteen_counts_for_kip_kuliah(regions):
    h = household(VILLAGE_A, members=[member("kepala", 50), member("anak", 18, occupation=Occupation.STUDENT)])
    f = _facts_of(h)
    assert f.student == 1 and f.school_age == 1


def test_pregnancy_and_excluded_occupations(regions):
    h = household(
        VILLAGE_A,
        members=[member("kepala", 35, occupation=Occupation.POLICE), member("pasangan", 30, sex="P", pregnant=True)],
    )
    f = _facts_of(h)
    assert (f.pregnant, f.excluded_occupation) == (1, 1)


def test_deceased_members_come_from_population_records(regions):
    h = household(VILLAGE_A, members=[member("kepala", 70), member("pasangan", 68, sex="P")])
    head, spouse = h.members.order_by("id")
    PopulationRecord.objects.create(
        nik=head.nik, kk_number=h.kk_number, full_name=head.full_name, name_key="x", village_code=VILLAGE_A,
        status="deceased",
    )  # fmt: skip
    f = _facts_of(h)
    assert (f.head_deceased, f.living, f.elderly) == (1, 1, 1)  # the dead head no longer counts as elderly
    PopulationRecord.objects.create(
        nik=spouse.nik, kk_number=h.kk_number, full_name=spouse.full_name, name_key="y", village_code=VILLAGE_A,
        status="deceased",
    )  # fmt: skip
    assert _facts_of(h).living == 0
    PopulationRecord.objects.filter(nik=spouse.nik).update(status="moved")
    assert _facts_of(h).living == 1


def test_household_without_members_has_nobody_alive(regions, programmes):
    h = household(VILLAGE_A, members=[])
    f = _facts_of(h)
    f.desil = 1
    eligible, reasons = evaluate(ProgrammeRules.of(programmes["BPNT"]), f)
    assert not eligible and any(r["code"] == "deceased" for r in reasons)


def test_periods():
    assert previous_period("2026-Q1") == "2025-Q4"
    assert shift_period("2026-Q4", 1) == "2027-Q1"
    assert period_start("2026-Q2") == datetime.date(2026, 4, 1)
