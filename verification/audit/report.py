"""Writing an audit's flags: the contract's CSV (``row_id,flag,detail``) and, for the
staff page, the same lines with the row's household and village, as CSV or Excel."""

from __future__ import annotations

import csv
from typing import IO

from verification.audit.engine import RowResult
from verification.spreadsheet import csv_cell

CONTRACT_HEADER = ("row_id", "flag", "detail")
REPORT_HEADER = ("row_id", "flag", "detail", "line", "household_id", "village_code")


class FlagCsvWriter:
    """``on_row`` callback writing one line per flag; ``wide`` adds line, household and village."""

    def __init__(self, stream: IO[str], *, wide: bool = False):
        self.wide = wide
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(REPORT_HEADER if wide else CONTRACT_HEADER)

    def __call__(self, result: RowResult) -> None:
        row = result.row
        for flag, detail in result.flags:
            if self.wide:  # the page's report, opened in spreadsheets: no cell may run as a formula
                line = [row.row_id, flag, detail, row.line, row.household, row.facts.village or ""]
                self._writer.writerow([csv_cell(v) for v in line])
            else:  # the contract's output: row_id exactly as in the register
                self._writer.writerow([row.row_id, flag, detail])
