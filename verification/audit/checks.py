"""Per-row audit rules: one register row (or proposed member) against its population record.

Shared by the register audit (``engine``) and proposal matching
(``verification/workflow/services/matching.py``), so a flag means the same thing everywhere.
What is benign and never flags (``names_agree``): case, spacing, punctuation, titles
and degrees, the spelling variants of ``registrations.names``, word order, and one
transposed or mistyped letter in a long name. Values are read leniently (dates in the
usual formats, ``L/P``, ``M/F`` or words for sex, KK numbers with spaces or a leading
apostrophe from Excel); a value that cannot be read is a mismatch, said so in the detail.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from registrations.names import DEGREES, NAME_VARIANTS, PREFIX_TITLES, normalize_name
from registrations.nik import nik_errors as structural_nik_errors
from registrations.scoping import code_in_scope
from verification.audit import flags as F
from verification.linkage import normalize as linkage_normalize

#: Token-sort similarity (0-100) from which two normalised names agree (as in matching).
NAME_AGREES = 88
#: From this many letters (normalised, spaces excluded) one mistyped or transposed letter is benign.
LONG_NAME = 8
#: From this many letters two hand-typed names may each carry one slip (``names_agree(both_typed=True)``).
TWICE_LONG = 10

_SEXES = {
    "l": "L",
    "p": "P",
    "m": "L",
    "f": "P",
    "1": "L",
    "2": "P",
    "lk": "L",
    "pr": "P",
    "laki-laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "laki": "L",
    "pria": "L",
    "perempuan": "P",
    "wanita": "P",
    "male": "L",
    "female": "P",
}
_VILLAGE_DIGITS = re.compile(r"[0-9]{10}").fullmatch
UNREADABLE = "?"
_DOTTED_DEGREE = re.compile(r"\b([a-z]{1,2})\.([a-z]{1,4})\.?")  # "a.md." → "amd", as in names.py


def clean_number(value: str | None) -> str:
    """A NIK or KK number as typed in a register: spaces, a leading apostrophe (Excel's
    text marker) and a trailing ``.0`` (a number that went through a float) removed."""
    value = (value or "").strip().lstrip("'").replace(" ", "")
    return value[:-2] if value.endswith(".0") else value


def nik_errors(nik: str) -> list[str]:
    """Why ``nik`` is not a NIK (blank, length, date part, province, zero codes); ``[]`` if
    it is one (``registrations.nik.nik_errors``: an unknown district is only a warning)."""
    if not nik:
        return [_("NIK kosong")]
    return structural_nik_errors(nik)


def parse_date(value) -> datetime.date | str:
    """A ``date``, ``""`` for blank, or ``UNREADABLE``: whatever the record linkage reads
    (ISO with or without a time, DD-MM-YYYY and the like, YYYYMMDD, "7 Maret 1980")."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    code = linkage_normalize.parse_date(value or "")
    if code == 0:
        return ""
    if code < 0:
        return UNREADABLE
    return datetime.date(code // 10000, code // 100 % 100, code % 100)


def parse_sex(value: str | None) -> str:
    """``"L"``, ``"P"``, ``""`` for blank, or ``UNREADABLE``."""
    text = (value or "").strip().lower().rstrip(".")
    if not text:
        return ""
    return _SEXES.get(text, UNREADABLE)


def clean_village(value: str | None) -> str:
    """A village code dotted (``3204122002`` → ``32.04.12.2002``); other text as given."""
    text = (value or "").strip()
    if _VILLAGE_DIGITS(text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return text


def names_agree(a: str | None, b: str | None, *, both_typed: bool = False, b_key: str | None = None) -> bool:
    """Whether two names are the same name, allowing only the benign differences.

    ``both_typed``: both names were typed by hand (two rows of a register, not a row and
    the civil registry), so each may carry its own slip: two letters apart in a name of
    ``TWICE_LONG`` letters or more still agree. ``b_key``: ``normalize_name(b)`` when
    already known (a population record's ``name_key``).
    """
    if a and b and a.strip().casefold() == b.strip().casefold():
        return True
    na, nb = normalize_name(a), (b_key or normalize_name(b))
    if not na or not nb:
        return False
    if na == nb:
        return True
    sa, sb = " ".join(sorted(na.split())), " ".join(sorted(nb.split()))
    if sa == sb:
        return True
    if fuzz.ratio(sa, sb) >= NAME_AGREES or fuzz.ratio(na, nb) >= NAME_AGREES:
        return True
    longest = max(len(na.replace(" ", "")), len(nb.replace(" ", "")))
    allowed = 2 if both_typed and longest >= TWICE_LONG else 1 if longest >= LONG_NAME else 0
    if not allowed:
        return False
    if OSA.distance(na, nb) <= allowed or OSA.distance(sa, sb) <= allowed:
        return True
    # A slip can fall on a letter the spelling rules rewrite ("Mujur" typed "Msjur" reads
    # as old spelling): compare the names as typed, titles and degrees removed, as well.
    pa, pb = _plain(a), _plain(b)
    return OSA.distance(pa, pb) <= allowed or OSA.distance(_with_variants(pa), _with_variants(pb)) <= allowed


def _plain(value: str | None) -> str:
    """Lower-case letters of the name's words without titles and degrees, spelling untouched."""
    text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode().lower()
    text = _DOTTED_DEGREE.sub(r"\1\2", text.partition(",")[0])
    words = re.sub(r"[^a-z\s]+", "", text.replace(".", ". ")).split()
    while len(words) > 1 and words[0] in PREFIX_TITLES:
        words = words[1:]
    while len(words) > 1 and words[-1] in DEGREES:
        words = words[:-1]
    return " ".join(words)


def _with_variants(plain: str) -> str:
    """Only the variants of frequent names mapped (Moch. → muhammad), other spelling untouched."""
    return " ".join(NAME_VARIANTS.get(word, word) for word in plain.split())


def mask_number(value: str) -> str:
    """KK or NIK shown in a detail text: only the last four digits."""
    return f"…{value[-4:]}" if len(value) > 4 else value


@dataclass(slots=True)
class Facts:
    """The values compared. ``None``: the column is absent, never compared; ``""``: the
    column is there but the cell is blank, which differs from a filled population value."""

    nik: str
    kk: str | None = None
    name: str | None = None
    birth_date: datetime.date | str | None = None  # a date, "", UNREADABLE, or None
    birth_raw: str = ""
    sex: str | None = None  # "L", "P", "", UNREADABLE or None
    sex_raw: str = ""
    village: str | None = None


#: The population record's fields the checks read, in this order (a ``values_list``).
RECORD_FIELDS = (
    "nik",
    "kk_number",
    "full_name",
    "birth_date",
    "sex",
    "village_code",
    "status",
    "status_date",
    "moved_to_code",
    "name_key",
)


def _moved(row: Facts, village: str, status: str, moved_to: str, when: str) -> str | None:
    """The detail of a ``moved`` flag, or ``None``: the population places the person
    in another village than the register (a move into the register's village is fine)."""
    if not row.village:
        return None
    if status == "moved":
        if not moved_to:
            return _("tercatat pindah%(when)s; register: %(v)s") % {"when": when, "v": row.village}
        if not code_in_scope(row.village, moved_to):  # moved_to is not blank here
            return _("pindah ke %(to)s%(when)s; register: %(v)s") % {"to": moved_to, "when": when, "v": row.village}
        return None
    if village and village != row.village:
        return _("data kependudukan: %(p)s; register: %(v)s") % {"p": village, "v": row.village}
    return None


def check_against_record(row: Facts, record: tuple | None) -> list[tuple[str, str]]:
    """The flags of one row with a well-formed NIK: ``record`` is the population record
    of that NIK as a ``RECORD_FIELDS`` tuple, ``None`` when the population lacks it."""
    if record is None:
        return [(F.NIK_NOT_FOUND, _("NIK tidak ada di data kependudukan"))]
    _nik, kk, name, birth_date, sex, village, status, status_date, moved_to, name_key = record
    found: list[tuple[str, str]] = []
    when = f" ({status_date.isoformat()})" if status_date else ""
    if status == "deceased":
        found.append((F.DECEASED, _("data kependudukan mencatat meninggal%(when)s") % {"when": when}))
    elif (detail := _moved(row, village, status, moved_to, when)) is not None:
        found.append((F.MOVED, detail))
    if row.name is not None and not names_agree(row.name, name, b_key=name_key):
        found.append((F.NAME_MISMATCH, _("register: %(r)s; kependudukan: %(p)s") % {"r": row.name or "-", "p": name}))
    if row.birth_date is not None and birth_date and row.birth_date != birth_date:
        if row.birth_date == UNREADABLE:
            detail = _("%(r)s tidak terbaca sebagai tanggal; kependudukan: %(p)s")
        else:
            detail = _("register: %(r)s; kependudukan: %(p)s")
        shown = row.birth_date.isoformat() if isinstance(row.birth_date, datetime.date) else row.birth_raw
        found.append((F.BIRTH_DATE_MISMATCH, detail % {"r": shown or "-", "p": birth_date.isoformat()}))
    if row.sex is not None and sex and row.sex != sex:
        shown = row.sex_raw if row.sex == UNREADABLE else row.sex
        found.append((F.SEX_MISMATCH, _("register: %(r)s; kependudukan: %(p)s") % {"r": shown or "-", "p": sex}))
    if row.kk is not None and kk and row.kk != kk:
        found.append(
            (
                F.KK_MISMATCH,
                _("register: %(r)s; kependudukan: %(p)s") % {"r": mask_number(row.kk) or "-", "p": mask_number(kk)},
            )
        )
    return found
