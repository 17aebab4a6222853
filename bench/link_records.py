#!/usr/bin/env python
"""Benchmark of ``manage.py link_records`` (issue 5, item 5); ``bench/matching.py`` runs
the same and adds the per-member matching latency.

Generates synthetic Indonesian-style data (``bench/_synth.py``: 1,000,000 reference
people and 100,000 candidates by default, 80 % of them with a true match, with typos,
titles, spelling variants, swapped words, missing and reformatted fields, NIK typos,
people who moved, and twins or same-day neighbours whose NIK differs only in the
serial), runs the linker through the command, and beside it a simple baseline in the
same run: exact NIK + exact normalised name. Prints precision, recall, F1, candidates
per second (the whole command: reading both files, indexing, training, linking,
writing) and peak memory, ending with the ``RESULT`` line.

    .venv/bin/python bench/link_records.py [--scale N] [--seed S] [--workdir DIR]

``--scale 0.01`` gives 10,000 / 1,000. Data generation runs in a child process (its
memory is not the linker's); with ``--workdir`` the files are kept and reused.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dtsen_portal.settings")

import _synth  # noqa: E402


def generate(directory: Path, reference: int, candidates: int, seed: int) -> float:
    meta = directory / "meta.json"
    wanted = {"reference": reference, "candidates": candidates, "seed": seed, "version": 1}
    if meta.exists() and json.loads(meta.read_text()) == wanted:
        return 0.0
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "_synth.py"),
            str(directory),
            "--reference",
            str(reference),
            "--candidates",
            str(candidates),
            "--seed",
            str(seed),
        ],
        check=True,
    )
    meta.write_text(json.dumps(wanted))
    return time.perf_counter() - started


def evaluate(links: dict[str, str], truth: dict[str, str]) -> tuple[float, float, float]:
    correct = sum(1 for c, r in links.items() if truth.get(c) == r)
    precision = correct / len(links) if links else 0.0
    recall = correct / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def baseline(reference: Path, candidates: Path) -> tuple[dict[str, str], float]:
    """Exact NIK and exact normalised name (registrations.names), nothing else."""
    from verification.linkage.normalize import name_words  # = registrations.names.name_tokens, faster

    started = time.perf_counter()
    with open(candidates, newline="", encoding="utf-8") as f:
        wanted = {}
        for row in csv.DictReader(f):
            if row["nik"]:
                wanted.setdefault(row["nik"], []).append((row["person_id"], " ".join(name_words(row["nama"]))))
    found = {}
    with open(reference, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for cid, name in wanted.get(row["nik"], ()):
                if cid not in found and " ".join(name_words(row["nama"])) == name:
                    found[cid] = row["person_id"]
    return found, time.perf_counter() - started


def prepare(scale: float, seed: int, workdir: Path | None):
    """Generate (or reuse) the synthetic files; returns (directory, n_reference, n_candidates, cleanup)."""
    n_reference = max(100, round(1_000_000 * scale))
    n_candidates = max(10, round(100_000 * scale))
    temporary = None
    if workdir:
        directory = workdir
        directory.mkdir(parents=True, exist_ok=True)
    else:
        temporary = tempfile.TemporaryDirectory(prefix="bench-link-")
        directory = Path(temporary.name)
    generated = generate(directory, n_reference, n_candidates, seed)
    if generated:
        print(f"generated {n_reference} reference rows and {n_candidates} candidates in {generated:.1f} s")
    return directory, n_reference, n_candidates, (temporary.cleanup if temporary else (lambda: None))


def run_linker(directory: Path, n_reference: int, n_candidates: int) -> dict:
    """Run ``link_records`` on the files and the baseline beside it; print the figures and
    return them (``precision``, ``recall``, ``f1``, ``cps``, ``baseline_f1``)."""
    reference, candidates = directory / "reference.csv", directory / "candidates.csv"
    truth = _synth.read_truth(directory / "truth.csv")

    import django

    django.setup()
    from django.core.management import call_command

    out = directory / "links.csv"
    arguments = [
        "--reference",
        str(reference),
        "--candidates",
        str(candidates),
        "--id-reference",
        "person_id",
        "--id-candidates",
        "person_id",
        "--out",
        str(out),
    ]
    for item in _synth.MAPPING:
        arguments += ["--map", item]
    printed = io.StringIO()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    cpu_started = time.process_time()
    call_command("link_records", *arguments, stdout=printed)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(printed.getvalue().rstrip())

    with open(out, newline="", encoding="utf-8") as f:
        links = {row["candidate_id"]: row["reference_id"] for row in csv.DictReader(f)}
    precision, recall, f1 = evaluate(links, truth)
    base_links, base_seconds = baseline(reference, candidates)
    base_precision, base_recall, base_f1 = evaluate(base_links, truth)
    cps = n_candidates / seconds

    print()
    print(f"reference rows        {n_reference:>12,}")
    print(f"candidates            {n_candidates:>12,}  ({len(truth):,} with a true match)")
    print(f"linker                precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  ({len(links):,} links)")
    print(
        f"baseline (NIK + name) precision {base_precision:.4f}  recall {base_recall:.4f}  F1 {base_f1:.4f}"
        f"  ({len(base_links):,} links, {base_seconds:.1f} s)"
    )
    print(
        f"linker time           {seconds:.1f} s wall, {cpu:.1f} s CPU (whole command: read, index, train, link, write)"
    )
    print(f"candidates per second {cps:,.0f}")
    print(f"peak RSS              {peak_mb:,.0f} MB (before the linker: {rss_before:,.0f} MB; ru_maxrss)")
    print(f"load average          {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    return {"precision": precision, "recall": recall, "f1": f1, "cps": cps, "baseline_f1": base_f1}


def result_line(n_reference: int, n_candidates: int, figures: dict) -> str:
    f = figures
    return (
        f"RESULT reference={n_reference} candidates={n_candidates} precision={f['precision']:.4f} "
        f"recall={f['recall']:.4f} f1={f['f1']:.4f} cps={f['cps']:.0f} baseline_f1={f['baseline_f1']:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies 1,000,000 reference / 100,000 candidates")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the generated files here")
    args = parser.parse_args()
    directory, n_reference, n_candidates, cleanup = prepare(args.scale, args.seed, args.workdir)
    try:
        figures = run_linker(directory, n_reference, n_candidates)
        print(result_line(n_reference, n_candidates, figures))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
