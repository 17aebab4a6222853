"""``manage.py import_population FILE.csv``: upsert population (Dukcapil) records by NIK.

Thin: the rules live in ``verification.services.population``. Prints
``read=N inserted=N updated=N unchanged=N bad=N``; bad rows (``line,nik,reason``, NIK
masked) go to stderr, or to ``--errors FILE.csv``. Bad rows do not fail the command;
a file that cannot be imported at all (missing column, not CSV text) does.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.services.population import (
    DEFAULT_CHUNK_SIZE,
    BadRowCsvWriter,
    PopulationImportError,
    import_population,
)


class Command(BaseCommand):
    help = (
        "Upsert population (Dukcapil) records by NIK from a CSV file with the columns "
        "nik,kk_number,full_name,birth_place,birth_date,sex,village_code,address,status,status_date "
        "(optional: rt,rw,moved_to). Bad rows are reported and skipped; good rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row); '-' reads standard input")
        parser.add_argument("--errors", metavar="FILE.csv", help="write bad rows here instead of to stderr")
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="rows per transaction")

    def handle(self, *args, file, errors=None, chunk_size=DEFAULT_CHUNK_SIZE, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        if file == "-":
            source = sys.stdin.buffer
        else:
            source = Path(file)
            if not source.is_file():
                raise CommandError(f"File not found: {file}")
        try:
            if errors:
                with open(errors, "w", encoding="utf-8", newline="") as out:
                    result = import_population(source, on_bad_row=BadRowCsvWriter(out), chunk_size=chunk_size)
            else:
                result = import_population(source, on_bad_row=BadRowCsvWriter(self.stderr), chunk_size=chunk_size)
        except PopulationImportError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
