"""Migrations that index the largest tables must not block writes in production."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddConstraint, AddIndex, CreateModel, RemoveIndex

from chainparty.migration_operations import AddConstraintConcurrently, AddIndexConcurrently, RemoveIndexConcurrently

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
