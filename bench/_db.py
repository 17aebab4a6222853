"""The benchmarks' database and Django set-up, in one place.

Every benchmark runs against a PostgreSQL database of its own (created when missing, so
a fresh machine needs no step by hand), with tasks in-process and quiet logs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def bench_url(name: str) -> str:
    """The URL of a benchmark database on the machine's PostgreSQL."""
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist (connecting to ``postgres``)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        conn.close()


def setup_django(url: str | None = None, *, require_postgres: bool = False) -> None:
    """Django on ``url`` (else on ``DATABASE_URL``), migrated, tasks run in-process."""
    sys.path.insert(0, str(ROOT))
    if url:
        os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)  # tasks in-process (eager), nothing queued
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtsen_portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if require_postgres and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"{Path(sys.argv[0]).name} needs PostgreSQL (DATABASE_URL=postgres://...)")
    call_command("migrate", verbosity=0)
