"""NIK and KK numbers for hand-written rows: a NIK valid for its district, birth date
and sex (``registrations.nik.build_nik``), a KK number of 16 digits; each call takes
the next serial, so numbers never repeat within a test session."""

import datetime
import itertools

from registrations.nik import build_nik
from testing.regions import DISTRICT_A

_serials = iter(range(1, 10_000))


def next_serial() -> int:
    """The next number of the session's one counter (NIKs, KK numbers, e-mail addresses)."""
    return next(_serials)


def nik_for(birth_date: datetime.date, sex: str, district: str = DISTRICT_A) -> str:
    return build_nik(district_code=district, birth_date=birth_date, sex=sex, serial=next_serial())


def kk_for(district: str = DISTRICT_A, serial: int | None = None) -> str:
    serial = next_serial() if serial is None else serial
    return f"{district.replace('.', '')}2001{serial % 100:02d}{serial:04d}"[:16]


_village_kk_serials = itertools.count(1)


def village_kk(village: str) -> str:
    """A KK number made of the village's digits and a serial of its own counter."""
    digits = village.replace(".", "")
    return f"{digits}{next(_village_kk_serials):06d}"[-16:].rjust(16, "9")
