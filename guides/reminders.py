"""The monthly visit reminders (issue 9 §2), as rows of the shared sweep (`chainparty.sweeps`).

Run once a day by beat (`guides.tasks.remind_unvisited`); what is due is computed from the data,
never from broker ETAs, so a missed day is caught up by the next run:

- five working days before a month ends (the 5th working day counting back from its last day,
  that day included: the guide has it and four more), each guide is reminded of the enterprises in
  their charge still unvisited in a period that ends with the month: those visited monthly (三包三联)
  not visited this month, and, when the month ends a quarter, those visited quarterly not visited
  this quarter. Runs later in the month (up to its last day) remind guides not yet reminded;
- when a month has ended (from its next month's first day to that month's REPORT_WORKDAYS-th
  working day), the department that sent each guide (its handlers) is told of its guides'
  enterprises that went unvisited in the period just ended; a guide sent by a zone's Party
  committee is reported to the organisation staff of the zone's region, who manage the zones.

Exactly once per guide (and per sending unit) per period: each row's delivery key is made of the
guide's or the unit's id, the month (`2026-05`) and the recipient, and rows are inserted with
ON CONFLICT DO NOTHING, so a second run, a second worker or a day caught up later adds nothing.
A reminder once made is not rescheduled when the list changes: it says what was unvisited then.
The sweep (`chainparty.sweeps.sweep_due`) claims the rows and sends one digest per recipient.

Everything is read in a handful of queries whatever the number of guides (who serves whom,
guides.serving, the one definition the pages use too; the enterprises with their last counted
visit, LastVisit; the guides' accounts). Disputed visits do not count, as everywhere in guides
(`selectors.counted_visits`). The month a notice names is formatted for the active language
(`YEAR_MONTH_FORMAT`), as every date users read.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alliances.models import Enterprise, WorkZone
from alliances.selectors import department_handlers, region_staff
from chainparty import sweeps, workdays
from chainparty.notifications import Message

from . import serving
from .models import Assignment, Guide
from .selectors import QUARTER, last_visit_until, period_start

REMIND_WORKDAYS = 5
REPORT_WORKDAYS = 5
REMIND_AT = dt.time(9, 0)
BODY_LINES = 30

GUIDE_REMINDER = "guide_visits_due"
SENDER_REPORT = "guide_visits_overdue"


# -- periods ------------------------------------------------------------------------------------
def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def reminder_day(day: dt.date) -> dt.date:
    """The day the guides of `day`'s month are reminded: REMIND_WORKDAYS working days before its end,
    counting the reminder day and the month's last day if they are working days."""
    current, left = month_end(day) + dt.timedelta(days=1), REMIND_WORKDAYS
    first = day.replace(day=1)
    while left and current > first:
        current -= dt.timedelta(days=1)
        left -= workdays.is_workday(current)
    return current


def report_window_end(day: dt.date) -> dt.date:
    """The last day (the REPORT_WORKDAYS-th working day of `day`'s month) on which the month before
    it is reported to the sending units."""
    current, found = day.replace(day=1), 0
    while True:
        found += workdays.is_workday(current)
        if found == REPORT_WORKDAYS or current == month_end(day):
            return current
        current += dt.timedelta(days=1)


def cadences_ending(month_first: dt.date) -> dict[str, dt.date]:
    """{cadence: start of its period} for the periods that end with `month_first`'s month."""
    periods = {Assignment.Cadence.MONTHLY: month_first}
    if month_first.month % 3 == 0:
        periods[Assignment.Cadence.QUARTERLY] = period_start(month_first, QUARTER)
    return periods


def period_key(month_first: dt.date) -> str:
    return f"{month_first:%Y-%m}"


# What the reminders read of a guide (a province has thousands): plain values, no model instances.
GUIDE_FIELDS = ("pk", "name", "department_id", "zone_id", "user_id", "user__is_active", "department__name")


@dataclass(frozen=True)
class Recipient:
    pk: int
    is_active: bool


@dataclass(frozen=True)
class GuideRef:
    """A guide as the reminders use one."""

    pk: int
    name: str
    department_id: int | None
    zone_id: int | None
    user: Recipient
    department_name: str | None


# -- who is unvisited ---------------------------------------------------------------------------
@dataclass
class Unvisited:
    """An enterprise in a guide's charge not visited in its period."""

    enterprise_id: int
    name: str
    cadence: str
    last_visit: dt.date | None


@dataclass
class GuideDue:
    guide: GuideRef
    enterprises: list[Unvisited] = field(default_factory=list)


def _unvisited_sql(*, day: dt.date, month_first: dt.date, only: str | None) -> tuple[str, list]:
    """(guide id, enterprise id, monthly?, enterprise name, last counted visit up to `day`) for each
    enterprise in the charge of a guide with an active account on `day` not visited since
    `month_first` (the latest start of a period ending with the month): who serves whom at which
    cadence is guides.serving's, the strictest of the guide's own assignments (GROUP BY, monthly
    winning); the last visit is selectors.last_visit_until's (LastVisit, the visits only for an
    enterprise visited again after a past `day`). Only unvisited rows leave the database."""
    serving_sql, serving_params = serving.service_sql(starts_on=day, cadence=only)
    unvisited = (
        Enterprise.objects.annotate(last_visit=last_visit_until(day))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=month_first))
        .values("pk", "name", "last_visit")
        .order_by()
    )
    unvisited_sql, unvisited_params = unvisited.query.sql_with_params()
    guide, user = Guide._meta.db_table, Guide._meta.get_field("user").related_model._meta.db_table
    sql = (
        "SELECT c.guide_id, c.enterprise_id, c.monthly, u.name, u.last_visit "
        "FROM (SELECT guide_id, enterprise_id, MAX(CASE WHEN cadence = %s THEN 1 ELSE 0 END) AS monthly "
        f"FROM ({serving_sql}) s "
        "GROUP BY guide_id, enterprise_id) c "
        f"JOIN ({unvisited_sql}) u ON u.pk = c.enterprise_id "
        f"JOIN {guide} g ON g.id = c.guide_id JOIN {user} a ON a.id = g.user_id AND a.is_active"
    )
    return sql, [Assignment.Cadence.MONTHLY, *serving_params, *unvisited_params]


def unvisited_by_guide(*, day: dt.date, month_first: dt.date) -> dict[int, GuideDue]:
    """{guide id: GuideDue} of every guide with an active account whose charge on `day` holds
    enterprises not visited (by anyone: the enterprise's visit is what counts) between the start of
    their period and `day`, for the periods ending with `month_first`'s month. Whom a guide serves
    and at which cadence is guides.serving's (the strictest of the guide's own assignments, as
    我的企业 shows it). Two queries: the unvisited (guide, enterprise) rows, filtered in the database
    (a province's charge is hundreds of thousands of rows, its unvisited part a few per guide), and
    the guides who have some."""
    periods = cadences_ending(month_first)
    # In a month that ends no quarter only monthly assignments are due, and only they can make an
    # enterprise monthly: the quarterly ones need not be read.
    only = None if Assignment.Cadence.QUARTERLY in periods else Assignment.Cadence.MONTHLY
    sql, params = _unvisited_sql(day=day, month_first=month_first, only=only)
    items = defaultdict(list)
    monthly, quarterly = Assignment.Cadence.MONTHLY, Assignment.Cadence.QUARTERLY
    quarter_start = periods.get(quarterly)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for guide_id, enterprise_id, is_monthly, name, last in cursor.fetchall():
            if isinstance(last, str):  # SQLite returns a raw query's dates as text
                last = dt.date.fromisoformat(last)
            # Monthly ones are unvisited this month (the query's filter); quarterly ones are due
            # only when the month ends a quarter, and unvisited if not visited this quarter.
            if is_monthly:
                items[guide_id].append(Unvisited(enterprise_id, name, monthly, last))
            elif quarter_start is not None and (last is None or last < quarter_start):
                items[guide_id].append(Unvisited(enterprise_id, name, quarterly, last))
    # Only what the reminders use: a province has thousands of guides.
    rows = Guide.objects.filter(pk__in=[pk for pk, mine in items.items() if mine]).values_list(*GUIDE_FIELDS)
    due = {}
    for pk, name, department_id, zone_id, user_id, is_active, department_name in rows:
        guide = GuideRef(pk, name, department_id, zone_id, Recipient(user_id, is_active), department_name)
        mine = items[guide.pk]
        if mine:
            mine.sort(key=lambda item: (item.last_visit or dt.date.min, item.name, item.enterprise_id))
            due[guide.pk] = GuideDue(guide, mine)
    return due


# -- messages -----------------------------------------------------------------------------------
def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:  # the pages are not installed: the reminders work without them
        return ""


class _Words:
    """The words of a reminder's lines, translated once per run rather than once per line (a
    province's run writes tens of thousands of lines)."""

    def __init__(self):
        self.cadence = {Assignment.Cadence.MONTHLY: _("每月"), Assignment.Cadence.QUARTERLY: _("每季度")}
        self.never = _("从未走访")
        self.line = _("%(name)s（%(cadence)s走访，上次：%(last)s）")

    def __call__(self, item: Unvisited) -> str:
        last = item.last_visit.isoformat() if item.last_visit else self.never
        return self.line % {"name": item.name, "cadence": self.cadence[item.cadence], "last": last}


def _lines(lines: list[str], total: int | None = None) -> str:
    """The first BODY_LINES of `lines`, and how many more there are of `total` (default: all of
    `lines`; callers may pass only the lines shown)."""
    total = len(lines) if total is None else total
    shown = lines[:BODY_LINES]
    if total > BODY_LINES:
        shown.append(_("……另有 %d 项") % (total - BODY_LINES))
    return "\n".join(shown)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, REMIND_AT))


def _rows(*, kind, source_key, version, recipients, due_at, title, body, url) -> list[tuple]:
    return sweeps.new_rows(
        kind=kind,
        source_key=source_key,
        version=version,
        recipients=recipients,
        due_at=due_at,
        message=Message(title=title, body=body, url=url, kind=kind),
    )


def _insert(rows: list[tuple]) -> int:
    """Store the rows not there yet (the delivery key decides); returns how many were new."""
    return sweeps.add_new(rows)


# -- the two reminders --------------------------------------------------------------------------
def remind_guides(*, today: dt.date) -> int:
    """On or after the month's reminder day (to its last day): each guide's unvisited enterprises.
    Returns how many reminders were made now."""
    if not reminder_day(today) <= today <= month_end(today):
        return 0
    month_first = today.replace(day=1)
    ends = month_end(today)
    left = workdays.workdays_between(today - dt.timedelta(days=1), ends)  # today included
    url = _url("guides:my_enterprises")
    line = _Words()
    # Translated once per run, not once per guide.
    body_text = _("本期将于 %(end)s 结束（含今天还有 %(left)d 个工作日），以下 %(count)d 家企业本期尚未走访：")
    title_text = _("走访提醒：本期还有 %(count)d 家企业未走访")
    version, due_at = period_key(month_first), _at(today)
    rows = []
    for due in unvisited_by_guide(day=today, month_first=month_first).values():
        count = len(due.enterprises)
        body = body_text % {"end": f"{ends:%Y-%m-%d}", "left": left, "count": count}
        rows += _rows(
            kind=GUIDE_REMINDER,
            source_key=f"guide:{due.guide.pk}",
            version=version,
            recipients=[due.guide.user],
            due_at=due_at,
            title=title_text % {"count": count},
            body=body + "\n" + _lines([line(item) for item in due.enterprises[:BODY_LINES]], count),
            url=url,
        )
    return _insert(rows)


def _sender(guide: Guide) -> tuple[str, int]:
    return ("department", guide.department_id) if guide.department_id else ("zone", guide.zone_id)


def report_to_senders(*, today: dt.date) -> int:
    """From the first day of a month to its REPORT_WORKDAYS-th working day: the month before, each
    sending unit told of its guides' enterprises left unvisited in the periods that ended with it.
    Returns how many notices were made now."""
    if today > report_window_end(today):
        return 0
    ended = today.replace(day=1) - dt.timedelta(days=1)
    month_first = ended.replace(day=1)
    by_sender = defaultdict(list)
    for due in unvisited_by_guide(day=ended, month_first=month_first).values():
        by_sender[_sender(due.guide)].append(due)
    departments = department_handlers([pk for kind, pk in by_sender if kind == "department"])
    zones = WorkZone.objects.in_bulk([pk for kind, pk in by_sender if kind == "zone"])
    staff = region_staff({zone.region_id for zone in zones.values()})
    line = _Words()
    title_text = _("%(unit)s选派的指导员上期有 %(count)d 家企业逾期未走访")
    body_text = _("%(month)s结束时，以下企业本期未走访（%(guides)d 名指导员）：")
    month, version, due_at = date_format(month_first, "YEAR_MONTH_FORMAT"), period_key(month_first), _at(today)
    rows = []
    for (kind, pk), dues in sorted(by_sender.items()):
        if kind == "department":
            recipients, unit, url = departments.get(pk, []), dues[0].guide.department_name, ""
        else:
            zone = zones[pk]
            recipients, unit = staff.get(zone.region_id, []), zone.name
            url = _url("guides:visit_overview")
        count = sum(len(due.enterprises) for due in dues)
        lines = []
        for due in sorted(dues, key=lambda due: (due.guide.name, due.guide.pk)):
            if len(lines) >= BODY_LINES:
                break  # only the lines shown are written; the rest is counted
            lines += [f"{due.guide.name}：{line(item)}" for item in due.enterprises[: BODY_LINES - len(lines)]]
        rows += _rows(
            kind=SENDER_REPORT,
            source_key=f"guide-sender:{kind}:{pk}",
            version=version,
            recipients=recipients,
            due_at=due_at,
            title=title_text % {"unit": unit, "count": count},
            body=body_text % {"month": month, "guides": len(dues)} + "\n" + _lines(lines, count),
            url=url,
        )
    return _insert(rows)


def remind_unvisited(*, today: dt.date) -> dict[str, int]:
    """The day's run (beat, daily): both reminders, each made at most once per period."""
    return {"guides": remind_guides(today=today), "senders": report_to_senders(today=today)}
