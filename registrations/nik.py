"""NIK (Nomor Induk Kependudukan) and KK number: building and checking by structure.

A NIK is ``PPKKCC DDMMYY SSSS``: the district (kecamatan) code it was issued in
(province, regency, district, two digits each), the birth date with 40 added to the
day for women, and a serial 0001-9999. The structure cannot prove that Dukcapil issued
a number; it only rejects numbers that cannot be a NIK, or that contradict the birth
date and sex entered next to them.

A district code missing from the current Kemendagri list is a *warning*, not an error:
a NIK keeps the code it was issued under, e.g. ``91.01.01`` (Merauke, Papua) before
the 2022 split made it ``93.01.01`` (Papua Selatan).

The checks come from lokal-id (``lokal.parse_nik``); this module turns its issues into
the portal's messages and picks the century so that a birth date is never in the future
(lokal picks 20YY whenever YY is not after this year, even for a month still to come).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import lokal
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lokal import wilayah

MALE = "L"
FEMALE = "P"
FEMALE_DAY_OFFSET = 40
SERIAL_MIN, SERIAL_MAX = 1, 9999

_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")
_DOTTED_DISTRICT = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
_PLAIN_DISTRICT = re.compile(r"[0-9]{6}")
#: Other spellings of sex accepted from callers (imports use M/F).
_SEX_ALIASES = {"L": MALE, "P": FEMALE, "M": MALE, "F": FEMALE}


@dataclass(frozen=True)
class NikCheck:
    """What a NIK says, and what is wrong with it.

    ``birth_date`` and ``sex`` are ``None`` when the date part is not a real date;
    ``district_code`` is dotted (``"32.04.12"``) and ``None`` when the input is not
    16 digits.
    """

    nik: str
    district_code: str | None = None
    birth_date: datetime.date | None = None
    sex: str | None = None
    serial: int | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def normalize_district_code(code: str) -> str:
    """``"32.04.12"`` or ``"320412"`` → ``"32.04.12"``; ``ValueError`` otherwise."""
    code = (code or "").strip()
    if _PLAIN_DISTRICT.fullmatch(code):
        code = f"{code[:2]}.{code[2:4]}.{code[4:]}"
    if not _DOTTED_DISTRICT.fullmatch(code):
        raise ValueError(f"District code must look like 32.04.12, got {code!r}")
    return code


def _normalize_sex(sex: str) -> str:
    try:
        return _SEX_ALIASES[str(sex).strip().upper()]
    except KeyError:
        raise ValueError(f"Sex must be 'L' or 'P', got {sex!r}") from None


def _as_date(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def build_nik(*, district_code: str, birth_date: datetime.date, sex: str, serial: int) -> str:
    """The NIK a person of this district, birth date and sex gets with this serial."""
    district = normalize_district_code(district_code).replace(".", "")
    sex = _normalize_sex(sex)
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        raise ValueError(f"NIK serial must be {SERIAL_MIN}..{SERIAL_MAX}, got {serial}")
    birth_date = _as_date(birth_date)
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == FEMALE else 0)
    return f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def resolve_birth_date(day: int, month: int, yy: int, *, today: datetime.date | None = None) -> datetime.date | None:
    """The most recent real date with this day, month and two-digit year not after today."""
    today = today or datetime.date.today()
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _district_known(code: str) -> bool:
    return wilayah.get_wilayah(code) is not None


def parse_nik(
    value: str,
    *,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
    today: datetime.date | None = None,
) -> NikCheck:
    """Check a NIK's structure and, when given, its agreement with the birth date and sex.

    With ``birth_date`` given and agreeing with digits 7-12, the result carries that
    date (which settles the century for people over 100); otherwise the century is the
    one that puts the date closest to, but not after, ``today``.
    """
    raw = "" if value is None else str(value).strip()
    if not _SIXTEEN_DIGITS.fullmatch(raw):
        return NikCheck(nik=raw, errors=[_("NIK harus 16 digit angka")])

    info = lokal.parse_nik(raw, reference_date=today)
    errors: list[str] = []
    warnings: list[str] = []
    district_code = info.district_code or f"{raw[:2]}.{raw[2:4]}.{raw[4:6]}"

    for issue in info.errors:
        if issue.code == "province":
            errors.append(_("Kode provinsi NIK (%(code)s) tidak dikenal") % {"code": raw[:2]})
        elif issue.code == "wilayah":
            errors.append(_("Kode kabupaten/kota dan kecamatan pada NIK (digit 3-6) tidak boleh 00"))
        elif issue.code == "birth_date":
            errors.append(_("Tanggal lahir pada NIK (digit 7-12) bukan tanggal yang sah"))
        elif issue.code == "serial":
            errors.append(_("Nomor urut NIK (digit 13-16) tidak boleh 0000"))
        elif issue.code == "format":  # pragma: no cover - excluded by the check above
            errors.append(_("NIK harus 16 digit angka"))
        else:  # pragma: no cover - a check added by a later lokal-id release
            errors.append(issue.message)

    province_known = raw[:2] in lokal.PROVINCES
    if province_known and "00" not in (raw[2:4], raw[4:6]) and not _district_known(district_code):
        warnings.append(
            _(
                "Kode wilayah NIK (%(code)s) tidak ada dalam daftar wilayah Kemendagri terbaru; "
                "bisa jadi kode lama sebelum pemekaran"
            )
            % {"code": district_code}
        )

    day_digits = int(raw[6:8])
    nik_sex = FEMALE if day_digits > FEMALE_DAY_OFFSET else MALE
    day = day_digits - FEMALE_DAY_OFFSET if nik_sex == FEMALE else day_digits
    month, yy = int(raw[8:10]), int(raw[10:12])
    nik_birth_date = resolve_birth_date(day, month, yy, today=today) if day >= 1 else None
    if nik_birth_date is None:
        if not any(issue.code == "birth_date" for issue in info.errors):
            errors.append(_("Tanggal lahir pada NIK (digit 7-12) bukan tanggal yang sah"))
        nik_sex = None
    else:
        if birth_date is not None:
            birth_date = _as_date(birth_date)
            if (birth_date.day, birth_date.month, birth_date.year % 100) == (day, month, yy):
                nik_birth_date = birth_date
            else:
                errors.append(_("Tanggal lahir pada NIK tidak sesuai dengan tanggal lahir yang diisi"))
        if sex and _SEX_ALIASES.get(str(sex).strip().upper()) != nik_sex:
            errors.append(_("Jenis kelamin pada NIK (tanggal + 40 untuk perempuan) tidak sesuai"))

    return NikCheck(
        nik=raw,
        district_code=district_code,
        birth_date=nik_birth_date,
        sex=nik_sex,
        serial=int(raw[12:]),
        errors=errors,
        warnings=warnings,
    )


_PROVINCE_CODES = frozenset(lokal.PROVINCES)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
#: Digits 7-10 of a NIK that are a plain day and month (day + 40 for women). 29 February
#: is left out on purpose: whether it is real depends on the year, so ``parse_nik`` decides.
NIK_DAY_MONTH = frozenset(
    f"{day + offset:02d}{month:02d}"
    for month in range(1, 13)
    for day in range(1, _DAYS_IN_MONTH[month] + 1)
    for offset in (0, FEMALE_DAY_OFFSET)
)


def nik_errors(nik: str) -> list[str]:
    """The NIK's structural errors (``[]`` when valid), fast for the usual NIK.

    Bulk checks (imports, register audits) call this per row: a local check passes the
    usual NIK, anything else (and every 29 February) goes to ``parse_nik``, which decides
    and words the reason. An unknown district of a known province stays a warning there.
    """
    if (
        len(nik) == 16
        and nik.isascii()
        and nik.isdigit()
        and nik[:2] in _PROVINCE_CODES
        and nik[2:4] != "00"
        and nik[4:6] != "00"
        and nik[12:] != "0000"
        and nik[6:10] in NIK_DAY_MONTH
    ):
        return []
    return parse_nik(nik).errors


def validate_nik(value: str) -> None:
    """Django validator: the NIK's structure only (no birth date or sex to compare)."""
    check = parse_nik(value)
    if check.errors:
        raise ValidationError(check.errors[0], code="invalid_nik")


def validate_kk_number(value: str) -> None:
    """Django validator for a KK number: 16 digits starting with a known province.

    A KK number starts with the district code like a NIK; digits 7-12 are the issue
    date and are not checked (older cards do not follow it).
    """
    raw = "" if value is None else str(value).strip()
    if not _SIXTEEN_DIGITS.fullmatch(raw):
        raise ValidationError(_("Nomor KK harus 16 digit angka"), code="invalid_kk_number")
    if raw[:2] not in lokal.PROVINCES:
        raise ValidationError(
            _("Kode provinsi nomor KK (%(code)s) tidak dikenal") % {"code": raw[:2]}, code="invalid_kk_number"
        )
