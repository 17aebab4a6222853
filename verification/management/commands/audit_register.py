"""``manage.py audit_register REGISTER.csv --id-column COL --out FLAGS.csv``.

Thin: the rules live in ``verification.audit``. Writes ``row_id,flag,detail`` (one line
per flag; ``row_id`` is the row's value in COL) and prints the rows read, the rows
flagged and the count of each flag. ``.xlsx`` files are read too.
"""

from django.core.management.base import BaseCommand, CommandError

from verification.audit import flags as F
from verification.audit.engine import audit_file
from verification.audit.report import FlagCsvWriter
from verification.errors import AuditInputError


class Command(BaseCommand):
    help = (
        "Check every row of a register extract (columns household_id,kk_number,nik,full_name,birth_date,"
        "sex,village_code,relation; CSV or .xlsx) against the population records and the registered "
        "households; write row_id,flag,detail."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the register extract (CSV with a header row, or .xlsx)")
        parser.add_argument("--id-column", required=True, help="the column whose value identifies a row")
        parser.add_argument("--out", required=True, metavar="FLAGS.csv", help="where to write the flags")

    def handle(self, *args, file, id_column, out, **options):
        try:
            with open(out, "w", encoding="utf-8", newline="") as stream:
                result = audit_file(file, id_column=id_column, on_row=FlagCsvWriter(stream))
        except AuditInputError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"rows={result.rows} flagged_rows={result.flagged_rows}")
        for flag in F.FLAGS:
            self.stdout.write(f"{flag}={result.counts.get(flag, 0)}")
        if result.missing_columns:
            self.stderr.write("columns not in the file (their checks skipped): " + ",".join(result.missing_columns))
