"""After the meeting: attendance, minutes and decisions (议定事项)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit, workdays
from chainparty.errors import StateError

from ...models import AgendaItem, Alliance, Decision, Department, Enterprise, Invitation, Meeting
from .. import reminders
from ..permissions import can_manage_meeting
from .common import State, audit_meeting, lock_meeting, require_manager
from .reach import department_in_reach, is_current_member, outside_reach


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
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
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
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
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
    audit_meeting(
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
    if draft.department is not None and not department_in_reach(alliance, draft.department):
        raise ValidationError({"department": _("责任部门不在本联盟所在区域。")})
    if draft.enterprise is not None and not is_current_member(alliance, draft.enterprise):
        raise ValidationError({"enterprise": _("责任企业须是本联盟的在册成员企业。")})
    if draft.user is not None and outside_reach(alliance, [draft.user]):
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
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
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
