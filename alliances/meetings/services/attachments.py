"""Photos, the signed attendance sheet and other files of a meeting, after the shared upload checks."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chainparty import uploads
from chainparty.errors import StateError

from ...models import Meeting, MeetingAttachment
from .common import State, lock_meeting, require_manager

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 50
#: What each kind of attachment may be (by content, see chainparty.uploads).
ATTACHMENT_TYPES = {
    MeetingAttachment.Kind.PHOTO: (uploads.JPEG, uploads.PNG),
    MeetingAttachment.Kind.SIGN_IN: (uploads.PDF, uploads.JPEG, uploads.PNG),
    MeetingAttachment.Kind.OTHER: uploads.ALL_KINDS,
}


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
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
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
