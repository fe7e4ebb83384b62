"""The trigram index on need titles is built concurrently; a build that failed earlier (an INVALID
index left under its name) is dropped and built again instead of being kept for good."""

import importlib

import pytest
from django.db import connection

from tests.conftest import need_service

tuning = importlib.import_module("demands.migrations.0002_postgresql_tuning")


def _valid():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname = 'need_title_trgm'"
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_invalid_index_left_by_a_failed_build_is_built_again():
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL=postgres://…)")
    assert _valid() is True
    with connection.cursor() as cursor:  # what a failed CREATE INDEX CONCURRENTLY leaves behind
        cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'need_title_trgm'::regclass")
    assert _valid() is False
    with connection.schema_editor(atomic=False) as editor:
        tuning.forwards(None, editor)
    assert _valid() is True
