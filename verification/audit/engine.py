"""The register audit: every row of an extract checked against the population records
and the registered households, streamed in two passes.

Pass 1 reads the file once to index what duplicates need: which households each NIK
appears in, and the people by birth date + sex + village (the blocking key of
``duplicate_person``: a block holds a handful of rows, so comparing names within it is
cheap at any size). Pass 2 reads it again in batches of ``BATCH`` rows: one ``IN`` query
for the batch's NIKs in the population, one for the same NIKs among registered members,
one for registered members born on the batch's dates in the batch's villages; then the
per-row rules of ``checks`` and the duplicates found in pass 1. Each row's result goes to
``on_row`` in file order, so memory holds the indexes and one batch, not the report.

Scope: a regional user (``scope`` a region code) audits only the rows of villages in
their region; other rows are counted in ``AuditResult.out_of_scope`` and skipped
entirely (not read into the duplicates either). ``scope=None`` (no reach) skips every row.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from registrations.models import Household, Member
from registrations.scoping import NATIONAL, code_in_scope
from verification.audit import flags as F
from verification.audit.checks import (
    RECORD_FIELDS,
    UNREADABLE,
    Facts,
    check_against_record,
    clean_number,
    clean_village,
    mask_number,
    names_agree,
    nik_errors,
    parse_date,
    parse_sex,
)
from verification.audit.reader import COLUMNS, Source, count_rows, iter_rows, open_source
from verification.models import PopulationRecord

BATCH = 2_000  # rows per population query
_SHOWN = 5  # other rows named in a duplicate's detail


@dataclass(slots=True)
class RegisterRow:
    line: int
    row_id: str
    household: str  # household_id, else the KK number, else the line: what "another household" compares
    relation: str
    facts: Facts
    nik_ok: bool

    def register_values(self) -> dict:
        f = self.facts
        return {
            "nik": f.nik,
            "kk_number": f.kk or "",
            "full_name": f.name or "",
            "birth_date": f.birth_date.isoformat() if isinstance(f.birth_date, datetime.date) else f.birth_raw,
            "sex": f.sex_raw if f.sex in (UNREADABLE, None) else f.sex,
            "village_code": f.village or "",
            "household_id": self.household,
            "relation": self.relation,
        }


@dataclass
class RowResult:
    row: RegisterRow
    record: tuple | None  # the population record (``RECORD_FIELDS``), if any
    flags: list[tuple[str, str]]

    def population_values(self) -> dict | None:
        if self.record is None:
            return None
        values = dict(zip(RECORD_FIELDS, self.record, strict=True))
        for name in ("birth_date", "status_date"):
            values[name] = values[name].isoformat() if values[name] else ""
        return values


@dataclass
class AuditResult:
    rows: int = 0
    flagged_rows: int = 0
    out_of_scope: int = 0
    counts: Counter = field(default_factory=Counter)
    missing_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = " ".join(f"{name}={self.counts.get(name, 0)}" for name in F.FLAGS)
        return f"rows={self.rows} flagged_rows={self.flagged_rows} out_of_scope={self.out_of_scope} {counts}"


# --- Rows ------------------------------------------------------------------------------------


def _row_builder(source: Source) -> Callable[[int, list[str]], RegisterRow]:
    """A function turning ``(line, values)`` into a ``RegisterRow`` (run twice per row: kept tight)."""
    index = source.index
    width = max([*index.values(), source.id_index or 0]) + 1
    household_at, kk_at, nik_at, name_at, birth_at, sex_at, village_at, relation_at = (
        index.get(name) for name in COLUMNS
    )
    id_at = source.id_index

    def build(line: int, values: list[str]) -> RegisterRow:
        if len(values) < width:
            values = values + [""] * (width - len(values))
        nik = clean_number(values[nik_at])
        kk = None if kk_at is None else clean_number(values[kk_at])
        birth_raw = None if birth_at is None else values[birth_at].strip()
        sex_raw = None if sex_at is None else values[sex_at].strip()
        village = None if village_at is None else clean_village(values[village_at])
        household = (values[household_at].strip() if household_at is not None else "") or kk or f"#{line}"
        facts = Facts(
            nik=nik,
            kk=kk,
            name=None if name_at is None else values[name_at].strip(),
            birth_date=None if birth_raw is None else parse_date(birth_raw),
            birth_raw=birth_raw or "",
            sex=None if sex_raw is None else parse_sex(sex_raw),
            sex_raw=sex_raw or "",
            village=village,
        )
        return RegisterRow(
            line,
            "" if id_at is None else (values[id_at] or "").strip(),
            household,
            "" if relation_at is None else values[relation_at].strip(),
            facts,
            not nik_errors(nik),
        )

    return build


def _rows(source: Source, scope: str | None, result: AuditResult | None) -> Iterator[RegisterRow]:
    """The rows in scope; out-of-scope rows are counted in ``result`` (when given)."""
    build = _row_builder(source)
    for line, values in iter_rows(source):
        row = build(line, values)
        if scope != NATIONAL and not (row.facts.village and code_in_scope(row.facts.village, scope)):
            if result is not None:
                result.out_of_scope += 1
            continue
        yield row


# --- Duplicates within the extract (pass 1) ----------------------------------------------------


def _block_key(facts: Facts) -> tuple | None:
    if isinstance(facts.birth_date, datetime.date) and facts.sex in ("L", "P") and facts.village:
        return (facts.birth_date, facts.sex, facts.village)
    return None


class ExtractDuplicates:
    """What pass 1 learns: NIKs in several households, and one person under several NIKs."""

    def __init__(self):
        self._homes: dict[str, tuple | list[tuple[str, int, str]]] = {}
        self._blocks: dict[tuple, list[tuple[str, int, str, str]]] = defaultdict(list)
        self.by_line: dict[int, list[tuple[str, str]]] = {}
        self.person_niks: dict[int, set[str]] = {}

    def add(self, row: RegisterRow) -> None:
        nik = row.facts.nik
        if row.nik_ok:
            seen = self._homes.get(nik)
            entry = (row.household, row.line, row.row_id)
            if seen is None:
                self._homes[nik] = entry  # a tuple while the NIK is seen once: most are
            elif isinstance(seen, tuple):
                self._homes[nik] = [seen, entry]
            else:
                seen.append(entry)
        key = _block_key(row.facts)
        if key is not None and nik and row.facts.name:
            self._blocks[key].append((nik, row.line, row.row_id, row.facts.name))

    def _note(self, line: int, flag: str, detail: str) -> None:
        self.by_line.setdefault(line, []).append((flag, detail))

    def finish(self) -> None:
        for entries in self._homes.values():
            if isinstance(entries, tuple) or len({household for household, _line, _id in entries}) < 2:
                continue
            for household, line, _row_id in entries:
                others = [(h, i or f"#{n}") for h, n, i in entries if h != household]
                shown = ", ".join(f"{h} ({i})" for h, i in others[:_SHOWN])
                more = len(others) - _SHOWN
                self._note(
                    line,
                    F.DUPLICATE_NIK,
                    _("NIK yang sama juga di rumah tangga lain dalam berkas: %(others)s") % {"others": shown}
                    + (f" +{more}" if more > 0 else ""),
                )
        self._homes = {}
        for block in self._blocks.values():
            if len(block) < 2 or len({nik for nik, *_rest in block}) < 2:
                continue
            for nik, line, _row_id, name in block:
                others = [
                    (n, i or f"#{ln}")
                    for n, ln, i, other in block
                    if n != nik and names_agree(name, other, both_typed=True)
                ]
                if not others:
                    continue
                self.person_niks[line] = {n for n, _i in others}
                self._note(
                    line,
                    F.DUPLICATE_PERSON,
                    _(
                        "kemungkinan orang yang sama (nama, tanggal lahir, jenis kelamin, desa) dengan NIK lain "
                        "di baris %(ids)s"
                    )
                    % {"ids": ", ".join(i for _n, i in others[:_SHOWN])},
                )
        self._blocks = defaultdict(list)


# --- Queries (pass 2, per batch) ---------------------------------------------------------------
#
# Plain SQL rather than ``filter(x__in=...)``: with 2,000 values per batch the ORM's
# per-value preparation cost more than the query itself. Each runs once per batch; the
# parameter count (at most two lists of ``BATCH``) stays far below SQLite's limit.


def _member_sql(columns: str, where: str) -> str:
    member, household = Member._meta.db_table, Household._meta.db_table
    return f"SELECT {columns} FROM {member} m JOIN {household} h ON h.id = m.household_id WHERE {where}"  # noqa: S608


_MEMBER_BY_NIK = _member_sql("m.nik, h.kk_number, h.village_id", "m.nik IN ({0})")
_MEMBER_BY_DAY = _member_sql(
    "m.nik, m.full_name, m.birth_date, m.sex, h.village_id, h.kk_number",
    "h.village_id IN ({0}) AND m.birth_date IN ({1})",
)


def _population_by_nik() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(PopulationRecord._meta.get_field(name).column) for name in RECORD_FIELDS)
    return f"SELECT {columns} FROM {quote(PopulationRecord._meta.db_table)} WHERE nik IN ({{0}})"  # noqa: S608


def _select(sql: str, *lists: list) -> list[tuple]:
    """``sql`` with one ``IN (...)`` per list (``{0}``, ``{1}``); no query for an empty list."""
    if not all(lists):
        return []
    placeholders = [", ".join(["%s"] * len(values)) for values in lists]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(*placeholders), [value for values in lists for value in values])
        return cursor.fetchall()


def _as_date(value) -> datetime.date | None:
    """A date column from a raw query (SQLite gives text)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


_DATE_POSITIONS = (RECORD_FIELDS.index("birth_date"), RECORD_FIELDS.index("status_date"))


def _record(row: tuple) -> tuple:
    if all(row[i] is None or isinstance(row[i], datetime.date) for i in _DATE_POSITIONS):
        return row
    values = list(row)
    for i in _DATE_POSITIONS:
        values[i] = _as_date(values[i])
    return tuple(values)


# --- The registered households (pass 2, per batch) ----------------------------------------------


def _register_duplicates(rows: list[RegisterRow], extract: ExtractDuplicates, scope: str | None) -> dict[int, list]:
    """Flags from the portal's register: the row's NIK in another household, the row's
    person under another NIK. Other regions' households are named only as such."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)

    def where(village: str, kk: str) -> str:
        if scope is not None and code_in_scope(village, scope):
            return _("KK %(kk)s, desa %(v)s") % {"kk": mask_number(kk), "v": village}
        return _("di luar wilayah Anda")

    niks = [row.facts.nik for row in rows if row.nik_ok]
    registered = {nik: (kk, village) for nik, kk, village in _select(_MEMBER_BY_NIK, niks)}
    for row in rows:
        home = registered.get(row.facts.nik) if row.nik_ok else None
        if home is not None and row.facts.kk and home[0] != row.facts.kk:
            found[row.line].append(
                (
                    F.DUPLICATE_NIK,
                    _("NIK ini terdaftar di DTSEN pada rumah tangga lain (%(w)s)") % {"w": where(home[1], home[0])},
                )
            )
    keyed = [(row, key) for row in rows if (key := _block_key(row.facts)) is not None and row.facts.name]
    if not keyed:
        return found
    members: dict[tuple, list[tuple]] = defaultdict(list)
    villages = sorted({key[2] for _row, key in keyed})
    dates = sorted({key[0] for _row, key in keyed})
    for nik, name, birth, sex, village, kk in _select(_MEMBER_BY_DAY, villages, dates):
        members[(_as_date(birth), sex, village)].append((nik, name, kk, village))
    for row, key in keyed:
        known = extract.person_niks.get(row.line, set())
        same = [
            (nik, kk, village)
            for nik, name, kk, village in members.get(key, ())
            if nik != row.facts.nik and nik not in known and names_agree(row.facts.name, name, both_typed=True)
        ]
        if same:
            shown = "; ".join(f"NIK {mask_number(nik)}, {where(village, kk)}" for nik, kk, village in same[:_SHOWN])
            found[row.line].append(
                (
                    F.DUPLICATE_PERSON,
                    _("kemungkinan orang yang sama dengan anggota DTSEN lain: %(who)s") % {"who": shown},
                )
            )
    return found


def _merge(flags: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One entry per flag (details of the same flag joined), in the order of ``FLAGS``."""
    merged: dict[str, list[str]] = {}
    for flag, detail in flags:
        merged.setdefault(flag, []).append(detail)
    return [(flag, " | ".join(merged[flag])) for flag in F.FLAGS if flag in merged]


# --- The audit ------------------------------------------------------------------------------------


def _batches(rows: Iterator[RegisterRow], size: int) -> Iterator[list[RegisterRow]]:
    batch: list[RegisterRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def audit_file(
    path: str | Path,
    *,
    id_column: str | None = None,
    scope: str | None = NATIONAL,
    on_row: Callable[[RowResult], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH,
) -> AuditResult:
    """Audit a register extract (CSV or ``.xlsx``); see the module doc.

    ``on_row`` gets every audited row's ``RowResult`` in file order (flags may be
    empty); ``on_progress(done, total)`` counts work units, two per row (one per pass).
    Raises ``AuditInputError`` when the file cannot be read at all.
    """
    source = open_source(path, id_column)
    result = AuditResult(missing_columns=source.missing)
    total = 2 * count_rows(source)
    done = 0
    extract = ExtractDuplicates()
    for row in _rows(source, scope, None):
        extract.add(row)
        done += 1
        if on_progress is not None and done % 10_000 == 0:
            on_progress(done, total)
    extract.finish()
    total = 2 * done
    for batch in _batches(_rows(source, scope, result), batch_size):
        niks = [row.facts.nik for row in batch if row.nik_ok]
        records = {r[0]: _record(r) for r in _select(_population_by_nik(), niks)}
        registered = _register_duplicates(batch, extract, scope)
        for row in batch:
            if row.nik_ok:
                record = records.get(row.facts.nik)
                found = check_against_record(row.facts, record)
            else:
                record = None
                found = [(F.INVALID_NIK, "; ".join(nik_errors(row.facts.nik)))]
            found += extract.by_line.get(row.line, [])
            found += registered.get(row.line, [])
            found = _merge(found)
            result.rows += 1
            if found:
                result.flagged_rows += 1
                result.counts.update(flag for flag, _detail in found)
            if on_row is not None:
                on_row(RowResult(row, record, found))
        done += len(batch)
        if on_progress is not None:
            on_progress(done, total)
    return result
