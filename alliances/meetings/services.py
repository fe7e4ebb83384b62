"""Every write to meetings. Pages, the API, sweeps and load_demo call these.

Conventions for every function here:
- keyword-only arguments; `actor` is the person acting. `actor=None` means the system (a sweep
  creating a schedule's occurrences, load_demo) and skips the rights check; a person's rights are
  checked with `alliances.meetings.permissions`, whatever the caller checked before.
- Bad input raises a Chinese `ValidationError` (field errors where a field is to blame); an action
  the meeting's state does not allow raises `chainparty.errors.StateError`; a person without the
  right raises `PermissionDenied`. In every case nothing is saved.
- Organisational records (schedule, move, cancel, minutes filed) go to the audit log; invitees
  are told through `chainparty.notifications.notify` after commit, with dedupe keys
  `meeting:<id>:scheduled`, `meeting:<id>:moved:v<version>` and `meeting:<id>:cancelled`.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit, roles, uploads, workdays
from chainparty.errors import StateError
from chainparty.notifications import Message, notify

from ..access import seats_in_force
from ..models import (
    AgendaItem,
    Alliance,
    Decision,
    Department,
    DepartmentUserObjectPermission,
    Enterprise,
    Invitation,
    Meeting,
    MeetingAttachment,
    MeetingSchedule,
    Membership,
    WorkZone,
    within_regions_q,
)
from ..selectors import department_handlers, enterprise_secretaries, seat_candidates
from . import reminders
from .permissions import can_manage_meeting, manages_alliance

logger = logging.getLogger(__name__)

State = Meeting.State
MAX_ATTACHMENTS = 50
#: What each kind of attachment may be (by content, see chainparty.uploads).
ATTACHMENT_TYPES = {
    MeetingAttachment.Kind.PHOTO: (uploads.JPEG, uploads.PNG),
    MeetingAttachment.Kind.SIGN_IN: (uploads.PDF, uploads.JPEG, uploads.PNG),
    MeetingAttachment.Kind.OTHER: uploads.ALL_KINDS,
}


# -- helpers -------------------------------------------------------------------------------------
def _require_manager(actor, alliance: Alliance) -> None:
    if actor is not None and not manages_alliance(actor, alliance):
        raise PermissionDenied(_("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以管理会议。"))


def _lock(meeting: Meeting) -> Meeting:
    """The meeting's row, locked and re-read: two people acting on one meeting take turns, and the
    second one's checks see what the first one did."""
    return Meeting.objects.select_for_update().select_related("alliance__region").get(pk=meeting.pk)


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    errors = {}
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is None:
            errors[field] = _("请填写时间。")
        elif timezone.is_naive(value):
            errors[field] = _("时间须带时区。")
    if errors:
        raise ValidationError(errors)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}—{until}"


def _notify_invitees(meeting_id: int, *, key: str, title: str, body: str) -> None:
    """Tell every invitee with an account, after commit, once per key."""

    def send():
        meeting = Meeting.objects.get(pk=meeting_id)
        users = [i.user for i in meeting.invitations.select_related("user").exclude(user=None)]
        notify(
            recipients=users,
            message=Message(title=title, body=body, url=meeting.get_absolute_url(), kind="meeting"),
            dedupe_key=f"meeting:{meeting_id}:{key}",
        )

    transaction.on_commit(send)


def _audit(meeting: Meeting, action, *, actor, **data) -> None:
    audit.record(
        action=action,
        actor=actor,
        target=meeting,
        region=meeting.alliance.region,
        data={"object": str(meeting.alliance), "title": meeting.title, **data},
    )


# -- who a meeting may involve -------------------------------------------------------------------
def _department_in_reach(alliance: Alliance, department: Department) -> bool:
    """A department of the alliance's region, of a region under it or of one above it."""
    return alliance.region.is_within(department.region_id) or department.region.is_within(alliance.region_id)


def _is_current_member(alliance: Alliance, enterprise: Enterprise) -> bool:
    return Membership.objects.filter(alliance=alliance, enterprise=enterprise, left_on__isnull=True).exists()


def _outside_reach(alliance: Alliance, users: Iterable) -> list:
    """Those of `users` a meeting of `alliance` may not involve: whoever is neither a seat candidate
    (`alliances.selectors.seat_candidates`) nor an active handler of a department in reach. Checked
    here so that no caller can invite, notify or name an account from elsewhere on the platform."""
    users = [u for u in users if u is not None]
    ids = {u.pk for u in users}
    if not ids:
        return []
    reachable = Department.objects.filter(
        Q(region_id__in=alliance.region.ancestor_ids()) | within_regions_q(alliance.region)
    )
    handlers = DepartmentUserObjectPermission.objects.filter(
        permission__codename=roles.HANDLE_DEPARTMENT,
        content_object__in=reachable,
        user_id__in=ids,
        user__is_active=True,
    )
    allowed = set(seat_candidates(alliance=alliance).filter(pk__in=ids).values_list("pk", flat=True))
    allowed |= set(handlers.values_list("user_id", flat=True))
    return [u for u in users if u.pk not in allowed]


def _check_people(alliance: Alliance, *, chair, recorder, chosen_users) -> None:
    errors = {}
    if _outside_reach(alliance, [chair]):
        errors["chair"] = _("主持人不在本联盟可邀请的人员范围内。")
    if _outside_reach(alliance, [recorder]):
        errors["recorder"] = _("记录人不在本联盟可邀请的人员范围内。")
    # Counted, not named: naming them would read back names the secretary may not see.
    outside = _outside_reach(alliance, chosen_users)
    if outside:
        errors["chosen_users"] = _("所选人员中有 %d 人不在本联盟可邀请的人员范围内。") % len(outside)
    if errors:
        raise ValidationError(errors)


# -- scheduling ----------------------------------------------------------------------------------
def _check_place_and_host(alliance: Alliance, *, place_zone, host_enterprise, invited_departments) -> None:
    errors = {}
    if place_zone is not None and not place_zone.region.is_within(alliance.region_id):
        errors["place_zone"] = _("会议地点所在片区不在本联盟所属区域内。")
    if host_enterprise is not None and not _is_current_member(alliance, host_enterprise):
        errors["host_enterprise"] = _("承办企业须是本联盟的在册成员企业。")
    outside = [d.name for d in invited_departments if not _department_in_reach(alliance, d)]
    if outside:
        errors["invited_departments"] = _("以下部门不在本联盟所在区域：%s") % "、".join(outside)
    if errors:
        raise ValidationError(errors)


def _default_invitations(meeting: Meeting, *, departments, chosen_users, chosen_names) -> list[Invitation]:
    """Committee seats in force on the meeting's day, the secretaries of member enterprises, the
    handlers of invited departments, then the chosen people; an account is invited once, under the
    first reason found in that order."""
    invitations, seen_users = [], set()

    def add(*, user=None, person_name="", **fields):
        if user is not None:
            if user.pk in seen_users or not user.is_active:
                return
            seen_users.add(user.pk)
            person_name = person_name or user.display_name
        invitations.append(Invitation(meeting=meeting, user=user, person_name=person_name[:50], **fields))

    seats = (
        seats_in_force(on=meeting.local_date)
        .filter(alliance=meeting.alliance)
        .select_related("user")
        .order_by("role", "pk")
    )
    for seat in seats:
        add(
            user=seat.user,
            person_name=seat.person_name,
            source=Invitation.Source.SEAT,
            enterprise_id=seat.enterprise_id,
            department_id=seat.department_id,
        )
    member_ids = list(
        Membership.objects.filter(alliance=meeting.alliance, left_on__isnull=True, enterprise__isnull=False)
        .order_by("joined_on", "pk")
        .values_list("enterprise_id", flat=True)
    )
    secretaries = enterprise_secretaries(member_ids)
    for enterprise_id in member_ids:
        for user in secretaries.get(enterprise_id, []):
            add(user=user, source=Invitation.Source.ENTERPRISE_SECRETARY, enterprise_id=enterprise_id)
    handlers = department_handlers([d.pk for d in departments])
    for department in departments:
        for user in handlers.get(department.pk, []):
            add(user=user, source=Invitation.Source.DEPARTMENT, department_id=department.pk)
    for user in chosen_users:
        add(user=user, source=Invitation.Source.CHOSEN)
    for name in chosen_names:
        if name.strip():
            add(person_name=name.strip(), source=Invitation.Source.CHOSEN)
    return invitations


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    alliance: Alliance,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place_zone: WorkZone | None = None,
    place_address: str = "",
    chair=None,
    chair_name: str = "",
    recorder=None,
    recorder_name: str = "",
    host_enterprise: Enterprise | None = None,
    invited_departments: Iterable[Department] = (),
    agenda: Sequence[str] = (),
    chosen_users: Iterable = (),
    chosen_names: Iterable[str] = (),
    schedule: MeetingSchedule | None = None,
    occurrence_date: dt.date | None = None,
) -> Meeting:
    """Schedule a meeting of `alliance` with its agenda (titles in order) and default invitees
    (see `_default_invitations`; the chair and recorder are invited too), and send them "会议通知"
    when it has not started yet. A meeting in the past may be recorded (补录): nobody is notified."""
    _require_manager(actor, alliance)
    _check_times(starts_at, ends_at)
    departments = list(invited_departments)
    _check_place_and_host(
        alliance, place_zone=place_zone, host_enterprise=host_enterprise, invited_departments=departments
    )
    chosen_users = list(chosen_users)
    _check_people(alliance, chair=chair, recorder=recorder, chosen_users=chosen_users)
    meeting = Meeting(
        alliance=alliance,
        kind=kind,
        title=(title or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place_zone=place_zone,
        place_address=(place_address or "").strip(),
        chair=chair,
        chair_name=(chair_name or (chair.display_name if chair else "")).strip(),
        recorder=recorder,
        recorder_name=(recorder_name or (recorder.display_name if recorder else "")).strip(),
        host_enterprise=host_enterprise,
        schedule=schedule,
        occurrence_date=occurrence_date,
        created_by=actor,
    )
    if not meeting.place_address and place_zone is None:
        raise ValidationError({"place_address": _("请填写会议地点或选择片区。")})
    meeting.full_clean()
    meeting.save()
    meeting.invited_departments.set(departments)
    titles = [t.strip() for t in agenda if t and t.strip()]
    items = [AgendaItem(meeting=meeting, position=n, title=t[:200]) for n, t in enumerate(titles, start=1)]
    AgendaItem.objects.bulk_create(items)
    people = [u for u in (chair, recorder) if u is not None] + list(chosen_users)
    Invitation.objects.bulk_create(
        _default_invitations(meeting, departments=departments, chosen_users=people, chosen_names=chosen_names)
    )
    _audit(meeting, audit.Action.MEETING_SCHEDULE, actor=actor, kind=meeting.kind, starts_at=meeting.starts_at)
    reminders.meeting_changed(meeting)
    if not meeting.has_started:
        _notify_invitees(
            meeting.pk,
            key="scheduled",
            title=_("会议通知：%s") % meeting.title,
            body=_("%(alliance)s定于 %(when)s 在%(place)s召开%(kind)s，请及时答复是否参加。")
            % {
                "alliance": alliance,
                "when": _when(meeting),
                "place": meeting.place,
                "kind": meeting.get_kind_display(),
            },
        )
    return meeting


@transaction.atomic
def meeting_move(
    *, actor, meeting: Meeting, starts_at: dt.datetime, ends_at: dt.datetime, expected_version: int | None = None
) -> Meeting:
    """Move a scheduled meeting that has not started to a new time in the future. Bumps `version`
    and keeps the previous start in `moved_from`; invitees get "会议时间变更". `expected_version`
    (the version the mover saw) refuses a move on top of someone else's."""
    _check_times(starts_at, ends_at)
    meeting = _lock(meeting)
    _require_manager(actor, meeting.alliance)
    if expected_version is not None and expected_version != meeting.version:
        raise StateError(_("会议时间已被他人调整，请刷新后再操作。"), code="stale")
    if meeting.state != State.SCHEDULED:
        raise StateError(_("会议当前为“%s”，不能调整时间。") % meeting.get_state_display())
    if meeting.has_started:
        raise StateError(_("会议已经开始，不能再调整时间。"))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("新的开始时间已经过去，请选择以后的时间。")})
    if starts_at == meeting.starts_at and ends_at == meeting.ends_at:
        raise ValidationError({"starts_at": _("新的时间与原定时间相同。")})
    previous = meeting.starts_at
    meeting.moved_from, meeting.starts_at, meeting.ends_at = previous, starts_at, ends_at
    meeting.version += 1
    meeting.full_clean()
    meeting.save(update_fields=["moved_from", "starts_at", "ends_at", "version", "updated_at"])
    _audit(meeting, audit.Action.MEETING_MOVE, actor=actor, moved_from=previous, starts_at=starts_at)
    reminders.meeting_changed(meeting)
    _notify_invitees(
        meeting.pk,
        key=f"moved:v{meeting.version}",
        title=_("会议时间变更：%s") % meeting.title,
        body=_("原定 %(old)s 召开的会议调整为 %(when)s，地点：%(place)s。")
        % {"old": f"{timezone.localtime(previous):%Y-%m-%d %H:%M}", "when": _when(meeting), "place": meeting.place},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting, with a reason; invitees are told (if it had not started)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    meeting = _lock(meeting)
    _require_manager(actor, meeting.alliance)
    if meeting.state != State.SCHEDULED:
        raise StateError(_("会议当前为“%s”，不能取消。") % meeting.get_state_display())
    meeting.state, meeting.cancel_reason, meeting.cancelled_at = State.CANCELLED, reason[:500], timezone.now()
    meeting.full_clean()
    meeting.save(update_fields=["state", "cancel_reason", "cancelled_at", "updated_at"])
    _audit(meeting, audit.Action.MEETING_CANCEL, actor=actor, reason=meeting.cancel_reason)
    reminders.meeting_cancelled(meeting)
    if not meeting.has_started:
        _notify_invitees(
            meeting.pk,
            key="cancelled",
            title=_("会议取消：%s") % meeting.title,
            body=_("原定 %(when)s 召开的会议已取消。原因：%(reason)s")
            % {"when": _when(meeting), "reason": meeting.cancel_reason},
        )
    return meeting


# -- before and after the meeting ----------------------------------------------------------------
@transaction.atomic
def invitation_answer(
    *, actor, invitation: Invitation, answer: str, substitute_name: str = "", leave_reason: str = ""
) -> Invitation:
    """The invitee answers (or changes their answer) before the meeting starts: attend, send a
    substitute (name required) or on leave (reason required)."""
    # The meeting first, then the invitation, as the other services lock: an answer and a cancel or
    # move of the same meeting take turns, and the answer sees the meeting as the other left it.
    meeting = _lock(Meeting(pk=invitation.meeting_id))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, meeting=meeting)
    invitation.meeting = meeting
    if actor is None or invitation.user_id != actor.pk:
        raise PermissionDenied(_("只有受邀本人可以答复。"))
    if meeting.state == State.CANCELLED:
        raise StateError(_("会议已取消，无需答复。"))
    if meeting.state != State.SCHEDULED or meeting.has_started:
        raise StateError(_("会议已经开始，不能再答复。"))
    substitute_name, leave_reason = (substitute_name or "").strip(), (leave_reason or "").strip()
    A = Invitation.Answer
    if answer not in (A.ATTEND, A.SUBSTITUTE, A.LEAVE):
        raise ValidationError({"answer": _("请选择参加、委托他人或请假。")})
    if answer == A.SUBSTITUTE and not substitute_name:
        raise ValidationError({"substitute_name": _("委托他人参会须填写代参会人姓名。")})
    if answer == A.LEAVE and not leave_reason:
        raise ValidationError({"leave_reason": _("请假须填写原因。")})
    invitation.answer = answer
    invitation.substitute_name = substitute_name if answer == A.SUBSTITUTE else ""
    invitation.leave_reason = leave_reason if answer == A.LEAVE else ""
    invitation.answered_at = timezone.now()
    invitation.full_clean()
    invitation.save(update_fields=["answer", "substitute_name", "leave_reason", "answered_at"])
    reminders.meeting_changed(meeting)  # who is on leave is not reminded to come
    return invitation


def _require_after_start(meeting: Meeting, doing: str) -> None:
    if meeting.state == State.CANCELLED:
        raise StateError(_("会议已取消，不能%s。") % doing)
    if not meeting.has_started:
        raise StateError(_("会议尚未开始，不能%s。") % doing)


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, attendance: Mapping[int, str]) -> list[Invitation]:
    """Record attendance after the meeting has started: `attendance` maps invitation ids of this
    meeting to an `Invitation.Attendance` value. An id that is not one of this meeting's
    invitations (someone not invited) refuses the whole call. A scheduled meeting becomes held."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.alliance)
    _require_after_start(meeting, _("登记出席情况"))
    if not attendance:
        raise ValidationError({"attendance": _("请至少登记一名参会人员的出席情况。")})
    invitations = {i.pk: i for i in meeting.invitations.filter(pk__in=list(attendance))}
    strangers = [pk for pk in attendance if pk not in invitations]
    if strangers:
        raise ValidationError({"attendance": _("所登记的人员不在本次会议的邀请名单中。")})
    valid = set(Invitation.Attendance.values)
    if any(value not in valid for value in attendance.values()):
        raise ValidationError({"attendance": _("出席情况只能是出席、缺席、请假、代为出席或未登记。")})
    now = timezone.now()
    for pk, value in attendance.items():
        invitation = invitations[pk]
        invitation.attendance = value
        invitation.attendance_recorded_at = None if value == Invitation.Attendance.UNRECORDED else now
    Invitation.objects.bulk_update(invitations.values(), ["attendance", "attendance_recorded_at"])
    if meeting.state == State.SCHEDULED:
        meeting.state = State.HELD
        meeting.save(update_fields=["state", "updated_at"])
    return list(invitations.values())


@dataclass(frozen=True)
class DecisionDraft:
    """A decision to add, as `meeting_minutes_file` takes them: exactly one of `department`,
    `enterprise` or `user` owns it."""

    text: str
    due_workdays: int
    department: Department | None = None
    enterprise: Enterprise | None = None
    user: object = None
    owner_label: str = ""


@transaction.atomic
def meeting_minutes_file(
    *,
    actor,
    meeting: Meeting,
    minutes: Mapping[int, str],
    summary: str = "",
    decisions: Sequence[DecisionDraft] = (),
) -> Meeting:
    """File (or correct) the minutes of a meeting that has started and is not cancelled: `minutes`
    maps this meeting's agenda item ids to what was said; `decisions` are added after the existing
    ones. The meeting becomes "纪要已归档"."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.alliance)
    _require_after_start(meeting, _("归档纪要"))
    items = {item.pk: item for item in meeting.agenda_items.filter(pk__in=list(minutes))}
    if any(pk not in items for pk in minutes):
        raise ValidationError({"minutes": _("纪要所对应的议题不属于本次会议。")})
    summary = (summary or "").strip()
    if not summary and not any((text or "").strip() for text in minutes.values()):
        raise ValidationError({"summary": _("请填写纪要：会议摘要或至少一个议题的纪要。")})
    for pk, text in minutes.items():
        items[pk].minutes = (text or "").strip()
    AgendaItem.objects.bulk_update(items.values(), ["minutes"])
    added = [_decision_add(meeting, draft) for draft in decisions]
    first_filing = meeting.state != State.MINUTES_FILED
    meeting.summary, meeting.state = summary, State.MINUTES_FILED
    meeting.minutes_filed_at, meeting.minutes_filed_by = timezone.now(), actor
    meeting.full_clean()
    meeting.save(update_fields=["summary", "state", "minutes_filed_at", "minutes_filed_by", "updated_at"])
    reminders.minutes_filed(meeting)
    _audit(
        meeting,
        audit.Action.MINUTES_FILE,
        actor=actor,
        corrected=not first_filing,
        decisions_added=len(added),
    )
    return meeting


# -- decisions -----------------------------------------------------------------------------------
def _check_owner(alliance: Alliance, draft: DecisionDraft) -> None:
    """The owner is someone the alliance may involve: a department in reach, a member enterprise,
    or a person the meeting could have invited (they are reminded and may open the meeting)."""
    if draft.department is not None and not _department_in_reach(alliance, draft.department):
        raise ValidationError({"department": _("责任部门不在本联盟所在区域。")})
    if draft.enterprise is not None and not _is_current_member(alliance, draft.enterprise):
        raise ValidationError({"enterprise": _("责任企业须是本联盟的在册成员企业。")})
    if draft.user is not None and _outside_reach(alliance, [draft.user]):
        raise ValidationError({"user": _("责任人不在本联盟可邀请的人员范围内。")})


def _decision_add(meeting: Meeting, draft: DecisionDraft) -> Decision:
    text = (draft.text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写议定事项内容。")})
    owners = [o for o in (draft.department, draft.enterprise, draft.user) if o is not None]
    if len(owners) != 1:
        raise ValidationError({"owner": _("议定事项须有且只有一个责任方：部门、企业或个人。")})
    if not isinstance(draft.due_workdays, int) or draft.due_workdays < 1:
        raise ValidationError({"due_workdays": _("办理时限至少为 1 个工作日。")})
    _check_owner(meeting.alliance, draft)
    owner = owners[0]
    label = (draft.owner_label or getattr(owner, "display_name", None) or str(owner)).strip()
    last = meeting.decisions.order_by("-position").values_list("position", flat=True).first() or 0
    decision = Decision(
        meeting=meeting,
        position=last + 1,
        text=text,
        owner_department=draft.department,
        owner_enterprise=draft.enterprise,
        owner_user=draft.user,
        owner_label=label[:100],
        due_workdays=draft.due_workdays,
        due_date=workdays.add_workdays(meeting.local_date, draft.due_workdays),
    )
    decision.full_clean()
    decision.save()
    reminders.decision_changed(decision)
    return decision


@transaction.atomic
def decision_add(
    *,
    actor,
    meeting: Meeting,
    text: str,
    due_workdays: int,
    department: Department | None = None,
    enterprise: Enterprise | None = None,
    user=None,
    owner_label: str = "",
) -> Decision:
    """Add one decision to a meeting that has started and is not cancelled. Its due date is
    `due_workdays` working days after the meeting's day (chainparty.workdays)."""
    meeting = _lock(meeting)
    _require_manager(actor, meeting.alliance)
    _require_after_start(meeting, _("添加议定事项"))
    draft = DecisionDraft(
        text=text,
        due_workdays=due_workdays,
        department=department,
        enterprise=enterprise,
        user=user,
        owner_label=owner_label,
    )
    return _decision_add(meeting, draft)


@transaction.atomic
def decision_update_status(*, actor, decision: Decision, status: str) -> Decision:
    """Mark a decision done, cancelled, or open again; `done_at` follows."""
    decision = Decision.objects.select_for_update().select_related("meeting__alliance__region").get(pk=decision.pk)
    if actor is not None and not can_manage_meeting(actor, decision.meeting):
        raise PermissionDenied(_("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以更新议定事项。"))
    if status not in Decision.Status.values:
        raise ValidationError({"status": _("状态只能是办理中、已完成或已撤销。")})
    if status == decision.status:
        raise StateError(_("该议定事项已是“%s”。") % decision.get_status_display())
    decision.status = status
    decision.done_at = timezone.now() if status == Decision.Status.DONE else None
    decision.full_clean()
    decision.save(update_fields=["status", "done_at", "updated_at"])
    reminders.decision_changed(decision)
    return decision


# -- attachments ---------------------------------------------------------------------------------
def _check_files(files, kind) -> list:
    allowed = ATTACHMENT_TYPES[kind]
    checked, errors = [], []
    for file in files:
        try:
            checked.append((file, uploads.check_upload(file, allowed=allowed)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


@transaction.atomic
def meeting_attach(*, actor, meeting: Meeting, files, kind: str = MeetingAttachment.Kind.PHOTO) -> list:
    """Attach photos, the signed attendance sheet or other files to a meeting that is not
    cancelled, after the shared upload checks (photos: JPG or PNG; sign-in sheet: PDF, JPG or PNG).
    A refused file refuses the call; files written for a call that fails are deleted again."""
    if kind not in ATTACHMENT_TYPES:
        raise ValidationError({"kind": _("请选择附件类别。")})
    files = list(files)
    if not files:
        raise ValidationError({"files": _("请选择要上传的文件。")})
    checked = _check_files(files, kind)
    meeting = _lock(meeting)
    _require_manager(actor, meeting.alliance)
    if meeting.state == State.CANCELLED:
        raise StateError(_("会议已取消，不能上传附件。"))
    if meeting.attachments.count() + len(checked) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("每次会议最多 %d 个附件。") % MAX_ATTACHMENTS})
    attachments = []
    try:
        for file, info in checked:
            file.seek(0)
            attachment = MeetingAttachment(
                meeting=meeting,
                name=info.name,
                kind=kind,
                content_type=info.kind.content_type,
                size=info.size,
                uploaded_by=actor,
            )
            attachment.file.save(info.name, file, save=False)
            attachments.append(attachment)
            attachment.save()
    except BaseException:
        _delete_files(attachments)
        raise
    return attachments


def _delete_files(attachments) -> None:
    for attachment in attachments:
        try:
            attachment.file.storage.delete(attachment.file.name)
        except Exception:  # the error that brought us here matters more; the file is only logged
            logger.exception("could not delete the unsaved meeting attachment %s", attachment.file.name)
