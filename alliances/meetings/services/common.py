"""What the meeting services share: the manager check, the meeting's row lock, the time checks, the
invitees' notice after commit and the audit entry."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit
from chainparty.notifications import Message, notify

from ...models import Alliance, Meeting
from ..permissions import manages_alliance

State = Meeting.State


def require_manager(actor, alliance: Alliance) -> None:
    if actor is not None and not manages_alliance(actor, alliance):
        raise PermissionDenied(_("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以管理会议。"))


def lock_meeting(meeting: Meeting) -> Meeting:
    """The meeting's row, locked and re-read: two people acting on one meeting take turns, and the
    second one's checks see what the first one did."""
    return Meeting.objects.select_for_update().select_related("alliance__region").get(pk=meeting.pk)


def check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
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


def when_text(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}—{until}"


def notify_invitees(meeting_id: int, *, key: str, title: str, body: str) -> None:
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


def audit_meeting(meeting: Meeting, action, *, actor, **data):
    return audit.record(
        action=action,
        actor=actor,
        target=meeting,
        region=meeting.alliance.region,
        data={"object": str(meeting.alliance), "title": meeting.title, **data},
    )
