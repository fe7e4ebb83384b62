"""Migration operations that keep production writable while the schema changes.

Indexes on the largest tables (needs, assignments, need events, visits), and unique constraints
Django builds as indexes, are built with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL: a plain
``CREATE INDEX`` holds a lock that blocks every insert and update of the table until the index is
built, minutes at a province's scale. SQLite (the embedded default and local tests) has no such
statement and no concurrent writers to protect, so the same operation builds a plain index there.
A migration using these operations must set ``atomic = False``;
``tests/chainparty/test_migrations.py`` checks that every index added to a big table after its
creation is built this way.
"""

from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import NotInTransactionMixin
from django.contrib.postgres.operations import RemoveIndexConcurrently as PostgresRemoveIndexConcurrently
from django.db.migrations.operations import AddConstraint, AddIndex, RemoveIndex


def _is_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL, a plain index on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(PostgresRemoveIndexConcurrently):
    """``DROP INDEX CONCURRENTLY`` on PostgreSQL, a plain drop on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddConstraintConcurrently(NotInTransactionMixin, AddConstraint):
    """A unique constraint that Django builds as an index (one with a condition, an expression or
    `include`), created with ``CREATE UNIQUE INDEX CONCURRENTLY`` on PostgreSQL so the table stays
    writable while it is built; a plain constraint on other databases. PostgreSQL refuses to build
    it if rows already break it, as a plain constraint would."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        self._ensure_not_in_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        statement = str(self.constraint.create_sql(model, schema_editor))
        if not statement.startswith("CREATE UNIQUE INDEX "):
            raise ValueError(f"{self.constraint.name} is not built as an index: use AddConstraint")
        # A concurrent build that failed (rows breaking the constraint, a cancelled deploy) leaves an
        # INVALID index behind under the name: drop it so the next attempt builds it again. A valid one
        # (built by a run that died before the migration was recorded) is kept: IF NOT EXISTS.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_index WHERE indexrelid = to_regclass(%s) AND NOT indisvalid",
                [schema_editor.quote_name(self.constraint.name)],
            )
            invalid = cursor.fetchone() is not None
        if invalid:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY {schema_editor.quote_name(self.constraint.name)}")
        schema_editor.execute(
            statement.replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ", 1)
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not _is_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        self._ensure_not_in_transaction(schema_editor)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(self.constraint.name)}")
