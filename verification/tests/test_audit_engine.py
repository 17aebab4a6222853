"""Register audit: each flag, each benign variation, duplicates, the command's output."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from registrations.models import Household, Member
from registrations.nik import build_nik
from testing.audit_files import BIRTH, COLUMNS, KK_A, KK_B, nik, population, row_of
from testing.regions import OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B
from verification.audit import flags as F
from verification.audit.checks import UNREADABLE, names_agree, parse_date
from verification.audit.engine import audit_file

pytestmark = pytest.mark.django_db


def write(tmp_path, rows, name="register.csv", columns=COLUMNS) -> str:
    target = tmp_path / name
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return str(target)


def audit(tmp_path, rows, **options) -> dict[str, dict[str, str]]:
    """row id → {flag: detail}."""
    found: dict[str, dict[str, str]] = {}

    def on_row(result):
        found[result.row.row_id] = dict(result.flags)

    audit_file(write(tmp_path, rows), id_column="row", on_row=on_row, **options)
    return found


# --- Each flag --------------------------------------------------------------------------------


def test_a_clean_row_has_no_flag(tmp_path):
    record = population(1)
    assert audit(tmp_path, [row_of(record, "r1")]) == {"r1": {}}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("320412140385001", "16 digit"),  # too short
        ("3204121403850001X", "16 digit"),
        ("3204129913850001", "Tanggal lahir"),  # day 99
        ("3204123102850001", "Tanggal lahir"),  # 31 February
        ("9904121403850001", "provinsi"),  # no province 99
        ("", "kosong"),
    ],
)
def test_invalid_nik_is_malformed_only(tmp_path, value, reason):
    record = population(1)
    flags = audit(tmp_path, [row_of(record, "r1", nik=value)])["r1"]
    assert list(flags) == [F.INVALID_NIK] and reason in flags[F.INVALID_NIK]


def test_a_well_formed_unknown_nik_is_not_found_not_invalid(tmp_path):
    record = population(1)
    # Digits 3-6 of a district missing from the current list: a warning, never invalid.
    unknown_district = build_nik(district_code="32.04.99", birth_date=BIRTH, sex="L", serial=5)
    rows = [
        row_of(record, "r1", nik=nik(77)),
        row_of(record, "r2", nik=unknown_district, full_name="Lain", household_id="RT-2"),
    ]
    result = audit(tmp_path, rows)
    assert {key: list(flags) for key, flags in result.items()} == {"r1": [F.NIK_NOT_FOUND], "r2": [F.NIK_NOT_FOUND]}


def test_deceased(tmp_path):
    record = population(1, status="deceased", status_date=datetime.date(2024, 2, 3))
    flags = audit(tmp_path, [row_of(record, "r1")])["r1"]
    assert list(flags) == [F.DECEASED] and "2024-02-03" in flags[F.DECEASED]


def test_moved_when_the_population_places_the_person_in_another_village(tmp_path):
    away = population(1, status="moved", moved_to_code=OTHER_REGENCY_VILLAGE)
    elsewhere = population(2, "Sri Wahyuni", sex="P")  # lives in VILLAGE_A
    arrived = population(3, "Joko Susilo", status="moved", moved_to_code=VILLAGE_B[:8])  # moved into B's district
    rows = [
        row_of(away, "r1"),
        row_of(elsewhere, "r2", village_code=VILLAGE_B, household_id="RT-2"),
        row_of(arrived, "r3", village_code=VILLAGE_B, household_id="RT-3"),
    ]
    result = audit(tmp_path, rows)
    assert list(result["r1"]) == [F.MOVED] and OTHER_REGENCY_VILLAGE in result["r1"][F.MOVED]
    assert list(result["r2"]) == [F.MOVED] and VILLAGE_A in result["r2"][F.MOVED]
    assert result["r3"] == {}


def test_name_birth_date_sex_and_kk_mismatches(tmp_path):
    records = [population(i, f"Warga Nomor Urut {i}") for i in range(1, 6)]
    rows = [
        row_of(records[0], "name", full_name="Slamet Riyadi"),
        row_of(records[1], "birth", birth_date="1985-04-14", household_id="RT-2"),
        row_of(records[2], "sex", sex="P", household_id="RT-3"),
        row_of(records[3], "kk", kk_number=KK_B, household_id="RT-4"),
        row_of(records[4], "all", full_name="", birth_date="31/02/1985", sex="X", kk_number="", household_id="RT-5"),
    ]
    result = audit(tmp_path, rows)
    assert list(result["name"]) == [F.NAME_MISMATCH] and "Slamet Riyadi" in result["name"][F.NAME_MISMATCH]
    assert list(result["birth"]) == [F.BIRTH_DATE_MISMATCH] and "1985-04-14" in result["birth"][F.BIRTH_DATE_MISMATCH]
    assert list(result["sex"]) == [F.SEX_MISMATCH]
    assert list(result["kk"]) == [F.KK_MISMATCH] and KK_B not in result["kk"][F.KK_MISMATCH]  # masked
    assert list(result["all"]) == [F.NAME_MISMATCH, F.BIRTH_DATE_MISMATCH, F.SEX_MISMATCH, F.KK_MISMATCH]
    assert "tidak terbaca" in result["all"][F.BIRTH_DATE_MISMATCH]


def test_absent_columns_are_not_compared(tmp_path):
    record = population(1)
    rows = [{"row": "r1", "nik": record.nik}]
    assert audit_file(write(tmp_path, rows, columns=["row", "nik"]), id_column="row").counts == {}


def test_duplicate_nik_within_the_extract(tmp_path):
    record = population(1)
    rows = [
        row_of(record, "r1"),
        row_of(record, "r2", household_id="RT-9"),
        row_of(record, "r3"),  # the same household again: not a second household
    ]
    result = audit(tmp_path, rows)
    assert list(result["r1"]) == [F.DUPLICATE_NIK] and "RT-9 (r2)" in result["r1"][F.DUPLICATE_NIK]
    assert list(result["r2"]) == [F.DUPLICATE_NIK] and "RT-1 (r1)" in result["r2"][F.DUPLICATE_NIK]
    assert list(result["r3"]) == [F.DUPLICATE_NIK]


def test_duplicate_person_within_the_extract(tmp_path):
    record = population(1, "Muhammad Yusuf Hidayat")
    twin = population(2, "Ahmad Yusuf Hidayat")  # same day, same village: a different person
    rows = [
        row_of(record, "r1"),
        row_of(record, "r2", nik=nik(50), full_name="MUHAMAD YUSUP HIDAYAT", household_id="RT-2"),
        row_of(twin, "r3", household_id="RT-3"),
    ]
    result = audit(tmp_path, rows)
    assert list(result["r1"]) == [F.DUPLICATE_PERSON] and "r2" in result["r1"][F.DUPLICATE_PERSON]
    assert list(result["r2"]) == [F.NIK_NOT_FOUND, F.DUPLICATE_PERSON]
    assert result["r3"] == {}


def test_duplicates_against_the_registered_households(tmp_path, regions):
    record = population(1, "Siti Rahmawati", sex="P")
    moved_in = population(2, "Dewi Lestari", sex="P")
    household = Household.objects.create(kk_number=KK_B, village_id=VILLAGE_A, address="x", rt="1", rw="1")
    common = {"household": household, "birth_place": "Bandung", "birth_date": BIRTH, "sex": "P"}
    Member.objects.create(
        nik=record.nik, full_name="Siti Rahmawati", relation="kepala", marital_status="kawin", **common
    )
    Member.objects.create(
        nik=nik(60, sex="P"), full_name="Dewi Lestari", relation="pasangan", marital_status="kawin", **common
    )
    rows = [row_of(record, "r1"), row_of(moved_in, "r2", household_id="RT-2")]
    result = audit(tmp_path, rows)
    assert list(result["r1"]) == [F.DUPLICATE_NIK] and "2002" in result["r1"][F.DUPLICATE_NIK]
    assert list(result["r2"]) == [F.DUPLICATE_PERSON]
    assert record.nik not in str(result) and nik(60, sex="P") not in str(result)  # masked
    # The same household (same KK) is no duplicate.
    assert list(audit(tmp_path, [row_of(record, "r1", kk_number=KK_B)])["r1"]) == [F.KK_MISMATCH]
    # A regional auditor is told where a household of their own region is ...
    result = audit(tmp_path, [row_of(record, "r1")], scope=VILLAGE_A)
    assert "2002" in result["r1"][F.DUPLICATE_NIK]
    # ... but not where another region's household is.
    Household.objects.filter(pk=household.pk).update(village_id=OTHER_REGENCY_VILLAGE)
    detail = audit(tmp_path, [row_of(record, "r1")], scope=VILLAGE_A)["r1"][F.DUPLICATE_NIK]
    assert "di luar wilayah Anda" in detail
    assert "2002" not in detail and OTHER_REGENCY_VILLAGE not in detail


# --- Benign variations never flag ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("population_name", "register_name"),
    [
        ("BAMBANG SUTRISNO", "bambang sutrisno"),  # case
        ("Bambang Sutrisno", "  Bambang   Sutrisno "),  # spacing
        ("Bambang Sutrisno", "Bambang-Sutrisno."),  # punctuation
        ("Bambang Sutrisno", "H. Bambang Sutrisno"),
        ("Siti Aminah", "Hj. Siti Aminah"),
        ("Bambang Sutrisno", "Ir. Bambang Sutrisno"),
        ("Bambang Sutrisno", "Dr. Bambang Sutrisno"),
        ("Bambang Sutrisno", "Bambang Sutrisno, S.Pd."),
        ("Bambang Sutrisno", "Bambang Sutrisno, S.E."),
        ("Bambang Sutrisno", "Bambang Sutrisno A.Md."),
        ("Muhammad Rizki", "Muhamad Rizki"),
        ("Achmad Fauzi", "Ahmad Fauzi"),
        ("Yusuf Maulana", "Yusup Maulana"),
        ("Bambang Sutrisno", "Bambang Sutirsno"),  # transposed letters
        ("Bambang Sutrisno", "Bambang Sutrismo"),  # one mistyped letter
        ("Sutrisno Bambang", "Bambang Sutrisno"),  # word order
        ("Mujur Marbun", "Msjur Marbun"),  # a slip that reads as old spelling (sj)
        ("Cahya Maryadi", "Chaya Maryadi A.Md."),  # transposition making "ch", and a degree
        ("Muhammad Danuja", "Moch. Daunja, S.Pd."),  # variant, slip making "nj", degree
        ("Nurul Hastuti", "Nlrul Hastuti"),  # a slip in a word that has a variant (nurul → nur)
    ],
)
def test_benign_name_differences_do_not_flag(tmp_path, population_name, register_name):
    record = population(1, population_name)
    assert audit(tmp_path, [row_of(record, "r1", full_name=register_name)]) == {"r1": {}}


def test_two_typed_names_may_each_carry_a_slip():
    assert names_agree("Elvin Mkaara", "ELVMN MAKARA", both_typed=True)
    assert not names_agree("Elvin Mkaara", "ELVMN MAKARA")  # against the civil registry: one slip only
    assert not names_agree("Budi Santo", "Bidu Sanot", both_typed=True)


@pytest.mark.parametrize(("a", "b"), [("Budi", "Bdui"), ("Suharti", "Suharto"), ("Siti Aminah", "Siti Aisyah")])
def test_short_names_or_real_differences_do_not_agree(a, b):
    assert not names_agree(a, b)


@pytest.mark.parametrize("birth", ["14-03-1985", "14/03/1985", "19850314", "1985-03-14 00:00:00", "14.03.1985"])
@pytest.mark.parametrize("sex", ["L", "l", "M", "Laki-laki", "LAKI-LAKI", "Pria", "1"])
def test_benign_date_and_sex_spellings_do_not_flag(tmp_path, birth, sex):
    record = population(1)
    nik_spaced = f" {record.nik[:6]} {record.nik[6:]} "
    row = row_of(
        record,
        "r1",
        birth_date=birth,
        sex=sex,
        nik=nik_spaced,
        kk_number=f"'{KK_A}",
        village_code=VILLAGE_A.replace(".", ""),
    )
    assert audit(tmp_path, [row]) == {"r1": {}}


# --- Files, scope and the command -------------------------------------------------------------------


def test_excel_files_are_read_like_csv(tmp_path):
    record = population(1)
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    sheet.append(
        ["x1", "RT-1", record.kk_number, record.nik, record.full_name.upper(), BIRTH, "L", VILLAGE_A, "kepala"]
    )
    sheet.append(["x2", "RT-2", record.kk_number, "1234", "Ani", datetime.datetime(1990, 1, 1), "P", VILLAGE_A, "anak"])
    sheet.append([None] * len(COLUMNS))
    path = tmp_path / "register.xlsx"
    book.save(path)
    found = {}
    result = audit_file(path, id_column="row", on_row=lambda r: found.setdefault(r.row.row_id, dict(r.flags)))
    assert result.rows == 2 and found["x1"] == {} and list(found["x2"]) == [F.INVALID_NIK]


def test_rows_outside_the_scope_are_skipped_and_counted(tmp_path):
    record = population(1)
    rows = [row_of(record, "r1"), row_of(record, "r2", village_code=VILLAGE_B, household_id="RT-2")]
    found = {}
    result = audit_file(
        write(tmp_path, rows),
        id_column="row",
        scope=VILLAGE_A,
        on_row=lambda r: found.setdefault(r.row.row_id, dict(r.flags)),
    )
    assert result.rows == 1 and result.out_of_scope == 1 and found == {"r1": {}}  # no duplicate with the skipped row


def test_batches_give_the_same_flags_as_one_batch(tmp_path):
    records = [population(i, f"Warga Nomor {i}") for i in range(1, 8)]
    rows = [row_of(r, f"r{i}", household_id=f"H{i}") for i, r in enumerate(records)]
    rows[2]["nik"] = rows[5]["nik"]
    rows[4]["full_name"] = "Orang Lain Sama Sekali"
    one, many = [], []
    path = write(tmp_path, rows)
    audit_file(path, id_column="row", on_row=lambda r: one.append((r.row.row_id, r.flags)))
    audit_file(path, id_column="row", on_row=lambda r: many.append((r.row.row_id, r.flags)), batch_size=2)
    assert one == many and any(flags for _id, flags in one)


def run_command(*args) -> str:
    stdout = io.StringIO()
    call_command("audit_register", *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def test_the_command_writes_the_contract_format(tmp_path):
    record = population(1, status="deceased")
    rows = [
        row_of(record, "r1", full_name="Orang Lain"),
        row_of(record, "r2", nik="123", full_name="Ani", household_id="RT-2"),
        row_of(population(2), "r3"),
    ]
    out = tmp_path / "flags.csv"
    printed = run_command(write(tmp_path, rows), "--id-column", "row", "--out", str(out))
    lines = list(csv.reader(out.open(encoding="utf-8")))
    assert lines[0] == ["row_id", "flag", "detail"]
    assert [(r[0], r[1]) for r in lines[1:]] == [("r1", F.DECEASED), ("r1", F.NAME_MISMATCH), ("r2", F.INVALID_NIK)]
    assert all(r[2] for r in lines[1:])
    assert "rows=3 flagged_rows=2" in printed and "deceased=1" in printed and "duplicate_person=0" in printed


def test_the_command_refuses_a_file_without_the_id_column_or_nik(tmp_path):
    record = population(1)
    path = write(tmp_path, [row_of(record, "r1")])
    with pytest.raises(CommandError, match="Kolom pengenal baris"):
        run_command(path, "--id-column", "id", "--out", str(tmp_path / "f.csv"))
    path = write(tmp_path, [{"row": "r1"}], name="no-nik.csv", columns=["row", "full_name"])
    with pytest.raises(CommandError, match="nik"):
        run_command(path, "--id-column", "row", "--out", str(tmp_path / "f.csv"))


def test_the_page_report_defuses_formulas_but_the_command_keeps_row_ids(tmp_path):
    from verification.audit.report import FlagCsvWriter

    record = population(1)
    rows = [row_of(record, "=HYPERLINK(1)", nik="12")]
    contract, wide = io.StringIO(), io.StringIO()
    path = write(tmp_path, rows)
    audit_file(path, id_column="row", on_row=FlagCsvWriter(contract))
    audit_file(path, id_column="row", on_row=FlagCsvWriter(wide, wide=True))
    assert contract.getvalue().splitlines()[1].startswith("=HYPERLINK(1),invalid_nik,")
    assert wide.getvalue().splitlines()[1].startswith("'=HYPERLINK(1),invalid_nik,")
    assert wide.getvalue().splitlines()[0] == "row_id,flag,detail,line,household_id,village_code"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1985-03-04", datetime.date(1985, 3, 4)),
        ("1985-03-04 00:00:00", datetime.date(1985, 3, 4)),
        ("1985-3-4", datetime.date(1985, 3, 4)),
        ("04-03-1985", datetime.date(1985, 3, 4)),
        ("04/03/1985", datetime.date(1985, 3, 4)),
        ("4.3.1985", datetime.date(1985, 3, 4)),
        ("19850304", datetime.date(1985, 3, 4)),
        ("7 Maret 1980", datetime.date(1980, 3, 7)),
        ("", ""),
        ("   ", ""),
        ("31/02/1985", UNREADABLE),
        ("kemarin", UNREADABLE),
        (datetime.datetime(1985, 3, 4, 0, 0), datetime.date(1985, 3, 4)),  # an Excel date cell
    ],
)
def test_birth_dates_are_read_as_the_record_linkage_reads_them(typed, read):
    """A register's date the portal can read is never flagged as a mismatch for its format."""
    assert parse_date(typed) == read
