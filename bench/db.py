"""The bench database: create it when missing, bring its schema up to the models, remember what was seeded.

The schema comes from the apps' migrations, applied by `migrate` on every run. The bench also
records a fingerprint of every table's columns and rebuilds (and reseeds) the database when the
models' columns change, since the seeded rows were written for the old columns; migrations that
leave the columns alone, such as new or renamed indexes and constraints, are applied in place, so
index work needs no reseed.
"""

import hashlib
import json
import time

import dj_database_url
import psycopg2
from psycopg2 import sql

META_TABLE = "bench_meta"
SCHEMA_APPS = ("chainparty", "alliances", "demands", "guides")


def _server_params(url):
    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    return config["NAME"], {key: value for key, value in params.items() if value}


def ensure_database(url, *, recreate=False, log=print):
    """Create the database named in `url` (dropping it first when `recreate`). Returns True if created."""
    name, params = _server_params(url)
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if exists and recreate:
                log(f"  dropping database {name}")
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
                cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
                exists = False
            if not exists:
                log(f"  creating database {name}")
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name))
                )
                return True
    finally:
        connection.close()
    return False


def foreign_database(url) -> bool:
    """True when the database in `url` exists but was not seeded by the bench (someone's own data)."""
    name, params = _server_params(url)
    try:
        connection = psycopg2.connect(dbname=name, **params)
    except psycopg2.OperationalError:
        return False  # missing: the bench creates it
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
            if cursor.fetchone()[0] is None:
                return True
            cursor.execute(f"SELECT 1 FROM {META_TABLE} WHERE key = 'seeded_at'")
            return cursor.fetchone() is None
    finally:
        connection.close()


def hold_bench_lock(url, log=print):
    """One bench run per database at a time: runs on the same data would undo each other's sweep
    rounds and share the CPU. The lock is held by a connection to the maintenance database (the
    bench database may be dropped and created meanwhile) and released when the process ends."""
    name, params = _server_params(url)
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [f"chainparty-bench:{name}"])
        if not cursor.fetchone()[0]:
            log(f"  another bench run is using {name}: waiting for it to finish")
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"chainparty-bench:{name}"])
    return connection


# -- what the models want ------------------------------------------------------------------------
def _models():
    from django.apps import apps

    return [
        model
        for app_label in SCHEMA_APPS
        if app_label in {config.label for config in apps.get_app_configs()}
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def columns_fingerprint():
    """A hash of every bench-relevant table with its columns and their types."""
    from django.db import connection

    shape = []
    for model in sorted(_models(), key=lambda m: m._meta.db_table):
        columns = sorted(
            (field.column, field.db_type(connection) or "", field.null) for field in model._meta.local_concrete_fields
        )
        shape.append((model._meta.db_table, columns))
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]


# -- the bench's own bookkeeping -------------------------------------------------------------------
def _ensure_meta_table(cursor):
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)")


def meta_get(key, default=None):
    from django.db import connection

    with connection.cursor() as cursor:
        _ensure_meta_table(cursor)
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", [key])
        row = cursor.fetchone()
    return row[0] if row else default


def meta_set(key, value):
    from django.db import connection

    with connection.cursor() as cursor:
        _ensure_meta_table(cursor)
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, str(value)],
        )


def prepare_schema(url, *, reseed=False, log=print):
    """Database present, schema current. Returns True when the data must be (re)seeded."""
    from django.core.management import call_command
    from django.db import connection

    created = ensure_database(url, recreate=reseed, log=log)
    if not created:
        stored = meta_get("columns")
        if stored is not None and stored != columns_fingerprint():
            log("  the models' columns changed: rebuilding the bench database")
            connection.close()
            ensure_database(url, recreate=True, log=log)
            created = True
    started = time.perf_counter()
    call_command("migrate", "--noinput", "--verbosity", "0")
    log(f"  migrate: {time.perf_counter() - started:.1f} s")
    meta_set("columns", columns_fingerprint())
    return created
