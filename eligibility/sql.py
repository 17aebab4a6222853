"""Small helpers for the hand-built SQL of scoring and determination.

Both PostgreSQL and SQLite run the same statements; only a few spellings differ.
Parameters are always passed as ``%(name)s`` (Django's SQLite backend maps them to
``:name``); table names come from ``_meta.db_table``, never from input.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def greatest(*args: str) -> str:
    return f"{'GREATEST' if is_postgres() else 'MAX'}({', '.join(args)})"


def least(*args: str) -> str:
    return f"{'LEAST' if is_postgres() else 'MIN'}({', '.join(args)})"


def as_float(expr: str) -> str:
    # SQLite gives "DOUBLE PRECISION" REAL affinity; PostgreSQL float8.
    return f"CAST({expr} AS DOUBLE PRECISION)"


def flag(expr: str) -> str:
    """1 when the boolean expression holds, else 0 (booleans are 0/1 in SQLite)."""
    return f"(CASE WHEN {expr} THEN 1 ELSE 0 END)"


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def born_by(day: datetime.date, age: int) -> str:
    """The last birth date of someone ``age`` or older on ``day`` (ISO, for a parameter)."""
    return years_before(day, age).isoformat()


def set_local_work_mem(cursor, value: str) -> None:
    """Give the sorts and hash aggregates of one transaction enough memory (PostgreSQL)."""
    if is_postgres():
        cursor.execute("SELECT set_config('work_mem', %s, true)", [value])


def copy_rows(cursor, db_table: str, columns: list[str], rows, *, not_null_text: tuple[str, ...] = ()) -> int:
    """Insert many rows fast: ``COPY … (FORMAT csv)`` on PostgreSQL, ``executemany`` elsewhere.

    ``rows`` are tuples in ``columns`` order; values are None, bool, int, float, str
    (JSON already dumped to text) or what ``connection.ops`` adapted (datetimes). In the
    CSV an unquoted empty field is NULL, so text columns that may hold ``""`` must be
    named in ``not_null_text``.
    """
    rows = list(rows)
    quoted_cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    target = connection.ops.quote_name(db_table)
    if is_postgres():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        options = "FORMAT csv"
        if not_null_text:
            options += f", FORCE_NOT_NULL ({', '.join(connection.ops.quote_name(c) for c in not_null_text)})"
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        raw.copy_expert(f"COPY {target} ({quoted_cols}) FROM STDIN WITH ({options})", buffer)
        return len(rows)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {target} ({quoted_cols}) VALUES ({placeholders})"  # noqa: S608
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])
    return len(rows)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)
