"""`make bench`: seed a province-sized dataset into PostgreSQL, then time what issues 3 and 8 set targets for,
against floor pages (bench.floor) measured in the same rounds.

    make bench                                   # seed once (skipped when present), then measure
    make bench BENCH_ARGS="--reseed"             # drop and rebuild the bench database first
    make bench BENCH_ARGS="--only list --explain"  # some cases, with EXPLAIN ANALYZE of slow SQL

BENCH_DATABASE_URL picks the database (default postgres://postgres@127.0.0.1:5432/chainparty_bench;
DATABASE_URL is ignored); it is created when missing, and an existing database the bench did not
create is never dropped. Results are printed as a table and written to
var/bench-results.json. Not part of `make test`.
"""

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = ROOT / "var" / "bench-results.json"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed it again")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size factor (1.0 = 200,000 needs)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per case first")
    parser.add_argument("--only", action="append", default=[], help="run only cases whose name contains this")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest SQL of failing cases")
    parser.add_argument("--explain-all", action="store_true", help="EXPLAIN ANALYZE the slowest SQL of every case")
    parser.add_argument("--seed-only", action="store_true", help="seed (if needed) and stop")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    parser.add_argument("--json", default=str(RESULTS_PATH), help="where to write the results")
    return parser.parse_args(argv)


def setup_django():
    # Run as a script, sys.path[0] is bench/: put the project root first instead.
    if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
        sys.path.pop(0)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def log(message=""):
    print(message, flush=True)


def prepare(args):
    from django.conf import settings
    from django.db import connection

    from bench import db

    url = os.environ["DATABASE_URL"]
    log(f"Database {settings.DATABASES['default']['NAME']} on {settings.DATABASES['default']['HOST'] or 'localhost'}")
    if not args.reseed and db.foreign_database(url):
        raise SystemExit(
            f"{settings.DATABASES['default']['NAME']} exists but was not seeded by the bench: refusing to touch it"
            " or drop it (pick another BENCH_DATABASE_URL, or pass --reseed to rebuild it)"
        )
    created = db.prepare_schema(url, reseed=args.reseed, log=log)
    from bench.seed import FULL_SIZE

    scale = f"{args.scale:g}"
    # The sizes are part of the key: a database seeded by an older script with other sizes is rebuilt.
    dataset_key = f"{scale} " + json.dumps(FULL_SIZE, sort_keys=True)
    if not created and db.meta_get("seeded_scale") == dataset_key:
        seconds = float(db.meta_get("seed_seconds", "0"))
        log(f"Dataset present (scale {scale}, seeded in {seconds:.0f} s): skipping seeding (--reseed to rebuild)")
        return seconds, False
    if not created:
        log("Dataset missing, incomplete or of another scale: rebuilding the bench database")
        connection.close()
        db.prepare_schema(url, reseed=True, log=log)
    from bench.seed import seed

    log(f"Seeding (scale {scale})")
    seconds, _world = seed(scale=args.scale, log=log)
    db.meta_set("seeded_scale", dataset_key)
    db.meta_set("seed_seconds", f"{seconds:.1f}")
    db.meta_set("seeded_at", dt.datetime.now().isoformat(timespec="seconds"))
    log(f"Seeding took {seconds:.0f} s ({seconds / 60:.1f} min)")
    return seconds, True


def dataset_counts():
    from django.db import connection

    tables = {
        "needs": "demands_need",
        "assignments": "demands_assignment",
        "events": "demands_needevent",
        "enterprises": "alliances_enterprise",
        "resources": "demands_resource",
        "policies": "demands_policy",
        "alliances": "alliances_alliance",
        "departments": "alliances_department",
        "regions": "alliances_region",
        "users": "chainparty_user",
        "notifications": "chainparty_notification",
        "meetings": "alliances_meeting",
        "invitations": "alliances_invitation",
        "decisions": "alliances_decision",
        "due_items": "chainparty_dueitem",
        "guides": "guides_guide",
        "guide_assignments": "guides_assignment",
        "visits": "guides_visit",
    }
    counts = {}
    with connection.cursor() as cursor:
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[key] = cursor.fetchone()[0]
    return counts


def environment():
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather", "autovacuum"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return {
        "django": django.get_version(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "postgres": version,
        "postgres_settings": settings,
    }


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * max(width - _width(text), 0)


MARKS = {True: "✓", False: "✗", None: "-"}


def _number(value, digits=1, suffix=""):
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def print_table(results):
    from bench.floor import LABELS

    header = (
        f"{_pad('case', 50)} {'floor':>8} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'sql ms':>6} {'×floor':>7}"
        f"  {_pad('ratio target', 26)} ok  {_pad('ms target', 30)} ok  verdict"
    )
    log(header)
    log("-" * _width(header))
    for r in results:
        if r.group == "floor":
            columns = (
                f"{'(floor)':>8} {_number(r.median_ms):>7} {_number(r.p95_ms):>7} "
                f"{r.max_queries if r.max_queries is not None else '-':>7} {_number(r.sql_median_ms):>6}"
            )
            log(f"{_pad(r.name, 50)} {columns}" + (f"  {r.note}" if r.note else ""))
            continue
        verdict = {True: "PASS", False: "FAIL", None: "n/a"}[r.passed]
        log(
            f"{_pad(r.name, 50)} {LABELS.get(r.floor, r.floor):>8} {_number(r.median_ms):>7}"
            f" {_number(r.p95_ms):>7} {r.max_queries if r.max_queries is not None else '-':>7}"
            f" {_number(r.sql_median_ms):>6} {_number(r.ratio, 2, '×'):>7}"
            f"  {_pad(r.ratio_target or '-', 26)} {MARKS[r.ratio_passed]:<2}  {_pad(r.ms_target, 30)}"
            f" {MARKS[r.ms_passed]:<2}  {verdict}"
        )
        if r.note:
            log(f"{'':<6}{r.note}")
    log("×floor: the case's p95 ÷ the p95 of the floor in the floor column, measured in the same rounds:")
    log("  plain = a bare startproject page reading 25 needs with 3 select_related joins (for single pages")
    log("  and calls); COUNT(*) = the same page paged by Django's Paginator (for paginated lists and API lists).")
    log("verdict (--strict): the ratio target where there is one; the ms target only informs, except for")
    log("cases without a ratio target, which keep their ms target.")
    log("sql ms: median time per run spent waiting for PostgreSQL (Django's per-query timer, 1 ms resolution);")
    log("the rest of the wall time is Python: middleware, ORM, forms, templates, serializers.")


def print_explains(results, *, every):
    from bench.measure import explain

    for r in results:
        if not r.slowest_sql or (not every and r.passed is not False):
            continue
        log()
        log(f"== {r.name}: slowest statements of the slowest run")
        for query in r.slowest_sql:
            log(f"-- {query['ms']} ms: {query['sql'][:1500]}")
            if query["sql"].lstrip().upper().startswith("SELECT") and " FOR UPDATE" not in query["sql"].upper():
                for line in explain(query["sql"]):
                    log(f"   {line}")


def main(argv=None):
    args = parse_args(argv)
    setup_django()
    from bench.db import hold_bench_lock

    lock = hold_bench_lock(os.environ["DATABASE_URL"], log=log)
    try:
        return run(args)
    finally:
        lock.close()


def run(args):
    seed_seconds, seeded_now = prepare(args)
    counts = dataset_counts()
    log("Dataset: " + ", ".join(f"{key} {value:,}" for key, value in counts.items()))
    server = environment()
    log(f"Server: {server['postgres']}, " + ", ".join(f"{k}={v}" for k, v in server["postgres_settings"].items()))
    if args.seed_only:
        return 0
    from django.urls import get_resolver

    from bench.cases import run_cases
    from bench.floor import settings as floor_settings
    from chainparty.startup import freeze_long_lived_objects

    # What chainparty/wsgi.py does in every gunicorn worker: measure the server as deployed (the
    # floor's URLconf loaded first, so its objects are frozen too).
    get_resolver(floor_settings.ROOT_URLCONF).url_patterns  # noqa: B018
    freeze_long_lived_objects()

    load_before = os.getloadavg()
    log(
        f"Measuring in rounds, each running every case once: {args.warmup} warm-up + {args.runs} timed"
        f" (load average {load_before[0]:.2f})"
    )
    if load_before[0] > 0.5 * (os.cpu_count() or 1):
        log("  warning: the machine is busy; timings will be high and noisy")
    started = time.perf_counter()
    results = run_cases(runs=args.runs, warmup=args.warmup, only=args.only, log=log)
    from bench import cases_imports  # the Excel import (issue 11 §3): its own rounds, after the others

    results += cases_imports.measure(runs=args.runs, only=args.only, scale=args.scale, log=log)
    load_after = os.getloadavg()
    log(f"Measured in {time.perf_counter() - started:.0f} s (load average {load_after[0]:.2f})")
    log()
    print_table(results)
    if args.explain or args.explain_all:
        print_explains(results, every=args.explain_all)
    _cleanup_broker()
    cases = [r for r in results if r.group != "floor"]
    failed = [r.name for r in cases if r.passed is False]
    unmeasured = [r.name for r in cases if r.passed is None]
    log()
    log(f"{len(cases) - len(failed) - len(unmeasured)} passed, {len(failed)} failed, {len(unmeasured)} not measured")
    payload = {
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
        "seed_seconds": seed_seconds,
        "seeded_this_run": seeded_now,
        "dataset": counts,
        "environment": server,
        "load_average": {"before": load_before, "after": load_after},
        "runs": args.runs,
        "warmup": args.warmup,
        "floors": {r.name: r.p95_ms for r in results if r.group == "floor"},
        "results": [r.as_json() for r in results],
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    log(f"Results written to {path}")
    # A case that could not be measured (a page that fails, or a missing floor) fails --strict too.
    return 1 if (failed or unmeasured) and args.strict else 0


def _cleanup_broker():
    """The sweep queued e-mail deliveries on the bench's own filesystem broker: nobody consumes them."""
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "celery-broker"
    for sub in ("out", "processed"):
        target = folder / sub
        if target.is_dir() and Path(settings.VAR_DIR).resolve() != ROOT / "var":
            shutil.rmtree(target)
            target.mkdir(parents=True)


if __name__ == "__main__":
    sys.exit(main())
