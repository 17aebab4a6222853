from django.core.management.base import BaseCommand

from registrations.services.followups import followups_sweep


class Command(BaseCommand):
    help = "Send workflow follow-ups that were never sent (broker down) or whose worker died."

    def handle(self, *args, **options):
        self.stdout.write(f"{followups_sweep()} tindak lanjut dikirim ulang ke antrean.")
