"""What ``import_population`` and ``import_population_events`` share: the file argument
('-' for standard input), ``--errors`` and ``--chunk-size``, bad rows as CSV to stderr or
the errors file, and a ``CommandError`` for a file that cannot be imported at all."""

import sys
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.errors import PopulationImportError
from verification.population.columns import BadRowCsvWriter


class CsvImportCommand(BaseCommand):
    #: The service: ``run_import(source, *, on_bad_row, chunk_size)`` → a result with ``summary()``.
    run_import: Callable
    default_chunk_size: int

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row); '-' reads standard input")
        parser.add_argument("--errors", metavar="FILE.csv", help="write bad rows here instead of to stderr")
        parser.add_argument("--chunk-size", type=int, default=self.default_chunk_size, help="rows per transaction")

    def handle(self, *args, file, chunk_size, errors=None, **options):
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
                    result = self.run_import(source, on_bad_row=BadRowCsvWriter(out), chunk_size=chunk_size)
            else:
                result = self.run_import(source, on_bad_row=BadRowCsvWriter(self.stderr), chunk_size=chunk_size)
        except PopulationImportError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())
