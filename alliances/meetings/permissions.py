"""Who may see and act on meetings: the one place that answers it.

Actions (decided from `alliances.access.scope_for`, never ad hoc):
- VIEW: anyone who can see the meeting's alliance, every invitee (an invited department's
  handler may not otherwise see an alliance it is not a member of), and whoever answers for one of
  its decisions (the owner, the owning department's handlers, the owning enterprise's secretaries:
  their reminders link to the meeting);
- MANAGE (schedule, move, cancel, record attendance, file minutes, decisions, attachments): the
  alliance's managers (secretary, deputy or liaison seats in force that day) and organisation
  staff of its region (and platform administrators);
- ANSWER: the invitee, for their own invitation.

Every helper raises Http404 when the user may not see the object and PermissionDenied (403) when
they may see it but not do the action. Seats carry rights by their term dates, so a seat that
ended yesterday gives no right today.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from ..access import scope_for
from ..models import Alliance, Decision, Invitation, Meeting, MeetingAttachment, MeetingSchedule

VIEW = "view"
MANAGE = "manage"
ANSWER = "answer"
ACTIONS = (VIEW, MANAGE, ANSWER)


def meetings_visible_q(user, *, prefix: str = "") -> Q:
    """Meetings `user` may see, as a Q on Meeting (or on a model reaching it through `prefix`,
    e.g. "meeting__")."""
    scope = scope_for(user)
    if scope.sees_everything:
        return Q()
    q = Q(**{f"{prefix}alliance__in": Alliance.objects.filter(scope.alliances_q()).values("pk")})
    if scope.user_id is not None:
        q |= Q(**{f"{prefix}pk__in": Invitation.objects.filter(user_id=scope.user_id).values("meeting_id")})
        q |= Q(**{f"{prefix}pk__in": Decision.objects.filter(_owned_q(scope)).values("meeting_id")})
    return q


def _owned_q(scope) -> Q:
    """Decisions `scope`'s person answers for (and is reminded of): as the owner, a handler of the
    owning department or a Party secretary of the owning enterprise."""
    owned = Q(owner_user_id=scope.user_id)
    if scope.department_ids:
        owned |= Q(owner_department_id__in=scope.department_ids)
    if scope.enterprise_ids:
        owned |= Q(owner_enterprise_id__in=scope.enterprise_ids)
    return owned


def manages_alliance(user, alliance: Alliance) -> bool:
    """Secretaries, deputies and liaisons of the alliance in force today, organisation staff of its
    region, platform administrators: who may schedule and run its meetings."""
    scope = scope_for(user)
    if scope.is_global_admin or alliance.pk in scope.managed_alliance_ids:
        return True
    return bool(scope.managed_region_ids) and alliance.region.is_within(*scope.managed_region_ids)


def may_export_minutes(user) -> bool:
    """Whether `user` may export the monthly minutes workbook (alliances.meetings.export_views):
    platform administrators, organisation staff of a region and alliance managers. The export page,
    the download of an "all my alliances" file and the menu's link ask this, nothing else."""
    if not (user and user.is_authenticated):
        return False
    scope = scope_for(user)
    return bool(scope.is_global_admin or scope.managed_region_ids or scope.managed_alliance_ids)


def can_manage_meeting(user, meeting: Meeting) -> bool:
    return manages_alliance(user, meeting.alliance)


def _not_found():
    return Http404(_("未找到该会议，或您无权查看。"))


def _visible_meeting(user, meeting_id, queryset=None) -> Meeting:
    qs = queryset if queryset is not None else Meeting.objects.select_related("alliance__region")
    meeting = qs.filter(meetings_visible_q(user), pk=meeting_id).first()
    if meeting is None:
        raise _not_found()
    return meeting


def _require(action, *, user, meeting: Meeting, invitation: Invitation | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == MANAGE and not can_manage_meeting(user, meeting):
        raise PermissionDenied(_("您可以查看该会议，但无权管理。"))
    if action == ANSWER and (invitation is None or invitation.user_id != user.pk):
        raise PermissionDenied(_("只有受邀本人可以答复。"))


def meeting_get_for_user(*, user, meeting_id, action=VIEW, queryset=None) -> Meeting:
    """The meeting if `user` may do `action` on it. ANSWER needs an invitation of `user` to it."""
    meeting = _visible_meeting(user, meeting_id, queryset)
    invitation = None
    if action == ANSWER:
        invitation = Invitation.objects.filter(meeting=meeting, user_id=user.pk).first()
    _require(action, user=user, meeting=meeting, invitation=invitation)
    return meeting


def invitation_get_for_user(*, user, invitation_id, action=ANSWER) -> Invitation:
    """An invitation: VIEW for whoever sees its meeting, ANSWER for the invitee only, MANAGE
    (attendance) for the meeting's managers."""
    invitation = (
        Invitation.objects.select_related("meeting__alliance__region")
        .filter(meetings_visible_q(user, prefix="meeting__"), pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise _not_found()
    _require(action, user=user, meeting=invitation.meeting, invitation=invitation)
    return invitation


def decision_get_for_user(*, user, decision_id, action=VIEW) -> Decision:
    """A decision: VIEW for whoever sees its meeting, MANAGE (status) for the meeting's managers."""
    decision = (
        Decision.objects.select_related("meeting__alliance__region")
        .filter(meetings_visible_q(user, prefix="meeting__"), pk=decision_id)
        .first()
    )
    if decision is None:
        raise _not_found()
    _require(action, user=user, meeting=decision.meeting)
    return decision


def attachment_get_for_user(*, user, attachment_id, meeting_id=None, action=VIEW) -> MeetingAttachment:
    """An attachment (for download: VIEW) of a meeting the user sees; `meeting_id`, when the URL
    carries it, must match."""
    qs = MeetingAttachment.objects.select_related("meeting__alliance__region").filter(
        meetings_visible_q(user, prefix="meeting__"), pk=attachment_id
    )
    if meeting_id is not None:
        qs = qs.filter(meeting_id=meeting_id)
    attachment = qs.first()
    if attachment is None:
        raise _not_found()
    _require(action, user=user, meeting=attachment.meeting)
    return attachment


def schedules_visible_q(user) -> Q:
    """Schedules (会议计划) `user` may see: those of the alliances they see, as a Q on MeetingSchedule."""
    scope = scope_for(user)
    if scope.sees_everything:
        return Q()
    return Q(alliance__in=Alliance.objects.filter(scope.alliances_q()).values("pk"))


def schedule_get_for_user(*, user, schedule_id, action=VIEW, queryset=None) -> MeetingSchedule:
    """A schedule: VIEW for whoever sees its alliance, MANAGE (edit, hosts, end) for its managers.
    404 when the user may not see it, 403 when they may see it but not manage it."""
    qs = queryset if queryset is not None else MeetingSchedule.objects.select_related("alliance__region")
    schedule = qs.filter(schedules_visible_q(user), pk=schedule_id).first()
    if schedule is None:
        raise Http404(_("未找到该会议计划，或您无权查看。"))
    if action not in (VIEW, MANAGE):
        raise ValueError(f"unknown action {action!r}")
    if action == MANAGE and not manages_alliance(user, schedule.alliance):
        raise PermissionDenied(_("您可以查看该会议计划，但无权管理。"))
    return schedule
