"""`make bench` stays runnable: seed a tiny dataset into a PostgreSQL database of its own, measure
every case once, and check that every case ran and the lists kept their query budget. The timings
of a tiny dataset say nothing and are not checked here; `make bench` measures them at full size."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg2

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent
SMOKE_DATABASE = "chainparty_bench_smoke"
# Cases the tiny dataset may not have rows for (no accepted need in the persona alliance).
MAY_BE_EMPTY = {"need page · secretary, accepted (to dispatch)"}


def _server_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        need_service("the bench runs on PostgreSQL: set DATABASE_URL to a PostgreSQL server")
    config = dj_database_url.parse(url)
    try:
        psycopg2.connect(
            dbname="postgres",
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError as error:
        need_service(f"PostgreSQL not reachable for the bench: {error}")
    return url.rsplit("/", 1)[0] + f"/{SMOKE_DATABASE}"


def test_bench_seeds_and_measures_every_case(tmp_path):
    url = _server_url()
    results_path = tmp_path / "bench.json"
    env = {**os.environ, "BENCH_DATABASE_URL": url, "CHAINPARTY_VAR_DIR": str(tmp_path / "var")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "bench/run.py", "--reseed", "--scale", "0.01", "--runs", "2", "--warmup", "0"]
    completed = subprocess.run(
        [*command, "--json", str(results_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    payload = json.loads(results_path.read_text())
    assert payload["dataset"]["needs"] == 2000 and payload["dataset"]["enterprises"] >= 200
    results = {r["name"]: r for r in payload["results"]}
    assert len(results) >= 25, sorted(results)
    unmeasured = [name for name, r in results.items() if r["median_ms"] is None and name not in MAY_BE_EMPTY]
    assert not unmeasured, {name: results[name]["note"] for name in unmeasured}
    lists = [r for name, r in results.items() if name.startswith(("needs list", "API /api/needs/"))]
    assert len(lists) == 16
    assert all(r["max_queries"] <= 10 for r in lists), {r["name"]: r["max_queries"] for r in lists}


def test_bench_refuses_to_drop_a_database_it_did_not_create(tmp_path):
    url = _server_url().rsplit("/", 1)[0] + "/chainparty_bench_foreign"
    config = dj_database_url.parse(url)
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS chainparty_bench_foreign WITH (FORCE)")
        cursor.execute("CREATE DATABASE chainparty_bench_foreign")
    foreign = psycopg2.connect(dbname="chainparty_bench_foreign", **params)
    foreign.autocommit = True
    with foreign.cursor() as cursor:
        cursor.execute("CREATE TABLE precious (id int)")
    foreign.close()
    env = {**os.environ, "BENCH_DATABASE_URL": url, "CHAINPARTY_VAR_DIR": str(tmp_path / "var")}
    env["DATABASE_URL"] = url  # what a developer exported for `make run` is ignored, and not dropped either
    try:
        completed = subprocess.run(
            [sys.executable, "bench/run.py", "--seed-only"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode != 0
        assert "refusing to touch it or drop it" in completed.stdout + completed.stderr
        survivor = psycopg2.connect(dbname="chainparty_bench_foreign", **params)
        with survivor.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM precious")
            cursor.execute("SELECT to_regclass('bench_meta')")
            assert cursor.fetchone()[0] is None, "nothing written to it either"
        survivor.close()
    finally:
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS chainparty_bench_foreign WITH (FORCE)")
        admin.close()
