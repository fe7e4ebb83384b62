"""The measurements: in-process, with Django's test client, timing and counting queries per request."""

import math
import statistics
import time
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

LIST_P95_MS = 25
LIST_MAX_QUERIES = 10
NEED_PAGE_P95_MS = 30
TOTALS_P95_MS = 150
SUGGESTION_P95_MS = 50
SWEEP_IDLE_P95_MS = 100
SWEEP_PER_NEED_MS = 0.5


@dataclass
class Result:
    name: str
    group: str
    target: str
    samples_ms: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    sql_samples_ms: list = field(default_factory=list)
    median_ms: float | None = None
    p95_ms: float | None = None
    max_queries: int | None = None
    sql_median_ms: float | None = None
    passed: bool | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)
    slowest_sql: list = field(default_factory=list)

    def summarise(self, *, p95_limit=None, max_queries=None, value=None):
        if self.samples_ms:
            self.median_ms = round(statistics.median(self.samples_ms), 2)
            self.p95_ms = round(percentile(self.samples_ms, 95), 2)
            self.max_queries = max(self.queries) if self.queries else None
        if self.sql_samples_ms:
            self.sql_median_ms = round(statistics.median(self.sql_samples_ms), 1)
        if value is not None:
            self.passed = value
        elif p95_limit is not None and self.p95_ms is not None:
            self.passed = self.p95_ms < p95_limit and (max_queries is None or (self.max_queries or 0) <= max_queries)
        return self

    def as_json(self):
        data = asdict(self)
        data["samples_ms"] = [round(s, 3) for s in self.samples_ms]
        data["sql_samples_ms"] = [round(s, 3) for s in self.sql_samples_ms]
        return data


def percentile(values, pct):
    """Nearest-rank percentile: of 30 samples, p95 is the 29th smallest."""
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)) - 1, 0)]


def timed_call(function):
    """(milliseconds, queries, captured) for one call of `function`."""
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        outcome = function()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(captured.captured_queries), captured.captured_queries, outcome


def sql_ms(captured):
    """Time spent waiting for PostgreSQL, as Django records it (millisecond resolution per query)."""
    return sum(float(q.get("time") or 0) for q in captured) * 1000


def slowest_queries(captured, top=3):
    ranked = sorted(captured, key=lambda q: float(q.get("time") or 0), reverse=True)
    return [{"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"]} for q in ranked[:top]]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def measure_requests(result, client, paths, *, warmup=3, runs=30, expect=200):
    """GET `paths` (cycled) `warmup` times untimed, then `runs` times timed."""
    for index in range(warmup):
        response = client.get(paths[index % len(paths)])
        if response.status_code != expect:
            result.note = f"HTTP {response.status_code} for {paths[index % len(paths)]}"
            return result
    slowest = None
    for index in range(runs):
        path = paths[index % len(paths)]
        elapsed, count, captured, response = timed_call(lambda path=path: client.get(path))
        if response.status_code != expect:
            result.note = f"HTTP {response.status_code} for {path}"
            return result
        result.samples_ms.append(elapsed)
        result.queries.append(count)
        result.sql_samples_ms.append(sql_ms(captured))
        if slowest is None or elapsed > slowest[0]:
            slowest = (elapsed, captured)
    result.slowest_sql = slowest_queries(slowest[1]) if slowest else []
    return result


def measure_calls(result, calls, *, warmup=3, runs=30):
    """Call each of `calls` (cycled) like measure_requests does for pages."""
    for index in range(warmup):
        calls[index % len(calls)]()
    slowest = None
    for index in range(runs):
        elapsed, count, captured, _outcome = timed_call(calls[index % len(calls)])
        result.samples_ms.append(elapsed)
        result.queries.append(count)
        result.sql_samples_ms.append(sql_ms(captured))
        if slowest is None or elapsed > slowest[0]:
            slowest = (elapsed, captured)
    result.slowest_sql = slowest_queries(slowest[1]) if slowest else []
    return result


def explain(sql):
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement, as text lines."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]
