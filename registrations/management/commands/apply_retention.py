from django.core.management.base import BaseCommand

from registrations.services.retention import apply_retention


class Command(BaseCommand):
    help = "Hapus data pribadi yang masa simpannya habis (docs/retention.md). --dry-run hanya menghitung."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="hitung saja, tidak menghapus apa pun")

    def handle(self, *args, dry_run=False, **options):
        report = apply_retention(dry_run=dry_run)
        verb = "akan dihapus" if dry_run else "dihapus"
        for rule, count in report.counts.items():
            self.stdout.write(f"  {rule:<34} {count:>8} {verb}")
        self.stdout.write(self.style.SUCCESS(f"Selesai{' (uji coba, tidak ada yang dihapus)' if dry_run else ''}."))
