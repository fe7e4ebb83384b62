"""One need per meeting decision: a unique partial index on demands_need (decision_id), built with
CREATE UNIQUE INDEX CONCURRENTLY on PostgreSQL so filing and dispatching needs are never blocked
while it is built (a plain AddConstraint would lock the table's writes for the whole build).

It is also the index behind Need.decision (declared db_index=False): decision → need lookups and
the PROTECT check when a decision is deleted use it. Django's state gets the model's
UniqueConstraint, so `full_clean()` reports a second need for a decision with the constraint's
Chinese message, and makemigrations sees nothing to do.
"""

from django.db import migrations, models

INDEX = "need_one_per_decision"


class AddUniqueConstraintConcurrently(migrations.AddConstraint):
    """AddConstraint of a conditional UniqueConstraint, built concurrently on PostgreSQL; a plain
    AddConstraint elsewhere (SQLite has no concurrent writers to protect)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        # A failed concurrent build leaves an INVALID index that IF NOT EXISTS would keep: drop it first.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE c.relname = %s AND NOT i.indisvalid",
                [self.constraint.name],
            )
            invalid = cursor.fetchone() is not None
        if invalid:
            schema_editor.execute(f'DROP INDEX CONCURRENTLY "{self.constraint.name}"')
        schema_editor.execute(
            f'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "{self.constraint.name}"'
            ' ON "demands_need" ("decision_id") WHERE "decision_id" IS NOT NULL'
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{self.constraint.name}"')


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run in a transaction.
    atomic = False

    dependencies = [("demands", "0005_meetings_links")]

    operations = [
        AddUniqueConstraintConcurrently(
            model_name="need",
            constraint=models.UniqueConstraint(
                condition=models.Q(("decision__isnull", False)),
                fields=("decision",),
                name=INDEX,
                violation_error_message="该议定事项已转为需求，不能重复转办。",
            ),
        ),
    ]
