"""`make bench` stays runnable: seed a tiny dataset into a PostgreSQL database of its own, measure
every case once, and check that every case ran, the floors ran beside them, every case's ratio to
its floor is printed and the lists kept their query budget; the meetings' cases (issue 8) ran on
the seeded month: the workbook against its bare write with constant queries and a peak memory, the
reminder sweep sending every seeded reminder. The timings of a tiny dataset say nothing and are
not checked here; `make bench` measures them at full size."""

import json
import os
import re
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
PLAIN_FLOOR = "floor · 25 needs, 3 joins"
COUNTED_FLOOR = "floor · 25 needs, 3 joins, COUNT(*) paginator"
XLSX_FLOOR = "floor · bare openpyxl write-only, same rows"
WORKBOOK = "minutes workbook · province month"
# The Excel import (issue 11 §3): ours against django-import-export's dry run and import, its floors.
IE_DRY = "floor · django-import-export dry run"
IE_IMPORT = "floor · django-import-export import"
IMPORT_CHECK = "import · 200 enterprises · check (2% errors)"
IMPORT_APPLY = "import · 200 enterprises · import (errors fixed)"
# Paginated lists: measured against the COUNT(*) floor, 2.0x and 10 queries.
LIST_PREFIXES = ("needs list", "API /api/needs/", "meetings ·")
# Guides (issue 9 §5): against the COUNT(*) floor too, 50 ms -> 4.0x (lists, coverage), 25 ms -> 2.0x (我的企业).
GUIDES_PREFIX = "guides ·"


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
    dataset = payload["dataset"]
    assert dataset["needs"] == 2000 and dataset["enterprises"] >= 200
    assert dataset["meetings"] == 50 and dataset["invitations"] == 50 * 20 and dataset["due_items"] == 1000
    results = {r["name"]: r for r in payload["results"]}
    assert len(results) >= 32, sorted(results)
    unmeasured = [name for name, r in results.items() if r["median_ms"] is None and name not in MAY_BE_EMPTY]
    assert not unmeasured, {name: results[name]["note"] for name in unmeasured}
    lists = [r for name, r in results.items() if name.startswith(("needs list", "API /api/needs/"))]
    assert len(lists) == 16
    assert all(r["max_queries"] <= 10 for r in lists), {r["name"]: r["max_queries"] for r in lists}
    meetings = [r for name, r in results.items() if name.startswith("meetings ·")]
    assert len(meetings) == 3 and all(r["max_queries"] <= 10 for r in meetings), meetings
    _assert_floors_ran(results, payload["floors"])
    _assert_ratios(results, completed.stdout)
    _assert_workbook(results[WORKBOOK], dataset)
    _assert_reminder_sweeps(results)
    _assert_guides(results, dataset)
    _assert_import(results)


def _assert_floors_ran(results, floors):
    """The page floors were measured: the 25 needs in one query with three joins, and a COUNT(*);
    the workbook's floor wrote its rows without a query."""
    assert set(floors) == {PLAIN_FLOOR, COUNTED_FLOOR, XLSX_FLOOR, IE_DRY, IE_IMPORT} and all(floors.values()), floors
    assert results[XLSX_FLOOR]["group"] == "floor" and len(results[XLSX_FLOOR]["samples_ms"]) == 2
    assert results[XLSX_FLOOR]["max_queries"] == 0, results[XLSX_FLOOR]
    for name in (PLAIN_FLOOR, COUNTED_FLOOR):
        assert results[name]["group"] == "floor" and len(results[name]["samples_ms"]) == 2, results[name]
        statements = [q["sql"] for q in results[name]["slowest_sql"]]
        needs_reads = [sql for sql in statements if sql.startswith('SELECT "demands_need"."id"')]
        assert needs_reads and all(sql.count(" JOIN ") == 3 for sql in needs_reads), statements
    counted = [q["sql"] for q in results[COUNTED_FLOOR]["slowest_sql"]]
    assert any(sql.startswith("SELECT COUNT(*)") for sql in counted), counted
    assert results[COUNTED_FLOOR]["max_queries"] == results[PLAIN_FLOOR]["max_queries"] + 1


def _assert_ratios(results, stdout):
    """Paginated lists (the meetings' too) are measured against the COUNT(*) floor with a 2.0x
    target, need pages against the plain floor with 2.5x, the workbook against its bare write with
    1.3x; every measured case has its ratio, and the table prints it."""
    floors = {
        COUNTED_FLOOR: "COUNT(*)",
        PLAIN_FLOOR: "plain",
        XLSX_FLOOR: "xlsx",
        IE_DRY: "i-e dry",
        IE_IMPORT: "i-e imp",
    }
    import_floors = {IMPORT_CHECK: IE_DRY, IMPORT_APPLY: IE_IMPORT}
    for name, result in results.items():
        if result["group"] == "floor" or result["median_ms"] is None:
            continue
        expected_floor = import_floors.get(name) or (
            COUNTED_FLOOR
            if name.startswith((*LIST_PREFIXES, GUIDES_PREFIX))
            else XLSX_FLOOR
            if name == WORKBOOK
            else PLAIN_FLOOR
        )
        assert result["floor"] == expected_floor, (name, result["floor"])
        assert result["ratio"] is not None and result["ratio"] > 0, name
        if name.startswith(LIST_PREFIXES):
            assert result["ratio_target"].startswith("≤2.0× floor"), (name, result["ratio_target"])
        elif name.startswith(GUIDES_PREFIX):
            limit = "≤2.0× floor" if "我的企业" in name else "≤4.0× floor"
            assert result["ratio_target"] == f"{limit}, ≤10 queries", (name, result["ratio_target"])
        elif name.startswith("need page"):
            assert result["ratio_target"].startswith("≤2.5× floor"), (name, result["ratio_target"])
        if name in import_floors:  # at least 3x faster, and the seconds, peak memory and constant queries
            assert result["ratio_target"] == "≤0.33× i-e (≥3× faster)", result["ratio_target"]
            assert result["passed"] is (result["ratio_passed"] and result["ms_passed"]), result
        elif name == WORKBOOK:  # the ratio, and the peak memory and constant queries besides
            assert result["ratio_target"] == "≤1.3× bare write", result["ratio_target"]
            assert result["passed"] is (result["ratio_passed"] and result["ms_passed"]), result
        else:
            expected = result["ratio_passed"] if result["ratio_target"] else result["ms_passed"]
            assert result["passed"] is expected, name
        floor_column = floors[expected_floor]
        row = re.compile(
            re.escape(name) + r"\s+" + re.escape(floor_column) + r"\s.*\s" + re.escape(f"{result['ratio']:.2f}×")
        )
        assert row.search(stdout), f"no table row with the ratio for {name}"


def _assert_workbook(result, dataset):
    """The export wrote every sheet of the seeded month, the same queries as one alliance's
    workbook, and measured its peak memory; its ratio is the rounds' export ÷ bare write."""
    extra = result["extra"]
    assert set(extra["rows"]) == {"会议台账", "参会情况", "议定事项", "本月诉求", "走访台账"}, extra["rows"]
    cancelled = dataset["meetings"] - extra["rows"]["会议台账"]
    assert 0 <= cancelled < 10 and extra["rows"]["参会情况"] == 20 * extra["rows"]["会议台账"], extra["rows"]
    assert extra["rows"]["议定事项"] == dataset["decisions"], (extra["rows"], dataset)
    assert len(result["samples_ms"]) == 2 and len(extra["ratios"]) == 2
    assert set(result["queries"]) == {extra["queries_one_alliance"]} and result["ms_passed"] is True, result
    assert 0 < extra["peak_mb"] < 200, extra


def _assert_reminder_sweeps(results):
    """With the seeded reminders pending but not yet due the sweep sent nothing; with them due,
    every round sent every one of them."""
    idle = results["reminder sweep · nothing due (1,000 pending)"]
    assert idle["median_ms"] is not None and idle["ms_target"] == "p95<100ms", idle
    busy = results["reminder sweep · 1,000 reminders due"]
    assert len(busy["samples_ms"]) == 3 and len(busy["extra"]["ms_per_reminder"]) == 3, busy
    assert busy["extra"]["counts"]["delivered"] == 1000 and busy["extra"]["digests"] > 0, busy["extra"]


def _assert_guides(results, dataset):
    """2,000 guides and 500,000 visits at full size (a hundredth here); the not-visited list and the
    coverage per zone of a province and of a county, and 我的企业 of the guide persona, measured as
    selectors and as pages; the selectors within 10 queries (the pages' counts are in the table: the
    not-visited page adds its four filter lists to the list's five queries)."""
    assert dataset["guides"] >= 50 and dataset["guide_assignments"] > dataset["guides"], dataset
    assert dataset["visits"] == 5000, dataset
    guides = {name: r for name, r in results.items() if name.startswith(GUIDES_PREFIX)}
    expected = {
        f"guides · {what} · {how} ({who})"
        for who in ("province", "county")
        for what, how in (
            ("not visited this quarter", "selector"),
            ("coverage per zone", "selector"),
            ("not visited this quarter", "page"),
            ("coverage per zone and alliance", "page"),
        )
    } | {"guides · 我的企业 · selector (guide)", "guides · 我的企业 · page (guide)"}
    assert set(guides) == expected, sorted(guides)
    assert all(r["median_ms"] is not None for r in guides.values()), {n: r["note"] for n, r in guides.items()}
    calls = {name: r["max_queries"] for name, r in guides.items() if "· selector" in name}
    assert all(count <= 10 for count in calls.values()), calls
    # the monthly reminders: made on a quarter-end month's reminder day and for the sending units
    # after it, then every one of them sent by the shared sweep, in each of three rounds
    sweep = results["reminder sweep · guides (month end and sending units)"]
    extra = sweep["extra"]
    assert len(sweep["samples_ms"]) == 3 and len(extra["ms_per_reminder"]) == 3, sweep
    assert extra["guides"] > 0 and extra["senders"] > 0, extra
    assert extra["sweep"]["delivered"] == extra["guides"] + extra["senders"], extra


def _assert_import(results):
    """A hundredth of the 20,000 rows (200, 4 with an error): our check refused exactly those rows and
    the corrected file was applied (every round rolled back); django-import-export's dry run and
    import ran the same files in the first round; our queries did not grow from 20 rows to 200, and
    the peak memory was measured."""
    check, applied = results[IMPORT_CHECK], results[IMPORT_APPLY]
    assert len(check["samples_ms"]) == 2 and len(applied["samples_ms"]) == 2, (check, applied)
    assert check["extra"]["rows"] == 200 and check["extra"]["error_rows"] == 4, check["extra"]
    assert check["extra"]["outcome"]["refused"] == 4 and check["extra"]["outcome"]["new"] == 196, check["extra"]
    assert applied["extra"]["outcome"]["new"] == 200 and applied["extra"]["outcome"]["refused"] == 0, applied
    assert check["extra"]["theirs"]["refused"] > 0 and applied["extra"]["theirs"]["refused"] == 0, (check, applied)
    for result in (check, applied):
        assert result["extra"]["queries_constant"] is True, result["extra"]
        assert result["max_queries"] <= result["extra"]["queries_small_file"] + 1, result
        assert 0 < result["extra"]["peak_mb"] < 300 and result["extra"]["speedup"] > 0, result["extra"]
    for name in (IE_DRY, IE_IMPORT):
        assert results[name]["group"] == "floor" and len(results[name]["samples_ms"]) == 1, results[name]
        assert results[name]["max_queries"] > 200, results[name]  # row by row


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
