"""Field parsers of the record linker: dates, sexes, ids, names, '+' joined columns."""

import pytest

from registrations.names import name_tokens
from verification.linkage import normalize as nz
from verification.linkage.records import Layout, RawColumns, Settings, build


@pytest.mark.parametrize(
    "raw",
    [
        "1980-03-07",
        "1980/03/07",
        "19800307",
        "07-03-1980",
        "07/03/1980",
        "7.3.1980",
        " 1980-03-07 ",
        "7 Maret 1980",
        "07 Mar 1980",
        "March 7, 1980",
        "1980-03-07T00:00:00",
    ],
)
def test_dates_in_common_formats(raw):
    assert nz.parse_date(raw) == 19800307
    assert nz.date_to_iso(nz.parse_date(raw)) == "1980-03-07"


def test_unambiguous_month_first_dates_and_eight_digit_day_first():
    assert nz.parse_date("03/27/1980") == 19800327  # 27 cannot be a month
    assert nz.parse_date("27031980") == 19800327  # not a YYYYMMDD date, so DDMMYYYY


@pytest.mark.parametrize("raw", ["kemarin", "31-02-1980", "1980-13-01", "00/00/0000", "12-1980", "??", "1980"])
def test_unparseable_dates_are_text_never_a_crash(raw):
    code = nz.parse_date(raw)
    assert code < 0  # compared as text
    assert code == nz.parse_date(f" {raw.upper()} ")  # the same text, the same code
    assert nz.date_to_iso(code) is None


def test_blank_dates_are_missing():
    assert nz.parse_date("") == nz.parse_date("   ") == nz.parse_date(None) == 0


def test_day_month_swap():
    assert nz.swap_day_month(19800307) == 19800703
    assert nz.swap_day_month(19800313) == 0  # 13 is not a month
    assert nz.swap_day_month(19800303) == 0  # the same date


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("L", 1),
        ("l", 1),
        ("M", 1),
        ("male", 1),
        ("Laki-laki", 1),
        ("PRIA", 1),
        ("P", 2),
        ("F", 2),
        ("female", 2),
        ("Perempuan", 2),
        ("wanita", 2),
        ("", 0),
        (None, 0),
    ],
)
def test_sex_codes(raw, code):
    assert nz.parse_sex(raw) == code


def test_unknown_sex_values_agree_only_with_themselves():
    assert nz.parse_sex("X") == nz.parse_sex("x") >= 3
    assert nz.parse_sex("X") != nz.parse_sex("U")


def test_ids_are_normalised_and_placeholders_are_blank():
    assert nz.normalize_id("3204-1201 0180 0001") == "3204120101800001"
    assert nz.normalize_id("'3204120101800001") == "3204120101800001"
    assert nz.normalize_id("ab-12") == "AB12"
    for placeholder in ("", "-", "0000000000000000", "NA", "null"):
        assert nz.normalize_id(placeholder) == ""


def test_nik_birth_date_and_sex():
    assert nz.nik_birth("3204124503800001") == (19800305, nz.SEX_FEMALE)
    assert nz.nik_birth("3204120503800001") == (19800305, nz.SEX_MALE)
    assert nz.nik_birth("A204120503800001") is None
    assert nz.nik_birth("3204129913800001") is None  # day 59 - 40 = 19, month 13: not a date


def test_ids_carry_birth_date_only_when_the_data_says_so():
    nik_rows = [(f"32041205038{i:05d}", 19800305) for i in range(30)]
    assert nz.ids_carry_birth_date(nik_rows)
    other_rows = [(f"{i:016d}", 19800305) for i in range(1, 31)]
    assert not nz.ids_carry_birth_date(other_rows)


@pytest.mark.parametrize(
    "raw",
    [
        "Budi Santoso",
        "BUDI SANTOSO",
        "H. Moch. Yoesoef, S.Pd.",
        "Hj Siti Aminah",
        "budi santoso spd",
        "Dr. Ir. Agus",
        "Djoko Tjahjono",
        "Muhamad Rizki",
        "O'Brien Mary-Ann",
        "José Álvarez",
        "  ",
        "H",
        "nur  hasanuddin",
    ],
)
def test_name_words_match_the_portal_normaliser(raw):
    assert nz.name_words(raw) == name_tokens(raw)


def test_indonesian_name_variants_normalise_alike():
    assert nz.name_words("H. Muhammad Yusuf, S.Pd.") == nz.name_words("MUHAMAD YUSUP")
    assert nz.name_words("Moch. Achmad") == nz.name_words("muhammad ahmad")


def test_phonetic_key_ignores_vowels_and_doubles():
    assert nz.phonetic_key("santoso") == nz.phonetic_key("santosa") == "snts"
    assert nz.phonetic_key("hasanudin") == nz.phonetic_key("hassanuddin")


def test_plus_joins_columns_with_a_space_and_blank_parts_are_skipped():
    header = ["id", "given", "family", "dob"]
    layout = Layout.from_header(header, {"name": ["given", "family"], "birth_date": ["dob"]}, "id", label="t")
    raw = RawColumns.from_rows([(0, ["1", "Budi", "Santoso", "1980-01-02"]), (1, ["2", "", "Santoso", ""])], layout)
    assert raw.fields["name"] == ["Budi Santoso", "Santoso"]
    batch = build(raw, layout, Settings(fields=frozenset({"name", "birth_date"})))
    assert list(batch.columns.name) == ["budi santoso", "santoso"]
    assert list(batch.columns.birth_date) == [19800102, 0]


def test_short_rows_and_blank_fields_never_crash():
    header = ["id", "nik", "name", "dob", "sex", "village", "address"]
    mapping = {
        "id_number": ["nik"],
        "name": ["name"],
        "birth_date": ["dob"],
        "sex": ["sex"],
        "region": ["village"],
        "address": ["address"],
    }
    layout = Layout.from_header(header, mapping, "id", label="t")
    rows = [(0, ["a"]), (1, ["b", "", "", "", "", "", ""]), (2, ["c", "x", "?", "not a date", "??", "!!", "..."])]
    batch = build(rows, layout, Settings(fields=frozenset(mapping)), query=True)
    assert list(batch.columns.ids) == ["a", "b", "c"]
    assert list(batch.columns.id_number) == ["", "", "X"]
    assert batch.columns.birth_date[2] < 0


def test_missing_column_names_the_column():
    with pytest.raises(KeyError, match="tanggal"):
        Layout.from_header(["id", "nama"], {"name": ["nama"], "birth_date": ["tanggal"]}, "id", label="the file")
