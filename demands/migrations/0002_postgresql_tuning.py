"""PostgreSQL-only tuning the ORM cannot express portably (SQLite runs the tests locally).

- A trigram index, built concurrently (no lock on writes), so searching need titles with icontains stays fast at hundreds of thousands of rows.
- fillfactor 90 on assignments, so the escalation sweep's updates can stay on the same page (HOT).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # A concurrent build that failed leaves an INVALID index under the name, which IF NOT EXISTS
    # would then keep for good: drop it first, so running the migration again builds it.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname = 'need_title_trgm' AND NOT i.indisvalid"
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute("DROP INDEX CONCURRENTLY need_title_trgm")
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS need_title_trgm ON demands_need USING gin (upper(title::text) gin_trgm_ops)"
    )
    schema_editor.execute("ALTER TABLE demands_assignment SET (fillfactor = 90)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS need_title_trgm")
    schema_editor.execute("ALTER TABLE demands_assignment RESET (fillfactor)")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction, and must not block writes to needs.
    atomic = False

    dependencies = [("demands", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
