"""``manage.py check_consistency``: print what does not hold (``services/consistency.py``).

One line per finding (check, subject, detail, tab-separated), then a count; exits 1 when
anything was found, so a script or the load test can act on it.
"""

from django.core.management.base import BaseCommand

from registrations.services.consistency import consistency_findings


class Command(BaseCommand):
    help = "Checks proposals' events, follow-ups, stored files and registered apps' invariants."

    def handle(self, *args, **options):
        found = 0
        for finding in consistency_findings():
            found += 1
            self.stdout.write(finding.line())
        if found:
            self.stderr.write(f"{found} finding(s)")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("consistent: no findings"))
