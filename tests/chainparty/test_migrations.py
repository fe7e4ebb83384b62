"""Migrations that index the largest tables must not block writes in production."""

import pytest
from django.db import NotSupportedError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddConstraint, AddIndex, CreateModel, RemoveIndex

from chainparty.migration_operations import AddConstraintConcurrently, AddIndexConcurrently, RemoveIndexConcurrently
from tests.conftest import need_service

# (app label, model name) of the tables that grow with every filing, dispatch, step and visit.
BIG_TABLES = {
    ("demands", "need"),
    ("demands", "assignment"),
    ("demands", "needevent"),
    ("guides", "visit"),
    ("guides", "assignment"),
    ("guides", "visitperson"),
}


def _built_as_index(constraint) -> bool:
    """A unique constraint PostgreSQL builds as a CREATE UNIQUE INDEX (a condition, expressions or
    include), which blocks writes like any index; a plain unique constraint is left to review."""
    return bool(
        getattr(constraint, "condition", None)
        or getattr(constraint, "expressions", ())
        or getattr(constraint, "include", ())
    )


def _index_operations_on_big_tables():
    """(migration, operation) for every index added to or removed from a big table after the
    migration that created it (an index created with its table blocks nobody)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = []
    for (app_label, _name), migration in sorted(loader.disk_migrations.items()):
        created_here = {(app_label, op.name.lower()) for op in migration.operations if isinstance(op, CreateModel)}
        for op in migration.operations:
            if not isinstance(op, AddIndex | RemoveIndex | AddConstraint):
                continue
            if isinstance(op, AddConstraint) and not _built_as_index(op.constraint):
                continue
            table = (app_label, op.model_name.lower())
            if table in BIG_TABLES and table not in created_here:
                found.append((migration, op))
    return found


def test_the_check_sees_the_existing_index_migrations():
    # The list indexes of demands.0003 are on needs and assignments: the check must find them,
    # or it would pass on anything.
    names = {op.index.name for _migration, op in _index_operations_on_big_tables() if isinstance(op, AddIndex)}
    assert {"assignment_department_need", "need_id_filed_at"} <= names
    constraints = {
        op.constraint.name for _migration, op in _index_operations_on_big_tables() if isinstance(op, AddConstraint)
    }
    assert {"visit_client_key_once", "need_one_per_decision"} <= constraints


@pytest.mark.parametrize(
    ("migration", "operation"),
    _index_operations_on_big_tables(),
    ids=lambda value: getattr(value, "name", None) or getattr(value, "describe", lambda: "")(),
)
def test_indexes_on_big_tables_are_built_concurrently(migration, operation):
    wanted = {
        AddIndex: "AddIndexConcurrently",
        RemoveIndex: "RemoveIndexConcurrently",
        AddConstraint: "AddConstraintConcurrently",
    }
    assert isinstance(operation, AddIndexConcurrently | RemoveIndexConcurrently | AddConstraintConcurrently), (
        f"{migration.app_label}.{migration.name}: use chainparty.migration_operations."
        f"{next(name for kind, name in wanted.items() if isinstance(operation, kind))}"
    )
    assert migration.atomic is False, f"{migration.app_label}.{migration.name} must set atomic = False"


@pytest.mark.django_db
def test_the_concurrent_indexes_exist_after_migrating():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "demands_need")
    assert "need_id_filed_at" in constraints
    assert constraints["need_id_filed_at"]["index"]
    with connection.cursor() as cursor:
        visits = connection.introspection.get_constraints(cursor, "guides_visit")
    assert visits["visit_client_key_once"]["unique"]


CONCURRENT = (AddIndexConcurrently, RemoveIndexConcurrently, AddConstraintConcurrently)


def _migrations_with_concurrent_operations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        migration
        for _key, migration in sorted(loader.disk_migrations.items())
        if any(isinstance(op, CONCURRENT) for op in migration.operations)
    ]


def test_a_concurrent_operation_is_alone_in_its_migration():
    """A non-atomic migration commits each operation as it goes: anything beside the concurrent
    build would be left half-applied when the build fails, and the rerun would trip over it."""
    migrations = _migrations_with_concurrent_operations()
    assert {m.name for m in migrations} >= {"0005_visit_client_key_once", "0006_need_one_per_decision"}
    for migration in migrations:
        others = [op for op in migration.operations if not isinstance(op, CONCURRENT)]
        assert not others, f"{migration.app_label}.{migration.name}: move {others} to an atomic migration"


def _index_valid(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
        row = cursor.fetchone()
    return None if row is None else row[0]


@pytest.mark.django_db(transaction=True)
def test_a_failed_concurrent_build_is_built_again_and_a_rerun_changes_nothing():
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL): CREATE UNIQUE INDEX CONCURRENTLY")
    loader = MigrationLoader(connection)
    [operation] = loader.get_migration("guides", "0005_visit_client_key_once").operations
    before = loader.project_state(("guides", "0004_last_visit"))
    after = loader.project_state(("guides", "0005_visit_client_key_once"))

    def build():
        with connection.schema_editor(atomic=False) as editor:
            operation.database_forwards("guides", editor, before, after)

    # What a cancelled CREATE INDEX CONCURRENTLY leaves behind: the index, marked invalid.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass('visit_client_key_once')")
    assert _index_valid("visit_client_key_once") is False
    build()
    assert _index_valid("visit_client_key_once") is True
    build()  # a deploy that died after the build, before the migration was recorded
    assert _index_valid("visit_client_key_once") is True
    with pytest.raises(NotSupportedError), transaction.atomic():
        build()
