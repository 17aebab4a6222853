"""Make the proposal timeline append-only in PostgreSQL itself.

The model already refuses ``save()`` on an existing row and ``delete()``; this trigger
also refuses UPDATE and DELETE issued by raw SQL, a queryset ``.update()``/``.delete()``,
or another client of the database. SQLite (development) relies on the model checks.
TRUNCATE is left to the table owner (test flushes use it); the portal's own database
role should not own the tables in production (docs/deploy.md).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION registrations_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registrations_proposalevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registrations_proposalevent_append_only
    BEFORE UPDATE OR DELETE ON registrations_proposalevent
    FOR EACH ROW EXECUTE FUNCTION registrations_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS registrations_proposalevent_append_only ON registrations_proposalevent;
DROP FUNCTION IF EXISTS registrations_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("registrations", "0002_residents_and_proposals")]

    operations = [migrations.RunPython(forwards, backwards)]
