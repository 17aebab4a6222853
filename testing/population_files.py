"""Population files for the import's tests: the contract's ten columns, one person's row
(a valid NIK for the village, a KK, a name with the serial in it), and rows written as a
CSV file on disk (for the command and the service) or as bytes (for the upload page)."""

import csv
import datetime
import io

from registrations.nik import build_nik
from testing.regions import VILLAGE_A

COLUMNS = [
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "village_code",
    "address",
    "status",
    "status_date",
]
BIRTH = datetime.date(1990, 5, 15)


def person(serial: int, *, village: str = VILLAGE_A, sex: str = "L", birth=BIRTH, **fields) -> dict:
    nik_sex = sex if sex.upper() in ("L", "P", "M", "F") else "L"
    row = {
        "nik": build_nik(district_code=village[:8], birth_date=birth, sex=nik_sex, serial=serial),
        "kk_number": build_nik(district_code=village[:8], birth_date=datetime.date(2015, 1, 2), sex="L", serial=1),
        "full_name": f"Warga Nomor {serial}",
        "birth_place": "Bandung",
        "birth_date": birth.isoformat(),
        "sex": sex,
        "village_code": village,
        "address": f"Jl. Melati No. {serial}",
        "status": "",
        "status_date": "",
    }
    row.update(fields)
    return row


def write_csv(directory, rows, *, name="penduduk.csv", columns=None) -> str:
    columns = columns or list(rows[0])
    target = directory / name
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return str(target)


def csv_bytes(rows, columns=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()
