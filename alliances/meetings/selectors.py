"""Reads of meetings, scoped to a user, with their joins decided once here.

Lists are annotated with `expected_count` (应到: every invitee) and `attended_count` (实到:
present or represented by a substitute), so a list page never counts per row.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from chainparty import workdays

from ..access import visible_alliances
from ..models import (
    AgendaItem,
    Alliance,
    Decision,
    Invitation,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingSchedule,
    Region,
    ScheduleHost,
    within_regions_q,
)
from .permissions import VIEW, meeting_get_for_user, meetings_visible_q, schedules_visible_q

#: Minutes count as missing once this many working days have passed since the meeting's day.
MINUTES_DUE_WORKDAYS = 3


def _invitation_count(**conditions):
    return Coalesce(
        Subquery(
            Invitation.objects.filter(meeting=OuterRef("pk"), **conditions)
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def with_attendance_counts(meetings):
    """`meetings` annotated with 应到 (`expected_count`) and 实到 (`attended_count`). Correlated
    counts, not a join with GROUP BY: PostgreSQL computes them for the page's rows only, after the
    sort and the limit, where a grouped join counted the invitations of every visible meeting first
    (a province's list: 170 ms of SQL for 25 rows)."""
    return meetings.annotate(
        expected_count=_invitation_count(),
        attended_count=_invitation_count(attendance__in=Invitation.ATTENDED),
    )


def _list_related(meetings):
    return meetings.select_related("alliance", "place_zone", "host_enterprise")


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next one, in the portal's time zone."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    following = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    return start, following


def alliance_meetings_in_month(*, alliance: Alliance, year: int, month: int):
    """An alliance's meetings starting in the month (local time), cancelled ones included, for the
    calendar grid; ordered by start."""
    start, following = month_bounds(year, month)
    qs = Meeting.objects.filter(alliance=alliance, starts_at__gte=start, starts_at__lt=following)
    return with_attendance_counts(_list_related(qs)).order_by("starts_at", "pk")


def meeting_list(
    *,
    user,
    alliance: Alliance | None = None,
    region: Region | None = None,
    kind: str = "",
    state: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    search: str = "",
):
    """Meetings `user` may see (the region's list for organisation staff), newest first, with
    filters; `date_from`/`date_to` are local days, both included."""
    qs = Meeting.objects.filter(meetings_visible_q(user))
    if alliance is not None:
        qs = qs.filter(alliance=alliance)
    if region is not None:
        qs = qs.filter(within_regions_q(region, field="alliance__region"))
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if date_from is not None:
        qs = qs.filter(starts_at__gte=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)))
    if date_to is not None:
        qs = qs.filter(
            starts_at__lt=timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
        )
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(alliance__name__icontains=search))
    return with_attendance_counts(_list_related(qs)).order_by("-starts_at", "-pk")


def my_invitations(*, user, upcoming: bool = False):
    """The user's invitations ("my meetings") with their meetings, soonest first when `upcoming`
    (meetings not yet ended and not cancelled), else newest first."""
    qs = Invitation.objects.filter(user=user).select_related(
        "meeting__alliance", "meeting__place_zone", "meeting__host_enterprise"
    )
    if upcoming:
        qs = qs.filter(meeting__ends_at__gt=timezone.now()).exclude(meeting__state=Meeting.State.CANCELLED)
        return qs.order_by("meeting__starts_at", "pk")
    return qs.order_by("-meeting__starts_at", "-pk")


def meeting_detail_queryset():
    """Meetings with everything the meeting page shows, in a constant number of queries: pass it
    as `queryset` to `meeting_get_for_user`."""
    return Meeting.objects.select_related(
        "alliance__region",
        "place_zone",
        "host_enterprise",
        "chair",
        "recorder",
        "minutes_filed_by",
        "schedule",
    ).prefetch_related(
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position")),
        Prefetch(
            "invitations",
            queryset=Invitation.objects.select_related("user", "enterprise", "department").order_by("source", "pk"),
        ),
        Prefetch(
            "decisions",
            queryset=Decision.objects.select_related("owner_department", "owner_enterprise", "owner_user").order_by(
                "position"
            ),
        ),
        Prefetch("attachments", queryset=MeetingAttachment.objects.select_related("uploaded_by")),
        "invited_departments",
    )


def attendance_figures(meeting: Meeting) -> dict:
    """应到, 实到 and 请假 of one meeting, counted from its (prefetched) invitations."""
    invitations = list(meeting.invitations.all())
    return {
        "expected": len(invitations),
        "attended": sum(1 for i in invitations if i.has_attended),
        "on_leave": sum(1 for i in invitations if i.attendance == Invitation.Attendance.LEAVE),
        "absent": sum(1 for i in invitations if i.attendance == Invitation.Attendance.ABSENT),
    }


def meeting_detail(*, user, meeting_id: int) -> Meeting:
    """The meeting page's meeting, access-checked (404 when the user may not see it), with its
    agenda, invitations, decisions, attachments and invited departments prefetched."""
    return meeting_get_for_user(user=user, meeting_id=meeting_id, action=VIEW, queryset=meeting_detail_queryset())


def decision_list(
    *, user, meeting_id: int | None = None, alliance_id: int | None = None, status: str = "", overdue=None
):
    """Decisions (议定事项) of the meetings `user` may see, by due date then meeting and position,
    with their meeting, alliance and owner joined; `overdue` keeps open ones past their due date."""
    qs = Decision.objects.filter(meetings_visible_q(user, prefix="meeting__")).select_related(
        "meeting__alliance", "owner_department", "owner_enterprise", "owner_user"
    )
    if meeting_id is not None:
        qs = qs.filter(meeting_id=meeting_id)
    if alliance_id is not None:
        qs = qs.filter(meeting__alliance_id=alliance_id)
    if status:
        qs = qs.filter(status=status)
    if overdue is True:
        qs = qs.filter(status=Decision.Status.OPEN, due_date__lt=timezone.localdate())
    elif overdue is False:
        qs = qs.exclude(status=Decision.Status.OPEN, due_date__lt=timezone.localdate())
    return qs.order_by("due_date", "meeting_id", "position", "pk")


# -- the organisation department's lists -------------------------------------------------------------
def minutes_due_before(today: dt.date | None = None) -> dt.datetime:
    """Meetings starting before this instant are past the 3 working days their minutes are due in."""
    day = workdays.latest_deadline_late_by(today or timezone.localdate(), MINUTES_DUE_WORKDAYS)
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def minutes_missing(
    *,
    user,
    alliance: Alliance | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
):
    """纪要未归档: started (or held) meetings `user` sees whose minutes are more than
    `MINUTES_DUE_WORKDAYS` working days late, oldest first, with `meeting_list`'s filters."""
    meetings = meeting_list(user=user, alliance=alliance, kind=kind, date_from=date_from, date_to=date_to)
    return meetings.filter(
        state__in=[Meeting.State.SCHEDULED, Meeting.State.HELD], starts_at__lt=minutes_due_before(today)
    ).order_by("starts_at", "pk")


def decisions_overdue(
    *,
    user,
    alliance: Alliance | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
):
    """议定事项超期: open decisions past their due date in meetings `user` sees, most overdue first;
    `date_from`/`date_to` (local days, both included) bound the meeting's start."""
    rows = Decision.objects.filter(
        meetings_visible_q(user, prefix="meeting__"),
        status=Decision.Status.OPEN,
        due_date__lt=today or timezone.localdate(),
    )
    if alliance is not None:
        rows = rows.filter(meeting__alliance=alliance)
    if kind:
        rows = rows.filter(meeting__kind=kind)
    if date_from is not None:
        rows = rows.filter(meeting__starts_at__gte=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)))
    if date_to is not None:
        following = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
        rows = rows.filter(meeting__starts_at__lt=following)
    return rows.select_related("meeting__alliance").order_by("due_date", "pk")


#: The meetings an alliance's cadence (会议频次) asks for.
CADENCE_KINDS = (MeetingKind.COMMITTEE, MeetingKind.JOINT)
HELD_STATES = (Meeting.State.HELD, Meeting.State.MINUTES_FILED)


@dataclass(frozen=True)
class CadenceGap:
    """An alliance that held no 党委会议 or 联席会议 in the last period its cadence asks one for."""

    alliance: Alliance
    period_start: dt.date
    period_end: dt.date
    last_held_at: dt.datetime | None

    @property
    def quarterly(self) -> bool:
        return self.alliance.meeting_cadence == Alliance.Cadence.QUARTERLY


def last_periods(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The last complete month and quarter before `today`'s, as (first day, last day) per cadence."""
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    quarter_start_month = (today.month - 1) // 3 * 3 + 1
    quarter_end = today.replace(month=quarter_start_month, day=1) - dt.timedelta(days=1)
    return {
        Alliance.Cadence.MONTHLY: (month_end.replace(day=1), month_end),
        Alliance.Cadence.QUARTERLY: (quarter_end.replace(month=quarter_end.month - 2, day=1), quarter_end),
    }


def _held_between(start: dt.date, end: dt.date):
    """A subquery: the outer alliance held a cadence meeting starting within [start, end] (local days)."""
    return Exists(
        Meeting.objects.filter(
            alliance=OuterRef("pk"),
            kind__in=CADENCE_KINDS,
            state__in=HELD_STATES,
            starts_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
            starts_at__lt=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
        )
    )


def cadence_gaps(*, user, today: dt.date | None = None) -> list[CadenceGap]:
    """Meetings due by each alliance's cadence but not held: for every alliance `user` sees that
    existed through its last complete period (the previous month for a monthly cadence, the previous
    quarter for a quarterly one), the period when no 党委会议 or 联席会议 was held (attendance
    recorded or minutes filed) in it. By alliance name; one query whatever the number of alliances."""
    periods = last_periods(today or timezone.localdate())
    monthly, quarterly = periods[Alliance.Cadence.MONTHLY], periods[Alliance.Cadence.QUARTERLY]
    alliances = (
        visible_alliances(user)
        .annotate(
            held_last_month=_held_between(*monthly),
            held_last_quarter=_held_between(*quarterly),
            last_held_at=Max(
                "meetings__starts_at",
                filter=Q(meetings__kind__in=CADENCE_KINDS, meetings__state__in=HELD_STATES),
            ),
        )
        .filter(
            Q(meeting_cadence=Alliance.Cadence.MONTHLY, held_last_month=False, founded_on__lte=monthly[0])
            | Q(meeting_cadence=Alliance.Cadence.QUARTERLY, held_last_quarter=False, founded_on__lte=quarterly[0])
        )
        .select_related("region")
        .order_by("name", "pk")
    )
    return [CadenceGap(a, *periods[a.meeting_cadence], a.last_held_at) for a in alliances]


# -- schedules --------------------------------------------------------------------------------------
def schedule_list(*, user, alliance: Alliance | None = None, active: bool | None = None):
    """Schedules (会议计划) `user` may see, with their alliance, place, recorder and host rotation
    (in order, with the enterprises) loaded in a constant number of queries; by alliance, newest
    first."""
    qs = MeetingSchedule.objects.filter(schedules_visible_q(user))
    if alliance is not None:
        qs = qs.filter(alliance=alliance)
    if active is not None:
        qs = qs.filter(active=active)
    return (
        qs.select_related("alliance", "place_zone", "recorder", "split_from")
        .prefetch_related(
            Prefetch("hosts", queryset=ScheduleHost.objects.select_related("enterprise").order_by("position"))
        )
        .order_by("alliance__name", "alliance_id", "-active", "-starts_on", "-pk")
    )
