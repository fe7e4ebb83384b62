"""Reads of meetings, scoped to a user, with their joins decided once here.

Lists are annotated with `expected_count` (应到: every invitee) and `attended_count` (实到:
present or represented by a substitute), so a list page never counts per row.
"""

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from ..models import (
    AgendaItem,
    Alliance,
    Decision,
    Invitation,
    Meeting,
    MeetingAttachment,
    Region,
    within_regions_q,
)
from .permissions import VIEW, meeting_get_for_user, meetings_visible_q


def with_attendance_counts(meetings):
    """`meetings` annotated with 应到 (`expected_count`) and 实到 (`attended_count`)."""
    return meetings.annotate(
        expected_count=Count("invitations", distinct=True),
        attended_count=Count("invitations", filter=Q(invitations__attendance__in=Invitation.ATTENDED), distinct=True),
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
