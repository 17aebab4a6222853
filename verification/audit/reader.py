"""Reading a register extract, streamed: CSV (any of ``, ; TAB |``, UTF-8 or Latin-1) or
Excel ``.xlsx`` (openpyxl read-only, first sheet). Rows come as ``(line, values)``, the
header being line 1; blank rows are skipped. Excel cells arrive as text: whole numbers
without ``.0``, dates as ISO.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from verification.errors import AUDIT_ERRORS, AuditInputError
from verification.linkage.csvio import detect_encoding, sniff_delimiter

#: The register columns the audit reads (``docs/audit.md``); others are ignored.
COLUMNS = ("household_id", "kk_number", "nik", "full_name", "birth_date", "sex", "village_code", "relation")
REQUIRED = ("nik",)


@dataclass
class Source:
    path: Path
    kind: str  # "csv" or "xlsx"
    index: dict[str, int] = field(default_factory=dict)
    id_index: int | None = None
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def missing(self) -> list[str]:
        """Contract columns the file lacks (their checks are skipped)."""
        return [name for name in COLUMNS if name not in self.index]


def _kind(path: Path) -> str:
    with open(path, "rb") as stream:
        head = stream.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise AuditInputError(AUDIT_ERRORS["old_xls"])
    if head.startswith(b"%PDF"):
        raise AuditInputError(AUDIT_ERRORS["pdf"])
    return "csv"


def cell_text(value) -> str:
    """An Excel cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_index(names: list[str], id_column: str | None) -> tuple[dict[str, int], int | None]:
    cleaned = [(name or "").strip().lstrip("\ufeff").strip().lower() for name in names]
    index: dict[str, int] = {}
    for position, name in enumerate(cleaned):
        if name in COLUMNS and name not in index:
            index[name] = position
    missing = [name for name in REQUIRED if name not in index]
    if missing:
        raise AuditInputError(
            AUDIT_ERRORS["columns_missing"] % {"missing": ", ".join(missing), "columns": ",".join(COLUMNS)}
        )
    id_index = None
    if id_column:
        wanted = id_column.strip().lower()
        if wanted not in cleaned:
            raise AuditInputError(AUDIT_ERRORS["id_column_missing"] % {"col": id_column})
        id_index = cleaned.index(wanted)
    return index, id_index


def _open_xlsx(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zipfile/openpyxl raise many kinds for a broken file
        raise AuditInputError(AUDIT_ERRORS["excel_unreadable"]) from None


def open_source(path: str | Path, id_column: str | None = None) -> Source:
    """Check the file's kind and header; ``AuditInputError`` with the reason otherwise."""
    path = Path(path)
    if not path.is_file():
        raise AuditInputError(AUDIT_ERRORS["file_not_found"] % {"name": path.name})
    kind = _kind(path)
    if kind == "xlsx":
        book = _open_xlsx(path)
        try:
            sheet = book.worksheets[0]
            first = next(sheet.iter_rows(max_row=1, values_only=True), None)
        finally:
            book.close()
        if not first:
            raise AuditInputError(AUDIT_ERRORS["excel_empty"])
        index, id_index = _header_index([cell_text(v) for v in first], id_column)
        return Source(path, kind, index, id_index)
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as stream:
        header_line = stream.readline()
    if not header_line.strip():
        raise AuditInputError(AUDIT_ERRORS["empty_file"])
    if "\x00" in header_line:
        raise AuditInputError(AUDIT_ERRORS["not_text"])
    delimiter = sniff_delimiter(header_line)
    names = next(csv.reader([header_line], delimiter=delimiter), [])
    index, id_index = _header_index(names, id_column)
    return Source(path, kind, index, id_index, encoding, delimiter)


def iter_rows(source: Source) -> Iterator[tuple[int, list[str]]]:
    """``(line, values)`` for every non-blank data row."""
    if source.kind == "xlsx":
        book = _open_xlsx(source.path)
        try:
            rows = book.worksheets[0].iter_rows(min_row=2, values_only=True)
            for line, values in enumerate(rows, start=2):
                texts = [cell_text(v) for v in values]
                if any(texts):
                    yield line, texts
        finally:
            book.close()
        return
    with open(source.path, encoding=source.encoding, newline="") as stream:
        reader = csv.reader(stream, delimiter=source.delimiter)
        next(reader, None)
        line = reader.line_num + 1
        for values in reader:
            if "".join(values).strip():
                yield line, values
            line = reader.line_num + 1


def count_rows(source: Source) -> int:
    """Data rows, roughly (for the progress bar): lines of a CSV, the sheet's size in Excel."""
    if source.kind == "xlsx":
        book = _open_xlsx(source.path)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    lines, last = 0, b"\n"
    with open(source.path, "rb") as stream:
        while block := stream.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines + (last != b"\n") - 1, 0)
