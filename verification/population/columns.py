"""Population records file: its columns, header, and the per-row checks (the thorough path).

See ``verification.population.imports`` for the whole import's rules."""

from __future__ import annotations

import csv
import datetime
import hashlib
import logging
import operator
import re
from dataclasses import dataclass
from typing import IO

import lokal
from django.utils.translation import gettext as _

from registrations.names import DEGREES, PREFIX_TITLES, normalize_name
from registrations.nik import nik_errors
from registrations.scoping import NATIONAL, code_in_scope
from verification.errors import POPULATION_ERRORS, PopulationImportError
from verification.population.block import SEXES as _SEXES
from verification.population.block import STATUSES as _STATUSES

logger = logging.getLogger(__name__)


REQUIRED_COLUMNS = (
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
)
OPTIONAL_COLUMNS = ("rt", "rw", "moved_to")
DEFAULT_CHUNK_SIZE = 10_000
#: Roles that may use the upload page: national staff and the regency social office.

# Columns of a validated row, in the order of the staging table and the tuples below.
_ROW_COLUMNS = (
    "line",
    "nik",
    "kk_number",
    "full_name",
    "name_key",
    "birth_place",
    "birth_date",
    "sex",
    "village_code",
    "address",
    "rt",
    "rw",
    "status",
    "status_date",
    "moved_to_code",
    "row_hash",
)
_RECORD_COLUMNS = _ROW_COLUMNS[1:]  # everything but the line number
#: Text columns that may be blank: COPY reads an empty field as NULL, the insert turns it back.
_MAYBE_BLANK = frozenset({"birth_place", "address", "rt", "rw", "moved_to_code"})
#: Columns of free text, the only ones that may hold a backslash.
_FREE_TEXT = frozenset({"full_name", "birth_place", "address"})
_OPTIONAL_TO_FIELD = {"rt": "rt", "rw": "rw", "moved_to": "moved_to_code"}
_HASH_VERSION = "p1"
#: Entries per cache of the per-row validator (name keys, name words): memory stays flat.
_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class BadRow:
    line: int
    nik: str
    reason: str


class Counts:
    """An import's running totals; ``summary`` is the command's last line (every count in
    field order, ``lines`` being progress, not a result)."""

    def summary(self) -> str:
        return " ".join(f"{name}={value}" for name, value in vars(self).items() if name != "lines")


@dataclass
class ImportResult(Counts):
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    lines: int = 0


def mask_nik(value: str) -> str:
    """``3204125505900001`` → ``320412******0001``; short values are hidden entirely."""
    value = (value or "").strip()
    masked = f"{value[:6]}******{value[-4:]}" if len(value) >= 10 else "*" * len(value)
    # Never let a spreadsheet read a cell as a formula.
    return f"'{masked}" if masked[:1] in ("=", "+", "-", "@") else masked


class BadRowCsvWriter:
    """Writes bad rows as CSV ``line,nik,reason`` (NIK masked); call it with a ``BadRow``."""

    def __init__(self, stream: IO[str]):
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(["line", "nik", "reason"])

    def __call__(self, bad: BadRow) -> None:
        self._writer.writerow([bad.line, mask_nik(bad.nik), bad.reason])


# --- Header ------------------------------------------------------------------------------


def _pick_delimiter(header_line: str) -> str:
    if "," in header_line:
        return ","
    for candidate in (";", "\t", "|"):
        if candidate in header_line:
            return candidate
    return ","


def parse_header(
    header_line: str,
    *,
    required: tuple[str, ...] = REQUIRED_COLUMNS,
    optional: tuple[str, ...] = OPTIONAL_COLUMNS,
    aliases: dict[str, str] | None = None,
) -> tuple[str, dict[str, int]]:
    """The delimiter and the index of each known column; ``PopulationImportError`` if a
    required column is missing or named twice. The events import passes its own columns
    and aliases."""
    header_line = header_line.lstrip("\ufeff")
    delimiter = _pick_delimiter(header_line)
    try:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error as exc:
        raise PopulationImportError(POPULATION_ERRORS["header_unreadable"] % {"e": exc}) from None
    aliases = aliases or {}
    index: dict[str, int] = {}
    for position, raw in enumerate(names):
        name = raw.strip().lower()
        name = aliases.get(name, name)
        if name in required or name in optional:
            if name in index:
                raise PopulationImportError(POPULATION_ERRORS["column_twice"] % {"col": name})
            index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        raise PopulationImportError(
            POPULATION_ERRORS["columns_missing"] % {"missing": ", ".join(missing), "required": ",".join(required)}
        )
    return delimiter, index


# --- Row validation ------------------------------------------------------------------------

_VILLAGE_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}").fullmatch
_REGION_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?").fullmatch


def _show(value: str, limit: int = 20) -> str:
    """A value quoted in a reason, cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _iso_date_error(value: str, today: str) -> str | None:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return "format"
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return "format"
    if value > today:
        return "future"
    return None


class _RowValidator:
    """Turns a CSV row into the tuple of ``_ROW_COLUMNS``, or the list of its problems.

    The rows ``block.BlockValidator`` leaves over come here one by one: every
    rule applied, every problem worded (``_thorough``); an accepted row is built by
    ``_accept``, whose values and hash the block reproduces for the plain rows.
    """

    def __init__(self, index: dict[str, int], scope: str | None):
        self.index = index
        self.scope = scope
        self.present_optional = tuple(name for name in OPTIONAL_COLUMNS if name in index)
        self.width = max(index.values()) + 1
        self.today = datetime.date.today().isoformat()
        self.provinces = frozenset(lokal.PROVINCES)
        self.hash_prefix = f"{_HASH_VERSION}|{','.join(self.present_optional)}"
        self.fields = operator.itemgetter(*(index[name] for name in REQUIRED_COLUMNS))
        self.optional = [index.get(name) for name in OPTIONAL_COLUMNS]
        self.names: dict[str, str] = {}
        self.tokens: dict[str, str] = {}

    def name_key(self, full_name: str) -> str:
        """``normalize_name(full_name)``, fast for the usual name of plain letters.

        Such a name is normalised word by word (a single plain word's key is
        ``normalize_name`` of it), after the same title and degree stripping as
        ``registrations.names.name_tokens``; the test suite checks the two agree. Any
        other name (dots, commas, accents, digits) goes through ``normalize_name`` whole.
        """
        if full_name.isascii() and full_name.replace(" ", "").isalpha():
            words = full_name.lower().split()
            while len(words) > 1 and words[0] in PREFIX_TITLES:
                words = words[1:]
            while len(words) > 1 and words[-1] in DEGREES:
                words = words[:-1]
            tokens = self.tokens
            parts = []
            for word in words:
                token = tokens.get(word)
                if token is None:
                    if len(tokens) >= _CACHE_LIMIT:
                        tokens.clear()
                    token = tokens[word] = normalize_name(word)
                parts.append(token)
            return " ".join(parts)[:120]
        key = self.names.get(full_name)
        if key is None:
            if len(self.names) >= _CACHE_LIMIT:
                self.names.clear()
            key = self.names[full_name] = normalize_name(full_name)[:120]
        return key

    def _optional_values(self, row: list[str]) -> tuple[str, str, str]:
        i_rt, i_rw, i_moved = self.optional
        return (
            row[i_rt].strip() if i_rt is not None else "",
            row[i_rw].strip() if i_rw is not None else "",
            row[i_moved].strip() if i_moved is not None else "",
        )

    def __call__(self, row: list[str], line: int) -> tuple | list[str]:
        if len(row) < self.width:
            row = row + [""] * (self.width - len(row))
        return self._thorough(row, line)

    def _thorough(self, row: list[str], line: int) -> tuple | list[str]:
        nik, kk, full_name, birth_place, birth_date, sex_raw, village_code, address, status_raw, status_date = map(
            str.strip, self.fields(row)
        )
        errors: list[str] = []
        if not nik:
            errors.append(_("NIK kosong"))
        else:
            problems = nik_errors(nik)
            if problems:
                errors.append(_("NIK tidak sah: %(reason)s") % {"reason": problems[0]})

        if not (len(kk) == 16 and kk.isascii() and kk.isdigit() and kk[:2] in self.provinces):
            errors.append(_("nomor KK kosong") if not kk else _("nomor KK tidak sah (16 digit, kode provinsi dikenal)"))

        full_name = " ".join(full_name.split())
        birth_place = " ".join(birth_place.split())
        address = " ".join(address.split())
        if not full_name:
            errors.append(_("nama kosong"))
        elif len(full_name) > 120:
            errors.append(_("nama lebih dari 120 karakter"))
        if len(birth_place) > 80:
            errors.append(_("tempat lahir lebih dari 80 karakter"))
        if len(address) > 200:
            errors.append(_("alamat lebih dari 200 karakter"))
        if not (full_name.isprintable() and birth_place.isprintable() and address.isprintable()):
            errors.append(_("teks berisi byte yang bukan UTF-8 atau karakter kendali"))

        if not birth_date:
            errors.append(_("tanggal lahir kosong"))
        else:
            problem = _iso_date_error(birth_date, self.today)
            if problem == "format":
                errors.append(_("tanggal lahir %(v)s bukan tanggal YYYY-MM-DD") % {"v": _show(birth_date)})
            elif problem == "future":
                errors.append(_("tanggal lahir %(v)s di masa depan") % {"v": _show(birth_date)})

        sex = _SEXES.get(sex_raw)
        if sex is None:
            errors.append(_("jenis kelamin %(v)s bukan L/P (atau M/F)") % {"v": _show(sex_raw)})

        if not _VILLAGE_CODE(village_code):
            errors.append(_("kode desa/kelurahan %(v)s bukan format NN.NN.NN.NNNN") % {"v": _show(village_code)})
        elif self.scope != NATIONAL and not code_in_scope(village_code, self.scope):
            errors.append(_("di luar wilayah Anda"))

        status = _STATUSES.get(status_raw.lower())
        if status is None:
            errors.append(_("status %(v)s bukan alive/deceased/moved") % {"v": _show(status_raw)})

        if status_date:
            problem = _iso_date_error(status_date, self.today)
            if problem == "format":
                errors.append(_("tanggal status %(v)s bukan tanggal YYYY-MM-DD") % {"v": _show(status_date)})
            elif problem == "future":
                errors.append(_("tanggal status %(v)s di masa depan") % {"v": _show(status_date)})
            elif birth_date and status_date < birth_date:
                errors.append(_("tanggal status sebelum tanggal lahir"))

        rt, rw, moved_to = self._optional_values(row)
        if rt and not (len(rt) <= 3 and rt.isascii() and rt.isdigit()):
            errors.append(_("RT %(v)s bukan angka 1-3 digit") % {"v": _show(rt)})
        if rw and not (len(rw) <= 3 and rw.isascii() and rw.isdigit()):
            errors.append(_("RW %(v)s bukan angka 1-3 digit") % {"v": _show(rw)})
        if moved_to and not _REGION_CODE(moved_to):
            errors.append(_("kode wilayah tujuan pindah %(v)s tidak sah") % {"v": _show(moved_to)})

        if errors:
            return errors
        return self._accept(
            line,
            nik,
            kk,
            full_name,
            birth_place,
            birth_date,
            sex,
            village_code,
            address,
            status,
            status_date,
            rt,
            rw,
            moved_to,
        )

    def _accept(
        self,
        line,
        nik,
        kk,
        full_name,
        birth_place,
        birth_date,
        sex,
        village_code,
        address,
        status,
        status_date,
        rt,
        rw,
        moved_to,
    ) -> tuple:
        name_key = self.name_key(full_name)
        row_hash = hashlib.md5(
            "\x1f".join(
                (
                    self.hash_prefix,
                    kk,
                    full_name,
                    name_key,
                    birth_place,
                    birth_date,
                    sex,
                    village_code,
                    address,
                    rt,
                    rw,
                    status,
                    status_date,
                    moved_to,
                )
            ).encode(),
            usedforsecurity=False,
        ).hexdigest()
        return (
            line,
            nik,
            kk,
            full_name,
            name_key,
            birth_place,
            birth_date,
            sex,
            village_code,
            address,
            rt,
            rw,
            status,
            status_date,
            moved_to,
            row_hash,
        )
