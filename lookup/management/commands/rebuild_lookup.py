import time

from django.core.management.base import BaseCommand

from lookup.indexing import lookup_index_villages, lookup_rebuild_all, lookup_sweep


class Command(BaseCommand):
    help = (
        "Rebuild the public lookup index (cek bansos) from the register, proposals and eligibility results: "
        "every village, only --village CODE (repeatable), or only what changed since the last sweep (--changed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--village", action="append", default=[], help="Kode desa/kelurahan (boleh berulang)")
        parser.add_argument("--changed", action="store_true", help="Hanya desa yang datanya berubah")

    def handle(self, *args, village, changed, **options):
        started = time.monotonic()
        if village:
            count = lookup_index_villages(village)
        elif changed:
            count = lookup_sweep()
        else:
            count = lookup_rebuild_all()
        self.stdout.write(f"Indeks cek bansos: {count} orang dalam {time.monotonic() - started:.1f} s.")
