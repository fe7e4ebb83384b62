"""The guides' cases (issue 9 §5), added to bench.cases' rounds by `add_cases(runner)`.

Issue 9 asks for the not-visited list and the coverage per zone of a province under 50 ms p95 with
at most 10 queries, a guide's 我的企业 under 25 ms, and the monthly reminder sweep under 0.5 ms per
reminder. The pages and selectors are measured against the paginated-list floor the needs lists
use (bench.floor.COUNTED), their millisecond targets turned into multiples of it at the rate the
needs lists have (25 ms ↔ 2.0×): 50 ms ↔ 4.0×, 25 ms ↔ 2.0×. The selectors are timed as a page
calls them (a fresh user, the first page of rows, the page's guides per row); the pages through
the test client where their URLs are installed. The reminder sweep is guides.reminders (the month's
rows of the shared sweep) followed by chainparty.sweeps.sweep_due sending them.
"""

import datetime as dt
import statistics

from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chainparty import sweeps, workdays
from chainparty.models import DueItem
from guides import reminders, selectors
from guides.models import Guide

from . import floor
from . import measure as m
from .measure import Result

LIST_P95_MS = 50  # the not-visited list and coverage per zone of a province
MINE_P95_MS = 25  # a guide's 我的企业
REMINDER_MS = 0.5  # per reminder, made and sent
MAX_QUERIES = 10
LIST_RATIO = m.LIST_MAX_RATIO * LIST_P95_MS / m.LIST_P95_MS  # 4.0× the COUNT(*) floor
MINE_RATIO = m.LIST_MAX_RATIO * MINE_P95_MS / m.LIST_P95_MS  # 2.0×
PAGE_ROWS = 25


def _url(name, query=""):
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


def _fresh(user_id):
    """A user read again per call, as each request does (its scope is read again too)."""
    return get_user_model().objects.get(pk=user_id)


def add_cases(runner):
    personas = runner.personas
    staff = {"province": personas["province_staff"], "county": personas["county_staff"]}
    guide_user = personas.get("guide")
    list_target = f"p95<{LIST_P95_MS}ms, ≤{MAX_QUERIES} queries"
    mine_target = f"p95<{MINE_P95_MS}ms, ≤{MAX_QUERIES} queries"
    as_list = {"floor_name": floor.COUNTED, "max_queries": MAX_QUERIES}

    def call(name, function, *, target, p95_limit, ratio_limit):
        if runner.wanted(name):
            runner.add(
                name, "call", m.call_sample([function]), ms_target=target, p95_limit=p95_limit,
                ratio_limit=ratio_limit, **as_list,
            )  # fmt: skip

    def page(name, user, path, *, target, p95_limit, ratio_limit):
        if path is not None:
            runner.page(name, user, [path], target=target, p95_limit=p95_limit, ratio_limit=ratio_limit, **as_list)
        elif runner.wanted(name):
            runner.log(f"  {name}: the page is not installed, not measured")

    for label, user in staff.items():

        def not_visited(user_id=user.pk):
            user = _fresh(user_id)
            day = timezone.localdate()
            rows = list(selectors.enterprise_visit_list(user=user, period=selectors.QUARTER, day=day)[: PAGE_ROWS + 1])
            return rows, selectors.enterprise_guides([e.pk for e in rows[:PAGE_ROWS]], day=day)

        def coverage(user_id=user.pk):
            day = timezone.localdate()
            start = selectors.period_start(day, selectors.QUARTER)
            return selectors.coverage_by_zone(user=_fresh(user_id), starts_on=start, ends_on=day)

        call(f"guides · not visited this quarter · selector ({label})", not_visited,
             target=list_target, p95_limit=LIST_P95_MS, ratio_limit=LIST_RATIO)  # fmt: skip
        call(f"guides · coverage per zone · selector ({label})", coverage,
             target=list_target, p95_limit=LIST_P95_MS, ratio_limit=LIST_RATIO)  # fmt: skip
        page(f"guides · not visited this quarter · page ({label})", user,
             _url("guides:visit_overview", "?period=quarter"),
             target=list_target, p95_limit=LIST_P95_MS, ratio_limit=LIST_RATIO)  # fmt: skip
        page(f"guides · coverage per zone and alliance · page ({label})", user, _url("guides:coverage"),
             target=list_target, p95_limit=LIST_P95_MS, ratio_limit=LIST_RATIO)  # fmt: skip

    if guide_user is None:
        runner.log("  guides · 我的企业: no bench_guide persona in this dataset (run with --reseed)")
    else:
        guide_id = Guide.objects.get(user=guide_user).pk

        def mine():
            guide = Guide.objects.select_related("user").get(pk=guide_id)
            return list(selectors.guide_enterprises(guide=guide)[: PAGE_ROWS + 1])

        call("guides · 我的企业 · selector (guide)", mine, target=mine_target, p95_limit=MINE_P95_MS,
             ratio_limit=MINE_RATIO)  # fmt: skip
        page("guides · 我的企业 · page (guide)", guide_user, _url("guides:my_enterprises"),
             target=mine_target, p95_limit=MINE_P95_MS, ratio_limit=MINE_RATIO)  # fmt: skip
    reminder_sweep(runner)


# -- the monthly reminder sweep ----------------------------------------------------------------------
def reminder_sweep(runner):
    name = "reminder sweep · guides (month end and sending units)"
    if runner.wanted(name):
        runner.after_rounds.append(lambda: [_sweep_rounds(name)])


def _days(today):
    """The days the reminders of the quarter-end month ending on or after `today` are made, as beat
    makes them there: the guides' reminder day (or today, if that day is past and the month is not)
    and the first working day after the month (the sending units' notice). Both are today or later,
    so the run reads what it would read on those days with the data as it stands: every enterprise's
    last visit from LastVisit (no visit is later than today). A quarter-end month, so monthly and
    quarterly assignments are both due.

    Until 2026-12-07 the bench reminded on the latest quarter-end month already over (2026-09-23 for
    that day's data): a past day, on which every enterprise visited since had its last visit searched
    in the visits, about 2 s per run that production never spends (beat runs
    `remind_unvisited(today=localdate())`, and a month's notice reads the month that just ended)."""
    month = today.replace(day=1)
    while month.month % 3:
        month = (month + dt.timedelta(days=32)).replace(day=1)
    report = reminders.month_end(month) + dt.timedelta(days=1)
    while not workdays.is_workday(report):
        report += dt.timedelta(days=1)
    return max(reminders.reminder_day(month), today), report


def _sweep_rounds(name):
    """guides.reminders.remind_unvisited on the month's reminder day and on the first working day
    after it (the rows of the shared sweep), then chainparty.sweeps.sweep_due sending them all, as
    beat runs them; timed together and divided by the reminders made. Three rounds, each starting
    from no guides reminder; what the rounds made and sent is removed afterwards.

    The seeded meeting reminders (bench.seed, due over the week after now) are put back to pending
    and due after the sweep's moment, as bench.cases retimes them, so the sweep finds them pending
    but not due (as a production sweep finds the reminders ahead) and sends the guides' rows only;
    afterwards they are retimed to now again."""
    from .cases import _max_ids, _remove_since, retime_due_items, vacuum_analyze  # bench.cases imports this module

    result = Result(name=name, group="sweep", ms_target=f"<{REMINDER_MS}ms per reminder", floor=floor.PLAIN)
    remind_day, report_day = _days(timezone.localdate())
    send_at = timezone.make_aware(dt.datetime.combine(report_day, reminders.REMIND_AT)) + dt.timedelta(minutes=1)
    marks = _max_ids()
    per_reminder = []
    try:
        for _round in range(3):
            _forget_guide_reminders(marks, _remove_since)
            retime_due_items(send_at)
            vacuum_analyze([DueItem._meta.db_table])

            def run():
                made = reminders.remind_unvisited(today=remind_day)
                later = reminders.remind_unvisited(today=report_day)
                counts = sweeps.sweep_due(now=send_at)
                return made, later, counts

            elapsed, count, captured, (made, later, counts) = m.timed_call(run)
            total = made["guides"] + later["senders"]
            if not total:
                result.note = f"no guide had an unvisited enterprise on {remind_day}"
                return result
            result.samples_ms.append(elapsed)
            result.queries.append(count)
            result.sql_samples_ms.append(m.sql_ms(captured))
            result.slowest_sql = m.slowest_queries(captured)
            per_reminder.append(elapsed / total)
            result.extra = {"guides": made["guides"], "senders": later["senders"], "sweep": counts}
    finally:
        _forget_guide_reminders(marks, _remove_since)
        retime_due_items(timezone.now())
        vacuum_analyze([DueItem._meta.db_table, "chainparty_notification", "chainparty_notificationdelivery"])
    result.summarise(value=statistics.median(per_reminder) < REMINDER_MS)
    result.extra["ms_per_reminder"] = [round(v, 4) for v in per_reminder]
    result.note = (
        f"reminded {remind_day} and {report_day}: {result.extra['guides']:,} guides, {result.extra['senders']:,} "
        f"sending-unit notices, sweep {result.extra['sweep']}; ms per reminder "
        + ", ".join(f"{v:.3f}" for v in per_reminder)
    )
    return result


def _forget_guide_reminders(marks, remove_since):
    """Delete the guides' reminder rows and what sending them appended (raw SQL: the bench's own rows)."""
    remove_since(marks)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {DueItem._meta.db_table} WHERE kind IN (%s, %s)",
            [reminders.GUIDE_REMINDER, reminders.SENDER_REPORT],
        )
