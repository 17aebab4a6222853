"""Rows for the register audit's tests: the register file's columns, civil-registry
records (``PopulationRecord``) of people in village A, and file rows made from them.

Every record shares one KK (``KK_A``); ``KK_B`` is a second, valid KK of the same
district; ``nik(serial)`` gives a NIK valid for village A's district.
"""

import datetime

from registrations.names import normalize_name
from registrations.nik import build_nik
from testing.factories import PopulationRecordFactory
from testing.regions import VILLAGE_A

COLUMNS = ["row", "household_id", "kk_number", "nik", "full_name", "birth_date", "sex", "village_code", "relation"]
BIRTH = datetime.date(1985, 3, 14)
KK_A = build_nik(district_code=VILLAGE_A[:8], birth_date=datetime.date(2012, 6, 1), sex="L", serial=11)
KK_B = build_nik(district_code=VILLAGE_A[:8], birth_date=datetime.date(2012, 6, 1), sex="L", serial=12)
#: A record's fields the audit files do not carry, left empty.
NO_PLACE = {"birth_place": "", "address": "", "rt": "", "rw": ""}


def nik(serial: int, *, sex: str = "L", birth=BIRTH, district: str = VILLAGE_A[:8]) -> str:
    return build_nik(district_code=district, birth_date=birth, sex=sex, serial=serial)


def population(serial: int, name: str = "Bambang Sutrisno", *, sex="L", birth=BIRTH, **fields):
    """A record of village A in the ``KK_A`` family, without birth place or address."""
    values = {
        "nik": nik(serial, sex=sex, birth=birth),
        "kk_number": KK_A,
        "full_name": name,
        "name_key": normalize_name(name),
        "birth_date": birth,
        "sex": sex,
        "village_code": VILLAGE_A,
        **NO_PLACE,
    }
    values.update(fields)
    return PopulationRecordFactory(**values)


def row_of(record, row_id: str, **overrides) -> dict:
    values = {
        "row": row_id,
        "household_id": "RT-1",
        "kk_number": record.kk_number,
        "nik": record.nik,
        "full_name": record.full_name,
        "birth_date": record.birth_date.isoformat(),
        "sex": record.sex,
        "village_code": record.village_code,
        "relation": "kepala",
    }
    values.update(overrides)
    return values
