"""Population import: the command and the service's rules (reports of bad rows, reruns,
changes, scope, duplicates across chunks, the name key), on both database paths.

The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL set; every test
here runs the database's own write path (executemany upsert on SQLite, COPY + INSERT ...
ON CONFLICT on PostgreSQL), so both must give the same records and counts. The upload
page is in ``test_population_import_page.py``; the rows in ``testing/population_files.py``.
"""

import csv
import datetime
import io
import time

import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command

from registrations.names import normalize_name
from registrations.nik import build_nik
from testing.population_files import BIRTH, COLUMNS, person, write_csv
from testing.regions import OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B
from verification.models import PopulationRecord
from verification.population import columns, imports, writing
from verification.population.block import BlockValidator

pytestmark = pytest.mark.django_db


def run(file, *args) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_population", file, *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue().strip(), stderr.getvalue()


def summary(read, inserted=0, updated=0, unchanged=0, bad=0) -> str:
    return f"read={read} inserted={inserted} updated={updated} unchanged={unchanged} bad={bad}"


def report(text: str) -> dict[int, tuple[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {int(r["line"]): (r["nik"], r["reason"]) for r in rows}


def stamps() -> dict[str, datetime.datetime]:
    return dict(PopulationRecord.objects.values_list("nik", "updated_at"))


# --- The command ---------------------------------------------------------------------------


def test_a_good_file_imports(tmp_path):
    rows = [person(1), person(2, sex="P", full_name="H. Moch. Yoesoef, S.Pd."), person(3, village=VILLAGE_B)]
    out, err = run(write_csv(tmp_path, rows))
    assert out == summary(3, inserted=3)
    assert err.strip() == "line,nik,reason"  # the header of an empty report
    record = PopulationRecord.objects.get(nik=rows[1]["nik"])
    assert (record.full_name, record.name_key) == ("H. Moch. Yoesoef, S.Pd.", "muhammad yusuf")
    assert (record.sex, record.birth_date, record.village_code) == ("P", BIRTH, VILLAGE_A)
    assert (record.status, record.status_date, record.kk_number) == ("alive", None, rows[1]["kk_number"])
    assert (record.rt, record.rw, record.moved_to_code) == ("", "", "")
    assert len(record.row_hash) == 32
    assert PopulationRecord.objects.get(nik=rows[2]["nik"]).village_code == VILLAGE_B


def test_the_same_file_twice_changes_nothing(tmp_path):
    rows = [person(i) for i in range(1, 6)]
    file = write_csv(tmp_path, rows)
    run(file)
    before = stamps()
    time.sleep(0.01)
    out, _err = run(file)
    assert out == summary(5, unchanged=5)
    assert stamps() == before


def test_a_changed_row_updates_only_that_record(tmp_path):
    rows = [person(i) for i in range(1, 4)]
    run(write_csv(tmp_path, rows))
    before = stamps()
    rows[1]["address"] = "Jl. Kenanga No. 9"
    rows[1]["status"], rows[1]["status_date"] = "deceased", "2024-03-01"
    time.sleep(0.01)
    out, _err = run(write_csv(tmp_path, rows, name="perubahan.csv"))
    assert out == summary(3, updated=1, unchanged=2)
    after = stamps()
    changed = rows[1]["nik"]
    assert after[changed] > before[changed]
    assert {k: v for k, v in after.items() if k != changed} == {k: v for k, v in before.items() if k != changed}
    record = PopulationRecord.objects.get(nik=changed)
    assert (record.address, record.status, record.status_date) == (
        "Jl. Kenanga No. 9",
        "deceased",
        datetime.date(2024, 3, 1),
    )


def test_each_bad_row_is_reported_by_line_and_good_rows_are_kept(tmp_path):
    good = person(1)
    rows = [
        good,  # line 2
        person(2, nik="32041215059"),  # 3: too short
        person(3, nik="3204123205900003"),  # 4: day 32 is no date
        person(4, nik="9904121505900004"),  # 5: province 99 does not exist
        person(5, birth_date="15-05-1990"),  # 6: not ISO
        person(6, birth_date="1990-02-30"),  # 7: no such day
        person(7, sex="X"),  # 8
        person(8, status="hidup"),  # 9
        person(9, full_name="   "),  # 10
        person(10, village_code="32.04.12"),  # 11: a district, not a village
        person(11, full_name="Orang Lain", nik=good["nik"]),  # 12: the NIK of line 2 again
        person(12, status_date="2999-01-01", status="deceased"),  # 13: in the future
        person(13),  # 14: good
        person(14, kk_number="123"),  # 15
    ]
    errors = tmp_path / "salah.csv"
    out, _err = run(write_csv(tmp_path, rows), "--errors", str(errors))
    assert out == summary(14, inserted=2, bad=12)
    bad = report(errors.read_text(encoding="utf-8"))
    expected = {
        3: "NIK tidak sah: NIK harus 16 digit angka",
        4: "NIK tidak sah: Tanggal lahir pada NIK",
        5: "NIK tidak sah: Kode provinsi NIK (99) tidak dikenal",
        6: "tanggal lahir '15-05-1990' bukan tanggal YYYY-MM-DD",
        7: "tanggal lahir '1990-02-30' bukan tanggal YYYY-MM-DD",
        8: "jenis kelamin 'X' bukan L/P",
        9: "status 'hidup' bukan alive/deceased/moved",
        10: "nama kosong",
        11: "kode desa/kelurahan '32.04.12' bukan format NN.NN.NN.NNNN",
        12: "NIK ganda dalam berkas (pertama kali pada baris 2)",
        13: "tanggal status '2999-01-01' di masa depan",
        15: "nomor KK tidak sah",
    }
    assert set(bad) == set(expected)
    for line, text in expected.items():
        assert text in bad[line][1], (line, bad[line])
    assert bad[12][0] == f"{good['nik'][:6]}******{good['nik'][-4:]}"  # masked
    assert bad[3][0] == "320412******5059"
    assert set(PopulationRecord.objects.values_list("nik", flat=True)) == {good["nik"], rows[12]["nik"]}
    assert PopulationRecord.objects.get(nik=good["nik"]).full_name == "Warga Nomor 1"  # the first one wins


def test_every_problem_of_a_row_is_named(tmp_path):
    out, err = run(write_csv(tmp_path, [person(1, sex="Q", status="gone", full_name="")]))
    assert out == summary(1, bad=1)
    reason = report(err)[2][1]
    assert "jenis kelamin" in reason and "status 'gone'" in reason and "nama kosong" in reason


def test_nik_warnings_and_leap_days(tmp_path):
    rows = [
        # Merauke kept its 91.01 code on old NIKs after the 2022 split: a warning, not an error.
        person(1, nik=build_nik(district_code="91.01.01", birth_date=BIRTH, sex="L", serial=1)),
        person(2, nik=build_nik(district_code="32.04.12", birth_date=datetime.date(2000, 2, 29), sex="P", serial=2)),
        person(3, nik="3204122902010003"),  # 29 February 2001 (or 1901) never existed
    ]
    out, err = run(write_csv(tmp_path, rows))
    assert out == summary(3, inserted=2, bad=1)
    assert list(report(err)) == [4]


def test_rows_spelled_differently_but_equal_hash_the_same(tmp_path):
    """The validator's quick path and its thorough path must store a row identically."""
    plain = [person(1, status="alive"), person(2, sex="P")]
    spelled = [person(1, status=" ALIVE "), dict(person(2, sex="P"), sex=" p ", full_name="  Warga   Nomor 2 ")]
    run(write_csv(tmp_path, spelled))
    out, _err = run(write_csv(tmp_path, plain, name="plain.csv"))
    assert out == summary(2, unchanged=2)


def test_m_and_f_are_accepted_as_l_and_p(tmp_path):
    rows = [person(1, sex="M"), person(2, sex="F"), person(3, sex="p")]
    out, _err = run(write_csv(tmp_path, rows))
    assert out == summary(3, inserted=3)
    assert [PopulationRecord.objects.get(nik=r["nik"]).sex for r in rows] == ["L", "P", "P"]


def test_blank_status_is_alive_and_status_is_case_insensitive(tmp_path):
    rows = [person(1, status=""), person(2, status="Deceased", status_date="2020-01-31"), person(3, status="MOVED")]
    run(write_csv(tmp_path, rows))
    assert [PopulationRecord.objects.get(nik=r["nik"]).status for r in rows] == ["alive", "deceased", "moved"]


def test_extra_columns_are_ignored_in_any_order(tmp_path):
    rows = [person(1, catatan="abaikan saya", agama="Islam"), person(2, catatan="x", agama="")]
    columns = ["agama", *reversed(COLUMNS), "catatan"]
    out, _err = run(write_csv(tmp_path, rows, columns=columns))
    assert out == summary(2, inserted=2)
    assert PopulationRecord.objects.get(nik=rows[0]["nik"]).full_name == "Warga Nomor 1"


def test_a_missing_required_column_is_a_clear_command_error(tmp_path):
    file = write_csv(tmp_path, [person(1)], columns=[c for c in COLUMNS if c not in ("sex", "status")])
    with pytest.raises(CommandError, match=r"Kolom wajib tidak ada di baris judul: sex, status"):
        run(file)
    assert not PopulationRecord.objects.exists()


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run(str(tmp_path / "tidak-ada.csv"))


def test_optional_columns_are_kept_and_left_alone_when_absent(tmp_path):
    rows = [person(1, rt="001", rw="012", status="moved", status_date="2023-07-01", moved_to="34.04.01.2001")]
    columns = [*COLUMNS, "rt", "rw", "moved_to"]
    run(write_csv(tmp_path, rows, columns=columns))
    record = PopulationRecord.objects.get()
    assert (record.rt, record.rw, record.moved_to_code) == ("001", "012", "34.04.01.2001")
    rows[0]["address"] = "Jl. Baru"
    out, _err = run(write_csv(tmp_path, rows, name="tanpa-rt.csv", columns=COLUMNS))  # the contract's ten only
    assert out == summary(1, updated=1)
    record.refresh_from_db()
    assert (record.address, record.rt, record.rw, record.moved_to_code) == ("Jl. Baru", "001", "012", "34.04.01.2001")
    out, _err = run(write_csv(tmp_path, rows, name="tanpa-rt.csv", columns=COLUMNS))
    assert out == summary(1, unchanged=1)


def test_bad_rows_go_to_stderr_without_errors_option(tmp_path):
    out, err = run(write_csv(tmp_path, [person(1), person(2, sex="")]))
    assert out == summary(2, inserted=1, bad=1)
    assert report(err) == {
        3: (person(2)["nik"][:6] + "******" + person(2)["nik"][-4:], "jenis kelamin '' bukan L/P (atau M/F)")
    }


def test_line_numbers_count_physical_lines_and_blank_lines_are_skipped(tmp_path):
    file = tmp_path / "multiline.csv"
    first, second = person(1, address="Jl. Melati\nGang 3"), person(2, sex="X")
    with open(file, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerow(first)  # lines 2-3
        out.write("\r\n")  # line 4, blank
        writer.writerow(second)  # line 5
    out, err = run(str(file))
    assert out == summary(2, inserted=1, bad=1)
    assert list(report(err)) == [5]
    assert PopulationRecord.objects.get().address == "Jl. Melati Gang 3"  # whitespace is normalised


def test_bom_semicolons_and_undecodable_bytes(tmp_path):
    file = tmp_path / "excel.csv"
    good, latin = person(1), person(2)
    lines = [";".join(COLUMNS), ";".join(good.values()), ";".join(latin.values()).replace("Warga", "Jos\xe9")]
    file.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines[:2]).encode() + b"\n" + lines[2].encode("latin-1") + b"\n")
    out, err = run(str(file))
    assert out == summary(2, inserted=1, bad=1)
    assert "bukan UTF-8" in report(err)[3][1]


def test_duplicates_across_chunks_keep_the_first(tmp_path):
    rows = [person(i) for i in range(1, 6)] + [person(3, full_name="Kedua"), person(6), person(1, full_name="Ketiga")]
    errors = tmp_path / "salah.csv"
    result_lines = []
    with open(errors, "w", encoding="utf-8", newline="") as out:
        result = imports.import_population(
            write_csv(tmp_path, rows),
            on_bad_row=columns.BadRowCsvWriter(out),
            chunk_size=2,
            on_progress=lambda r: result_lines.append(r.lines),
        )
    assert result.summary() == summary(8, inserted=6, bad=2)
    bad = report(errors.read_text(encoding="utf-8"))
    assert bad[7][1] == "NIK ganda dalam berkas (pertama kali pada baris 4)"
    assert bad[9][1] == "NIK ganda dalam berkas (pertama kali pada baris 2)"
    assert PopulationRecord.objects.get(nik=person(3)["nik"]).full_name == "Warga Nomor 3"
    assert result_lines == sorted(result_lines) and result_lines[-1] == 9
    # The rerun, chunked the same way: every kept row unchanged, the same duplicates reported.
    again = imports.import_population(write_csv(tmp_path, rows), chunk_size=3)
    assert again.summary() == summary(8, unchanged=6, bad=2)


def test_regional_scope_refuses_rows_and_records_outside_it(tmp_path):
    sumedang = person(2, village=OTHER_REGENCY_VILLAGE)
    imports.import_population(write_csv(tmp_path, [sumedang]))  # a national import put it there
    moved_in = dict(sumedang, village_code=VILLAGE_A)  # Bandung now claims that NIK
    rows = [person(1), person(3, village=OTHER_REGENCY_VILLAGE), moved_in]
    bad = []
    result = imports.import_population(write_csv(tmp_path, rows, name="b.csv"), scope="32.04", on_bad_row=bad.append)
    assert result.summary() == summary(3, inserted=1, bad=2)
    assert [(b.line, b.reason) for b in bad] == [
        (3, "di luar wilayah Anda"),
        (4, "di luar wilayah Anda (NIK ini terdaftar di wilayah lain)"),
    ]
    assert PopulationRecord.objects.get(nik=sumedang["nik"]).village_code == OTHER_REGENCY_VILLAGE


def test_no_scope_refuses_every_row(tmp_path):
    result = imports.import_population(write_csv(tmp_path, [person(1)]), scope=None)
    assert result.summary() == summary(1, bad=1)


@pytest.mark.parametrize(
    "name",
    [
        "Budi Santoso",
        "BUDI SANTOSO",
        "H Ahmad Dahlan",
        "Hj Siti Nurhaliza",
        "Ir Soekarno",
        "Dr",
        "Haji",
        "Moch Yoesoef SPd",
        "Muhamad Hasanuddin SE MM",
        "Tjahjono Djojohadikoesoemo",
        "Sri",
        "Achmad   Chaerul",
        "Nyoman Suardana",
        "Ibu Nur",
        "Dewi Spd Se",
    ],
)
def test_fast_name_key_agrees_with_normalize_name(name):
    validator = columns._RowValidator(columns.parse_header(",".join(COLUMNS))[1], "")
    collapsed = " ".join(name.split())
    assert validator.name_key(collapsed) == normalize_name(collapsed)
    assert validator.name_key(collapsed) == normalize_name(collapsed)  # and again, from the cache
    block = BlockValidator(validator)  # the import's column-wise keys
    assert block._name_keys(pa.array([collapsed, collapsed])).to_pylist() == [normalize_name(collapsed)] * 2


def test_mask_nik():
    assert columns.mask_nik("3204125505900001") == "320412******0001"
    assert columns.mask_nik("123") == "***"
    assert columns.mask_nik("=HYPERLINK(1234)") == "'=HYPER******234)"


def assert_records_match(rows):
    stored = {
        r.nik: (r.kk_number, r.full_name, r.name_key, r.birth_date.isoformat(), r.sex, r.village_code, r.address)
        for r in PopulationRecord.objects.all()
    }
    expected = {
        row["nik"]: (
            row["kk_number"],
            row["full_name"],
            normalize_name(row["full_name"]),
            row["birth_date"],
            {"M": "L", "F": "P"}.get(row["sex"], row["sex"]),
            row["village_code"],
            " ".join(row["address"].split()),
        )
        for row in rows
    }
    assert stored == expected


def scenario(tmp_path) -> list[str]:
    """A first load, a rerun, then a file with changes, duplicates and bad rows."""
    rows = [person(i, sex="LPMF"[i % 4], full_name=f"Dr. Ahmad Nomor {i}, S.E.") for i in range(1, 41)]
    results = [imports.import_population(write_csv(tmp_path, rows), chunk_size=7).summary()]
    results.append(imports.import_population(write_csv(tmp_path, rows), chunk_size=7).summary())
    changed = [dict(r) for r in rows]
    changed[5]["address"] = "Jl. Back\\slash\tTab"
    changed[9]["full_name"] = "Siti Aminah"
    changed.append(person(50, birth_place=""))
    changed.append(dict(changed[0], full_name="Ganda"))
    changed.append(person(51, birth_date="1990-13-01"))
    results.append(imports.import_population(write_csv(tmp_path, changed), chunk_size=7).summary())
    assert_records_match(changed[:-2])
    assert PopulationRecord.objects.get(nik=changed[5]["nik"]).address == "Jl. Back\\slash Tab"
    return results


SCENARIO_RESULTS = [
    summary(40, inserted=40),
    summary(40, unchanged=40),
    summary(43, inserted=1, updated=2, unchanged=38, bad=2),
]


def test_scenario_on_this_database(tmp_path):
    assert scenario(tmp_path) == SCENARIO_RESULTS


@pytest.mark.postgres
def test_postgres_copy_path_gives_the_same_results(tmp_path, monkeypatch):
    copies = []
    original = writing._PostgresWriter.write

    def spy(self, chunk, columns):
        copies.append(chunk.count)
        return original(self, chunk, columns)

    monkeypatch.setattr(writing._PostgresWriter, "write", spy)
    assert scenario(tmp_path) == SCENARIO_RESULTS  # the numbers the SQLite path gives
    assert copies and sum(copies) == 40 + 40 + 42


def _population_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [PopulationRecord._meta.db_table])
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.postgres
def test_a_bulk_load_rebuilds_every_index_and_a_later_import_upserts(tmp_path):
    before = _population_indexes()
    rows = [person(i) for i in range(1, 30)] + [person(3, full_name="Orang Lain")]  # line 31 repeats NIK 3
    bad = []
    result = imports.import_population(write_csv(tmp_path, rows), chunk_size=4, on_bad_row=bad.append)
    assert result.summary() == summary(read=30, inserted=29, bad=1)
    assert [(b.line, "ganda" in b.reason and "baris 4" in b.reason) for b in bad] == [(31, True)]
    assert _population_indexes() == before  # the PK, the NIK constraint and the three lookups
    assert PopulationRecord.objects.get(nik=rows[2]["nik"]).full_name == "Warga Nomor 3"  # the first row kept
    changed = [person(1, full_name="Nama Baru"), person(40)]
    again = imports.import_population(write_csv(tmp_path, changed, name="b.csv"), chunk_size=4)
    assert again.summary() == summary(read=2, inserted=1, updated=1)


@pytest.mark.postgres
def test_a_bulk_load_that_fails_leaves_the_table_as_it_was(tmp_path):
    before = _population_indexes()

    def killed(result):
        if result.read >= 8:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        imports.import_population(
            write_csv(tmp_path, [person(i) for i in range(1, 20)]), chunk_size=4, on_progress=killed
        )
    assert PopulationRecord.objects.count() == 0
    assert _population_indexes() == before
