"""The bench database: create it when missing, bring its schema up to the models, remember what was seeded.

The demands app may have no migrations yet (helpers are still writing it); its tables are then made
by `migrate --run-syncdb`, which cannot alter them later. So the bench records a fingerprint of
every table's columns and rebuilds the database when the models' columns change; new or renamed
indexes and constraints are applied in place, so index work needs no reseed.
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


def demands_has_migrations():
    from django.db.migrations.loader import MigrationLoader

    return "demands" in MigrationLoader(None, ignore_no_migrations=True).migrated_apps


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


def _table_exists(name):
    from django.db import connection

    with connection.cursor() as cursor:
        return name in connection.introspection.table_names(cursor)


def _migrate(syncdb):
    from django.core.management import call_command

    args = ["--noinput", "--verbosity", "0"]
    call_command("migrate", *args)
    if syncdb:
        # A second pass: syncdb runs before migrations, and the demands tables point at migrated ones.
        call_command("migrate", *args, "--run-syncdb")


def _expected_index_names(model):
    """Names of the plain indexes Django itself would create for `model` (field and Meta indexes)."""
    from django.db import connection

    with connection.schema_editor(collect_sql=True) as editor:
        statements = editor._model_indexes_sql(model)
    return {str(statement.parts["name"]).strip('"') for statement in statements if "name" in statement.parts}


def _drop_stale_indexes(model, present, log):
    """Drop plain indexes the models no longer define (renamed, removed, or prototyped by hand)."""
    from django.db import connection

    wanted = {index.name for index in model._meta.indexes} | {c.name for c in model._meta.constraints}
    wanted |= _expected_index_names(model)
    for name, info in present.items():
        if info["index"] and not info["primary_key"] and not info["unique"] and name not in wanted:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
            log(f"  dropped index {name} on {model._meta.db_table}: no model defines it")


def sync_indexes(log=print):
    """Bring a syncdb-made table's indexes to what the models say: create the Meta.indexes and
    constraints it lacks, drop plain indexes no model defines any more."""
    from django.db import connection

    created = []
    with connection.cursor() as cursor:
        existing_tables = set(connection.introspection.table_names(cursor))
    for model in _models():
        table = model._meta.db_table
        if table not in existing_tables:
            continue
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        _drop_stale_indexes(model, constraints, log)
        present = set(constraints)
        wanted = [("index", index) for index in model._meta.indexes] + [
            ("constraint", constraint) for constraint in model._meta.constraints
        ]
        for kind, item in wanted:
            if item.name in present:
                continue
            started = time.perf_counter()
            with connection.schema_editor() as editor:
                if kind == "index":
                    editor.add_index(model, item)
                else:
                    editor.add_constraint(model, item)
            created.append(item.name)
            log(f"  added {kind} {item.name} on {table} ({time.perf_counter() - started:.1f} s)")
    return created


def prepare_schema(url, *, reseed=False, log=print):
    """Database present, schema current. Returns True when the data must be (re)seeded."""
    from django.db import connection

    created = ensure_database(url, recreate=reseed, log=log)
    syncdb = not demands_has_migrations()
    if not created:
        stored = meta_get("columns")
        switched = not syncdb and meta_get("mode") == "syncdb" and _table_exists("demands_need")
        if switched or (stored is not None and stored != columns_fingerprint()):
            why = "demands now has migrations" if switched else "the models' columns changed"
            log(f"  {why}: rebuilding the bench database")
            connection.close()
            ensure_database(url, recreate=True, log=log)
            created = True
    started = time.perf_counter()
    _migrate(syncdb)
    log(f"  migrate{' --run-syncdb' if syncdb else ''}: {time.perf_counter() - started:.1f} s")
    if syncdb and not created:
        sync_indexes(log=log)
    meta_set("mode", "syncdb" if syncdb else "migrations")
    meta_set("columns", columns_fingerprint())
    return created
