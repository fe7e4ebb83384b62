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
DUE_SWEEP_PER_REMINDER_MS = 0.5
# The monthly minutes workbook (issue 8 §4): a multiple of the bare openpyxl write of the same rows.
EXPORT_MAX_RATIO = 1.3
EXPORT_PEAK_MB = 200
EXPORT_ROUNDS = 3  # each writes the province month twice (export and floor): seconds, not milliseconds
# Targets as multiples of a floor measured in the same rounds (bench.floor): they travel between
# machines where milliseconds do not.
LIST_MAX_RATIO = 2.0
NEED_PAGE_MAX_RATIO = 2.5


class Unmeasurable(Exception):
    """A case that cannot be timed (a page answering with an unexpected status)."""


@dataclass
class Result:
    name: str
    group: str
    ms_target: str
    floor: str = ""
    ratio_target: str = ""
    samples_ms: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    sql_samples_ms: list = field(default_factory=list)
    median_ms: float | None = None
    p95_ms: float | None = None
    max_queries: int | None = None
    sql_median_ms: float | None = None
    ratio: float | None = None
    ms_passed: bool | None = None
    ratio_passed: bool | None = None
    #: The verdict --strict uses: the ratio target where there is one, else the millisecond target.
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
            self.ms_passed = value
        elif p95_limit is not None and self.p95_ms is not None:
            self.ms_passed = self.p95_ms < p95_limit and self.within_queries(max_queries)
        self.passed = self.ms_passed
        return self

    def within_queries(self, max_queries):
        return max_queries is None or (self.max_queries or 0) <= max_queries

    def compare(self, floor_p95_ms, *, ratio_limit=None, max_queries=None):
        """p95 as a multiple of the floor's; with `ratio_limit`, that multiple is the verdict."""
        if self.samples_ms and floor_p95_ms:
            self.ratio = round(percentile(self.samples_ms, 95) / floor_p95_ms, 2)
        if ratio_limit is not None:
            self.ratio_passed = None if self.ratio is None else self.ratio <= ratio_limit
            self.ratio_passed = self.ratio_passed and self.within_queries(max_queries)
            self.passed = self.ratio_passed
        return self

    def as_json(self):
        data = asdict(self)
        data["samples_ms"] = [round(s, 3) for s in self.samples_ms]
        data["sql_samples_ms"] = [round(s, 3) for s in self.sql_samples_ms]
        return data


class Case:
    """One case of the rounds: `sample(index)` does its work once (raising `Unmeasurable` when it
    cannot); every round times each case once, so a slow moment of the machine hits all alike."""

    def __init__(self, result, sample, *, p95_limit=None, max_queries=None, ratio_limit=None):
        self.result, self.sample = result, sample
        self.p95_limit, self.max_queries, self.ratio_limit = p95_limit, max_queries, ratio_limit
        self.slowest = None

    def run(self, index, *, timed):
        if self.result.note:  # failed in an earlier round: reported, no longer timed
            return
        try:
            elapsed, count, captured, _outcome = timed_call(lambda: self.sample(index))
        except Unmeasurable as problem:
            self.result.note = str(problem)
            return
        if not timed:
            return
        self.result.samples_ms.append(elapsed)
        self.result.queries.append(count)
        self.result.sql_samples_ms.append(sql_ms(captured))
        if self.slowest is None or elapsed > self.slowest[0]:
            self.slowest = (elapsed, captured)

    def finish(self, floors):
        result = self.result
        if result.note:  # an unexpected status: reported, not timed
            result.samples_ms, result.queries, result.sql_samples_ms = [], [], []
            return result
        result.slowest_sql = slowest_queries(self.slowest[1]) if self.slowest else []
        result.summarise(p95_limit=self.p95_limit, max_queries=self.max_queries)
        return result.compare(floors.get(result.floor), ratio_limit=self.ratio_limit, max_queries=self.max_queries)


def run_rounds(cases, *, warmup=3, runs=30, log=print):
    """`warmup` untimed rounds, then `runs` timed rounds; each round runs every case once, starting
    one case further along each time so no case always follows the same neighbour."""
    total = warmup + runs
    for round_index in range(total):
        shift = round_index % len(cases)
        for case in cases[shift:] + cases[:shift]:
            case.run(round_index, timed=round_index >= warmup)
        if (round_index + 1) % 10 == 0 or round_index + 1 == total:
            log(f"  round {round_index + 1}/{total}" + (" (warm-up)" if round_index < warmup else ""))


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


def page_sample(client, paths, *, expect=200):
    """GET `paths` in turn (round `index` takes `paths[index % len(paths)]`)."""

    def sample(index):
        path = paths[index % len(paths)]
        response = client.get(path)
        if response.status_code != expect:
            raise Unmeasurable(f"HTTP {response.status_code} for {path}")
        return response

    return sample


def call_sample(calls):
    """Call `calls` in turn, as page_sample does for paths."""
    return lambda index: calls[index % len(calls)]()


def explain(sql):
    """EXPLAIN (ANALYZE, BUFFERS) of one captured statement, as text lines."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]
