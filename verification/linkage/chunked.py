"""The chunked path: the same link, split into Celery tasks by region.

1. **Plan** (:func:`plan`, in the process that starts the run):

   * train the model once, exactly as :func:`~verification.linkage.engine.link_files`
     does — on the same candidate sample and reference sample, against the reference
     rows those samples can meet (read with a key filter; two passes over the
     reference, no full index);
   * split the candidates into chunk files by *region block*: the first
     ``REGION_PREFIX`` characters of the normalised region (province + regency in a
     Kemendagri code), hashed into at most ``chunks`` buckets, so a region is never
     split; rows without a region share one chunk. Each row keeps its row number.

2. **Chunk tasks** (:func:`link_chunk`, one Celery task each): read the chunk's
   candidates, collect their blocking keys, stream the reference keeping only the rows
   that share a key with them (the chunk's "reference block"), link with the shared
   model, write a partial file. A candidate meets exactly the reference rows it would
   meet in one process, so its best link and score are the same.

3. **Merge** (:func:`merge_chunks`, the chord's callback): merge the partial files in
   candidate row order into the output, then remove the work files.

The result equals the single-process output, byte for byte (a test checks it). The work
directory must be visible to every worker (a shared volume); see ``docs/linkage.md``
for running this on many machines.
"""

from __future__ import annotations

import csv
import heapq
import json
import shutil
import time
import zlib
from pathlib import Path

import numpy as np

from .compare import active_comparisons
from .csvio import CsvFile
from .engine import (
    BATCH_SIZE,
    OUTPUT_HEADER,
    REFERENCE_SAMPLE,
    LinkJob,
    LinkStats,
    RawSample,
    ReferenceIndex,
    batched,
    layout_for,
    link_batch,
    raw_batches,
    train,
    with_csv_fallback,
)
from .model import Model
from .normalize import normalize_region
from .records import Layout, RawColumns, Settings, build

REGION_PREFIX = 4  # "3204" = province 32, regency 04
ROW_COLUMN = "__row__"
NO_REGION = "none"


def _chunk_of(region_raw: str, chunks: int) -> str:
    prefix = normalize_region(region_raw)[:REGION_PREFIX]
    if not prefix:
        return NO_REGION
    return f"r{zlib.crc32(prefix.encode()) % chunks:03d}"


def _reference_sample(source: CsvFile, layout: Layout) -> RawSample:
    """Reference rows ``0, s, 2s, ...``, streamed (the csv module if pyarrow refuses the file)."""

    def sample(arrow: bool) -> RawSample:
        sampler = RawSample(REFERENCE_SAMPLE)
        for raw in raw_batches(source, layout, arrow=arrow):
            sampler.add(raw)
        return sampler

    return with_csv_fallback(sample)


def plan(job: LinkJob, work_dir: Path, *, chunks: int = 16) -> dict:
    """Train the model and write the candidates' chunk files; return the tasks' specs."""
    work_dir.mkdir(parents=True, exist_ok=True)
    settings = job.settings()
    comparisons = active_comparisons(settings.fields)

    # The samples the single-process run trains on.
    candidate_sample = job.training_sample(settings)
    sampler = _reference_sample(job.reference_file, job.reference_layout)
    reference_sample = build(sampler.raw(job.reference_layout), job.reference_layout, settings, query=True)
    wanted = np.unique(np.concatenate([candidate_sample.keys, reference_sample.keys]))
    index = ReferenceIndex.from_file(job.reference_file, job.reference_layout, settings, key_filter=wanted)
    model = train(index, candidate_sample, comparisons, dedupe=False)
    del index

    # Candidates into chunk files by region block.
    region_positions = job.candidate_layout.columns.get("region")
    source = job.candidate_file
    writers, files, counts = {}, {}, {}
    try:
        with source.rows() as rows:
            for row_no, row in rows:
                region = " ".join(row[i] for i in region_positions) if region_positions else ""
                name = _chunk_of(region, chunks)
                if name not in writers:
                    files[name] = open(work_dir / f"chunk-{name}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
                    writers[name] = csv.writer(files[name])
                    writers[name].writerow([*source.header, ROW_COLUMN])
                    counts[name] = 0
                writers[name].writerow([*row, row_no])
                counts[name] += 1
    finally:
        for f in files.values():
            f.close()

    common = {
        "reference": str(job.reference),
        "mapping": job.mapping,
        "candidate_mapping": job.candidate_mapping or job.mapping,
        "id_reference": job.id_reference,
        "id_candidates": job.id_candidates,
        "threshold": job.threshold,
        "settings": settings.to_dict(),
        "model": model.to_dict(),
    }
    (work_dir / "model.json").write_text(json.dumps(common["model"], indent=1))
    specs = [
        {**common, "chunk": str(work_dir / f"chunk-{name}.csv"), "partial": str(work_dir / f"links-{name}.csv")}
        for name in sorted(files)
    ]
    return {"specs": specs, "candidates": sum(counts.values()), "model": model, "settings": settings}


def link_chunk(spec: dict) -> dict:
    """One chunk: its candidates against the reference rows of its block."""
    started = time.perf_counter()
    settings = Settings.from_dict(spec["settings"])
    model = Model.from_dict(spec["model"])
    chunk = CsvFile(spec["chunk"])
    layout = layout_for(chunk.header, spec["candidate_mapping"], spec["id_candidates"], Path(spec["chunk"]).name)
    row_at = chunk.header.index(ROW_COLUMN)
    with chunk.rows() as rows:
        candidates = [(int(row[row_at]), row) for _n, row in rows]
    batches = [
        build(RawColumns.from_rows(part, layout), layout, settings, query=True)
        for part in batched(candidates, BATCH_SIZE)
    ]
    del candidates
    keys = np.unique(np.concatenate([b.keys for b in batches])) if batches else np.empty(0, dtype=np.int64)

    reference = CsvFile(spec["reference"])
    ref_layout = layout_for(reference.header, spec["mapping"], spec["id_reference"], reference.path.name)
    index = ReferenceIndex.from_file(reference, ref_layout, settings, key_filter=keys, sample=False)

    stats = LinkStats()
    with open(spec["partial"], "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for batch in batches:
            links = link_batch(index, batch, model, threshold=spec["threshold"], stats=stats)
            order = np.argsort(links.candidate_rows, kind="stable")
            for row_no, (cid, rid, score) in zip(
                links.candidate_rows[order].tolist(), list(links.csv_rows()), strict=True
            ):
                writer.writerow((row_no, cid, rid, score))
            stats.links += len(links)
            stats.candidates += len(batch.columns)
    return {
        "partial": spec["partial"],
        "candidates": stats.candidates,
        "reference_rows": len(index),
        "pairs": stats.pairs,
        "links": stats.links,
        "seconds": time.perf_counter() - started,
    }


def merge_chunks(results: list[dict], out: str, work_dir: str | None = None) -> dict:
    """Merge the partial files, in candidate row order, into the output file."""
    files = [open(r["partial"], newline="", encoding="utf-8") for r in results]  # noqa: SIM115
    try:
        streams = [((int(row[0]), row[1:]) for row in csv.reader(f)) for f in files]
        count = 0
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(OUTPUT_HEADER)
            for _row_no, values in heapq.merge(*streams, key=lambda item: item[0]):
                writer.writerow(values)
                count += 1
    finally:
        for f in files:
            f.close()
    if work_dir:
        shutil.rmtree(work_dir, ignore_errors=True)
    return {
        "out": out,
        "links": count,
        "candidates": sum(r["candidates"] for r in results),
        "pairs": sum(r["pairs"] for r in results),
        "reference_rows": sum(r["reference_rows"] for r in results),
        "chunks": len(results),
    }


def link_chunked(job: LinkJob, *, chunks: int = 16, work_dir: Path | None = None, progress=None) -> LinkStats:
    """Plan, run one Celery task per chunk and merge in a chord callback; wait for it.

    With ``CELERY_TASK_ALWAYS_EAGER`` (no broker configured, and in tests) the tasks run
    here, one after the other; with a broker they run on the workers.
    """
    from celery import chord

    from verification.tasks.linkage import link_records_chunk, link_records_merge

    say = progress or (lambda _message: None)
    started = time.perf_counter()
    work_dir = work_dir or job.out.with_name(f".{job.out.name}.chunks")
    planned = plan(job, work_dir, chunks=chunks)
    say(f"model trained; {planned['candidates']} candidates in {len(planned['specs'])} chunks")
    say(planned["model"].describe())
    result = chord(link_records_chunk.s(spec) for spec in planned["specs"])(
        link_records_merge.s(out=str(job.out), work_dir=str(work_dir))
    )
    merged = result.get(disable_sync_subtasks=False)
    say(f"{merged['chunks']} chunks linked against {merged['reference_rows']} reference rows of their blocks in all")
    stats = LinkStats(
        reference_rows=merged["reference_rows"],
        candidates=merged["candidates"],
        pairs=merged["pairs"],
        links=merged["links"],
        model=planned["model"],
        settings=planned["settings"],
    )
    stats.seconds["total"] = time.perf_counter() - started
    return stats
