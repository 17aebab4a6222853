"""Import of population (Dukcapil) records from CSV: validate, then upsert by NIK.

One code path serves ``manage.py import_population``, the staff upload page (through
the Celery task in ``verification/tasks_population.py``) and ``bench/import_population.py``.

Format (``docs/contract.md``): a header row naming at least ``REQUIRED_COLUMNS``; other
columns are ignored, except the optional ``rt``, ``rw`` and ``moved_to``. A column that
is absent is not touched on existing records (a file without ``rt`` keeps the RT
loaded from an earlier, richer file); a column that is present but blank is blank.

Rules, per row (a row breaking any of them is a *bad row*, reported with its line
number and every reason, and skipped; the other rows are kept):

* ``nik``: a structurally valid NIK (``registrations.nik.parse_nik``: 16 digits, known
  province, real date part, serial not 0000). A district code missing from the current
  Kemendagri list is only a warning there, so such a NIK is accepted. The NIK's date
  and sex digits are *not* compared with ``birth_date`` and ``sex``: this file is the
  civil registry itself, and a corrected birth date does not change a NIK.
* ``kk_number``: 16 digits starting with a known province.
* ``full_name``: not blank, at most 120 characters; ``name_key`` is
  ``registrations.names.normalize_name`` of it.
* ``birth_date`` (required) and ``status_date`` (optional): ``YYYY-MM-DD``, not in the
  future; a status date is not before the birth date.
* ``sex``: ``L``/``P``, or ``M``/``F`` (stored as ``L``/``P``).
* ``village_code``: a dotted village code ``NN.NN.NN.NNNN``. A code unknown to the
  ``Region`` table is kept (people keep the codes they were registered under).
* ``status``: ``alive``, ``deceased`` or ``moved``, any case; blank means ``alive``.
* ``moved_to``: blank or a dotted region code of any level.
* ``birth_place`` ≤ 80, ``address`` ≤ 200, ``rt``/``rw`` up to 3 digits.
* The same NIK twice in one file: the *first* good row is kept, each later one is a
  bad row naming the line of the first (a file with two different people under one NIK
  needs a human, not a silent last-one-wins).
* For a regional importer (``scope`` not national): the row's village must lie in the
  scope, and an existing record of that NIK must too; otherwise the row is bad with
  the reason "di luar wilayah Anda".

Line numbers are physical lines of the file, 1-based, the header being line 1; a
record with a quoted line break is numbered by the line it starts on.

Idempotency: ``row_hash`` is the MD5 of the normalised row (and of which optional
columns the file has); a row whose hash equals the stored one is not written, so a
rerun of the same file changes nothing and ``updated_at`` stays put.

Reading and checking (the fast path): a file on disk is parsed by pyarrow's CSV reader
(C++, no Python object per value) in blocks, and each chunk is checked column by column
(``population_block.BlockValidator``: vector kernels accept the rows in their plain
form); the rows it leaves over go one by one through ``_RowValidator``, which accepts
the unusual but valid ones and words every reason for the bad ones. From the first
record pyarrow cannot read as the ``csv`` module would report it (a row with too many
or too few fields, bytes that are not UTF-8) the ``csv`` module takes over at that
record, so such rows are reported exactly as before; a file object (not a path) is
read by the ``csv`` module throughout. Both give the same rows, keys, hashes and bad
rows on the same lines (``tests/test_population_fast_path.py``). A reader thread reads
and checks the next chunks while the database writes the current one.

Streaming: chunks of ``chunk_size`` rows, so memory does not grow with the file.
Duplicate NIKs within a chunk are found in the chunk; across chunks, in the database.

PostgreSQL, a first load into an empty table (a *bulk load*, ``_PostgresWriter.session``):
one transaction locks the table, drops its secondary indexes and the NIK constraint,
``COPY``s every chunk straight into the table (and each row's NIK and line into a
temporary table), removes the later rows of a NIK repeated across chunks (reported as
bad rows after the others), and builds the indexes again, once: PostgreSQL's advice
for populating a database, several times cheaper than growing five indexes row by row.
All or nothing: a failure or a killed worker rolls it all back, indexes included.

PostgreSQL, any other import: each chunk is ``COPY``'d into a ``TEMP`` staging table,
then one ``INSERT ... SELECT ... ON CONFLICT (nik) DO UPDATE ... WHERE row_hash IS
DISTINCT FROM EXCLUDED.row_hash`` writes it in its own transaction; unchanged rows are
filtered out before the insert (so they are not even locked), ``RETURNING (xmax = 0)``
tells inserts from updates, and a temporary table of the NIKs seen catches repeats
across chunks. SQLite: the chunk's stored hashes are read, then one ``executemany``
upsert with the same rule. All give the same records and the same counts.

Upload jobs (the staff page; also for population events, ``JobKind.EVENTS``, whose
import lives in ``population_events.py`` and is imported lazily by ``job_run`` because
it builds on this module): state lives in the Django cache under the job id (Redis
when ``REDIS_URL`` is set, local memory otherwise); the uploaded file and the bad-row
report are files under ``MEDIA_ROOT/imports/``. A model would be sturdier (history,
no expiry, no shared cache needed); the cache keeps this change free of migrations.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import logging
import operator
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import lokal
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registrations.exceptions import DomainError
from registrations.models import Role
from registrations.names import DEGREES, PREFIX_TITLES, normalize_name
from registrations.nik import nik_errors
from registrations.scoping import NATIONAL, code_in_scope, region_scope
from verification.models import PopulationRecord
from verification.services.population_block import SEXES as _SEXES
from verification.services.population_block import STATUSES as _STATUSES
from verification.services.population_block import Block, BlockValidator
from verification.services.upload_jobs import JobStatus, JobStore, store_upload, user_may_upload

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
IMPORT_ROLES = frozenset({Role.MINISTRY_STAFF, Role.ADMIN, Role.SOCIAL_OFFICER})

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


class PopulationImportError(DomainError):
    """The file as a whole cannot be imported (missing columns, not CSV text)."""


@dataclass(frozen=True)
class BadRow:
    line: int
    nik: str
    reason: str


@dataclass
class ImportResult:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    lines: int = 0

    def summary(self) -> str:
        return (
            f"read={self.read} inserted={self.inserted} updated={self.updated} "
            f"unchanged={self.unchanged} bad={self.bad}"
        )


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
        raise PopulationImportError(_("Baris judul (header) CSV tidak dapat dibaca: %(e)s") % {"e": exc}) from None
    aliases = aliases or {}
    index: dict[str, int] = {}
    for position, raw in enumerate(names):
        name = raw.strip().lower()
        name = aliases.get(name, name)
        if name in required or name in optional:
            if name in index:
                raise PopulationImportError(_("Kolom %(col)s muncul dua kali di baris judul.") % {"col": name})
            index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        raise PopulationImportError(
            _("Kolom wajib tidak ada di baris judul: %(missing)s. Kolom yang diperlukan: %(required)s.")
            % {"missing": ", ".join(missing), "required": ",".join(required)}
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

    The rows ``population_block.BlockValidator`` leaves over come here one by one: every
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


# --- Reading --------------------------------------------------------------------------------


@dataclass
class _Chunk:
    payload: Any  # the good rows (``_Good``); the writer makes them COPY text or row tuples
    count: int  # good rows in it
    bad: list[BadRow]
    read: int
    lines: int


@contextlib.contextmanager
def _open_text(source) -> Iterator[IO[str]]:
    """A text stream over a path or a binary/text file object (UTF-8, BOM allowed).

    Undecodable bytes become surrogate escapes, so the rows that hold them are reported
    one by one instead of the whole file failing halfway.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:
            yield stream
        return
    if isinstance(source, io.TextIOBase):
        yield source
        return
    stream = io.TextIOWrapper(source, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield stream
    finally:
        stream.detach()


def _read_header(stream: IO[str], parse=None) -> tuple[str, dict[str, int], int]:
    """The delimiter, the known columns' positions and how many fields the header has;
    ``parse`` reads the header's columns (the events import passes its own)."""
    header_line = stream.readline()
    if not header_line.strip():
        raise PopulationImportError(_("Berkas kosong: baris judul (header) tidak ada."))
    if "\x00" in header_line:
        raise PopulationImportError(_("Berkas bukan CSV teks (berisi byte nol)."))
    header_line = header_line.rstrip("\r\n")
    delimiter, index = (parse or parse_header)(header_line)
    fields = len(next(csv.reader([header_line.lstrip("\ufeff")], delimiter=delimiter), []))
    return delimiter, index, fields


def _chunks(
    stream: IO[str],
    *,
    delimiter: str,
    validate: _RowValidator,
    chunk_size: int,
    serialize: Callable[[_Good], Any],
    skip_records: int = 0,
) -> Iterator[_Chunk]:
    """Validated chunks of the rows after the header (already read from ``stream``):
    each chunk's rows checked as a block (``population_block``), the rows the block
    leaves over one by one, then duplicates of a NIK within the chunk found."""
    reader = csv.reader(stream, delimiter=delimiter)
    check_block = BlockValidator(validate)
    previous_end = 0  # reader.line_num counts the lines after the header
    for _record in range(skip_records):  # already imported by the fast reader
        if next(reader, None) is None:
            return
        previous_end = reader.line_num
    while True:
        rows: list[list[str]] = []
        lines: list[int] = []
        row = None
        while len(rows) < chunk_size:
            try:
                row = next(reader, None)
            except csv.Error as exc:
                raise PopulationImportError(
                    _("CSV rusak sekitar baris %(line)s: %(e)s") % {"line": reader.line_num + 1, "e": exc}
                ) from None
            if row is None:
                break
            line = previous_end + 2  # the header is line 1
            previous_end = reader.line_num
            if not "".join(row).strip():
                continue  # a blank line, or a spreadsheet's empty row
            rows.append(row)
            lines.append(line)
        good, bad = _check_rows(rows, lines, validate, check_block)
        yield _Chunk(serialize(good) if good.count else None, good.count, bad, len(rows), previous_end + 1)
        if row is None:
            return


#: Bytes of CSV the fast reader parses at a time (about 30,000 rows of a Dukcapil extract).
_ARROW_BLOCK = 4 << 20


class _FastReadStopped(Exception):
    """The fast reader met something only the ``csv`` module reports well (a row with
    too many or too few fields, bytes that are not UTF-8): go on from record ``records``."""

    def __init__(self, records: int):
        super().__init__(records)
        self.records = records


def _chunks_from_path(
    path: str | os.PathLike,
    *,
    delimiter: str,
    fields: int,
    validate: _RowValidator,
    chunk_size: int,
    serialize: Callable[[_Good], Any],
) -> Iterator[_Chunk]:
    """Chunks of a file on disk: pyarrow's CSV parser (C++, no Python object per value)
    while the file is regular; from the first irregular record on, the ``csv`` module."""
    try:
        yield from _chunks_arrow(
            path, delimiter=delimiter, fields=fields, validate=validate, chunk_size=chunk_size, serialize=serialize
        )
    except _FastReadStopped as stop:
        with _open_text(path) as stream:
            stream.readline()  # the header
            yield from _chunks(
                stream,
                delimiter=delimiter,
                validate=validate,
                chunk_size=chunk_size,
                serialize=serialize,
                skip_records=stop.records,
            )


def _has_line_break(data: pa.Buffer) -> bool:
    raw = np.frombuffer(data, dtype=np.uint8)
    return bool(((raw == 10) | (raw == 13)).any())


def _line_breaks(columns: list[pa.Array]) -> np.ndarray | None:
    """Line breaks inside each record's quoted values (``None`` when there are none):
    they shift the line numbers of the records after it."""
    breaks = None
    for column in columns:
        data = column.buffers()[2]  # the values' bytes
        if data is None or not _has_line_break(data):
            continue
        if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
            counted = (
                pc.count_substring(column, "\n").to_numpy()
                + pc.count_substring(column, "\r").to_numpy()
                - pc.count_substring(column, "\r\n").to_numpy()
            )
            breaks = counted if breaks is None else breaks + counted
    return breaks


def _open_arrow_csv(arrow_csv, path, names: list[str], delimiter: str):
    return arrow_csv.open_csv(
        path,
        read_options=arrow_csv.ReadOptions(skip_rows=1, column_names=names, block_size=_ARROW_BLOCK, use_threads=False),
        parse_options=arrow_csv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=lambda _row: "error",
        ),
        convert_options=arrow_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _chunks_arrow(
    path: str | os.PathLike,
    *,
    delimiter: str,
    fields: int,
    validate: _RowValidator,
    chunk_size: int,
    serialize: Callable[[_Good], Any],
) -> Iterator[_Chunk]:
    """Validated chunks, parsed by pyarrow. Lines are numbered as the ``csv`` path numbers
    them: every record is one line plus the line breaks inside its quoted values."""
    from pyarrow import csv as arrow_csv

    names = [f"c{i}" for i in range(fields)]
    try:  # the first block is parsed at once
        reader = _open_arrow_csv(arrow_csv, path, names, delimiter)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        raise _FastReadStopped(0) from None
    check_block = BlockValidator(validate)
    records = 0  # records read in whole chunks so far (where the csv path would go on)
    next_line = 2  # the header is line 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError):
            raise _FastReadStopped(records) from None
        batch_breaks = _line_breaks(batch.columns)  # once a batch: its chunks share its buffers
        for start in range(0, batch.num_rows, chunk_size):
            part = batch.slice(start, chunk_size)
            n = part.num_rows
            lines = next_line + np.arange(n, dtype=np.int64)
            breaks = None if batch_breaks is None else batch_breaks[start : start + n]
            if breaks is not None:
                lines += np.concatenate([[0], np.cumsum(breaks)[:-1]])
            last_line = int(lines[-1] + (breaks[-1] if breaks is not None else 0))
            block = check_block.columns({name: part.column(i) for name, i in validate.index.items()})
            leftover, blank = [], 0
            for position in block.leftover:
                row = [part.column(i)[position].as_py() for i in range(fields)]
                if not "".join(row).strip():
                    blank += 1  # a blank line, or a spreadsheet's empty row
                    continue
                leftover.append((row, int(lines[position])))
            good, bad = _merge(block, lines[block.lines], leftover, validate)
            records += n
            next_line = last_line + 1
            yield _Chunk(serialize(good) if good.count else None, good.count, bad, n - blank, last_line)


@dataclass
class _Good:
    """A chunk's accepted rows as columns: ``line`` (numpy) and each of ``_RECORD_COLUMNS``."""

    lines: np.ndarray
    columns: dict[str, pa.Array]

    @property
    def count(self) -> int:
        return len(self.lines)

    def tuples(self) -> list[tuple]:
        """The rows as tuples of ``_ROW_COLUMNS``."""
        return list(zip(self.lines.tolist(), *(self.columns[c].to_pylist() for c in _RECORD_COLUMNS), strict=True))


def _check_rows(
    rows: list[list[str]], lines: list[int], validate: _RowValidator, check_block: BlockValidator
) -> tuple[_Good, list[BadRow]]:
    """A chunk read by the ``csv`` module: the block check, then the rows it leaves."""
    block = check_block(rows) if rows else None
    if block is None:
        return _merge(None, None, [(rows[p], lines[p]) for p in range(len(rows))], validate)
    block_lines = np.asarray(lines, dtype=np.int64)[block.lines]
    return _merge(block, block_lines, [(rows[p], lines[p]) for p in block.leftover], validate)


def _merge(
    block: Block | None, block_lines: np.ndarray | None, leftover: list[tuple[list[str], int]], validate: _RowValidator
) -> tuple[_Good, list[BadRow]]:
    """The block's accepted rows plus the leftover rows the per-row validator accepts;
    its refusals and the repeated NIKs as bad rows, in line order."""
    bad: list[BadRow] = []
    accepted: list[tuple] = []
    nik_column = validate.index["nik"]
    for row, line in leftover:
        result = validate(row, line)
        if type(result) is list:
            nik = row[nik_column].strip() if len(row) > nik_column else ""
            bad.append(BadRow(line, nik, "; ".join(result)))
        else:
            accepted.append(result)
    extra_lines = np.array([r[0] for r in accepted], dtype=np.int64)
    extra = {name: pa.array([r[k] for r in accepted], type=pa.string()) for k, name in enumerate(_RECORD_COLUMNS, 1)}
    if block is not None and len(block_lines):
        good = _Good(
            np.concatenate([block_lines, extra_lines]) if accepted else block_lines,
            {name: pa.concat_arrays([block.columns[name], extra[name]]) for name in _RECORD_COLUMNS}
            if accepted
            else block.columns,
        )
    else:
        good = _Good(extra_lines, extra)
    if good.count > 1:
        good, duplicates = _without_repeated_niks(good)
        bad += duplicates
    if bad:
        bad.sort(key=lambda b: b.line)
    return good, bad


def _without_repeated_niks(good: _Good) -> tuple[_Good, list[BadRow]]:
    """Keep the first row (by line) of each NIK; the later ones are bad rows naming it."""
    niks = pc.cast(good.columns["nik"], pa.int64()).to_numpy()
    order = np.lexsort((good.lines, niks))
    ordered = niks[order]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = ordered[1:] == ordered[:-1]
    if not repeat.any():
        return good, []
    group_start = np.maximum.accumulate(np.where(~repeat, np.arange(len(order)), 0))
    first_line = good.lines[order][group_start]
    duplicates = [
        BadRow(
            int(good.lines[order[i]]),
            good.columns["nik"][int(order[i])].as_py(),
            _("NIK ganda dalam berkas (pertama kali pada baris %(n)s)") % {"n": int(first_line[i])},
        )
        for i in np.flatnonzero(repeat)
    ]
    keep = np.ones(len(order), dtype=bool)
    keep[order[repeat]] = False
    mask = pa.array(keep)
    return _Good(good.lines[keep], {name: pc.filter(a, mask) for name, a in good.columns.items()}), duplicates


_DONE = object()


def _read_ahead(chunks: Iterator[_Chunk], *, depth: int = 2) -> Iterator[_Chunk]:
    """Produce ``chunks`` in a reader thread, ``depth`` ahead of the consumer."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def produce() -> None:
        with translation.override(language):
            try:
                for chunk in chunks:
                    while not stop.is_set():
                        try:
                            buffer.put(chunk, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                item: object = _DONE
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                item = exc
            while not stop.is_set():
                try:
                    buffer.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue

    thread = threading.Thread(target=produce, name="population-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


# --- Writing ----------------------------------------------------------------------------------


def _table() -> str:
    return connection.ops.quote_name(PopulationRecord._meta.db_table)


class _Writer:
    """Writes validated chunks; returns (inserted, updated, unchanged, bad rows found by the database)."""

    def __init__(self, *, scope: str | None):
        self.scope = scope
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())

    def update_columns(self, present_optional: tuple[str, ...]) -> list[str]:
        skipped = {_OPTIONAL_TO_FIELD[name] for name in OPTIONAL_COLUMNS if name not in present_optional}
        return [column for column in _RECORD_COLUMNS if column != "nik" and column not in skipped]

    def serialize(self, good: _Good) -> Any:
        return good.tuples()

    def open(self) -> None: ...

    def close(self) -> None: ...

    def finish(self) -> list[BadRow]:
        """Bad rows only found once every chunk is written (a bulk load's repeated NIKs)."""
        return []

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """Around all the chunks of one import."""
        self.open()
        try:
            yield
        finally:
            self.close()

    def write(self, chunk: _Chunk, update_columns: list[str]) -> tuple[int, int, int, list[BadRow]]:
        raise NotImplementedError


def _copy_text(parts: list[pa.Array]) -> bytes:
    """Rows of COPY's text format from columns of text (tab-separated, one line each),
    built by vector kernels: no Python work per row. Validated values hold no tab, line
    break or other control character; backslashes are escaped by the caller."""
    rows = pc.binary_join_element_wise(*parts, "\t")
    rows = pc.binary_join_element_wise(rows, pa.scalar(""), "\n")  # each row ends with a line break
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
    return rows.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def _copy(cursor, sql: str, parts: list[pa.Array]) -> None:
    """COPY the columns' rows in one read: psycopg2 reads the source 8 KB at a time by
    default, each read waiting for the GIL the validating thread holds."""
    payload = _copy_text(parts)
    cursor.copy_expert(sql, io.BytesIO(payload), len(payload) + 1)  # size: positional in Django's wrapper


def _record_parts(good: _Good) -> list[pa.Array]:
    """The record columns for COPY text, backslashes in free text escaped."""
    return [
        pc.replace_substring(good.columns[name], "\\", "\\\\") if name in _FREE_TEXT else good.columns[name]
        for name in _RECORD_COLUMNS
    ]


class _PostgresWriter(_Writer):
    STAGE = "population_import_stage"
    SEEN = "population_import_seen"
    bulk = False

    @contextlib.contextmanager
    def session(self) -> Iterator[None]:
        """A first load into an empty table is a *bulk load*: one transaction that locks
        the table, drops its secondary indexes and the NIK constraint, loads every chunk
        and builds them again at the end, as PostgreSQL's "Populating a Database" advises
        (building an index once is several times cheaper than growing it row by row).
        All or nothing: a failure or a killed worker rolls it all back, indexes included.
        Any other import writes chunk by chunk, each chunk its own transaction."""
        if not self._table_is_empty():
            with super().session():
                yield
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {_table()} IN ACCESS EXCLUSIVE MODE")
            self.bulk = self._table_is_empty()  # another import may have filled it meanwhile
            if self.bulk:
                self._set_index_keys(drop=True)
            self.open()  # temporary tables made in this transaction go with a rollback
            yield
            if self.bulk:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                self._set_index_keys(drop=False)
            self.close()

    @staticmethod
    def _table_is_empty() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_table()})")  # noqa: S608 - our table name
            return cursor.fetchone()[0]

    @staticmethod
    def _set_index_keys(*, drop: bool) -> None:
        """Drop (or build) the model's indexes and its NIK constraint, with Django's own DDL."""
        meta = PopulationRecord._meta
        nik_unique = [c for c in meta.constraints if isinstance(c, models.UniqueConstraint)]
        with connection.schema_editor(atomic=False) as editor:
            for index in meta.indexes:
                (editor.remove_index if drop else editor.add_index)(PopulationRecord, index)
            for constraint in nik_unique:
                (editor.remove_constraint if drop else editor.add_constraint)(PopulationRecord, constraint)

    LINES = "population_import_lines"

    def _write_bulk(self, good: _Good) -> tuple[int, int, int, list[BadRow]]:
        """COPY the chunk straight into the (index-free) table, and each row's NIK and line
        into a plain temporary table, where ``finish`` looks for NIKs repeated across chunks."""
        now = pa.array([self.now.isoformat()] * good.count, type=pa.string())
        status_date = good.columns["status_date"]
        parts = _record_parts(good)
        parts[_RECORD_COLUMNS.index("status_date")] = pc.if_else(pc.equal(status_date, ""), "\\N", status_date)
        columns = ", ".join(_RECORD_COLUMNS)
        with connection.cursor() as cursor:
            _copy(cursor, f"COPY {_table()} ({columns}, updated_at) FROM STDIN WITH (FORMAT text)", [*parts, now])
            _copy(
                cursor,
                f"COPY {self.LINES} (nik, line) FROM STDIN WITH (FORMAT text)",
                [good.columns["nik"], pa.array(good.lines).cast(pa.string())],
            )
        return good.count, 0, 0, []

    def finish(self) -> list[BadRow]:
        """After a bulk load: a NIK that came again in a later chunk keeps its first row
        (the lowest id: rows are numbered in file order); the later ones become bad rows."""
        if not self.bulk:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT nik, line, first FROM (
                    SELECT nik, line, min(line) OVER (PARTITION BY nik) AS first FROM {self.LINES}
                    WHERE nik IN (SELECT nik FROM {self.LINES} GROUP BY nik HAVING count(*) > 1)) repeated
                WHERE line <> first ORDER BY line"""  # noqa: S608 - our table name
            )
            repeated = cursor.fetchall()
            if repeated:
                table = _table()
                cursor.execute(
                    f"""DELETE FROM {table} p USING (
                        SELECT nik, min(id) AS keep FROM {table} WHERE nik = ANY(%s) GROUP BY nik) k
                    WHERE p.nik = k.nik AND p.id <> k.keep""",  # noqa: S608 - our table name, values bound
                    [sorted({str(nik) for nik, _line, _first in repeated})],
                )
                # Run the foreign-key checks the delete left pending now (nothing refers to
                # rows loaded in this transaction): indexes cannot be built while any wait.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return [
            BadRow(line, str(nik), _("NIK ganda dalam berkas (pertama kali pada baris %(n)s)") % {"n": first})
            for nik, line, first in repeated
        ]

    def serialize(self, good: _Good) -> _Good:
        return good  # made COPY text by ``write``, which knows whether this is a bulk load

    def open(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}, pg_temp.{self.SEEN}, pg_temp.{self.LINES}")
            cursor.execute(
                f"""CREATE TEMP TABLE {self.STAGE} (
                    line integer NOT NULL, nik varchar(16) NOT NULL, kk_number varchar(16) NOT NULL,
                    full_name varchar(120) NOT NULL, name_key varchar(120) NOT NULL,
                    birth_place varchar(80), birth_date date, sex varchar(1) NOT NULL,
                    village_code varchar(13) NOT NULL, address varchar(200),
                    rt varchar(3), rw varchar(3), status varchar(8) NOT NULL,
                    status_date date, moved_to_code varchar(13), row_hash varchar(32) NOT NULL)"""
            )
            cursor.execute(f"CREATE TEMP TABLE {self.SEEN} (nik bigint PRIMARY KEY, line integer NOT NULL)")
            if self.bulk:
                cursor.execute(f"CREATE TEMP TABLE {self.LINES} (nik bigint NOT NULL, line integer NOT NULL)")

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{self.STAGE}, pg_temp.{self.SEEN}, pg_temp.{self.LINES}")

    def write(self, chunk: _Chunk, update_columns: list[str]) -> tuple[int, int, int, list[BadRow]]:
        if self.bulk:
            return self._write_bulk(chunk.payload)
        table, stage, seen = _table(), self.STAGE, self.SEEN
        bad: list[BadRow] = []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {stage}")
            _copy(
                cursor,
                f"COPY {stage} ({', '.join(_ROW_COLUMNS)}) FROM STDIN WITH (FORMAT text, NULL '')",
                [pa.array(chunk.payload.lines).cast(pa.string()), *_record_parts(chunk.payload)],
            )
            staged = chunk.count
            if self.scope != NATIONAL:
                # An existing record outside the importer's region is not theirs to overwrite.
                # (A scalar subquery per row: an index probe, never a scan of the whole table.)
                cursor.execute(
                    f"""DELETE FROM {stage} s
                    WHERE (SELECT NOT (p.village_code = %s OR p.village_code LIKE %s)
                           FROM {table} p WHERE p.nik = s.nik)
                    RETURNING s.line, s.nik""",  # noqa: S608 - our table names, values bound
                    [self.scope, f"{self.scope}.%"],
                )
                for line, nik in cursor.fetchall():
                    bad.append(BadRow(line, nik, _("di luar wilayah Anda (NIK ini terdaftar di wilayah lain)")))
                staged -= len(bad)
            cursor.execute(
                f"""WITH fresh AS (
                    INSERT INTO {seen} (nik, line) SELECT nik::bigint, line FROM {stage}
                    ON CONFLICT (nik) DO NOTHING RETURNING 1)
                SELECT count(*) FROM fresh"""  # noqa: S608 - our table names
            )
            fresh = cursor.fetchone()[0]
            if fresh < staged:  # some NIKs were already kept from an earlier chunk
                cursor.execute(
                    f"""DELETE FROM {stage} s USING {seen} f
                    WHERE f.nik = s.nik::bigint AND f.line <> s.line
                    RETURNING s.line, s.nik, f.line"""  # noqa: S608 - our table names
                )
                for line, nik, first in cursor.fetchall():
                    bad.append(
                        BadRow(line, nik, _("NIK ganda dalam berkas (pertama kali pada baris %(n)s)") % {"n": first})
                    )
                staged = fresh
            columns = ", ".join(_RECORD_COLUMNS)
            selected = ", ".join(f"coalesce(s.{c}, '')" if c in _MAYBE_BLANK else f"s.{c}" for c in _RECORD_COLUMNS)
            assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*update_columns, "updated_at"])
            cursor.execute(
                f"""WITH written AS (
                    INSERT INTO {table} AS p ({columns}, updated_at)
                    SELECT {selected}, %s FROM {stage} s
                    WHERE s.row_hash IS DISTINCT FROM (SELECT o.row_hash FROM {table} o WHERE o.nik = s.nik)
                    ON CONFLICT (nik) DO UPDATE SET {assignments}
                    WHERE p.row_hash IS DISTINCT FROM EXCLUDED.row_hash
                    RETURNING (p.xmax = 0) AS inserted)
                SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written""",  # noqa: S608 - our names, values bound
                [self.now],
            )
            inserted, updated = cursor.fetchone()
        return inserted, updated, staged - inserted - updated, bad


class _SqliteWriter(_Writer):
    SEEN = "population_import_seen"
    BATCH = 500  # bound parameters per IN (...) query

    def open(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{self.SEEN}")
            cursor.execute(f"CREATE TEMP TABLE {self.SEEN} (nik INTEGER PRIMARY KEY, line INTEGER NOT NULL)")

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{self.SEEN}")

    def _lookup(self, cursor, sql: str, keys: list) -> list[tuple]:
        found: list[tuple] = []
        for start in range(0, len(keys), self.BATCH):
            batch = keys[start : start + self.BATCH]
            cursor.execute(sql % ", ".join(["%s"] * len(batch)), batch)
            found.extend(cursor.fetchall())
        return found

    def write(self, chunk: _Chunk, update_columns: list[str]) -> tuple[int, int, int, list[BadRow]]:
        table = _table()
        bad: list[BadRow] = []
        rows = chunk.payload
        with transaction.atomic(), connection.cursor() as cursor:
            existing = {
                nik: (row_hash, village)
                for nik, row_hash, village in self._lookup(
                    cursor,
                    f"SELECT nik, row_hash, village_code FROM {table} WHERE nik IN (%s)",  # noqa: S608 - placeholders only
                    [row[1] for row in rows],
                )
            }
            if self.scope != NATIONAL:
                kept = []
                for row in rows:
                    current = existing.get(row[1])
                    if current is not None and not code_in_scope(current[1], self.scope):
                        bad.append(
                            BadRow(row[0], row[1], _("di luar wilayah Anda (NIK ini terdaftar di wilayah lain)"))
                        )
                    else:
                        kept.append(row)
                rows = kept
            seen = dict(
                self._lookup(
                    cursor,
                    f"SELECT nik, line FROM temp.{self.SEEN} WHERE nik IN (%s)",  # noqa: S608 - placeholders only
                    [int(row[1]) for row in rows],
                )
            )
            if seen:
                kept = []
                for row in rows:
                    first = seen.get(int(row[1]))
                    if first is None:
                        kept.append(row)
                    else:
                        bad.append(
                            BadRow(
                                row[0],
                                row[1],
                                _("NIK ganda dalam berkas (pertama kali pada baris %(n)s)") % {"n": first},
                            )
                        )
                rows = kept
            cursor.executemany(
                f"INSERT INTO temp.{self.SEEN} (nik, line) VALUES (%s, %s)",  # noqa: S608 - our table name
                [(int(row[1]), row[0]) for row in rows],
            )
            inserted = updated = 0
            changed = []
            for row in rows:
                current = existing.get(row[1])
                if current is None:
                    inserted += 1
                elif current[0] != row[15]:
                    updated += 1
                else:
                    continue
                changed.append((*row[1:], self.now))
            if changed:
                columns = ", ".join(_RECORD_COLUMNS)
                placeholders = ", ".join(["%s"] * (len(_RECORD_COLUMNS) + 1))
                assignments = ", ".join(f"{c} = excluded.{c}" for c in [*update_columns, "updated_at"])
                cursor.executemany(
                    f"""INSERT INTO {table} ({columns}, updated_at) VALUES ({placeholders})
                    ON CONFLICT (nik) DO UPDATE SET {assignments}
                    WHERE {table}.row_hash IS NOT excluded.row_hash""",  # noqa: S608 - column names are ours
                    changed,
                )
        return inserted, updated, len(rows) - inserted - updated, bad


def _writer(scope: str | None) -> _Writer:
    if connection.vendor == "postgresql":
        return _PostgresWriter(scope=scope)
    if connection.vendor == "sqlite":
        return _SqliteWriter(scope=scope)
    raise PopulationImportError(_("Impor data kependudukan hanya mendukung PostgreSQL dan SQLite."))


# --- The import ----------------------------------------------------------------------------------


def import_population(
    source: str | os.PathLike | IO,
    *,
    scope: str | None = NATIONAL,
    on_bad_row: Callable[[BadRow], None] | None = None,
    on_progress: Callable[[ImportResult], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportResult:
    """Upsert the population records of a CSV file (path or file object); see the module doc.

    ``scope``: ``NATIONAL`` (``""``) imports anywhere; a region code limits the rows to that
    region (``None``, no reach at all, refuses every row). Bad rows go to ``on_bad_row`` in
    line order (a bulk load's NIKs repeated across chunks come last); ``on_progress`` gets
    the running totals after each chunk (``lines`` = lines consumed so far, header
    included). Raises ``PopulationImportError`` when the file cannot be imported at all;
    chunks written before such an error stay written, except in a bulk load (all or nothing).
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    result = ImportResult()
    writer = _writer(scope)
    with _open_text(source) as stream:
        delimiter, index, fields = _read_header(stream)
        validate = _RowValidator(index, scope)
        update_columns = writer.update_columns(validate.present_optional)
        options = {
            "delimiter": delimiter,
            "validate": validate,
            "chunk_size": chunk_size,
            "serialize": writer.serialize,
        }
        if isinstance(source, str | os.PathLike):
            chunks = _read_ahead(_chunks_from_path(source, fields=fields, **options))
        else:
            chunks = _read_ahead(_chunks(stream, **options))
        try:
            with writer.session():
                for chunk in chunks:
                    inserted, updated, unchanged, db_bad = (
                        writer.write(chunk, update_columns) if chunk.count else (0, 0, 0, [])
                    )
                    bad = sorted(chunk.bad + db_bad, key=lambda b: b.line) if db_bad else chunk.bad
                    result.read += chunk.read
                    result.inserted += inserted
                    result.updated += updated
                    result.unchanged += unchanged
                    result.bad += len(bad)
                    result.lines = chunk.lines
                    if on_bad_row is not None:
                        for item in bad:
                            on_bad_row(item)
                    if on_progress is not None:
                        on_progress(result)
                late = writer.finish()
                if late:
                    result.inserted -= len(late)
                    result.bad += len(late)
                    if on_bad_row is not None:
                        for item in late:
                            on_bad_row(item)
        finally:
            chunks.close()
    return result


# --- Upload jobs (the staff page) ------------------------------------------------------------
#
# Job state is a dict in the cache under ``population-import:<job id>``; the upload and the
# bad-row report are files under MEDIA_ROOT/imports/. With a worker on another machine
# MEDIA_ROOT must be shared storage. A model would keep a history and survive a cache
# flush; the cache keeps this feature free of migrations.

_JOBS = JobStore("population-import")


def can_import(user) -> bool:
    """Ministry staff and admins (anywhere) and Dinas Sosial staff (their regency)."""
    return user_may_upload(user, IMPORT_ROLES)


def imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(job_id: str) -> Path:
    return imports_dir() / f"{job_id}.csv"


def report_path(job_id: str) -> Path:
    return imports_dir() / f"{job_id}-baris-salah.csv"


def job_get(job_id: str, user) -> dict | None:
    """The job, if it exists and belongs to ``user`` (``None`` otherwise: a 404 for the caller)."""
    return _JOBS.get_for(job_id, user)


class JobKind:
    RECORDS = "records"  # population records (this module)
    EVENTS = "events"  # population events (services/population_events.py)


def job_start(*, user, upload, kind: str = JobKind.RECORDS) -> dict:
    """Store the uploaded file, record a queued job, and enqueue the import once the
    surrounding transaction commits (at once in autocommit). ``kind`` says which import
    the file is for; both share this job machinery and page."""
    if kind not in (JobKind.RECORDS, JobKind.EVENTS):
        raise PopulationImportError(_("Jenis berkas tidak dikenal."))
    if not can_import(user):
        raise PopulationImportError(_("Anda tidak berwenang mengimpor data kependudukan."))
    job_id = _JOBS.new_id()
    path = upload_path(job_id)
    store_upload(upload, path)
    state = {
        "id": job_id,
        "kind": kind,
        "owner": user.pk,
        "filename": os.path.basename(getattr(upload, "name", "") or "")[:120],
        "size": path.stat().st_size,
        "status": JobStatus.QUEUED,
        "lines_total": 0,
        "lines_done": 0,
        "read": 0,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "bad": 0,
        "flags": 0,
        "records_created": 0,
        "records_updated": 0,
        "has_report": False,
        "error": "",
        "created": timezone.now().isoformat(),
        "finished": "",
    }
    _JOBS.save(state)
    transaction.on_commit(lambda: _enqueue(job_id, str(path)))
    return state


def _enqueue(job_id: str, path: str) -> None:
    from verification.tasks_population import import_population_upload

    _JOBS.enqueue(job_id, lambda: import_population_upload.delay(job_id, path))


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def job_run(job_id: str, path: str) -> dict | None:
    """Run an upload job (the Celery task's body). Never raises for a bad file: the job
    records the failure, and the upload is deleted either way."""
    state = _JOBS.load(job_id)
    expected = upload_path(job_id) if state else None
    if state is None or Path(path).resolve() != expected.resolve():
        logger.warning("population import %s: unknown job or unexpected path", job_id)
        return None
    from registrations.models import User

    try:
        user = User.objects.filter(pk=state["owner"]).first()
        if not can_import(user):
            raise PopulationImportError(_("Anda tidak berwenang mengimpor data kependudukan."))
        state.update(status=JobStatus.RUNNING, lines_total=_count_lines(expected), error="")
        _JOBS.save(state)

        def progress(result) -> None:
            state.update(lines_done=result.lines)
            state.update((name, value) for name, value in vars(result).items() if name in state)
            _JOBS.save(state)

        if state.get("kind") == JobKind.EVENTS:
            from verification.services.population_events import import_population_events as run_import
        else:
            run_import = import_population
        report = report_path(job_id)
        with open(report, "w", encoding="utf-8", newline="") as out:
            result = run_import(
                expected, scope=region_scope(user), on_bad_row=BadRowCsvWriter(out), on_progress=progress
            )
        progress(result)
        if result.bad:
            state["has_report"] = True
        else:
            report.unlink(missing_ok=True)
        state.update(status=JobStatus.DONE, lines_done=state["lines_total"])
    except PopulationImportError as exc:
        state.update(status=JobStatus.FAILED, error=exc.message)
    except Exception:
        logger.exception("population import %s failed", job_id)
        state.update(status=JobStatus.FAILED, error=_("Impor gagal karena kesalahan sistem; hubungi admin."))
    finally:
        expected.unlink(missing_ok=True)
    if state["status"] == JobStatus.FAILED:
        report_path(job_id).unlink(missing_ok=True)
        state["has_report"] = False
    state["finished"] = timezone.now().isoformat()
    _JOBS.save(state)
    return state
