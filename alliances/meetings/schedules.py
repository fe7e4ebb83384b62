"""Recurring meetings (会议计划): the rules, their occurrences and the host rotation.

A `MeetingSchedule` stores a rule; `occurrences_generate`, run daily by beat, turns it into
`Meeting` rows `HORIZON_MONTHS` ahead (never further, never before today), each through
`services.meeting_schedule`, so invitations, notices, the audit log and reminders are the ones of
any meeting. An occurrence is keyed by (schedule, occurrence_date), unique in the database: the
generator creates only dates that have no row, so re-running it, or two runs at once (each locks
the schedule's row), never duplicates one; an occurrence that was moved or cancelled keeps its
date and is never created again.

Dates follow `chainparty.workdays` (statutory holidays, 调休 make-up days and the overrides):
- NTH_WORKDAY_OF_MONTH: the Nth working day of each month ("the first working day" is N = 1);
  a month with fewer working days has none;
- LAST_WORKDAY_OF_MONTH / LAST_WORKDAY_OF_QUARTER: the last working day of the month / of
  March, June, September and December;
- MONTHLY_WEEKDAY: the Nth given weekday of the month, moved to the next working day when it is a
  holiday (a month with no Nth such weekday has none);
- WEEKLY: the given weekday of each week, skipped when it is a holiday (moving it could land on
  the next week's meeting).

Each occurrence is titled as a secretary would write it, its period then the series' title
(`occurrence_title`: "2026年11月党委会议").

An occurrence is *untouched* while it is scheduled at exactly the series' time for its date.
Editing the series (`schedule_update`, from today) or "this and following"
(`occurrence_update(following=True)`, `schedule_split`: the series ends the day before and
continues as a new schedule) reconciles the later occurrences one period (week, month, quarter) at
a time: each one keeps, or is re-keyed to, the new rule's date in its period, so no period gets a
second meeting and nothing is lost. Untouched ones move to the new time (one change notice, the
same meeting and invitations); ones a person moved or cancelled stay as they left them; an
untouched one whose period the new rule leaves empty is cancelled with a reason.

`actor=None` is the system (the daily sweep); a person's rights are those of meeting managers.
"""

import calendar
import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import workdays

from ..models import (
    Alliance,
    Enterprise,
    Meeting,
    MeetingKind,
    MeetingSchedule,
    Membership,
    RotatingChair,
    ScheduleHost,
)
from . import services
from .services.common import require_manager
from .services.reach import outside_reach

logger = logging.getLogger(__name__)

Rule = MeetingSchedule.Rule
HORIZON_MONTHS = 3
#: Fields a schedule's edit may change (the rule, the time, where, who records).
EDITABLE = (
    "kind",
    "title",
    "rule",
    "ordinal",
    "weekday",
    "start_time",
    "duration_minutes",
    "place_zone",
    "place_address",
    "recorder",
    "recorder_name",
)
_TIMING = ("rule", "ordinal", "weekday", "start_time", "duration_minutes")


# -- dates ---------------------------------------------------------------------------------------
def _months(start: dt.date, end: dt.date):
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month_workdays(year: int, month: int) -> list[dt.date]:
    last = calendar.monthrange(year, month)[1]
    days = (dt.date(year, month, d) for d in range(1, last + 1))
    return [day for day in days if workdays.is_workday(day)]


def _next_workday(day: dt.date) -> dt.date:
    while not workdays.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date | None:
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    return day if day.month == month else None


def _rule_dates(schedule: MeetingSchedule, start: dt.date, end: dt.date) -> list[dt.date]:
    found = []
    if schedule.rule == Rule.WEEKLY:
        day = start + dt.timedelta(days=(schedule.weekday - start.weekday()) % 7)
        while day <= end:
            if workdays.is_workday(day):
                found.append(day)
            day += dt.timedelta(days=7)
        return found
    # From the month before `start`: a date pushed past a holiday into the next month (30 September
    # moved to 8 October) belongs to the month before and is found only by expanding that month.
    for year, month in _months(start.replace(day=1) - dt.timedelta(days=1), end):
        if schedule.rule == Rule.NTH_WORKDAY_OF_MONTH:
            days = _month_workdays(year, month)
            found += days[schedule.ordinal - 1 : schedule.ordinal]
        elif schedule.rule == Rule.LAST_WORKDAY_OF_MONTH or (
            schedule.rule == Rule.LAST_WORKDAY_OF_QUARTER and month % 3 == 0
        ):
            found += _month_workdays(year, month)[-1:]
        elif schedule.rule == Rule.MONTHLY_WEEKDAY:
            day = _nth_weekday(year, month, schedule.weekday, schedule.ordinal)
            if day is not None:
                found.append(_next_workday(day))
    return [day for day in found if start <= day <= end]


def occurrence_dates(schedule: MeetingSchedule, start: dt.date, end: dt.date) -> list[dt.date]:
    """The schedule's dates within [start, end] and within its own starts_on/ends_on, in order."""
    start = max(start, schedule.starts_on)
    if schedule.ends_on is not None:
        end = min(end, schedule.ends_on)
    return _rule_dates(schedule, start, end) if start <= end else []


def horizon_end(today: dt.date) -> dt.date:
    """The last day occurrences are created for: HORIZON_MONTHS months after `today`."""
    month = today.month - 1 + HORIZON_MONTHS
    year, month = today.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def series_times(schedule: MeetingSchedule, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of the series' meeting on `day`, in the portal's time zone."""
    starts_at = timezone.make_aware(dt.datetime.combine(day, schedule.start_time))
    return starts_at, starts_at + dt.timedelta(minutes=schedule.duration_minutes)


QUARTERS = ("一", "二", "三", "四")


def occurrence_title(schedule: MeetingSchedule, day: dt.date) -> str:
    """An occurrence's title as a secretary writes it: its period, then what the series is called
    (its title, or its kind when it has none): "2026年11月党委会议", "2026年第四季度联席会议", weekly
    ones by their day, "2026年11月5日微党课"."""
    name = (schedule.title or "").strip() or str(MeetingKind(schedule.kind).label)
    parts = {"year": day.year, "month": day.month, "day": day.day, "quarter": QUARTERS[(day.month - 1) // 3]}
    if schedule.rule == Rule.WEEKLY:
        period = _("%(year)d年%(month)d月%(day)d日") % parts
    elif schedule.rule == Rule.LAST_WORKDAY_OF_QUARTER:
        period = _("%(year)d年第%(quarter)s季度") % parts
    else:
        period = _("%(year)d年%(month)d月") % parts
    return f"{period}{name}"[: Meeting._meta.get_field("title").max_length]


def is_untouched(meeting: Meeting, schedule: MeetingSchedule) -> bool:
    """Still scheduled at exactly the series' time for its date: nobody edited it on its own."""
    return meeting.state == Meeting.State.SCHEDULED and (meeting.starts_at, meeting.ends_at) == series_times(
        schedule, meeting.occurrence_date
    )


# -- validation ----------------------------------------------------------------------------------
def _check(schedule: MeetingSchedule) -> None:
    errors = {}
    if schedule.rule in (Rule.NTH_WORKDAY_OF_MONTH, Rule.MONTHLY_WEEKDAY) and not schedule.ordinal:
        errors["ordinal"] = _("请填写“第几个”。")
    if schedule.rule == Rule.MONTHLY_WEEKDAY and schedule.ordinal and schedule.ordinal > 5:
        errors["ordinal"] = _("每月第几个星期几只能是 1 到 5。")
    if schedule.rule in (Rule.WEEKLY, Rule.MONTHLY_WEEKDAY) and schedule.weekday is None:
        errors["weekday"] = _("请选择星期几。")
    if schedule.rule not in (Rule.NTH_WORKDAY_OF_MONTH, Rule.MONTHLY_WEEKDAY):
        schedule.ordinal = None
    if schedule.rule not in (Rule.WEEKLY, Rule.MONTHLY_WEEKDAY):
        schedule.weekday = None
    schedule.title = (schedule.title or "").strip()
    schedule.place_address = (schedule.place_address or "").strip()
    if not schedule.place_address and schedule.place_zone_id is None:
        errors["place_address"] = _("请填写会议地点或选择片区。")
    if schedule.place_zone_id and not schedule.place_zone.region.is_within(schedule.alliance.region_id):
        errors["place_zone"] = _("会议地点所在片区不在本联盟所属区域内。")
    if schedule.recorder_id and outside_reach(schedule.alliance, [schedule.recorder]):
        # As for a meeting's recorder; checked here too since a series starting after the horizon
        # makes no meeting yet (whose service would refuse), and its name would be read back.
        errors["recorder"] = _("记录人不在本联盟可邀请的人员范围内。")
    elif schedule.recorder_id and not schedule.recorder_name:
        schedule.recorder_name = schedule.recorder.display_name[:50]
    if errors:
        raise ValidationError(errors)
    schedule.full_clean()


def _active_member_ids(alliance_id: int) -> set[int]:
    return set(
        Membership.objects.filter(alliance_id=alliance_id, left_on__isnull=True, enterprise__isnull=False).values_list(
            "enterprise_id", flat=True
        )
    )


def _set_hosts(schedule: MeetingSchedule, enterprises: Sequence[Enterprise]) -> None:
    ids = [e.pk for e in enterprises]
    if len(set(ids)) != len(ids):
        raise ValidationError({"hosts": _("轮值承办名单中有重复的企业。")})
    outside = [e.name for e in enterprises if e.pk not in _active_member_ids(schedule.alliance_id)]
    if outside:
        raise ValidationError({"hosts": _("以下企业不是本联盟的在册成员企业：%s") % "、".join(outside)})
    schedule.hosts.all().delete()
    ScheduleHost.objects.bulk_create(
        ScheduleHost(schedule=schedule, enterprise_id=pk, position=n) for n, pk in enumerate(ids, start=1)
    )


# -- generation ----------------------------------------------------------------------------------
def _last_host_id(schedule: MeetingSchedule) -> int | None:
    """The host of the latest occurrence of the series (this schedule, else the one it continues)."""
    seen = set()
    while schedule is not None and schedule.pk not in seen:
        seen.add(schedule.pk)
        last = (
            Meeting.objects.filter(schedule=schedule, host_enterprise__isnull=False)
            .order_by("-occurrence_date", "-pk")
            .values_list("host_enterprise_id", flat=True)
            .first()
        )
        if last is not None:
            return last
        schedule = schedule.split_from
    return None


def _next_host(order: list[int], active: set[int], last: int | None) -> int | None:
    """The first active enterprise after `last` in the rotation `order` (from the top if `last`
    is not in it); None when nobody in the rotation is still a member."""
    if not order:
        return None
    start = order.index(last) + 1 if last in order else 0
    for step in range(len(order)):
        candidate = order[(start + step) % len(order)]
        if candidate in active:
            return candidate
    return None


def _chairs(alliance: Alliance, dates: Iterable[dt.date]) -> dict:
    quarters = {(d.year, (d.month - 1) // 3 + 1) for d in dates}
    rows = RotatingChair.objects.filter(alliance=alliance, year__in={y for y, _q in quarters})
    return {(row.year, row.quarter): row.person_name for row in rows}


def _create_occurrences(schedule: MeetingSchedule, dates: list[dt.date], *, actor) -> list[Meeting]:
    """Create the occurrences of `dates` (the schedule's row locked by the caller; none exist)."""
    if not dates:
        return []
    order = list(schedule.hosts.order_by("position").values_list("enterprise_id", flat=True))
    active = _active_member_ids(schedule.alliance_id)
    last = _last_host_id(schedule)
    chairs = _chairs(schedule.alliance, dates)
    hosts = {e.pk: e for e in Enterprise.objects.filter(pk__in=order)}
    created = []
    for day in dates:
        host_id = _next_host(order, active, last)
        last = host_id if host_id is not None else last
        starts_at, ends_at = series_times(schedule, day)
        created.append(
            services.meeting_schedule(
                actor=actor,
                alliance=schedule.alliance,
                kind=schedule.kind,
                title=occurrence_title(schedule, day),
                starts_at=starts_at,
                ends_at=ends_at,
                place_zone=schedule.place_zone,
                place_address=schedule.place_address,
                chair_name=chairs.get((day.year, (day.month - 1) // 3 + 1), ""),
                recorder=schedule.recorder,
                recorder_name=schedule.recorder_name,
                host_enterprise=hosts.get(host_id),
                schedule=schedule,
                occurrence_date=day,
            )
        )
    return created


def _lock(schedule: MeetingSchedule) -> MeetingSchedule:
    return (
        MeetingSchedule.objects.select_for_update(of=("self",))
        .select_related("alliance__region", "place_zone__region", "recorder")
        .get(pk=schedule.pk)
    )


def _generate(schedule: MeetingSchedule, today: dt.date, *, actor=None) -> list[Meeting]:
    if not schedule.active:
        return []
    wanted = occurrence_dates(schedule, today, horizon_end(today))
    taken = set(
        Meeting.objects.filter(schedule=schedule, occurrence_date__in=wanted).values_list("occurrence_date", flat=True)
    )
    now = timezone.now()
    missing = [day for day in wanted if day not in taken and series_times(schedule, day)[0] > now]
    return _create_occurrences(schedule, missing, actor=actor)


def occurrences_generate(*, today: dt.date | None = None) -> int:
    """Create every active schedule's missing occurrences from `today` to the horizon; each
    schedule in its own transaction with its row locked. Returns how many meetings were created."""
    today = today or timezone.localdate()
    ids = MeetingSchedule.objects.filter(active=True).exclude(ends_on__lt=today).values_list("pk", flat=True)
    created = 0
    for pk in list(ids):
        try:
            with transaction.atomic():
                schedule = _lock(MeetingSchedule(pk=pk))
                created += len(_generate(schedule, today))
        except ValidationError as error:
            # One schedule that can no longer be expanded (its place left the region, its host left
            # the alliance) must not stop every other schedule's meetings, today and every day after.
            logger.warning("meeting schedule %s: occurrences not created: %s", pk, "; ".join(error.messages))
    return created


# -- the series ----------------------------------------------------------------------------------
@transaction.atomic
def schedule_create(
    *,
    actor,
    alliance: Alliance,
    kind: str,
    title: str,
    rule: str,
    start_time: dt.time,
    starts_on: dt.date,
    ordinal: int | None = None,
    weekday: int | None = None,
    duration_minutes: int = 120,
    place_zone=None,
    place_address: str = "",
    ends_on: dt.date | None = None,
    recorder=None,
    recorder_name: str = "",
    hosts: Sequence[Enterprise] = (),
) -> MeetingSchedule:
    """Create a schedule with its host rotation (enterprises in order) and its occurrences up to
    the horizon."""
    require_manager(actor, alliance)
    schedule = MeetingSchedule(
        alliance=alliance,
        kind=kind,
        title=title,
        rule=rule,
        ordinal=ordinal,
        weekday=weekday,
        start_time=start_time,
        duration_minutes=duration_minutes,
        place_zone=place_zone,
        place_address=place_address,
        starts_on=starts_on,
        ends_on=ends_on,
        recorder=recorder,
        recorder_name=(recorder_name or "").strip(),
        created_by=actor,
    )
    _check(schedule)
    schedule.save()
    _set_hosts(schedule, list(hosts))
    _generate(schedule, timezone.localdate(), actor=actor)
    return schedule


@transaction.atomic
def schedule_hosts_set(*, actor, schedule: MeetingSchedule, enterprises: Sequence[Enterprise]) -> MeetingSchedule:
    """Set the host rotation's order; occurrences created from now on follow it."""
    schedule = _lock(schedule)
    require_manager(actor, schedule.alliance)
    _set_hosts(schedule, list(enterprises))
    return schedule


def _changes(changes: dict) -> dict:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    return changes


def _period(schedule: MeetingSchedule, day: dt.date) -> tuple:
    """The stretch of time the rule gives one meeting in: a week, a quarter or a month."""
    if schedule.rule == Rule.WEEKLY:
        return tuple(day.isocalendar())[:2]
    if schedule.rule == Rule.LAST_WORKDAY_OF_QUARTER:
        return day.year, (day.month - 1) // 3
    return day.year, day.month


def _plan(old: MeetingSchedule, new: MeetingSchedule, later: list[Meeting], from_date: dt.date) -> dict:
    """{meeting: the date it stands for under `new`, or None}: a meeting keeps its date when the
    new rule gives it, else takes the new rule's date in its week, month or quarter (one meeting
    per period, so nothing is created twice), else None."""
    new_dates = occurrence_dates(new, from_date, max(m.occurrence_date for m in later) + dt.timedelta(days=100))
    taken = set(Meeting.objects.filter(schedule_id=new.pk).values_list("occurrence_date", flat=True))
    plan = {m: m.occurrence_date for m in later if m.occurrence_date in new_dates}
    taken |= set(plan.values())
    for meeting in later:
        if meeting in plan:
            continue
        period = _period(new, meeting.occurrence_date)
        free = [d for d in new_dates if d not in taken and _period(new, d) == period]
        plan[meeting] = free[0] if free else None
        taken.update(free[:1])
    return plan


def _reconcile(old: MeetingSchedule, new: MeetingSchedule, from_date: dt.date, *, actor) -> None:
    """After `old`'s rule or time changed into `new` (the same row, or its continuation) from
    `from_date`, for each later occurrence that has not started (see `_plan`):
    - on a date of the new rule: it goes to `new` under that date; untouched, it moves to the new
      time; edited or cancelled by a person, it stays as they left it;
    - with no such date: untouched, it is cancelled; edited by a person, it goes to `new` as it is;
      cancelled, it stays with `old`."""
    now = timezone.now()
    later = list(
        Meeting.objects.filter(schedule_id=old.pk, occurrence_date__gte=from_date, starts_at__gt=now).order_by(
            "occurrence_date", "pk"
        )
    )
    if not later:
        return
    for meeting, day in _plan(old, new, later, from_date).items():
        untouched = is_untouched(meeting, old)
        target = series_times(new, day) if day is not None else None
        if untouched and (target is None or target[0] <= now):
            services.meeting_cancel(actor=actor, meeting=meeting, reason=_("会议计划调整，本次会议取消。"))
            continue
        if day is None and meeting.state != Meeting.State.SCHEDULED:
            continue
        day = day or meeting.occurrence_date
        if (meeting.schedule_id, meeting.occurrence_date) != (new.pk, day):
            Meeting.objects.filter(pk=meeting.pk).update(schedule=new, occurrence_date=day, updated_at=now)
        if untouched and target != (meeting.starts_at, meeting.ends_at):
            services.meeting_move(actor=actor, meeting=meeting, starts_at=target[0], ends_at=target[1])


@transaction.atomic
def schedule_update(*, actor, schedule: MeetingSchedule, hosts: Sequence[Enterprise] | None = None, **changes):
    """Edit the whole series from today: fields of `EDITABLE`. A new time or rule moves (or, for a
    date the rule no longer gives, cancels) the future untouched occurrences only; occurrences
    that were edited or cancelled one at a time are left as they are. Missing dates are created."""
    schedule = _lock(schedule)
    require_manager(actor, schedule.alliance)
    old = MeetingSchedule.objects.get(pk=schedule.pk)
    for field, value in _changes(changes).items():
        setattr(schedule, field, value)
    _check(schedule)
    schedule.save()
    if hosts is not None:
        _set_hosts(schedule, list(hosts))
    today = timezone.localdate()
    if any(getattr(old, f) != getattr(schedule, f) for f in _TIMING):
        _reconcile(old, schedule, today, actor=actor)
    _generate(schedule, today, actor=actor)
    return schedule


def _cancel_after(schedule: MeetingSchedule, day: dt.date, *, actor, reason: str) -> int:
    """Cancel the scheduled occurrences after `day` that have not started."""
    later = Meeting.objects.filter(
        schedule=schedule, occurrence_date__gt=day, state=Meeting.State.SCHEDULED, starts_at__gt=timezone.now()
    )
    count = 0
    for meeting in later:
        services.meeting_cancel(actor=actor, meeting=meeting, reason=reason)
        count += 1
    return count


@transaction.atomic
def schedule_end(*, actor, schedule: MeetingSchedule, ends_on: dt.date, reason: str = "") -> MeetingSchedule:
    """End the series after `ends_on`: later occurrences that have not started are cancelled
    (with `reason`), none are created any more. Ending before it starts stops it altogether."""
    schedule = _lock(schedule)
    require_manager(actor, schedule.alliance)
    reason = (reason or "").strip() or _("会议计划已终止。")
    _cancel_after(schedule, ends_on, actor=actor, reason=reason)
    if ends_on < schedule.starts_on:  # ends_on may not precede starts_on: the schedule is stopped instead
        schedule.ends_on, schedule.active = schedule.starts_on, False
    else:
        schedule.ends_on = ends_on
    schedule.full_clean()
    schedule.save(update_fields=["ends_on", "active", "updated_at"])
    return schedule


@transaction.atomic
def schedule_split(
    *, actor, schedule: MeetingSchedule, from_date: dt.date, hosts: Sequence[Enterprise] | None = None, **changes
) -> MeetingSchedule:
    """ "This and following": the series ends the day before `from_date` and continues from it as a
    new schedule with `changes` (and the same hosts unless `hosts` is given), which takes over the
    later occurrences (see `_reconcile`). Returns the new schedule (the same one when `from_date`
    is its first day: then the whole series is edited)."""
    schedule = _lock(schedule)
    require_manager(actor, schedule.alliance)
    if from_date <= schedule.starts_on:
        return schedule_update(actor=actor, schedule=schedule, hosts=hosts, **changes)
    old = MeetingSchedule.objects.get(pk=schedule.pk)
    new = MeetingSchedule.objects.get(pk=schedule.pk)
    new.pk, new.id, new.split_from, new.starts_on, new.created_by = None, None, schedule, from_date, actor
    new.ends_on = schedule.ends_on if schedule.ends_on is None or schedule.ends_on >= from_date else from_date
    for field, value in _changes(changes).items():
        setattr(new, field, value)
    _check(new)
    new.save()
    _set_hosts(
        new, list(hosts) if hosts is not None else [h.enterprise for h in schedule.hosts.select_related("enterprise")]
    )
    _reconcile(old, new, from_date, actor=actor)
    schedule.ends_on = from_date - dt.timedelta(days=1)
    schedule.full_clean()
    schedule.save(update_fields=["ends_on", "updated_at"])
    _generate(new, timezone.localdate(), actor=actor)
    return new


# -- one occurrence ------------------------------------------------------------------------------
def _occurrence(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_related("schedule").get(pk=meeting.pk)
    if meeting.schedule_id is None:
        raise ValidationError(_("该会议不是由会议计划生成的。"))
    return meeting


@transaction.atomic
def occurrence_update(
    *,
    actor,
    meeting: Meeting,
    following: bool = False,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    **changes,
):
    """Edit one occurrence (`following=False`: move it to `starts_at`–`ends_at`; it keeps its
    occurrence date, so it is never created again), or this and the following ones
    (`following=True`: the series' fields in `changes` from this occurrence's date, see
    `schedule_split`). Returns the meeting, or the new schedule."""
    meeting = _occurrence(meeting)
    if not following:
        if changes:
            raise ValidationError(_("单次会议只能调整时间；其他内容请在会议页面修改。"))
        return services.meeting_move(actor=actor, meeting=meeting, starts_at=starts_at, ends_at=ends_at)
    return schedule_split(actor=actor, schedule=meeting.schedule, from_date=meeting.occurrence_date, **changes)


@transaction.atomic
def occurrence_cancel(*, actor, meeting: Meeting, reason: str, following: bool = False) -> Meeting:
    """Cancel one occurrence (it keeps its date, so it is never created again), or with
    `following` this one and every later one: the series ends the day before this one."""
    meeting = _occurrence(meeting)
    meeting = services.meeting_cancel(actor=actor, meeting=meeting, reason=reason)
    if following:
        ends_on = meeting.occurrence_date - dt.timedelta(days=1)
        # The series and every series continued from it ("this and following" edits split it).
        pending = [meeting.schedule]
        while pending:
            schedule = pending.pop()
            pending.extend(schedule.continued_by.all())
            schedule_end(actor=actor, schedule=schedule, ends_on=ends_on, reason=reason)
    return meeting
