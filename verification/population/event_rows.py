"""Population events file: its columns, header, per-row checks and chunks."""

from __future__ import annotations

import csv
import datetime
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import lokal
from django.utils.translation import gettext as _

from registrations.nik import nik_errors
from verification.errors import POPULATION_ERRORS, PopulationImportError
from verification.models import EventType
from verification.population.block import SEXES as _SEXES
from verification.population.columns import (
    _REGION_CODE,
    _VILLAGE_CODE,
    BadRow,
    Counts,
    _iso_date_error,
    _show,
)
from verification.population.columns import parse_header as population_parse_header

REQUIRED_COLUMNS = ("event_type", "nik", "event_date")
OPTIONAL_COLUMNS = (
    "event_id",
    "kk_number",
    "full_name",
    "birth_date",
    "sex",
    "village_code",
    "moved_to_code",
    "new_kk_number",
)
#: Other spellings accepted in the header.
_ALIASES = {"moved_to": "moved_to_code", "id": "event_id", "type": "event_type"}
DEFAULT_CHUNK_SIZE = 2_000
#: A child younger than this at import time makes a birth change programme conditions (balita).
UNDER_FIVE_DAYS = 5 * 365 + 1
#: Roles that see and resolve flags (each within their region; national roles everywhere).

_EVENT_ID = re.compile(r"[A-Za-z0-9._:/-]{1,60}").fullmatch
_TYPES = {t.value: t.value for t in EventType} | {
    "lahir": EventType.BIRTH.value,
    "kelahiran": EventType.BIRTH.value,
    "mati": EventType.DEATH.value,
    "kematian": EventType.DEATH.value,
    "meninggal": EventType.DEATH.value,
    "pindah": EventType.MOVE.value,
    "ganti_kk": EventType.KK_CHANGE.value,
}
_HASH_VERSION = "e1"


@dataclass
class EventImportResult(Counts):
    read: int = 0
    inserted: int = 0  # new events stored
    unchanged: int = 0  # events already stored with the same content
    bad: int = 0
    records_created: int = 0
    records_updated: int = 0
    flags: int = 0
    lines: int = 0


@dataclass(frozen=True)
class EventRow:
    line: int
    key: str
    row_hash: str
    event_type: str
    nik: str
    event_date: datetime.date
    kk_number: str
    full_name: str
    birth_date: datetime.date | None
    sex: str
    village_code: str
    moved_to_code: str
    new_kk_number: str


# --- Header and rows ------------------------------------------------------------------------


def parse_header(header_line: str) -> tuple[str, dict[str, int]]:
    return population_parse_header(
        header_line,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        aliases=_ALIASES,
    )


class _RowValidator:
    """A CSV row → ``EventRow``, or the list of its problems (every one, worded)."""

    def __init__(self, index: dict[str, int]):
        self.index = index
        self.today = datetime.date.today()
        self.provinces = frozenset(lokal.PROVINCES)

    def _get(self, row: list[str], name: str) -> str:
        position = self.index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    def _date(self, value: str, label: str, errors: list[str]) -> datetime.date | None:
        problem = _iso_date_error(value, self.today.isoformat())
        if problem == "format":
            errors.append(_("%(label)s %(v)s bukan tanggal YYYY-MM-DD") % {"label": label, "v": _show(value)})
        elif problem == "future":
            errors.append(_("%(label)s %(v)s di masa depan") % {"label": label, "v": _show(value)})
        else:
            return datetime.date.fromisoformat(value)
        return None

    def _kk(self, value: str, label: str, errors: list[str]) -> None:
        if not (len(value) == 16 and value.isascii() and value.isdigit() and value[:2] in self.provinces):
            errors.append(_("%(label)s tidak sah (16 digit, kode provinsi dikenal)") % {"label": label})

    def __call__(self, row: list[str], line: int) -> EventRow | list[str]:
        get = self._get
        errors: list[str] = []
        raw_type = get(row, "event_type").lower()
        event_type = _TYPES.get(raw_type)
        if event_type is None:
            errors.append(_("jenis peristiwa %(v)s bukan birth/death/move/kk_change") % {"v": _show(raw_type)})

        nik = get(row, "nik")
        if not nik:
            errors.append(_("NIK kosong"))
        else:
            problems = nik_errors(nik)
            if problems:
                errors.append(_("NIK tidak sah: %(reason)s") % {"reason": problems[0]})

        raw_date = get(row, "event_date")
        event_date = None
        if not raw_date:
            errors.append(_("tanggal peristiwa kosong"))
        else:
            event_date = self._date(raw_date, _("tanggal peristiwa"), errors)

        event_id = get(row, "event_id")
        if event_id and not _EVENT_ID(event_id):
            errors.append(_("event_id %(v)s tidak sah (1-60 huruf, angka, . _ : / -)") % {"v": _show(event_id)})

        kk = get(row, "kk_number")
        if kk:
            self._kk(kk, _("nomor KK"), errors)
        full_name = " ".join(get(row, "full_name").split())
        if len(full_name) > 120:
            errors.append(_("nama lebih dari 120 karakter"))
        elif not full_name.isprintable():
            errors.append(_("teks berisi byte yang bukan UTF-8 atau karakter kendali"))
        raw_birth = get(row, "birth_date")
        birth_date = self._date(raw_birth, _("tanggal lahir"), errors) if raw_birth else None
        raw_sex = get(row, "sex")
        sex = _SEXES.get(raw_sex, "") if raw_sex else ""
        if raw_sex and not sex:
            errors.append(_("jenis kelamin %(v)s bukan L/P (atau M/F)") % {"v": _show(raw_sex)})
        village_code = get(row, "village_code")
        if village_code and not _VILLAGE_CODE(village_code):
            errors.append(_("kode desa/kelurahan %(v)s bukan format NN.NN.NN.NNNN") % {"v": _show(village_code)})
        moved_to = get(row, "moved_to_code")
        if moved_to and not _REGION_CODE(moved_to):
            errors.append(_("kode wilayah tujuan pindah %(v)s tidak sah") % {"v": _show(moved_to)})
        new_kk = get(row, "new_kk_number")
        if new_kk:
            self._kk(new_kk, _("nomor KK baru"), errors)

        # What each kind of event needs.
        if event_type == EventType.BIRTH:
            birth_date = birth_date or event_date
            for value, message in (
                (kk, _("kelahiran memerlukan nomor KK")),
                (full_name, _("kelahiran memerlukan nama")),
                (raw_sex, _("kelahiran memerlukan jenis kelamin")),
                (village_code, _("kelahiran memerlukan kode desa/kelurahan")),
            ):
                if not value:
                    errors.append(message)
            if birth_date and event_date and birth_date > event_date:
                errors.append(_("tanggal lahir sesudah tanggal peristiwa"))
        elif event_type == EventType.MOVE:
            if not moved_to:
                errors.append(_("pindah memerlukan moved_to_code (kode wilayah tujuan)"))
            elif moved_to == village_code:
                errors.append(_("wilayah tujuan pindah sama dengan desa asal"))
        elif event_type == EventType.KK_CHANGE:
            if not new_kk:
                errors.append(_("perubahan KK memerlukan new_kk_number"))
            elif new_kk == kk:
                errors.append(_("nomor KK baru sama dengan nomor KK lama"))
        if birth_date and event_type != EventType.BIRTH and event_date and event_date < birth_date:
            errors.append(_("tanggal peristiwa sebelum tanggal lahir"))
        if errors:
            return errors

        row_hash = hashlib.md5(
            "\x1f".join(
                (
                    _HASH_VERSION,
                    event_type,
                    nik,
                    event_date.isoformat(),
                    kk,
                    full_name,
                    birth_date.isoformat() if birth_date else "",
                    sex,
                    village_code,
                    moved_to,
                    new_kk,
                )
            ).encode(),
            usedforsecurity=False,
        ).hexdigest()
        key = f"id:{event_id}" if event_id else f"h:{row_hash}"
        return EventRow(
            line, key, row_hash, event_type, nik, event_date, kk, full_name, birth_date, sex, village_code, moved_to,
            new_kk,
        )  # fmt: skip


@dataclass
class _Chunk:
    rows: list[EventRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    read: int = 0
    lines: int = 0


def _chunks(stream: IO[str], *, delimiter: str, validate: _RowValidator, chunk_size: int) -> Iterator[_Chunk]:
    reader = csv.reader(stream, delimiter=delimiter)
    nik_column = validate.index["nik"]
    chunk = _Chunk()
    previous_end = 0
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise PopulationImportError(
                POPULATION_ERRORS["broken_csv"] % {"line": reader.line_num + 1, "e": exc}
            ) from None
        if row is not None:
            line = previous_end + 2  # the header is line 1
            previous_end = reader.line_num
            if "".join(row).strip():
                chunk.read += 1
                result = validate(row, line)
                if isinstance(result, list):
                    nik = row[nik_column].strip() if len(row) > nik_column else ""
                    chunk.bad.append(BadRow(line, nik, "; ".join(result)))
                else:
                    chunk.rows.append(result)
        if row is None or len(chunk.rows) + len(chunk.bad) >= chunk_size:
            chunk.lines = previous_end + 1
            yield chunk
            if row is None:
                return
            chunk = _Chunk()
