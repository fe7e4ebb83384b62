"""The cases issue 3 sets targets for, measured against the seeded personas, and the floors
(bench.floor) they are measured against: issue 7 turns the targets into multiples of a floor.
Issue 8 adds the meetings: the alliance and region pages, the monthly minutes workbook of the
province month against the bare write of its rows, and the reminder sweep (DueItem)."""

import datetime as dt
import statistics
import tempfile
import time
import tracemalloc

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from alliances.exporters import minutes_scope_for_alliance, minutes_scope_for_region, minutes_sheets, write_minutes
from alliances.models import Alliance, Meeting, Region
from chainparty import sweeps, workdays
from chainparty.models import DueItem, Notification
from demands.matching import suggest_for_need
from demands.models import Assignment, Need
from demands.selectors import needs as selectors
from demands.services.escalation import SWEEP_KEY_PREFIX
from demands.tasks import sweep_deadlines

from . import cases_guides, floor
from . import measure as m
from .floor import xlsx as bare_xlsx
from .measure import Result
from .seed import DUE_SPREAD_MINUTES

API_NEEDS = "/api/needs/"
ESCALATION_BATCH = 3000
# Tables the bench itself writes to (sessions, sweep events and notifications): vacuumed before
# measuring, since a server with autovacuum off would otherwise carry the last run's dead rows.
WRITTEN_TABLES = (
    "django_session",
    "chainparty_notification",
    "chainparty_notificationdelivery",
    "chainparty_taskheartbeat",
    "chainparty_dueitem",
    "demands_assignment",
    "demands_needevent",
    "demands_need",
)

LIST_TARGET = f"p95<{m.LIST_P95_MS}ms, ≤{m.LIST_MAX_QUERIES} queries"
LIST_RATIO = {"ratio_limit": m.LIST_MAX_RATIO, "max_queries": m.LIST_MAX_QUERIES}
NEED_PAGE_RATIO = {"ratio_limit": m.NEED_PAGE_MAX_RATIO}


def _personas():
    users = get_user_model().objects.filter(username__startswith="bench_")
    return {user.username.removeprefix("bench_"): user for user in users}


def _wanted(name, only):
    return not only or any(part.lower() in name.lower() for part in only)


def _ratio_target(ratio_limit, max_queries):
    if ratio_limit is None:
        return ""
    return f"≤{ratio_limit:.1f}× floor" + (f", ≤{max_queries} queries" if max_queries is not None else "")


class Runner:
    """Collects the cases (the floors first, always), runs them in interleaved rounds, then the
    busy sweep, which rewrites data between its samples and so runs on its own afterwards."""

    def __init__(self, *, runs, warmup, only, log):
        self.runs, self.warmup, self.only, self.log = runs, warmup, only, log
        self.cases = []
        self.after_rounds = []
        self.personas = _personas()

    def wanted(self, name):
        return _wanted(name, self.only)

    def add(self, name, group, sample, *, ms_target, floor_name=floor.PLAIN, p95_limit=None, **ratio):
        """`ratio` is `ratio_limit` (the verdict, as a multiple of `floor_name`) and `max_queries`."""
        result = Result(
            name=name,
            group=group,
            ms_target=ms_target,
            floor=floor_name,
            ratio_target=_ratio_target(ratio.get("ratio_limit"), ratio.get("max_queries")),
        )
        self.cases.append(m.Case(result, sample, p95_limit=p95_limit, **ratio))

    # -- pages and API ----------------------------------------------------------------------------
    def page(self, name, user, paths, *, target, p95_limit, floor_name=floor.PLAIN, **ratio):
        if self.wanted(name):
            sample = m.page_sample(m.logged_in(user), paths)
            self.add(name, "page", sample, ms_target=target, floor_name=floor_name, p95_limit=p95_limit, **ratio)

    def list_page(self, name, user, paths):
        """A paginated list: measured against the floor that pages with COUNT(*)."""
        self.page(
            name, user, paths, target=LIST_TARGET, p95_limit=m.LIST_P95_MS, floor_name=floor.COUNTED, **LIST_RATIO
        )

    def call(self, name, calls, *, target, p95_limit):
        if self.wanted(name):
            self.add(name, "call", m.call_sample(calls), ms_target=target, p95_limit=p95_limit)

    def floors(self):
        client = floor.logged_in(self.personas["province_staff"])
        for name, path in floor.PATHS.items():
            result = Result(name=name, group="floor", ms_target="")
            self.cases.append(m.Case(result, m.page_sample(client, [path])))

    def measure(self):
        floor_cases = [case for case in self.cases if case.result.group == "floor"]
        self.log(f"  {len(self.cases)} cases, {len(floor_cases)} of them floors, in {self.warmup + self.runs} rounds")
        m.run_rounds(self.cases, warmup=self.warmup, runs=self.runs, log=self.log)
        results = [case.finish({}) for case in floor_cases]
        floors = {r.name: m.percentile(r.samples_ms, 95) for r in results if r.samples_ms}
        results += [case.finish(floors) for case in self.cases if case not in floor_cases]
        for run_after in self.after_rounds:
            results.extend(result.compare(floors.get(result.floor)) for result in run_after())
        for result in results:
            shown = f"{result.p95_ms:.1f} ms p95" if result.p95_ms is not None else (result.note or "not measured")
            self.log(f"  {result.name:<44} {shown}")
        return results

    # -- the cases ----------------------------------------------------------------------------------
    def lists(self):
        p = self.personas
        path = reverse("demands:need_list")
        self.list_page("needs list · org staff (county)", p["county_staff"], [path])
        self.list_page("needs list · org staff (province)", p["province_staff"], [path])
        self.list_page("needs list · alliance secretary", p["secretary"], [path])
        self.list_page("needs list · handler (待办)", p["handler"], [reverse("demands:assignment_list")])
        self.list_page("needs list · handler (all visible)", p["handler"], [path])
        self.list_page("needs list · enterprise secretary", p["enterprise"], [path])
        province_filtered = [f"{path}?category=labor&state=closed"]
        self.list_page("needs list · province, category+state filter", p["province_staff"], province_filtered)
        self.list_page("needs list · province, title search", p["province_staff"], [f"{path}?q=收获机"])
        number = Need.objects.filter(region__name="汶上县").order_by("-filed_at").values_list("number", flat=True)[0]
        self.list_page("needs list · county, number search", p["county_staff"], [f"{path}?q={number.lower()}"])
        for label, persona, url_name in (
            ("needs list · secretary 待受理 (incoming)", "secretary", "demands:need_incoming"),
            ("needs list · county staff 超期督办 (overdue)", "county_staff", "demands:need_overdue"),
            ("needs list · enterprise 我的需求 (mine)", "enterprise", "demands:my_needs"),
        ):
            self.list_page(label, p[persona], [reverse(url_name)])

    def api(self):
        p = self.personas
        self.list_page("API /api/needs/ · org staff (county)", p["county_staff"], [API_NEEDS])
        self.list_page("API /api/needs/ · org staff (province)", p["province_staff"], [API_NEEDS])
        self.list_page("API /api/needs/ · alliance secretary", p["secretary"], [API_NEEDS])
        self.list_page("API /api/needs/ · handler", p["handler"], [API_NEEDS])

    def need_page(self):
        target = f"p95<{m.NEED_PAGE_P95_MS}ms"
        name = "need page · org staff (county)"
        if self.wanted(name):
            # Closed needs with a co-handling part: the longest timelines (8-10 events, 2-3 parts).
            needs = list(
                Need.objects.filter(region__name="汶上县", state="closed", assignments__role="co")
                .order_by("-filed_at")
                .values_list("pk", flat=True)[: self.runs]
            )
            paths = [reverse("demands:need_detail", args=[pk]) for pk in needs]
            staff = self.personas["county_staff"]
            self.page(name, staff, paths, target=target, p95_limit=m.NEED_PAGE_P95_MS, **NEED_PAGE_RATIO)
        # The secretary opening an accepted need: the page where dispatching (and suggestions) happen.
        name = "need page · secretary, accepted (to dispatch)"
        if not self.wanted(name):
            return
        secretary = self.personas["secretary"]
        waiting = list(
            Need.objects.filter(alliance__seats__user=secretary, state="accepted")
            .order_by("-filed_at")
            .values_list("pk", flat=True)[: self.runs]
        )
        if not waiting:  # the tiny smoke-test dataset may have none: reported as not measured
            result = Result(name=name, group="page", ms_target=target, note="no accepted need in the alliance")
            self.cases.append(m.Case(result, sample=None))
            return
        paths = [reverse("demands:need_detail", args=[pk]) for pk in waiting]
        self.page(name, secretary, paths, target=target, p95_limit=m.NEED_PAGE_P95_MS, **NEED_PAGE_RATIO)

    def totals(self):
        target = f"p95<{m.TOTALS_P95_MS}ms"
        for label, persona in (("county", "county_staff"), ("province", "province_staff")):
            user_id = self.personas[persona].pk

            def call(user_id=user_id):
                # A fresh user per call, as in a request: the scope is read again (one query).
                user = get_user_model().objects.get(pk=user_id)
                return selectors.need_totals(user=user)

            self.call(f"region totals · selector ({label})", [call], target=target, p95_limit=m.TOTALS_P95_MS)
        path = reverse("demands:need_totals")
        for label, persona in (("county", "county_staff"), ("province", "province_staff")):
            self.page(
                f"region totals · page need_totals ({label})",
                self.personas[persona],
                [path],
                target=target,
                p95_limit=m.TOTALS_P95_MS,
            )

    def suggestion(self):
        name = "match suggestion (suggest_for_need)"
        if not self.wanted(name):
            return
        # Open needs a secretary is about to dispatch, every category, in the persona county.
        candidates = list(
            Need.objects.filter(region__name="汶上县", state__in=["submitted", "accepted", "dispatched"])
            .order_by("category", "-filed_at")
            .values_list("pk", "category")
        )
        by_category = {}
        for pk, category in candidates:
            by_category.setdefault(category, []).append(pk)
        chosen = []
        while len(chosen) < self.runs and any(by_category.values()):
            for pks in by_category.values():
                if pks and len(chosen) < self.runs:
                    chosen.append(pks.pop(0))
        needs = {
            n.pk: n for n in Need.objects.filter(pk__in=chosen).select_related("enterprise__zone", "region", "alliance")
        }
        calls = [lambda need=needs[pk]: suggest_for_need(need=need, limit=5) for pk in chosen]
        self.call(name, calls, target=f"p95<{m.SUGGESTION_P95_MS}ms", p95_limit=m.SUGGESTION_P95_MS)

    # -- meetings (issue 8) ---------------------------------------------------------------------------
    def meetings(self):
        p = self.personas
        month = _meetings_month()
        alliance = _persona_alliance(p["secretary"])
        query = f"?month={month[0]}-{month[1]:02d}" if month else ""
        path = reverse("alliances:alliance_meetings", args=[alliance.pk]) + query
        self.list_page("meetings · alliance page, seeded month (secretary)", p["secretary"], [path])
        region = reverse("alliances:meeting_region_list")
        self.list_page("meetings · region list (province)", p["province_staff"], [region])
        self.list_page("meetings · region list (county)", p["county_staff"], [region])

    def workbook(self):
        name = "minutes workbook · province month"
        if self.wanted(name):
            self.after_rounds.append(lambda: self.workbook_rounds(name))

    def workbook_rounds(self, name):
        """The month's workbook for the whole province (write_minutes, read from PostgreSQL) and the
        bare write of the same rows from lists (bench.floor.xlsx), alternating in the same rounds;
        then, untimed, its peak memory and the queries of one alliance's workbook."""
        result = Result(
            name=name,
            group="export",
            ms_target=f"<{m.EXPORT_PEAK_MB} MB peak, queries constant",
            floor=floor.BARE_XLSX,
            ratio_target=f"≤{m.EXPORT_MAX_RATIO:.1f}× bare write",
        )
        bare = Result(name=floor.BARE_XLSX, group="floor", ms_target="")
        month = _meetings_month()
        if month is None:
            result.note = bare.note = "no meetings seeded"
            return [bare, result]
        year, number = month
        province = Region.objects.get(level=Region.Level.PROVINCE)

        def export(file):
            return write_minutes(minutes_scope_for_region(region=province, year=year, month=number), file)

        sheets = bare_xlsx.read(minutes_sheets(minutes_scope_for_region(region=province, year=year, month=number)))
        rows = {sheet.title: len(sheet.rows) for sheet in sheets}
        ratios = []
        rounds = max(min(self.runs, m.EXPORT_ROUNDS), 1)
        for index in range(min(self.warmup, 1) + rounds):
            timed = index >= min(self.warmup, 1)
            samples = {}
            order = ("export", "bare") if index % 2 else ("bare", "export")
            for which in order:
                write = export if which == "export" else lambda file: bare_xlsx.write(sheets, file)
                samples[which] = _write_to_temporary_file(write)
            if not timed:
                continue
            elapsed, count, captured, _counts = samples["export"]
            result.samples_ms.append(elapsed)
            result.queries.append(count)
            result.sql_samples_ms.append(m.sql_ms(captured))
            result.slowest_sql = m.slowest_queries(captured)
            bare.samples_ms.append(samples["bare"][0])
            bare.queries.append(samples["bare"][1])
            ratios.append(elapsed / samples["bare"][0])
        peak = _peak_mb(export)
        alliance = _persona_alliance(self.personas["secretary"])
        one = _write_to_temporary_file(
            lambda file: write_minutes(minutes_scope_for_alliance(alliance=alliance, year=year, month=number), file)
        )
        constant = set(result.queries) == {one[1]}
        bare.summarise()
        result.summarise(value=peak < m.EXPORT_PEAK_MB and constant)
        result.ratio = round(statistics.median(ratios), 2)
        result.ratio_passed = result.ratio <= m.EXPORT_MAX_RATIO
        result.passed = result.ratio_passed and result.ms_passed
        result.extra = {
            "rows": rows,
            "ratios": [round(r, 3) for r in ratios],
            "peak_mb": round(peak, 1),
            "queries_one_alliance": one[1],
        }
        bare.note = f"the same {sum(rows.values()):,} rows, from lists in memory"
        result.note = (
            f"{year}-{number:02d}: " + ", ".join(f"{title} {count:,}" for title, count in rows.items()) + " rows; "
            f"×floor is the median of the rounds' export ÷ bare write ({', '.join(f'{r:.2f}' for r in ratios)}); "
            f"peak {peak:.0f} MB; queries {max(result.queries)} for the province, {one[1]} for one alliance"
        )
        return [bare, result]

    def due_sweep(self):
        """The reminder sweep (chainparty.sweeps.sweep_due) over the seeded reminders: with all of
        them pending but none due yet, and (after the rounds) with all of them due."""
        pending = retime_due_items(timezone.now())
        vacuum_analyze([DueItem._meta.db_table])
        idle_name = f"reminder sweep · nothing due ({pending:,} pending)"
        busy_name = f"reminder sweep · {pending:,} reminders due"
        if self.wanted(idle_name):
            self.settle(sweeps.sweep_due)
            target = f"p95<{m.SWEEP_IDLE_P95_MS}ms"
            self.call(idle_name, [sweeps.sweep_due], target=target, p95_limit=m.SWEEP_IDLE_P95_MS)
        if self.wanted(busy_name):
            self.after_rounds.append(lambda: [self.busy_due_sweep(busy_name)])

    def busy_due_sweep(self, name):
        """Three rounds, each putting every reminder back to pending and sweeping with "now" at the
        end of their week; what the rounds sent is removed afterwards and the reminders put back."""
        marks = _max_ids()
        try:
            return self._busy_due_rounds(name, marks)
        finally:
            _remove_since(marks)
            retime_due_items(timezone.now())
            vacuum_analyze(WRITTEN_TABLES)

    def _busy_due_rounds(self, name, marks):
        limit = m.DUE_SWEEP_PER_REMINDER_MS
        result = Result(name=name, group="sweep", ms_target=f"<{limit}ms per reminder sent", floor=floor.PLAIN)
        per_reminder = []
        for _round in range(3):
            # The last round's digests go, or their dedupe keys would let this round skip the sending.
            _remove_since(marks)
            start = timezone.now()
            pending = retime_due_items(start)
            vacuum_analyze([DueItem._meta.db_table, "chainparty_notification", "chainparty_notificationdelivery"])
            end_of_window = start + dt.timedelta(hours=1, minutes=DUE_SPREAD_MINUTES + 1)
            elapsed, count, captured, counts = m.timed_call(lambda end=end_of_window: sweeps.sweep_due(now=end))
            sent = counts["delivered"] + counts["failed"]
            if not sent:
                result.note = "no reminder was due"
                return result
            result.samples_ms.append(elapsed)
            result.queries.append(count)
            result.sql_samples_ms.append(m.sql_ms(captured))
            result.slowest_sql = m.slowest_queries(captured)
            per_reminder.append(elapsed / sent)
            notifications = Notification.objects.filter(pk__gt=marks["chainparty_notification"]).count()
            result.extra = {"pending": pending, "counts": counts, "digests": notifications}
        result.summarise(value=statistics.median(per_reminder) < limit)
        result.extra["ms_per_reminder"] = [round(v, 4) for v in per_reminder]
        result.note = (
            f"{result.extra['pending']:,} pending, sweep counts {result.extra['counts']}, "
            f"{result.extra['digests']:,} digests; ms per reminder sent {', '.join(f'{v:.3f}' for v in per_reminder)}"
        )
        return result

    # -- the sweep ------------------------------------------------------------------------------------
    def sweep(self):
        idle_name = "escalation sweep · nothing due"
        busy_name = f"escalation sweep · {ESCALATION_BATCH:,} overdue parts"
        if not (self.wanted(idle_name) or self.wanted(busy_name)):
            return
        self.settle(sweep_deadlines)
        if self.wanted(idle_name):
            self.call(
                idle_name, [sweep_deadlines], target=f"p95<{m.SWEEP_IDLE_P95_MS}ms", p95_limit=m.SWEEP_IDLE_P95_MS
            )
        if self.wanted(busy_name):
            self.after_rounds.append(lambda: [self.busy_sweep(busy_name, sweep_deadlines)])

    def settle(self, sweep):
        for attempt in range(1, 6):
            started = time.perf_counter()
            counts = sweep()
            seconds = time.perf_counter() - started
            self.log(f"  settling sweep run {attempt}: {counts} in {seconds:.1f} s")
            if not any((counts or {}).values()):
                return

    def busy_sweep(self, name, sweep):
        """Reset the escalation of overdue open parts with one UPDATE, then time one sweep that
        escalates them all again (level 1, and level 2 for those late enough). Three rounds; what
        the rounds wrote is removed afterwards so the next run starts from the same data."""
        marks = _max_ids()
        try:
            return self._busy_rounds(name, sweep)
        finally:
            _remove_since(marks)
            vacuum_analyze(WRITTEN_TABLES)

    def _busy_rounds(self, name, sweep):
        result = Result(
            name=name, group="sweep", ms_target=f"<{m.SWEEP_PER_NEED_MS}ms per escalated need", floor=floor.PLAIN
        )
        per_need, per_escalation = [], []
        for _round in range(3):
            reset = self.reset_escalations(ESCALATION_BATCH)
            if not reset:
                result.note = "no overdue open parts to escalate"
                return result
            needs = len({need for _pk, need in reset})
            elapsed, count, captured, counts = m.timed_call(sweep)
            escalations = (counts or {}).get("level1", 0) + (counts or {}).get("level2", 0)
            result.samples_ms.append(elapsed)
            result.queries.append(count)
            result.sql_samples_ms.append(m.sql_ms(captured))
            per_need.append(elapsed / needs)
            per_escalation.append(elapsed / max(escalations, 1))
            result.extra = {"parts_reset": len(reset), "needs": needs, "counts": counts}
            result.slowest_sql = m.slowest_queries(captured)
        # The verdict takes the middle of the three rounds, as the pages take a percentile of 30.
        result.summarise(value=statistics.median(per_need) < m.SWEEP_PER_NEED_MS)
        result.extra.update(
            ms_per_need=[round(v, 3) for v in per_need], ms_per_escalation=[round(v, 3) for v in per_escalation]
        )
        result.note = (
            f"{result.extra['parts_reset']:,} parts of {result.extra['needs']:,} needs, "
            f"sweep counts {result.extra['counts']}; "
            f"ms per escalated need {', '.join(f'{v:.3f}' for v in per_need)}; "
            f"per escalation step {', '.join(f'{v:.3f}' for v in per_escalation)}"
        )
        return result

    def reset_escalations(self, limit):
        """One UPDATE puts `limit` overdue open parts back to 'not escalated'. Earlier sweep
        notifications are removed too, or their dedupe keys would let the sweep skip the sending."""
        today = workdays.local_today()
        overdue = Assignment.objects.filter(
            Q(state__in=Assignment.OPEN_STATES, need__state__in=Need.CLOCK_STATES, deadline__lt=today)
        ).order_by("-deadline", "-pk")  # the most recently overdue: what piles up after a holiday
        ids = list(overdue.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Assignment._meta.db_table} SET escalation_level = 0, escalated_at = NULL"
                " WHERE id = ANY(%s) RETURNING id, need_id",
                [ids],
            )
            reset = cursor.fetchall()
            # Every earlier sweep message goes (per part or digest keys alike): a stored key would
            # let the timed sweep skip the sending it is meant to measure.
            earlier = "SELECT id FROM chainparty_notification WHERE dedupe_key LIKE %s"
            pattern = [f"{SWEEP_KEY_PREFIX}%"]
            cursor.execute(f"DELETE FROM chainparty_notificationdelivery WHERE notification_id IN ({earlier})", pattern)
            cursor.execute(f"DELETE FROM chainparty_notification WHERE id IN ({earlier})", pattern)
        return reset


MB = 1024 * 1024


def _meetings_month():
    """The month the meetings were seeded in (bench.seed.meetings_month of the seeding's day)."""
    latest = Meeting.objects.aggregate(latest=Max("starts_at"))["latest"]
    if latest is None:
        return None
    local = timezone.localtime(latest)
    return local.year, local.month


def _persona_alliance(secretary):
    return Alliance.objects.filter(seats__user=secretary).order_by("pk").first()


def _write_to_temporary_file(write):
    """Time `write(file)` to a file on disk, as a download is written (bench.measure.timed_call)."""
    with tempfile.TemporaryFile() as file:
        return m.timed_call(lambda: write(file))


def _peak_mb(write):
    """Peak memory Python allocated while `write(file)` ran (tracemalloc; untimed, it slows Python)."""
    with tempfile.TemporaryFile() as file:
        tracemalloc.start()
        try:
            write(file)
            return tracemalloc.get_traced_memory()[1] / MB
        finally:
            tracemalloc.stop()


def retime_due_items(now) -> int:
    """Every reminder back to pending, due over the week after `now` + 1 hour (the seeding's
    spread by id), with nothing claimed or sent: the sweep's data as the seeding left it, at
    today's times. Returns how many rows there are."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {DueItem._meta.db_table} SET status = %s, claimed_at = NULL, attempts = 0,"
            " finished_at = NULL, reason = '', due_at = %s + (id %% %s) * interval '1 minute'",
            [DueItem.Status.PENDING, now + dt.timedelta(hours=1), DUE_SPREAD_MINUTES],
        )
        return cursor.rowcount


_APPENDED_TABLES = ("chainparty_notificationdelivery", "chainparty_notification", "demands_needevent")


def _max_ids():
    with connection.cursor() as cursor:
        marks = {}
        for table in _APPENDED_TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            marks[table] = cursor.fetchone()[0]
    return marks


def _remove_since(marks):
    """Delete the rows appended after `marks` (deliveries before their notifications). Raw SQL on
    purpose: the timeline's queryset refuses deletes, and these rows are the bench's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM chainparty_notificationdelivery WHERE id > %s OR notification_id > %s",
            [marks["chainparty_notificationdelivery"], marks["chainparty_notification"]],
        )
        cursor.execute("DELETE FROM chainparty_notification WHERE id > %s", [marks["chainparty_notification"]])
        cursor.execute("DELETE FROM demands_needevent WHERE id > %s", [marks["demands_needevent"]])


def vacuum_analyze(tables):
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def run_cases(*, runs=30, warmup=3, only=(), log=print):
    vacuum_analyze(WRITTEN_TABLES)
    runner = Runner(runs=runs, warmup=warmup, only=list(only), log=log)
    missing = {"county_staff", "province_staff", "secretary", "handler", "enterprise"} - set(runner.personas)
    if missing:
        raise SystemExit(f"Personas missing from the bench database: {sorted(missing)} (run with --reseed)")
    steps = (
        runner.floors,
        runner.lists,
        runner.api,
        runner.need_page,
        runner.totals,
        runner.suggestion,
        runner.meetings,
        runner.workbook,
        runner.sweep,
        runner.due_sweep,
        lambda: cases_guides.add_cases(runner),
    )
    for step in steps:
        step()
    return runner.measure()
