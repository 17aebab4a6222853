"""``manage.py seed_demo``: demo villages, households, one account per role, proposals in
every state and what the other apps make of them (the library: ``registrations.demo``).

Idempotent and deterministic: a second run creates nothing. The demo password is public
(README), so the command refuses to run with ``DEBUG=False`` unless ``--force`` is given.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registrations.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from registrations.demo.steps import REFERENCE_DATE, SEED, seed_demo


class Command(BaseCommand):
    help = (
        "Create demo data: households of five real villages (Kabupaten Bandung and Sumedang) and one account "
        f"per role, all with the password {DEMO_PASSWORD}. Idempotent; refuses to run with DEBUG=False "
        "unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG=False (only for a demo or staging server, never production).",
        )

    def execute(self, *args, **options):
        # Refuse before anything else, system checks included.
        if not settings.DEBUG and not options.get("force"):
            raise CommandError(
                "seed_demo menolak berjalan dengan DEBUG=False: akun demo memakai kata sandi yang dipublikasikan. "
                "Gunakan --force hanya untuk server demo/staging, jangan di server produksi."
            )
        return super().execute(*args, **options)

    def handle(self, *args, **options):
        started = time.monotonic()
        reports = seed_demo(options)
        seconds = time.monotonic() - started

        self.stdout.write(f"Data demo DTSEN (seed {SEED}, umur per {REFERENCE_DATE:%d-%m-%Y}):")
        for r in reports:
            self.stdout.write(f"  {r.label}: {r.created} dibuat, {r.present} sudah ada")
        self.stdout.write(f"Akun demo (kata sandi semua akun: {DEMO_PASSWORD}):")
        for a in DEMO_ACCOUNTS:
            self.stdout.write(f"  {a.username:<22} {a.role:<14} {a.region_code or '-':<14} {a.description}")
        self.stdout.write(
            f"Verifikasi dua langkah (HANYA DEMO): petugas di atas operator desa memasukkan kode dari aplikasi "
            f"autentikator dengan kunci TOTP {DEMO_TOTP_SECRET}"
        )
        self.stdout.write(self.style.SUCCESS(f"Selesai dalam {seconds:.1f} s."))
