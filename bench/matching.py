#!/usr/bin/env python
"""Benchmark of matching (issue 5, item 5): the batch linker's quality and speed, and the
portal's per-member matching latency at the reference size.

    .venv/bin/python bench/matching.py [--scale N] [--seed S] [--workdir DIR] [--samples N]

1. The linker: as ``bench/link_records.py`` (synthetic data from ``bench/_synth.py``,
   1,000,000 reference people and 100,000 candidates at ``--scale 1``), precision,
   recall, F1, candidates per second, and the exact-NIK + exact-name baseline.
2. Per-member matching: the reference population is loaded into ``PopulationRecord``
   with the portal's import (``import_population``: COPY fast path on PostgreSQL), then
   ``--samples`` candidates (2,000 by default) are looked up one by one through
   ``verification.workflow.services.matching`` exactly as ``match_member`` reads: the NIK lookup
   and ``compare_member``, or, when the NIK is missing or not found,
   ``find_candidates`` (indexed blocking on birth date + sex in the district, then
   scoring), and ``duplicates_of``. Only the final ``MemberMatch`` write is left out.
   The mix: candidates as typed (NIK present, sometimes mistyped), and the same share
   with the NIK removed. Median and p95 in milliseconds are printed.

Database: ``DATABASE_URL``, or ``postgres://postgres@127.0.0.1:5432/dtsen_bench``
(created when missing, migrated). Its population records are emptied first: point it
at a benchmark database, never at one whose records matter.

The last line is ``RESULT reference=N candidates=N precision=P recall=R f1=F cps=C
baseline_f1=B match_p50_ms=X match_p95_ms=Y``.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtsen_portal.settings")

import _db  # noqa: E402
import import_population as import_bench  # noqa: E402
import link_records  # noqa: E402


def population_file(reference: Path, target: Path) -> None:
    """The synthetic reference people in the population import's format (streamed).

    The KK number is made up from the village's district (16 digits, a real province),
    one per 4 people, as family cards are.
    """
    from verification.population.columns import REQUIRED_COLUMNS

    with (
        open(reference, newline="", encoding="utf-8") as source,
        open(target, "w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REQUIRED_COLUMNS)
        for i, row in enumerate(csv.DictReader(source)):
            district = row["kode_desa"][:8].replace(".", "")
            kk = f"{district}0101{15 + (i // 40_000) % 10:02d}{(i // 4) % 9999 + 1:04d}"
            writer.writerow(
                [
                    row["nik"],
                    kk,
                    row["nama"],
                    row["tempat_lahir"],
                    row["tanggal_lahir"],
                    row["jenis_kelamin"],
                    row["kode_desa"],
                    row["alamat"],
                    "",
                    "",
                ]
            )


def load_population(directory: Path) -> tuple[int, float]:
    from django.db import connection

    from verification.models import PopulationRecord
    from verification.population.imports import import_population

    data = directory / "population.csv"
    population_file(directory / "reference.csv", data)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {PopulationRecord._meta.db_table} RESTART IDENTITY CASCADE")
    started = time.perf_counter()
    bad = []
    result = import_population(data, on_bad_row=bad.append)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PopulationRecord._meta.db_table}")
    print(f"loaded population: {result.summary()} in {seconds:.1f} s")
    for item in bad[:5]:
        print(f"  bad row {item.line}: {item.reason}")
    return result.inserted, seconds


def sample_members(directory: Path, count: int, seed: int) -> list[tuple[str, object]]:
    """``count`` unsaved ProposalMember-like objects from the candidates: half as typed,
    half with the NIK removed. Rows whose date, sex or village cannot be read are
    skipped (the proposal form would not accept them either)."""
    from registrations.models import Proposal, ProposalMember
    from verification.linkage.normalize import parse_date, parse_sex

    with open(directory / "candidates.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rng = random.Random(seed)
    rng.shuffle(rows)
    members = []
    for row in rows:
        if len(members) >= count:
            break
        date = parse_date(row["tanggal_lahir"])
        sex = {1: "L", 2: "P"}.get(parse_sex(row["jenis_kelamin"]))
        village = row["kode_desa"]
        if date <= 0 or sex is None or len(village) != 13:
            continue
        try:
            birth = datetime.date(date // 10000, date // 100 % 100, date % 100)
        except ValueError:
            continue
        kind = "nik" if len(members) % 2 == 0 else "no_nik"
        nik = row["nik"].strip() if kind == "nik" else ""
        proposal = Proposal(village_id=village, kk_number="")
        member = ProposalMember(proposal=proposal, nik=nik, full_name=row["nama"], birth_date=birth, sex=sex)
        members.append((kind, member))
    return members


def lookup(member) -> str:
    """``match_member``'s reads, without its write; returns the path taken."""
    from verification.models import PopulationRecord
    from verification.workflow.services.matching import compare_member, duplicates_of, find_candidates

    record = PopulationRecord.objects.filter(nik=member.nik).first() if member.nik else None
    if record is None:
        find_candidates(member)
        path = "blocking"
    else:
        compare_member(member, record)
        path = "nik"
    duplicates_of(member)
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_lookups(members) -> dict:
    for _kind, member in members[:20]:  # warm the connection and the caches
        lookup(member)
    times: list[float] = []
    by_path: dict[str, list[float]] = {"nik": [], "blocking": []}
    for _kind, member in members:
        started = time.perf_counter()
        path = lookup(member)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        by_path[path].append(elapsed)
    figures = {"p50": statistics.median(times), "p95": percentile(times, 0.95), "mean": statistics.fmean(times)}
    print()
    print(f"per-member matching   {len(times):,} lookups (half with the NIK as typed, half without)")
    for path, values in by_path.items():
        if values:
            print(
                f"  {path:<9} n={len(values):>5}  median {statistics.median(values):6.2f} ms"
                f"  p95 {percentile(values, 0.95):6.2f} ms"
            )
    print(f"  all       median {figures['p50']:.2f} ms  p95 {figures['p95']:.2f} ms  mean {figures['mean']:.2f} ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies 1,000,000 reference / 100,000 candidates")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the generated files here")
    parser.add_argument("--samples", type=int, default=2000, help="per-member lookups to time")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or import_bench.DEFAULT_URL
    if url.startswith("postgres"):
        _db.ensure_database(url)
    os.environ["DATABASE_URL"] = url
    directory, n_reference, n_candidates, cleanup = link_records.prepare(args.scale, args.seed, args.workdir)
    try:
        figures = link_records.run_linker(directory, n_reference, n_candidates)
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print()
        print(f"database              {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        load_population(directory)
        latency = time_lookups(sample_members(directory, args.samples, args.seed))
        print(
            link_records.result_line(n_reference, n_candidates, figures)
            + f" match_p50_ms={latency['p50']:.2f} match_p95_ms={latency['p95']:.2f}"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
