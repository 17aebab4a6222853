"""``manage.py import_official_desil FILE --period 2026-Q4``: an official desil file too
large for the upload form. Same rules as the page (``services.official_import``)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from eligibility.services import official_import


class Command(BaseCommand):
    help = "Import a CSV of no_kk,desil from the statistics office; it takes precedence over the model's desil."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--period", required=True, help="TTTT-Qn, e.g. 2026-Q4")

    def handle(self, *args, file: Path, period: str, **options):
        try:
            report = official_import(data=file.read_bytes(), file_name=file.name, period=period, user=None)
        except (OSError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        r = report.record
        self.stdout.write(
            self.style.SUCCESS(
                f"{r.rows_saved} desil disimpan, {r.rows_matched} cocok dengan KK terdaftar, {r.rows_invalid} ditolak."
            )
        )
        for error in report.errors[:20]:
            self.stdout.write(f"  {error}")
