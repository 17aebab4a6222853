"""The linker: reference index, model training, streaming link and dedupe.

Flow of :func:`link_files` (what the ``link_records`` command and the benchmark run):

1. read the first rows of the reference to see whether its ids carry the birth date
   (NIK-like); the answer goes into :class:`~verification.linkage.records.Settings`;
2. build the :class:`ReferenceIndex`: every reference row normalised into compact
   columns and its blocking keys sorted into a :class:`~verification.linkage.blocking.BlockIndex`
   (parsed by pyarrow's multi-threaded CSV reader);
3. train the model (:func:`train`) on the blocked pairs of a sample of the candidates,
   with u from the blocked pairs of a sample of reference rows with *other* reference rows;
4. stream the candidates in batches: block, compare, score, keep each candidate's best
   reference row when its match probability reaches the threshold, and write it. One
   batch of candidates is in memory at a time.

Dedupe mode is the same with the reference file as its own candidates: self-pairs
removed, each pair kept once (the later row as candidate, the earlier as reference) and
every pair above the threshold written rather than only the best.

Everything works on iterables of ``(row number, values)`` too (:meth:`ReferenceIndex.from_rows`,
:func:`link_rows`), for callers that do not start from files.
"""

from __future__ import annotations

import csv
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import normalize as nz
from .blocking import BlockIndex
from .compare import active_comparisons, compare, id_date_without_ids
from .csvio import HAVE_ARROW, ArrowRefused, CsvError, CsvFile
from .model import Model, estimate, u_from_non_matches, u_from_random_pairs
from .records import FIELDS, Batch, Columns, Layout, RawColumns, Settings, build, forget_names

BATCH_SIZE = 20_000  # candidates normalised, blocked and scored together
TRAIN_CANDIDATES = 10_000  # candidates whose blocked pairs train the model
REFERENCE_SAMPLE = 50_000  # reference rows whose pairs with other rows (known non-matches) teach u
RANDOM_PAIRS = 50_000  # random pairs for u's starting point
NIK_SNIFF_ROWS = 5_000
DEFAULT_THRESHOLD = 0.5
OUTPUT_HEADER = ("candidate_id", "reference_id", "score")


class LinkError(ValueError):
    """A problem with the inputs (missing column, bad mapping, empty file). Not a
    ``DomainError``: the linkage library is used from the command line (``link_records``),
    not by a page or the API, so its messages stay with it."""


def with_csv_fallback(read: Callable[[bool], object]):
    """``read(arrow=True)``; if pyarrow refuses the file, ``read(arrow=False)`` (csv module)."""
    if HAVE_ARROW:
        try:
            return read(True)
        except ArrowRefused:
            pass
    return read(False)


def batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def parse_mapping(items: Sequence[str]) -> dict[str, list[str]]:
    """``["name=given+surname", "birth_date=dob"]`` → ``{"name": ["given", "surname"], ...}``."""
    mapping: dict[str, list[str]] = {}
    for item in items:
        field_name, sep, columns = item.partition("=")
        field_name = field_name.strip()
        if not sep or not columns.strip():
            raise LinkError(f"--map {item!r}: expected FIELD=COLUMN[+COLUMN]")
        if field_name not in FIELDS:
            raise LinkError(f"--map {item!r}: unknown field {field_name!r} (one of {', '.join(FIELDS)})")
        if field_name in mapping:
            raise LinkError(f"--map: field {field_name!r} is mapped twice")
        parts = [c.strip() for c in columns.split("+")]
        if not all(parts):
            raise LinkError(f"--map {item!r}: empty column name")
        mapping[field_name] = parts
    if not mapping:
        raise LinkError("at least one --map FIELD=COLUMN is needed")
    return mapping


def layout_for(header: Sequence[str], mapping: dict[str, list[str]], id_column: str, label: str) -> Layout:
    try:
        return Layout.from_header(header, mapping, id_column, label=label)
    except KeyError as exc:
        raise LinkError(exc.args[0]) from None


def sniff_settings(
    head_rows: list[tuple[int, list[str]]], layout: Layout, fields: frozenset[str], **options
) -> Settings:
    """Settings of a run: whether the ids of the reference carry the birth date (NIK-like),
    judged on its first rows (ids and dates that agree in at least half of them)."""
    settings = Settings(fields=fields, **options)
    if "id_number" in fields and "birth_date" in fields and head_rows:
        batch = build(head_rows, layout, Settings(fields=fields))
        pairs = list(zip(batch.columns.id_number.tolist(), batch.columns.birth_date.tolist(), strict=True))
        settings.ids_carry_birth_date = nz.ids_carry_birth_date(pairs)
    return settings


# --- reference index ---------------------------------------------------------------


class RawSample:
    """Rows ``0, s, 2s, ...`` of a stream of :class:`RawColumns` batches, ``s`` the smallest
    power of two keeping at most ``target`` rows: the same rows however the file is read."""

    def __init__(self, target: int):
        self.target = target
        self.stride = 1
        self.pieces: list[RawColumns] = []
        self.count = 0

    def add(self, raw: RawColumns) -> None:
        piece = raw.take(np.flatnonzero(raw.rows % self.stride == 0)).as_lists()
        self.pieces.append(piece)
        self.count += len(piece)
        while self.count > self.target:
            self.stride *= 2
            self.pieces = [p.take(np.flatnonzero(p.rows % self.stride == 0)) for p in self.pieces]
            self.count = sum(len(p) for p in self.pieces)

    def raw(self, layout: Layout) -> RawColumns:
        return RawColumns.concatenate(self.pieces, layout)


def raw_batches(source: CsvFile, layout: Layout, *, arrow: bool = True) -> Iterator[RawColumns]:
    """The rows of a file as :class:`RawColumns` batches: parsed by pyarrow when it can,
    by the csv module otherwise."""
    positions = [p for cols in layout.columns.values() for p in cols] + [layout.id_column]
    if arrow and HAVE_ARROW:
        for first, arrays in source.arrow_batches(positions):
            yield RawColumns.from_arrow(first, arrays, layout)
        return
    with source.rows() as rows:
        for chunk in batched(rows, BATCH_SIZE):
            yield RawColumns.from_rows(chunk, layout)


@dataclass
class ReferenceIndex:
    columns: Columns
    blocks: BlockIndex
    sample: Batch  # rows 0, s, 2s, ... (RawSample), with their query keys
    total_rows: int

    def __len__(self) -> int:
        return len(self.columns)

    @classmethod
    def from_batches(
        cls,
        batches: Iterable[RawColumns],
        layout: Layout,
        settings: Settings,
        *,
        key_filter: np.ndarray | None = None,
        sample: bool = True,
    ) -> ReferenceIndex:
        """Index batches of rows; ``key_filter`` keeps only rows sharing a key with it.
        The sample (rows ``0, s, 2s, ...``) is taken from all rows, filtered or not."""
        sampler = RawSample(REFERENCE_SAMPLE if sample else 0)
        parts, count = [], 0
        for raw in batches:
            if not len(raw):
                continue
            if sample:
                sampler.add(raw)
            parts.append(build(raw, layout, settings, key_filter=key_filter))
            count = int(raw.rows[-1]) + 1
        if parts:
            columns = Columns.concatenate([p.columns for p in parts])
            sizes = np.cumsum([0] + [len(p.columns) for p in parts[:-1]])
            keys = np.concatenate([p.keys for p in parts])
            key_rows = np.concatenate([p.key_rows + size for p, size in zip(parts, sizes, strict=True)])
        else:
            columns = build([], layout, settings).columns
            keys = key_rows = np.empty(0, dtype=np.int64)
        del parts
        forget_names()
        blocks = BlockIndex(keys, key_rows, len(columns), max_block=settings.max_block)
        sample = build(sampler.raw(layout), layout, settings, query=True)
        return cls(columns=columns, blocks=blocks, sample=sample, total_rows=count)

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[int, Sequence[str]]], layout: Layout, settings: Settings, **options
    ) -> ReferenceIndex:
        """Index ``(row number, values)`` rows."""
        batches = (RawColumns.from_rows(chunk, layout) for chunk in batched(rows, BATCH_SIZE))
        return cls.from_batches(batches, layout, settings, **options)

    @classmethod
    def from_file(cls, source: CsvFile, layout: Layout, settings: Settings, **options) -> ReferenceIndex:
        """Index a CSV file (pyarrow's parser; the csv module if pyarrow refuses the file)."""
        return with_csv_fallback(
            lambda arrow: cls.from_batches(raw_batches(source, layout, arrow=arrow), layout, settings, **options)
        )


# --- training ----------------------------------------------------------------------


def blocked_pairs(index: ReferenceIndex, batch: Batch, *, dedupe: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(reference positions, candidate positions)`` of the blocked pairs of a batch."""
    ci, ri = index.blocks.pairs(batch.keys, batch.key_rows)
    if dedupe and len(ci):
        keep = index.columns.rows[ri] < batch.columns.rows[ci]
        ci, ri = ci[keep], ri[keep]
    return ri, ci


def _blank_share(values: np.ndarray) -> float:
    return float(np.count_nonzero(values == "")) / len(values) if len(values) else 1.0


def train(index: ReferenceIndex, sample: Batch, comparisons: list[str], *, dedupe: bool) -> Model:
    """Estimate the model from the data (see :mod:`verification.linkage.model`).

    * u starts from random pairs of the candidate sample and the reference sample;
    * u proper comes from *known non-matches*: in link mode the blocked pairs of the
      reference sample with other reference rows (twins, neighbours, namesakes: the
      hard non-matches), compared as they are and as if one id were blank; in dedupe
      mode the sample's own blocked pairs (duplicates are a small share of them);
    * EM on the blocked pairs of the candidate sample estimates m and the match rate.
    """
    ref = index.columns
    reference_sample = index.sample.columns
    if dedupe:
        ci, ri = index.blocks.pairs(sample.keys, sample.key_rows)
        keep = ref.rows[ri] != sample.columns.rows[ci]  # both orders of each pair
        ri, ci = ri[keep], ci[keep]
    else:
        ri, ci = blocked_pairs(index, sample, dedupe=False)
    levels = compare(ref, sample.columns, ri, ci, comparisons)

    rng = np.random.default_rng(20240611)
    n_random = min(RANDOM_PAIRS, len(reference_sample) * len(sample.columns))
    rr = rng.integers(0, len(reference_sample), n_random)
    rc = rng.integers(0, len(sample.columns), n_random)
    keep = reference_sample.rows[rr] != sample.columns.rows[rc]
    random_levels = compare(reference_sample, sample.columns, rr[keep], rc[keep], comparisons)
    u_start = u_from_random_pairs(random_levels, comparisons)

    if dedupe:
        known_cand, rj, qi, known = sample.columns, ri, ci, levels
    else:
        known_cand = reference_sample
        qi, rj = index.blocks.pairs(index.sample.keys, index.sample.key_rows)
        keep = ref.rows[rj] != known_cand.rows[qi]
        qi, rj = qi[keep], rj[keep]
        known = compare(ref, known_cand, rj, qi, comparisons)
    if len(known) == 0:
        return estimate(levels, comparisons, u_start=u_start)
    without_ids, blank_share = None, 0.0
    if comparisons[0] == "id_date":
        without_ids = known.copy()
        without_ids[:, 0] = id_date_without_ids(ref, known_cand, rj, qi)
        blank_share = 1 - (1 - _blank_share(reference_sample.id_number)) * (1 - _blank_share(sample.columns.id_number))
    u, pooled = u_from_non_matches(known, without_ids, comparisons, u_start, id_blank_share=blank_share)
    return estimate(levels, comparisons, u=u, pooled_u=pooled)


# --- linking -----------------------------------------------------------------------


@dataclass
class Links:
    """Accepted pairs of one batch: candidate and reference row numbers and ids, scores."""

    candidate_rows: np.ndarray
    candidate_ids: np.ndarray
    reference_rows: np.ndarray
    reference_ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)

    def csv_rows(self) -> Iterator[tuple[str, str, str]]:
        for cid, rid, score in zip(self.candidate_ids, self.reference_ids, self.scores.tolist(), strict=True):
            yield cid, rid, f"{score:.4f}"


@dataclass
class LinkStats:
    reference_rows: int = 0
    candidates: int = 0
    pairs: int = 0
    links: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    model: Model | None = None
    settings: Settings | None = None

    def summary(self) -> str:
        timing = ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
        return (
            f"{self.reference_rows} reference rows, {self.candidates} candidates, "
            f"{self.pairs} pairs compared, {self.links} links ({timing})"
        )


def link_batch(
    index: ReferenceIndex,
    batch: Batch,
    model: Model,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    dedupe: bool = False,
    stats: LinkStats | None = None,
) -> Links:
    """Block, compare and score one batch of candidates; keep the accepted pairs.

    Link mode keeps each candidate's best reference row (highest probability, then the
    earliest row) when it reaches ``threshold``; dedupe mode keeps every pair that does.
    """
    ref, cand = index.columns, batch.columns
    ri, ci = blocked_pairs(index, batch, dedupe=dedupe)
    if stats is not None:
        stats.pairs += len(ri)
    probability = model.probability(compare(ref, cand, ri, ci, model.comparisons)) if len(ri) else np.empty(0)
    if not dedupe and len(ri):
        order = np.lexsort((ref.rows[ri], -probability, ci))
        ci, ri, probability = ci[order], ri[order], probability[order]
        first = np.ones(len(ci), dtype=bool)
        first[1:] = ci[1:] != ci[:-1]
        ci, ri, probability = ci[first], ri[first], probability[first]
    accepted = probability >= threshold
    ri, ci = ri[accepted], ci[accepted]
    return Links(
        candidate_rows=cand.rows[ci],
        candidate_ids=cand.ids[ci],
        reference_rows=ref.rows[ri],
        reference_ids=ref.ids[ri],
        scores=np.asarray(probability[accepted], dtype=np.float64),
    )


def link_rows(
    index: ReferenceIndex,
    rows: Iterable[tuple[int, Sequence[str]]],
    layout: Layout,
    settings: Settings,
    model: Model,
    **options,
) -> Iterator[Links]:
    """Link a stream of ``(row number, values)`` candidate rows, one batch at a time."""
    batches = (RawColumns.from_rows(chunk, layout) for chunk in batched(rows, BATCH_SIZE))
    return link_raw(index, batches, layout, settings, model, **options)


def link_raw(
    index: ReferenceIndex,
    batches: Iterable[RawColumns],
    layout: Layout,
    settings: Settings,
    model: Model,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    dedupe: bool = False,
    stats: LinkStats | None = None,
) -> Iterator[Links]:
    """Link a stream of candidate batches."""
    for raw in batches:
        batch = build(raw, layout, settings, query=True)
        links = link_batch(index, batch, model, threshold=threshold, dedupe=dedupe, stats=stats)
        if stats is not None:
            stats.candidates += len(batch.columns)
            stats.links += len(links)
        yield links


# --- files -------------------------------------------------------------------------


@dataclass
class LinkJob:
    """One run of the linker over files (what the command's options say)."""

    reference: Path
    mapping: dict[str, list[str]]
    id_reference: str
    out: Path
    candidates: Path | None = None
    id_candidates: str | None = None
    candidate_mapping: dict[str, list[str]] | None = None
    dedupe: bool = False
    threshold: float = DEFAULT_THRESHOLD
    max_block: int = 300

    def __post_init__(self):
        self.reference = Path(self.reference)
        self.out = Path(self.out)
        if self.candidates is not None:
            self.candidates = Path(self.candidates)
        if self.dedupe:
            if self.candidates is not None:
                raise LinkError("--dedupe works on --reference alone; leave out --candidates")
        elif self.candidates is None or not self.id_candidates:
            raise LinkError("--candidates and --id-candidates are needed (or --dedupe)")
        if not 0 < self.threshold < 1:
            raise LinkError("--threshold must be between 0 and 1")
        if self.candidate_mapping and set(self.candidate_mapping) != set(self.mapping):
            raise LinkError("--map-candidates must name the same fields as --map")
        try:
            self.reference_file = CsvFile(self.reference)
            self.candidate_file = self.reference_file if self.dedupe else CsvFile(self.candidates)
        except CsvError as exc:
            raise LinkError(str(exc)) from None
        self.reference_layout = layout_for(
            self.reference_file.header, self.mapping, self.id_reference, f"the reference file {self.reference.name}"
        )
        if self.dedupe:
            self.candidate_layout = self.reference_layout
        else:
            self.candidate_layout = layout_for(
                self.candidate_file.header,
                self.candidate_mapping or self.mapping,
                self.id_candidates,
                f"the candidates file {self.candidates.name}",
            )

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.mapping)

    def settings(self) -> Settings:
        with self.reference_file.rows() as rows:
            head = list(itertools.islice(rows, NIK_SNIFF_ROWS))
        return sniff_settings(head, self.reference_layout, self.fields, max_block=self.max_block)

    def training_sample(self, settings: Settings) -> Batch:
        """Candidates ``0, s, 2s, ...`` (:class:`RawSample`), normalised, with their keys."""

        def sample(arrow: bool) -> RawSample:
            sampler = RawSample(TRAIN_CANDIDATES)
            for raw in raw_batches(self.candidate_file, self.candidate_layout, arrow=arrow):
                sampler.add(raw)
            return sampler

        sampler = with_csv_fallback(sample)
        return build(sampler.raw(self.candidate_layout), self.candidate_layout, settings, query=True)


def link_files(job: LinkJob, *, progress: Callable[[str], None] | None = None) -> LinkStats:
    """Run ``job`` in this process; write its output file."""
    say = progress or (lambda _message: None)
    stats = LinkStats()
    started = time.perf_counter()
    settings = job.settings()
    stats.settings = settings
    comparisons = active_comparisons(settings.fields)
    if settings.ids_carry_birth_date:
        say("the ids carry the birth date (NIK-like): a blank birth date or sex is read from the id")

    index = ReferenceIndex.from_file(job.reference_file, job.reference_layout, settings)
    stats.reference_rows = len(index)
    stats.seconds["index"] = time.perf_counter() - started
    say(f"indexed {len(index)} reference rows, {len(index.blocks)} blocking keys")

    mark = time.perf_counter()
    model = train(index, job.training_sample(settings), comparisons, dedupe=job.dedupe)
    stats.model = model
    stats.seconds["train"] = time.perf_counter() - mark
    say(model.describe())

    mark = time.perf_counter()
    partial = job.out.with_name(job.out.name + ".partial")

    def write(arrow: bool) -> LinkStats:
        run = LinkStats()
        try:
            with open(partial, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(OUTPUT_HEADER)
                batches = raw_batches(job.candidate_file, job.candidate_layout, arrow=arrow)
                options = {"threshold": job.threshold, "dedupe": job.dedupe, "stats": run}
                for links in link_raw(index, batches, job.candidate_layout, settings, model, **options):
                    writer.writerows(links.csv_rows())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return run

    run = with_csv_fallback(write)
    partial.replace(job.out)
    stats.candidates, stats.pairs, stats.links = run.candidates, run.pairs, run.links
    stats.seconds["link"] = time.perf_counter() - mark
    stats.seconds["total"] = time.perf_counter() - started
    if index.blocks.skipped_keys:
        say(f"{index.blocks.skipped_keys} blocking keys shared by more than {settings.max_block} rows were skipped")
    say(stats.summary())
    return stats
