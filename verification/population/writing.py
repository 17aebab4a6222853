"""Writing checked chunks of population records: PostgreSQL (bulk load or staged
upsert) and SQLite, the same records and counts on both."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.scoping import NATIONAL, code_in_scope, sql_within
from verification.errors import POPULATION_ERRORS, PopulationImportError
from verification.models import PopulationRecord
from verification.population.columns import (
    _FREE_TEXT,
    _MAYBE_BLANK,
    _OPTIONAL_TO_FIELD,
    _RECORD_COLUMNS,
    _ROW_COLUMNS,
    OPTIONAL_COLUMNS,
    BadRow,
)
from verification.population.reading import _Chunk, _Good

logger = logging.getLogger(__name__)


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
                within, params = sql_within("p.village_code", self.scope)
                cursor.execute(
                    f"""DELETE FROM {stage} s
                    WHERE (SELECT NOT {within} FROM {table} p WHERE p.nik = s.nik)
                    RETURNING s.line, s.nik""",  # noqa: S608 - our table names, values bound
                    params,
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
    raise PopulationImportError(POPULATION_ERRORS["database_unsupported"])
