"""Reading a population file in chunks: pyarrow's CSV reader on a path, the ``csv``
module on a file object or from the first record pyarrow cannot read as ``csv`` would."""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.utils import translation
from django.utils.translation import gettext as _

from verification.errors import POPULATION_ERRORS, PopulationImportError
from verification.population.block import Block, BlockValidator
from verification.population.columns import _RECORD_COLUMNS, BadRow, _RowValidator, parse_header

logger = logging.getLogger(__name__)


# --- Reading --------------------------------------------------------------------------------


@dataclass
class _Chunk:
    payload: Any  # the good rows (``_Good``); the writer makes them COPY text or row tuples
    count: int  # good rows in it
    bad: list[BadRow]
    read: int
    lines: int


@contextlib.contextmanager
def _open_text(source) -> Iterator[IO[str]]:
    """A text stream over a path or a binary/text file object (UTF-8, BOM allowed).

    Undecodable bytes become surrogate escapes, so the rows that hold them are reported
    one by one instead of the whole file failing halfway.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:
            yield stream
        return
    if isinstance(source, io.TextIOBase):
        yield source
        return
    stream = io.TextIOWrapper(source, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield stream
    finally:
        stream.detach()


def _read_header(stream: IO[str], parse=None) -> tuple[str, dict[str, int], int]:
    """The delimiter, the known columns' positions and how many fields the header has;
    ``parse`` reads the header's columns (the events import passes its own)."""
    header_line = stream.readline()
    if not header_line.strip():
        raise PopulationImportError(POPULATION_ERRORS["empty_file"])
    if "\x00" in header_line:
        raise PopulationImportError(POPULATION_ERRORS["not_text"])
    header_line = header_line.rstrip("\r\n")
    delimiter, index = (parse or parse_header)(header_line)
    fields = len(next(csv.reader([header_line.lstrip("\ufeff")], delimiter=delimiter), []))
    return delimiter, index, fields


def _chunks(
    stream: IO[str],
    *,
    delimiter: str,
    validate: _RowValidator,
    chunk_size: int,
    serialize: Callable[[_Good], Any],
    skip_records: int = 0,
) -> Iterator[_Chunk]:
    """Validated chunks of the rows after the header (already read from ``stream``):
    each chunk's rows checked as a block (``block``), the rows the block
    leaves over one by one, then duplicates of a NIK within the chunk found."""
    reader = csv.reader(stream, delimiter=delimiter)
    check_block = BlockValidator(validate)
    previous_end = 0  # reader.line_num counts the lines after the header
    for _record in range(skip_records):  # already imported by the fast reader
        if next(reader, None) is None:
            return
        previous_end = reader.line_num
    while True:
        rows: list[list[str]] = []
        lines: list[int] = []
        row = None
        while len(rows) < chunk_size:
            try:
                row = next(reader, None)
            except csv.Error as exc:
                raise PopulationImportError(
                    POPULATION_ERRORS["broken_csv"] % {"line": reader.line_num + 1, "e": exc}
                ) from None
            if row is None:
                break
            line = previous_end + 2  # the header is line 1
            previous_end = reader.line_num
            if not "".join(row).strip():
                continue  # a blank line, or a spreadsheet's empty row
            rows.append(row)
            lines.append(line)
        good, bad = _check_rows(rows, lines, validate, check_block)
        yield _Chunk(serialize(good) if good.count else None, good.count, bad, len(rows), previous_end + 1)
        if row is None:
            return


#: Bytes of CSV the fast reader parses at a time (about 30,000 rows of a Dukcapil extract).
_ARROW_BLOCK = 4 << 20


class _FastReadStopped(Exception):
    """The fast reader met something only the ``csv`` module reports well (a row with
    too many or too few fields, bytes that are not UTF-8): go on from record ``records``."""

    def __init__(self, records: int):
        super().__init__(records)
        self.records = records


def _chunks_from_path(
    path: str | os.PathLike,
    *,
    delimiter: str,
    fields: int,
    validate: _RowValidator,
    chunk_size: int,
    serialize: Callable[[_Good], Any],
) -> Iterator[_Chunk]:
    """Chunks of a file on disk: pyarrow's CSV parser (C++, no Python object per value)
    while the file is regular; from the first irregular record on, the ``csv`` module."""
    try:
        yield from _chunks_arrow(
            path, delimiter=delimiter, fields=fields, validate=validate, chunk_size=chunk_size, serialize=serialize
        )
    except _FastReadStopped as stop:
        with _open_text(path) as stream:
            stream.readline()  # the header
            yield from _chunks(
                stream,
                delimiter=delimiter,
                validate=validate,
                chunk_size=chunk_size,
                serialize=serialize,
                skip_records=stop.records,
            )


def _has_line_break(data: pa.Buffer) -> bool:
    raw = np.frombuffer(data, dtype=np.uint8)
    return bool(((raw == 10) | (raw == 13)).any())


def _line_breaks(columns: list[pa.Array]) -> np.ndarray | None:
    """Line breaks inside each record's quoted values (``None`` when there are none):
    they shift the line numbers of the records after it."""
    breaks = None
    for column in columns:
        data = column.buffers()[2]  # the values' bytes
        if data is None or not _has_line_break(data):
            continue
        if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
            counted = (
                pc.count_substring(column, "\n").to_numpy()
                + pc.count_substring(column, "\r").to_numpy()
                - pc.count_substring(column, "\r\n").to_numpy()
            )
            breaks = counted if breaks is None else breaks + counted
    return breaks


def _open_arrow_csv(arrow_csv, path, names: list[str], delimiter: str):
    return arrow_csv.open_csv(
        path,
        read_options=arrow_csv.ReadOptions(skip_rows=1, column_names=names, block_size=_ARROW_BLOCK, use_threads=False),
        parse_options=arrow_csv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=lambda _row: "error",
        ),
        convert_options=arrow_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _chunks_arrow(
    path: str | os.PathLike,
    *,
    delimiter: str,
    fields: int,
    validate: _RowValidator,
    chunk_size: int,
    serialize: Callable[[_Good], Any],
) -> Iterator[_Chunk]:
    """Validated chunks, parsed by pyarrow. Lines are numbered as the ``csv`` path numbers
    them: every record is one line plus the line breaks inside its quoted values."""
    from pyarrow import csv as arrow_csv

    names = [f"c{i}" for i in range(fields)]
    try:  # the first block is parsed at once
        reader = _open_arrow_csv(arrow_csv, path, names, delimiter)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        raise _FastReadStopped(0) from None
    check_block = BlockValidator(validate)
    records = 0  # records read in whole chunks so far (where the csv path would go on)
    next_line = 2  # the header is line 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError):
            raise _FastReadStopped(records) from None
        batch_breaks = _line_breaks(batch.columns)  # once a batch: its chunks share its buffers
        for start in range(0, batch.num_rows, chunk_size):
            part = batch.slice(start, chunk_size)
            n = part.num_rows
            lines = next_line + np.arange(n, dtype=np.int64)
            breaks = None if batch_breaks is None else batch_breaks[start : start + n]
            if breaks is not None:
                lines += np.concatenate([[0], np.cumsum(breaks)[:-1]])
            last_line = int(lines[-1] + (breaks[-1] if breaks is not None else 0))
            block = check_block.columns({name: part.column(i) for name, i in validate.index.items()})
            leftover, blank = [], 0
            for position in block.leftover:
                row = [part.column(i)[position].as_py() for i in range(fields)]
                if not "".join(row).strip():
                    blank += 1  # a blank line, or a spreadsheet's empty row
                    continue
                leftover.append((row, int(lines[position])))
            good, bad = _merge(block, lines[block.lines], leftover, validate)
            records += n
            next_line = last_line + 1
            yield _Chunk(serialize(good) if good.count else None, good.count, bad, n - blank, last_line)


@dataclass
class _Good:
    """A chunk's accepted rows as columns: ``line`` (numpy) and each of ``_RECORD_COLUMNS``."""

    lines: np.ndarray
    columns: dict[str, pa.Array]

    @property
    def count(self) -> int:
        return len(self.lines)

    def tuples(self) -> list[tuple]:
        """The rows as tuples of ``_ROW_COLUMNS``."""
        return list(zip(self.lines.tolist(), *(self.columns[c].to_pylist() for c in _RECORD_COLUMNS), strict=True))


def _check_rows(
    rows: list[list[str]], lines: list[int], validate: _RowValidator, check_block: BlockValidator
) -> tuple[_Good, list[BadRow]]:
    """A chunk read by the ``csv`` module: the block check, then the rows it leaves."""
    block = check_block(rows) if rows else None
    if block is None:
        return _merge(None, None, [(rows[p], lines[p]) for p in range(len(rows))], validate)
    block_lines = np.asarray(lines, dtype=np.int64)[block.lines]
    return _merge(block, block_lines, [(rows[p], lines[p]) for p in block.leftover], validate)


def _merge(
    block: Block | None, block_lines: np.ndarray | None, leftover: list[tuple[list[str], int]], validate: _RowValidator
) -> tuple[_Good, list[BadRow]]:
    """The block's accepted rows plus the leftover rows the per-row validator accepts;
    its refusals and the repeated NIKs as bad rows, in line order."""
    bad: list[BadRow] = []
    accepted: list[tuple] = []
    nik_column = validate.index["nik"]
    for row, line in leftover:
        result = validate(row, line)
        if type(result) is list:
            nik = row[nik_column].strip() if len(row) > nik_column else ""
            bad.append(BadRow(line, nik, "; ".join(result)))
        else:
            accepted.append(result)
    extra_lines = np.array([r[0] for r in accepted], dtype=np.int64)
    extra = {name: pa.array([r[k] for r in accepted], type=pa.string()) for k, name in enumerate(_RECORD_COLUMNS, 1)}
    if block is not None and len(block_lines):
        good = _Good(
            np.concatenate([block_lines, extra_lines]) if accepted else block_lines,
            {name: pa.concat_arrays([block.columns[name], extra[name]]) for name in _RECORD_COLUMNS}
            if accepted
            else block.columns,
        )
    else:
        good = _Good(extra_lines, extra)
    if good.count > 1:
        good, duplicates = _without_repeated_niks(good)
        bad += duplicates
    if bad:
        bad.sort(key=lambda b: b.line)
    return good, bad


def _without_repeated_niks(good: _Good) -> tuple[_Good, list[BadRow]]:
    """Keep the first row (by line) of each NIK; the later ones are bad rows naming it."""
    niks = pc.cast(good.columns["nik"], pa.int64()).to_numpy()
    order = np.lexsort((good.lines, niks))
    ordered = niks[order]
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = ordered[1:] == ordered[:-1]
    if not repeat.any():
        return good, []
    group_start = np.maximum.accumulate(np.where(~repeat, np.arange(len(order)), 0))
    first_line = good.lines[order][group_start]
    duplicates = [
        BadRow(
            int(good.lines[order[i]]),
            good.columns["nik"][int(order[i])].as_py(),
            _("NIK ganda dalam berkas (pertama kali pada baris %(n)s)") % {"n": int(first_line[i])},
        )
        for i in np.flatnonzero(repeat)
    ]
    keep = np.ones(len(order), dtype=bool)
    keep[order[repeat]] = False
    mask = pa.array(keep)
    return _Good(good.lines[keep], {name: pc.filter(a, mask) for name, a in good.columns.items()}), duplicates


_DONE = object()


def _read_ahead(chunks: Iterator[_Chunk], *, depth: int = 2) -> Iterator[_Chunk]:
    """Produce ``chunks`` in a reader thread, ``depth`` ahead of the consumer."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def produce() -> None:
        with translation.override(language):
            try:
                for chunk in chunks:
                    while not stop.is_set():
                        try:
                            buffer.put(chunk, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                item: object = _DONE
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                item = exc
            while not stop.is_set():
                try:
                    buffer.put(item, timeout=0.2)
                    return
                except queue.Full:
                    continue

    thread = threading.Thread(target=produce, name="population-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)
