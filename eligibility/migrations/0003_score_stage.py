"""The scratch table of a scoring run (``eligibility.scoring.STAGE_TABLE``).

Not a Django model: rows live only while a run goes, are read and written only by the
scoring SQL, and need no primary key or index. On PostgreSQL it is UNLOGGED (no WAL:
after a crash it comes back empty, which only fails the run that was going).
"""

from django.db import migrations

COLUMNS = (
    "run_id bigint NOT NULL, household_id bigint NOT NULL, village_code varchar(13) NOT NULL, "
    "kk_number varchar(16) NOT NULL, score double precision NOT NULL"
)


def create(apps, schema_editor):
    unlogged = "UNLOGGED " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE {unlogged}TABLE eligibility_scorestage ({COLUMNS})")


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE eligibility_scorestage")


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0002_default_model_and_programmes")]

    operations = [migrations.RunPython(create, drop)]
