"""An invitee's answer: attend, send a substitute or on leave."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty.errors import StateError

from ...models import Invitation, Meeting
from .. import reminders
from .common import State, lock_meeting


@transaction.atomic
def invitation_answer(
    *, actor, invitation: Invitation, answer: str, substitute_name: str = "", leave_reason: str = ""
) -> Invitation:
    """The invitee answers (or changes their answer) before the meeting starts: attend, send a
    substitute (name required) or on leave (reason required)."""
    # The meeting first, then the invitation, as the other services lock: an answer and a cancel or
    # move of the same meeting take turns, and the answer sees the meeting as the other left it.
    meeting = lock_meeting(Meeting(pk=invitation.meeting_id))
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
