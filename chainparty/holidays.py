"""Every write to the holiday overrides (`CalendarDay`), and the "next year is missing" warning.

Platform administrators (and superusers) enter each year's holidays and make-up working days from
the State Council's notice, published each autumn. Every write is audited and makes
`chainparty.workdays` drop its snapshot at once in this process (the others follow within
`workdays.revision_ttl()`), so deadlines and schedules use the new days immediately.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from . import audit, notifications, roles, workdays
from .models import AuditLog, CalendarDay

MISSING_NEXT_YEAR_KIND = "calendar_missing"


@dataclass(frozen=True)
class DaySpec:
    """One day of a year's notice, as `calendar_year_replace` takes it."""

    date: dt.date
    kind: str
    name: str = ""
    note: str = ""


def may_edit_calendar(user) -> bool:
    """Superusers and platform administrators keep the calendar; everyone else reads it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=roles.PLATFORM_ADMIN_GROUP).exists()


def _check(actor) -> None:
    # actor=None is the system itself (load_demo, a shell script): it writes on nobody's behalf.
    if actor is not None and not may_edit_calendar(actor):
        raise PermissionDenied(_("只有平台管理员可以修改节假日安排。"))


def _changed():
    workdays.overrides_changed()


@transaction.atomic
def calendar_day_save(
    *, actor, date: dt.date, kind: str, name: str = "", note: str = "", day: CalendarDay | None = None
) -> CalendarDay:
    """Create the override for `date`, or change `day` (which may move to another date)."""
    _check(actor)
    if day is None:
        day = CalendarDay(created_by=actor)
    previous = {"date": day.date.isoformat(), "kind": day.kind} if day.pk else None
    day.date, day.kind, day.name, day.note = date, kind, name.strip(), note.strip()
    day.full_clean()
    day.save()
    audit.record(
        action=AuditLog.Action.CALENDAR_UPDATE,
        actor=actor,
        target=day,
        data={"date": date.isoformat(), "kind": kind, "name": day.name, "previous": previous},
    )
    _changed()
    return day


@transaction.atomic
def calendar_day_delete(*, actor, day: CalendarDay) -> None:
    _check(actor)
    data = {"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "deleted": True}
    day.delete()
    audit.record(action=AuditLog.Action.CALENDAR_UPDATE, actor=actor, data=data)
    _changed()


def calendar_year_replace(*, actor, year: int, days: Iterable[DaySpec]) -> list[CalendarDay]:
    """Make `year`'s overrides exactly `days` (the whole notice at once): days not listed are
    removed, changed ones updated, new ones added. Nothing is saved if any day is invalid."""
    _check(actor)
    days = list(days)
    errors = []
    seen = set()
    for spec in days:
        if spec.date.year != year:
            errors.append(_("%(date)s 不在 %(year)s 年。") % {"date": spec.date.isoformat(), "year": year})
        if spec.date in seen:
            errors.append(_("%(date)s 重复出现。") % {"date": spec.date.isoformat()})
        seen.add(spec.date)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return _replace(actor=actor, year=year, days=days)
    except IntegrityError as error:
        raise ValidationError(_("其他人同时在修改该年度的节假日安排，请刷新后重试。")) from error


def _replace(*, actor, year, days) -> list[CalendarDay]:
    existing = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(date__year=year)  # one year: a few dozen rows
    }
    wanted = {spec.date: spec for spec in days}
    removed = sorted(day for day in existing if day not in wanted)
    CalendarDay.objects.filter(date__in=removed).delete()
    saved, added, changed = [], [], []
    for date in sorted(wanted):
        spec = wanted[date]
        row = existing.get(date) or CalendarDay(date=date, created_by=actor)
        fields = (spec.kind, spec.name.strip(), spec.note.strip())
        if row.pk and (row.kind, row.name, row.note) == fields:
            saved.append(row)
            continue
        (changed if row.pk else added).append(date.isoformat())
        row.kind, row.name, row.note = fields
        try:
            row.full_clean()
        except ValidationError as error:
            raise ValidationError(f"{date.isoformat()}：{'；'.join(error.messages)}") from error
        row.save()
        saved.append(row)
    audit.record(
        action=AuditLog.Action.CALENDAR_UPDATE,
        actor=actor,
        data={
            "year": year,
            "holidays": sum(row.kind == CalendarDay.Kind.HOLIDAY for row in saved),
            "makeup_workdays": sum(row.kind == CalendarDay.Kind.MAKEUP_WORKDAY for row in saved),
            "added": added,
            "changed": changed,
            "removed": [day.isoformat() for day in removed],
        },
    )
    _changed()
    return saved


# -- next year's notice -----------------------------------------------------------------------
def missing_year_warning(today: dt.date) -> str:
    """The warning shown on the status page and in the admin, "" when there is nothing to say."""
    if not workdays.missing_next_year(today):
        return ""
    return _(
        "尚未录入 %(year)s 年的法定节假日和调休安排：%(year)s 年的截止日期和会议日程暂按周一至周五计算。"
        "请在国务院办公厅发布通知后，由平台管理员在后台“节假日安排”中录入。"
    ) % {"year": today.year + 1}


def platform_staff():
    """Active superusers and platform administrators: who is told that next year is missing."""
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=roles.PLATFORM_ADMIN_GROUP), is_active=True)
        .distinct()
    )


def notify_missing_next_year(*, today: dt.date) -> int:
    """Tell platform staff, once per person and year, that next year's holidays are missing.
    Returns how many notifications were created now (0 when the year is known or all were told)."""
    workdays.refresh()  # a worker's snapshot may be a TTL old; this runs once a day
    warning = missing_year_warning(today)
    if not warning:
        return 0
    year = today.year + 1
    message = notifications.Message(
        title=_("请录入 %(year)s 年节假日安排") % {"year": year},
        body=warning,
        url=reverse("admin:chainparty_calendarday_changelist"),
        kind=MISSING_NEXT_YEAR_KIND,
    )
    return notifications.notify(
        recipients=platform_staff(), message=message, dedupe_key=f"{MISSING_NEXT_YEAR_KIND}:{year}"
    )
