"""Reading the CSV files: encodings, delimiters, byte ranges for parallel readers, samples.

* Encoding: UTF-8 with a BOM, UTF-8, else Latin-1 (which decodes any byte).
* Delimiter: the most frequent of ``, ; TAB |`` in the header line.
* Rows are ``(row number, values)``; row numbers count the data rows from 0 and skip
  empty lines. A row shorter than the header is padded with blanks, a longer one cut.
* Large files are parsed by pyarrow's multi-threaded CSV reader (:meth:`CsvFile.arrow_batches`);
  the csv module reads the rest (and any file pyarrow refuses, e.g. ragged rows).
* Samples for training are rows ``0, s, 2s, ...`` (``engine.RawSample``): the same rows
  whichever way the file is read, so the single-process and the chunked paths train alike.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

try:
    import pyarrow as pa
    import pyarrow.csv as pa_csv
except ImportError:  # pragma: no cover - pyarrow is in requirements; the csv module still works
    pa = pa_csv = None

HAVE_ARROW = pa is not None
_QUOTE = b'"'


class CsvError(ValueError):
    """A CSV file the linkage library cannot read. Not a ``DomainError``: the library knows
    no users (the ``link_records`` command reports it), so its messages stay uncatalogued."""


class ArrowRefused(Exception):
    """pyarrow could not parse the file (e.g. a row of the wrong width): read it with the
    csv module instead. Only the CSV reader raises this; other errors propagate. Not a
    ``DomainError``: a signal inside the library, never shown to anyone."""


def detect_encoding(path: str | Path) -> str:
    """``utf-8-sig`` with a BOM, ``utf-8`` when the whole file decodes as UTF-8, else ``latin-1``."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


class CsvFile:
    """A CSV file's encoding, delimiter, header and where its data rows start."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise CsvError(f"{self.path}: no such file")
        self.encoding = detect_encoding(self.path)
        with open(self.path, newline="", encoding=self.encoding) as f:
            first = f.readline()
            self.delimiter = sniff_delimiter(first)
            f.seek(0)
            reader = csv.reader(f, delimiter=self.delimiter)
            header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise CsvError(f"{self.path}: the file is empty (a header row is needed)")
        header[0] = header[0].lstrip("\ufeff")
        self.header = [h.strip() for h in header]
        self.width = len(self.header)
        self.data_start = self._header_bytes()

    def _header_bytes(self) -> int:
        """Byte offset of the first data row (the header may span lines when quoted)."""
        with open(self.path, "rb") as f:
            quotes = 0
            while line := f.readline():
                quotes += line.count(_QUOTE)
                if quotes % 2 == 0:
                    return f.tell()
        return os.path.getsize(self.path)

    def _rows(self, text_stream) -> Iterator[list[str]]:
        width = self.width
        for row in csv.reader(text_stream, delimiter=self.delimiter):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                row = row[:width] if len(row) > width else row + [""] * (width - len(row))
            yield row

    @contextmanager
    def rows(self) -> Iterator[Iterator[tuple[int, list[str]]]]:
        """All data rows as ``(row number, values)``, streamed."""
        with open(self.path, "rb") as raw:
            raw.seek(self.data_start)
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            try:
                yield enumerate(self._rows(text))
            finally:
                text.detach()

    def arrow_batches(self, positions: Sequence[int]) -> Iterator[tuple[int, dict[int, object]]]:
        """The columns at ``positions`` as pyarrow string arrays, batch by batch: ``(number
        of the batch's first row, {position: array})``. Parsed in C++ on every core;
        raises :class:`ArrowRefused` on a row of the wrong width (callers then read the
        file with :meth:`rows`, which pads such rows)."""
        names = [f"c{i}" for i in range(self.width)]
        wanted = sorted(set(positions))
        try:
            reader = pa_csv.open_csv(
                self.path,
                read_options=pa_csv.ReadOptions(
                    block_size=32 << 20, column_names=names, skip_rows=1, encoding=self.encoding.replace("-sig", "")
                ),
                parse_options=pa_csv.ParseOptions(delimiter=self.delimiter, newlines_in_values=True),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    include_columns=[names[i] for i in wanted],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise ArrowRefused(str(exc)) from exc
        first = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise ArrowRefused(str(exc)) from exc
            if batch.num_rows:
                yield first, {i: batch.column(names[i]) for i in wanted}
                first += batch.num_rows
