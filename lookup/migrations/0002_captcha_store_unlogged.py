"""The captcha store on PostgreSQL: UNLOGGED and indexed by expiry.

Every public search writes a captcha row and deletes expired ones
(django-simple-captcha). The rows live ten minutes and mean nothing after a crash, so
the table skips the write-ahead log (no WAL flush per search), and the expiry index
keeps the library's ``DELETE … WHERE expiration <= now()`` from scanning the table.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE captcha_captchastore SET UNLOGGED",
    "CREATE INDEX IF NOT EXISTS lookup_captcha_expiration ON captcha_captchastore (expiration)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS lookup_captcha_expiration",
    "ALTER TABLE captcha_captchastore SET LOGGED",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("lookup", "0001_initial"),
        ("captcha", "0002_alter_captchastore_id"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
