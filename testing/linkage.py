"""Linkage test data: CSV files, the benchmarks' synthetic generator, link scores."""

from __future__ import annotations

import csv
import sys
from functools import cache
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"

#: The benchmark files' columns, mapped to the linker's fields.
SYNTH_MAP = [
    "id_number=nik",
    "name=nama",
    "birth_place=tempat_lahir",
    "birth_date=tanggal_lahir",
    "sex=jenis_kelamin",
    "region=kode_desa",
    "address=alamat",
]


def synth():
    """``bench/_synth.py`` (the benchmarks' generator of Indonesian-style data)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import _synth

    return _synth


@cache
def synthetic_files(directory: str, reference: int, candidates: int, seed: int = 7):
    """Generate (once per session and size) the benchmark's files into ``directory``."""
    ref, cand, truth = synth().generate(directory, reference=reference, candidates=candidates, seed=seed)
    return ref, cand, truth


def write_csv(path: Path, header: list[str], rows: list[list], *, encoding: str = "utf-8", delimiter: str = ","):
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_links(path: Path) -> dict[str, tuple[str, float]]:
    with open(path, newline="", encoding="utf-8") as f:
        return {r["candidate_id"]: (r["reference_id"], float(r["score"])) for r in csv.DictReader(f)}


def scores(links: dict[str, tuple[str, float]], truth: dict[str, str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of best links against the truth."""
    correct = sum(1 for c, (r, _s) in links.items() if truth.get(c) == r)
    precision = correct / len(links) if links else 0.0
    recall = correct / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
