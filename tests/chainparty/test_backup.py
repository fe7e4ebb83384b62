"""Backups (issue 10 §2.10): scripts/backup.sh dumps make run's demo from PostgreSQL,
scripts/restore.sh loads the dump into a fresh database, and every table holds the same rows;
old backups go after BACKUP_KEEP_DAYS days. Needs PostgreSQL and its client programs: skipped
locally without them, a failure in CI (CHAINPARTY_REQUIRE_SERVICES=1)."""

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.conftest import need_service

SCRIPTS = Path(settings.BASE_DIR) / "scripts"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (set DATABASE_URL=postgres://...)")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        need_service(f"PostgreSQL client programs ({', '.join(missing)}; apt-get install postgresql-client)")


def _url(name):
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _run(*args, env=None):
    result = subprocess.run(
        [str(arg) for arg in args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _row_counts(url):
    """{table: rows} for every table of the public schema, read with psql from outside Django."""
    tables = _run("psql", url, "-X", "-A", "-t", "-c", "SELECT tablename FROM pg_tables WHERE schemaname='public'")
    names = sorted(tables.stdout.split())
    query = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM public.\"{name}\"" for name in names)
    rows = _run("psql", url, "-X", "-A", "-t", "-F", "\t", "-c", query).stdout.splitlines()
    return {name: int(count) for name, count in (row.split("\t") for row in rows)}


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_demo_backs_up_and_restores_into_a_fresh_database_table_for_table(postgres, fresh_database, tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    source = _url(connection.settings_dict["NAME"])
    before = _row_counts(source)
    assert before["demands_need"] > 0 and before["alliances_meeting"] > 0 and before["chainparty_auditlog"] > 0

    backup = _run(SCRIPTS / "backup.sh", source, env={"BACKUP_DIR": str(tmp_path), "BACKUP_KEEP_DAYS": "14"})
    [dump] = tmp_path.glob("chainparty-*.dump")
    assert "backup: database ->" in backup.stdout and not list(tmp_path.glob("*.partial"))

    target = _url(fresh_database)
    _run(SCRIPTS / "restore.sh", dump, target)
    after = _row_counts(target)
    assert after == before  # every table, every row count
    assert len(after) > 40

    # A database that already holds tables is not overwritten without --force.
    refused = subprocess.run([SCRIPTS / "restore.sh", dump, target], capture_output=True, text=True)
    assert refused.returncode == 3 and "--force" in refused.stderr
    _run(SCRIPTS / "restore.sh", "--force", dump, target)
    assert _row_counts(target) == before


def test_backups_older_than_the_kept_days_are_removed(postgres, tmp_path):
    source = _url(connection.settings_dict["NAME"])
    day = 24 * 3600
    old = tmp_path / "chainparty-20200101-023000.dump"
    recent = tmp_path / "chainparty-20200102-023000.dump"
    stale_partial = tmp_path / "chainparty-20200103-023000.dump.partial"
    unrelated = tmp_path / "notes.txt"
    for path, age_days in ((old, 8), (recent, 2), (stale_partial, 9), (unrelated, 30)):
        path.write_text("x")
        stamp = time.time() - age_days * day
        os.utime(path, (stamp, stamp))
    media = tmp_path / "media"
    (media / "needs").mkdir(parents=True)
    (media / "needs" / "a.pdf").write_bytes(b"%PDF-1.7")
    result = _run(
        SCRIPTS / "backup.sh",
        source,
        env={"BACKUP_DIR": str(tmp_path), "BACKUP_KEEP_DAYS": "7", "BACKUP_MEDIA_DIR": str(media)},
    )
    assert not old.exists() and not stale_partial.exists()
    assert recent.exists() and unrelated.exists()
    assert len(list(tmp_path.glob("chainparty-2*.dump"))) == 2  # the recent one and today's
    [archive] = tmp_path.glob("chainparty-media-*.tar.gz")
    listing = _run("tar", "-tzf", archive).stdout
    assert "./needs/a.pdf" in listing and "removed" in result.stdout


def test_a_nonsense_retention_is_refused(tmp_path):
    result = subprocess.run(
        [SCRIPTS / "backup.sh"],
        capture_output=True,
        text=True,
        env={**os.environ, "BACKUP_DIR": str(tmp_path), "BACKUP_KEEP_DAYS": "0"},
    )
    assert result.returncode == 2 and "BACKUP_KEEP_DAYS" in result.stderr
