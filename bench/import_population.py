#!/usr/bin/env python
"""Benchmark: ``import_population`` against a plain PostgreSQL ``COPY`` of the same file.

    .venv/bin/python bench/import_population.py [--scale N]

``--scale 1`` (the default) is the 1,000,000-row file of issue 5; ``--scale 0.01`` is
10,000 rows. Needs PostgreSQL: ``DATABASE_URL`` or
``postgres://postgres@127.0.0.1:5432/dtsen_bench`` (created when missing, migrated).
The population table of that database is emptied first.

It generates a realistic Dukcapil extract (valid NIKs of real districts, Faker id_ID
names combined from pre-generated pools, a few titles and degrees, 4 % deceased or
moved, 0.1 % bad rows; rows grouped by district as real extracts are, or ``--order
random`` for the worst case), then times, in one run:

* ``copy_s``: ``COPY`` of the file into a bare table of text columns (no checks, no index);
* ``indexed_insert_s`` (context): those copied rows, unchecked, into an empty table with
  the population table's indexes;
* ``import_s``: the portal's own import (``verification.population.imports``) into the
  empty population table: validation, normalised names, row hashes, upsert by NIK;
* ``rerun_s``: the same import again (every row unchanged, nothing written).

The last line is ``RESULT rows=N import_s=X copy_s=Y ratio=Z`` (ratio = import / copy).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # also when imported as ``bench.import_population`` (a test)

import _db  # noqa: E402

DEFAULT_URL = _db.bench_url("dtsen_bench")
FULL_ROWS = 1_000_000
HEADER = [
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "village_code",
    "address",
    "rt",
    "rw",
    "status",
    "status_date",
    "moved_to",
]


def district_codes() -> list[str]:
    from lokal import wilayah

    codes = []
    for province in wilayah.list_wilayah():
        for regency in wilayah.list_wilayah(province.code):
            codes.extend(d.code for d in wilayah.list_wilayah(regency.code))
    return codes


def generate(path: Path, rows: int, *, seed: int = 20260101, order: str = "region") -> int:
    """Write ``rows`` data rows; return how many are deliberately bad.

    ``order="region"``: rows come district by district, as Dukcapil extracts do (they are
    cut per region); ``order="random"``: each row from any district, the worst case for
    the population table's indexes.
    """
    from faker import Faker

    from registrations.nik import build_nik

    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    male = sorted({fake.first_name_male() for _ in range(4000)})
    female = sorted({fake.first_name_female() for _ in range(4000)})
    last = sorted({fake.last_name() for _ in range(4000)})
    cities = sorted({fake.city_name() for _ in range(2000)})
    streets = sorted({fake.street_name() for _ in range(3000)})
    districts = district_codes()
    prefixes = ["H.", "Hj.", "Ir.", "Dr.", "Drs."]
    degrees = ["S.Pd.", "S.E.", "S.H.", "A.Md.", "S.Kom."]
    today = datetime.date.today()
    start = datetime.date(1935, 1, 1).toordinal()
    span = today.toordinal() - start
    bad = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        block = -(-rows // len(districts))  # rows per district, at most 9,999 up to 72 million rows
        for i in range(rows):
            if order == "region":
                district, serial = districts[i // block], 1 + i % block
            else:
                district, serial = districts[i % len(districts)], 1 + (i // len(districts)) % 9999
            birth = datetime.date.fromordinal(start + rng.randrange(span))
            sex = "L" if rng.random() < 0.5 else "P"
            nik = build_nik(district_code=district, birth_date=birth, sex=sex, serial=serial)
            plain = district.replace(".", "")
            issued = f"{rng.randrange(1, 29):02d}{rng.randrange(1, 13):02d}{rng.randrange(0, 100):02d}"
            kk = f"{plain}{issued}{rng.randrange(1, 10000):04d}"
            given = rng.choice(male if sex == "L" else female)
            if rng.random() < 0.4:
                given = f"{given} {rng.choice(male if sex == 'L' else female)}"
            name = f"{given} {rng.choice(last)}" if rng.random() < 0.85 else given
            roll = rng.random()
            if roll < 0.02:
                name = f"{rng.choice(prefixes)} {name}"
            elif roll < 0.04:
                name = f"{name}, {rng.choice(degrees)}"
            if rng.random() < 0.3:
                name = name.upper()
            village = f"{district}.{(2001 if rng.random() < 0.8 else 1001) + rng.randrange(20):04d}"
            status = status_date = moved_to = ""
            roll = rng.random()
            if roll < 0.03:
                status = "deceased"
            elif roll < 0.04:
                status = "moved"
                moved_to = f"{rng.choice(districts)}.{2001 + rng.randrange(20):04d}"
            elif roll < 0.05:
                status = "alive"
            if status in ("deceased", "moved"):
                status_date = datetime.date.fromordinal(
                    rng.randrange(birth.toordinal(), today.toordinal() + 1)
                ).isoformat()
            record = [
                nik,
                kk,
                name,
                rng.choice(cities),
                birth.isoformat(),
                sex,
                village,
                f"{rng.choice(streets)} No. {rng.randrange(1, 300)}",
                f"{rng.randrange(1, 30):03d}",
                f"{rng.randrange(1, 15):03d}",
                status,
                status_date,
                moved_to,
            ]
            if rng.random() < 0.001:  # what a real extract carries: a few broken rows
                bad += 1
                kind = rng.randrange(4)
                if kind == 0:
                    record[4] = birth.strftime("%d-%m-%Y")
                elif kind == 1:
                    record[5] = "X"
                elif kind == 2:
                    record[2] = ""
                else:
                    record[0] = nik[:15]
            writer.writerow(record)
    return bad


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 rows")
    parser.add_argument(
        "--order",
        choices=["region", "random"],
        default="region",
        help="rows grouped by district like a real extract (default), or in random region order (worst case)",
    )
    parser.add_argument("--keep", metavar="DIR", help="keep the generated CSV and bad-row report in DIR")
    args = parser.parse_args()
    rows = max(1, round(FULL_ROWS * args.scale))
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    _db.ensure_database(url)
    _db.setup_django(url, require_postgres=True)

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = run(workdir, rows, args.order)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(result)


def run(workdir: Path, rows: int, order: str) -> str:
    """Generate, COPY, import, rerun; return the RESULT line."""
    from django.db import connection

    from verification.models import PopulationRecord
    from verification.population.columns import BadRowCsvWriter
    from verification.population.imports import import_population

    data = workdir / f"population-{rows}.csv"
    t0 = time.perf_counter()
    bad_generated = generate(data, rows, order=order)
    print(
        f"generated rows={rows} bad={bad_generated} order={order} bytes={data.stat().st_size} "
        f"in {time.perf_counter() - t0:.1f} s"
    )

    table = PopulationRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")  # the benchmark's own database
        cursor.execute("DROP TABLE IF EXISTS bench_population_copy")
        cursor.execute(f"CREATE TABLE bench_population_copy ({', '.join(f'{c} text' for c in HEADER)})")
        cursor.execute("CHECKPOINT")

    # 1. The plain COPY: the floor for getting these bytes into PostgreSQL.
    t0 = time.perf_counter()
    with connection.cursor() as cursor, open(data, encoding="utf-8") as stream:
        cursor.copy_expert("COPY bench_population_copy FROM STDIN WITH (FORMAT csv, HEADER true)", stream)
    copy_s = time.perf_counter() - t0

    # 1b. For context: moving the copied rows, unchecked and in file order, into an empty
    # table with the population table's indexes (5 since migration verification 0004: the
    # primary key, NIK, KK, birth date + sex, village + birth date; 11 before it, counting
    # the varchar_pattern_ops twins of db_index/unique varchar columns).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table])
        print(f"population table indexes={cursor.fetchone()[0]}")
        cursor.execute("DROP TABLE IF EXISTS bench_population_indexed")
        cursor.execute(f"CREATE TABLE bench_population_indexed (LIKE {table} INCLUDING ALL)")
        cursor.execute("CHECKPOINT")
        t0 = time.perf_counter()
        cursor.execute(
            """INSERT INTO bench_population_indexed (nik, kk_number, full_name, name_key, birth_place, birth_date,
                sex, village_code, address, rt, rw, status, status_date, moved_to_code, row_hash, updated_at)
            SELECT nik, kk_number, coalesce(full_name, ''), lower(coalesce(full_name, '')),
                coalesce(birth_place, ''),
                CASE WHEN birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN birth_date::date END,
                sex, village_code, coalesce(address, ''), coalesce(rt, ''), coalesce(rw, ''),
                coalesce(status, 'alive'), status_date::date, coalesce(moved_to, ''),
                md5(concat_ws('|', kk_number, full_name, birth_date, village_code, address)), now()
            FROM bench_population_copy WHERE length(nik) = 16
            ON CONFLICT DO NOTHING"""
        )
        indexed_s = time.perf_counter() - t0
        # 1c. The floor of any import that leaves the table indexed: the same unchecked rows
        # into an index-free copy of the table, then its five indexes built once.
        cursor.execute("DROP TABLE bench_population_indexed")
        cursor.execute(f"CREATE TABLE bench_population_indexed (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
        cursor.execute("CHECKPOINT")
        t0 = time.perf_counter()
        cursor.execute(
            """INSERT INTO bench_population_indexed (nik, kk_number, full_name, name_key, birth_place, birth_date,
                sex, village_code, address, rt, rw, status, status_date, moved_to_code, row_hash, updated_at)
            SELECT nik, kk_number, coalesce(full_name, ''), '', coalesce(birth_place, ''),
                CASE WHEN birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN birth_date::date END,
                sex, village_code, coalesce(address, ''), coalesce(rt, ''), coalesce(rw, ''),
                coalesce(status, 'alive'), status_date::date, coalesce(moved_to, ''), '', now()
            FROM (SELECT *, count(*) OVER (PARTITION BY nik) AS copies FROM bench_population_copy) c
            WHERE copies = 1 AND length(nik) = 16 AND length(kk_number) = 16"""
        )
        insert_s = time.perf_counter() - t0
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for statement in (
            "ALTER TABLE bench_population_indexed ADD PRIMARY KEY (id)",
            "CREATE UNIQUE INDEX ON bench_population_indexed (nik)",
            "CREATE INDEX ON bench_population_indexed (kk_number)",
            "CREATE INDEX ON bench_population_indexed (birth_date, sex)",
            "CREATE INDEX ON bench_population_indexed (village_code, birth_date)",
        ):
            cursor.execute(statement)
        floor_s = time.perf_counter() - t0
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("DROP TABLE bench_population_copy")
        cursor.execute("DROP TABLE bench_population_indexed")
        cursor.execute("CHECKPOINT")
    print(
        f"copy_s={copy_s:.2f} indexed_insert_s={indexed_s:.2f} (COPY'd rows into a table with the population indexes)"
    )
    print(
        f"floor_s={floor_s:.2f} (the same rows, unchecked, into an index-free table: {insert_s:.2f} s, "
        f"then its 5 indexes built once) floor/copy={floor_s / copy_s:.2f}"
    )

    # 2. The portal's import into the empty table.
    report = workdir / "bad-rows.csv"
    t0 = time.perf_counter()
    with open(report, "w", encoding="utf-8", newline="") as out:
        first = import_population(data, on_bad_row=BadRowCsvWriter(out))
    import_s = time.perf_counter() - t0
    print(f"import {first.summary()} import_s={import_s:.2f}")
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")

    # 3. The same file again: nothing may change.
    t0 = time.perf_counter()
    with open(os.devnull, "w") as out:
        again = import_population(data, on_bad_row=BadRowCsvWriter(out))
    rerun_s = time.perf_counter() - t0
    print(f"rerun {again.summary()} rerun_s={rerun_s:.2f}")
    assert again.inserted == 0 and again.updated == 0 and again.unchanged == first.inserted, "rerun changed rows"
    assert first.bad == bad_generated, f"expected {bad_generated} bad rows, got {first.bad}"
    print(f"peak_rss_mb={peak_rss_mb():.0f} import/floor={import_s / floor_s:.2f}")
    return f"RESULT rows={rows} import_s={import_s:.2f} copy_s={copy_s:.2f} ratio={import_s / copy_s:.2f}"


if __name__ == "__main__":
    main()
