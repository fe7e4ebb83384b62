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
    env = {**os.environ, "DATABASE_URL": url, "CHAINPARTY_VAR_DIR": str(tmp_path / "var")}
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
