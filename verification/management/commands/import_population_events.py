"""``manage.py import_population_events FILE.csv``: births, deaths, moves and KK changes.

Thin: the rules live in ``verification.services.population_events`` (format in
``docs/population.md``). Prints ``read=N inserted=N unchanged=N bad=N records_created=N
records_updated=N flags=N``; bad rows (``line,nik,reason``, NIK masked) go to stderr or
to ``--errors FILE.csv`` and do not fail the command; an unreadable file does.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.services.population import BadRowCsvWriter, PopulationImportError
from verification.services.population_events import DEFAULT_CHUNK_SIZE, import_population_events


class Command(BaseCommand):
    help = (
        "Import population events from a CSV file with the columns event_type,nik,event_date "
        "(optional: event_id,kk_number,full_name,birth_date,sex,village_code,moved_to_code,new_kk_number); "
        "each event updates the population record and flags the households and open proposals it touches. "
        "Rerunning the same file changes nothing."
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
                    result = import_population_events(source, on_bad_row=BadRowCsvWriter(out), chunk_size=chunk_size)
            else:
                result = import_population_events(
                    source, on_bad_row=BadRowCsvWriter(self.stderr), chunk_size=chunk_size
                )
        except PopulationImportError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
