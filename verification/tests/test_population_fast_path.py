"""The import's fast path (pyarrow parsing, column checks) against the ``csv`` module path.

Both must read the same records, accept the same rows with the same values, ``name_key``
and ``row_hash``, and report the same bad rows on the same lines, whatever the file
holds: odd spacing, lower-case codes, accented and titled names, quoted commas and line
breaks, blank lines, short rows, bytes that are not UTF-8, duplicate NIKs within and
across chunks. No database: the chunks are compared before any writer sees them.
"""

import datetime
import random

import pytest

from registrations.nik import build_nik
from verification.population import columns, reading

VILLAGES = ["32.04.12.2001", "32.04.12.2002", "32.11.01.2003"]
COLUMNS = "nik,kk_number,full_name,birth_place,birth_date,sex,village_code,address,rt,rw,status,status_date,moved_to"


def _row(rng: random.Random, serial: int) -> list[str]:
    village = rng.choice(VILLAGES)
    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(30_000))
    sex = rng.choice("LP")
    nik = build_nik(district_code=village[:8], birth_date=birth, sex=sex, serial=serial)
    kk = build_nik(district_code=village[:8], birth_date=datetime.date(2015, 1, 2), sex="L", serial=serial)
    name = rng.choice(["Siti Aminah", "SUHARTI", "Moch. Yoesoef, S.Pd.", "H. Ahmad Dahlan", "Hj Nur Aini Dr"])
    row = [
        nik,
        kk,
        name,
        "Bandung",
        birth.isoformat(),
        sex,
        village,
        f"Jl. Melati No. {serial}",
        "001",
        "002",
        "",
        "",
        "",
    ]
    roll = rng.random()
    if roll < 0.05:
        row[2] = f"  {row[2]}  "  # spaces around
    elif roll < 0.08:
        row[5] = rng.choice(["l", "p", "M", "F", "X", ""])
    elif roll < 0.11:
        row[10], row[11] = rng.choice([("Deceased", "2020-01-01"), ("moved", "2021-02-30"), ("alive", "")]), ""
        row[10], row[11] = row[10]
    elif roll < 0.14:
        row[2] = rng.choice(["André Müller", "Dewi\tSartika", "Nama, Dengan Koma", 'Kutip "Ganda"'])
    elif roll < 0.17:
        row[4] = rng.choice(["0000-01-01", "2021-02-29", "2024-02-29", "2999-01-01", "15-05-1990", ""])
    elif roll < 0.20:
        row[0] = rng.choice([nik[:15], nik + "1", "3204120000000001", "320412710190" + "0001", f" {nik}"])
    elif roll < 0.22:
        row[7] = "Gang\\Buntu No. 1"  # a backslash in free text
    elif roll < 0.24:
        row[12] = rng.choice(["32.04", "32.04.12.2001", "3204", "99.99.99.9999"])
    elif roll < 0.26:
        row[8] = rng.choice(["1", "0001", "a1"])
    elif roll < 0.28:
        row[6] = rng.choice(["32.04.12.200", "32.73.01.1001", "32.04.12.2001 "])
    return row


def _file(tmp_path, rng: random.Random, *, extras: list[str]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = []
    for serial in range(1, 400):
        writer.writerow(_row(rng, serial))
        lines.append(out.getvalue())
        out.seek(0)
        out.truncate()
        if rng.random() < 0.05:
            lines.append(lines[rng.randrange(len(lines))])  # the same NIK again, maybe chunks later
    for extra in extras:
        lines.insert(rng.randrange(len(lines)), extra)
    path = tmp_path / "penduduk.csv"
    path.write_text(COLUMNS + "\n" + "".join(lines), encoding="utf-8")
    return str(path)


def _collect(chunks) -> tuple[list[tuple], list[tuple], int, int]:
    """Accepted rows and bad rows of the whole file, with a NIK's later rows reported as
    the writer reports repeats across chunks (chunks end at different rows in the two
    paths: the csv path does not count blank lines)."""
    good, bad, read, lines = [], [], 0, 0
    for chunk in chunks:
        if chunk.count:
            good += chunk.payload.tuples()
        bad += [(b.line, b.nik, b.reason) for b in chunk.bad]
        read += chunk.read
        lines = chunk.lines
    repeats = [b for b in bad if b[2].startswith("NIK ganda")]
    bad = [b for b in bad if not b[2].startswith("NIK ganda")]
    first: dict[str, int] = {}
    kept = []
    occurrences = sorted([(row[0], row[1], row) for row in good] + [(b[0], b[1], None) for b in repeats])
    for line, nik, row in occurrences:
        if nik in first:
            bad.append((line, nik, f"NIK ganda dalam berkas (pertama kali pada baris {first[nik]})"))
        else:
            first[nik] = line
            kept.append(row)
    return sorted(kept), sorted(bad), read, lines


def _both(path: str, chunk_size: int):
    results = []
    for fast in (True, False):
        with reading._open_text(path) as stream:
            delimiter, index, fields = reading._read_header(stream)
            validate = columns._RowValidator(index, "")
            options = {"delimiter": delimiter, "validate": validate, "chunk_size": chunk_size, "serialize": lambda g: g}
            if fast:
                chunks = reading._chunks_from_path(path, fields=fields, **options)
            else:
                chunks = reading._chunks(stream, **options)
            results.append(_collect(chunks))
    return results


IRREGULAR = [
    "\n",  # a blank line
    ",,,,,,,,,,,,\n",  # a spreadsheet's empty row
    '3204125505900001,3204120101150001,"Dua\nBaris",Bandung,1990-05-15,P,32.04.12.2001,Jl,,,,,\n',
    "3204125505900002,too,short\n",  # too few fields: the csv path from here on
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("chunk_size", [7, 10_000])
@pytest.mark.parametrize("extras", [[], IRREGULAR[:3], IRREGULAR], ids=["regular", "line-breaks", "short-row"])
def test_fast_and_csv_paths_agree(tmp_path, seed, chunk_size, extras):
    path = _file(tmp_path, random.Random(seed), extras=extras)
    fast, slow = _both(path, chunk_size)
    assert fast[2] == slow[2]  # records read
    assert fast[3] == slow[3]  # lines consumed
    assert fast[1] == slow[1]  # bad rows: line, NIK, reason
    assert fast[0] == slow[0]  # accepted rows, name keys and hashes included
    assert fast[0] and fast[1]


def test_bytes_that_are_not_utf8_take_the_csv_path(tmp_path):
    path = _file(tmp_path, random.Random(9), extras=[])
    with open(path, "ab") as out:
        out.write(b"3204125505900003,3204120101150001,Caf\xe9,Bandung,1990-05-15,P,32.04.12.2001,Jl,,,,,\n")
    fast, slow = _both(path, 50)
    assert fast == slow
    assert any("UTF-8" in reason for _line, _nik, reason in fast[1])


def _arrow_chunks(path: str) -> list:
    with reading._open_text(path) as stream:
        delimiter, index, fields = reading._read_header(stream)
    validate = columns._RowValidator(index, "")
    return list(
        reading._chunks_arrow(
            path, delimiter=delimiter, fields=fields, validate=validate, chunk_size=50, serialize=lambda g: g
        )
    )


def test_the_fast_reader_reads_quoted_line_breaks_itself_and_stops_at_a_short_row(tmp_path):
    assert _arrow_chunks(_file(tmp_path, random.Random(4), extras=IRREGULAR[:3]))
    with pytest.raises(reading._FastReadStopped):
        _arrow_chunks(_file(tmp_path, random.Random(4), extras=IRREGULAR))
