"""Every write to meetings, by what it does: `meetings` (schedule, move, cancel, edit),
`invitations` (answers), `records` (attendance, minutes, decisions), `attachments`; `common` and
`reach` hold the checks they share. The public names are re-exported here. Pages, the API, sweeps
and load_demo call these.

Conventions for every function here:
- keyword-only arguments; `actor` is the person acting. `actor=None` means the system (a sweep
  creating a schedule's occurrences, load_demo) and skips the rights check; a person's rights are
  checked with `alliances.meetings.permissions`, whatever the caller checked before.
- Bad input raises a Chinese `ValidationError` (field errors where a field is to blame); an action
  the meeting's state does not allow raises `chainparty.errors.StateError`; a person without the
  right raises `PermissionDenied`. In every case nothing is saved.
- Organisational records (schedule, move, cancel, edit, minutes filed) go to the audit log; invitees
  are told through `chainparty.notifications.notify` after commit, with dedupe keys
  `meeting:<id>:scheduled`, `meeting:<id>:moved:v<version>`, `meeting:<id>:updated:<audit entry>` and
  `meeting:<id>:cancelled`.
"""

from .attachments import ATTACHMENT_TYPES, MAX_ATTACHMENTS, meeting_attach
from .invitations import invitation_answer
from .meetings import UNCHANGED, AgendaEdit, meeting_cancel, meeting_move, meeting_schedule, meeting_update
from .records import DecisionDraft, attendance_record, decision_add, decision_update_status, meeting_minutes_file

__all__ = [
    "ATTACHMENT_TYPES",
    "MAX_ATTACHMENTS",
    "UNCHANGED",
    "AgendaEdit",
    "DecisionDraft",
    "attendance_record",
    "decision_add",
    "decision_update_status",
    "invitation_answer",
    "meeting_attach",
    "meeting_cancel",
    "meeting_minutes_file",
    "meeting_move",
    "meeting_schedule",
    "meeting_update",
]
