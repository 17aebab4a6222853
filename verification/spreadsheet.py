"""Cells for files staff open in a spreadsheet: the queue exports and the audit reports.

A value typed by someone else (a name such as ``=HYPERLINK(...)``) must not run as a
formula, and Excel refuses some control characters outright, which would fail a whole
report for one odd byte in one name.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """Text as a spreadsheet will not run it; times as ``YYYY-MM-DD HH:MM``."""
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def xlsx_cell(value):
    """A value openpyxl writes and Excel opens: no formula, no illegal character, no zone."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # already local time; Excel has no time zones
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_START):
            value = "'" + value
    return value
