"""Meeting and decision reminders, as rows of the shared sweep (`chainparty.sweeps`).

The services call one function here after each change, inside their transaction with the row
locked (as `sweeps.schedule` asks):

- `meeting_changed` (scheduled, moved, or an invitee answered): reminders before the meeting to
  every invitee with an account who has not answered 请假 (one sending a substitute is reminded),
  at the alliance's lead times (`Alliance.meeting_reminders`, default the working day before at
  16:00 and two hours before), and "minutes missing" reminders to the alliance's secretary and
  the recorder MINUTES_WORKDAYS working days after the meeting's day at 09:00;
- `meeting_cancelled`: every pending row of the meeting is cancelled, so it sends none;
- `minutes_filed`: the "minutes missing" rows are cancelled;
- `decision_changed` (added, status changed): while open, its owners (a person; an enterprise's
  Party secretaries; a department's handlers) are reminded one working day before and one after
  its due date, and the alliance's secretary is told DECISION_ESCALATE_WORKDAYS working days after
  it; done or cancelled, the rows are cancelled.

Each row is keyed by what it was computed from: the meeting (source "meeting:<id>") and its start
time, or the decision ("decision:<id>") and its due date; each lead time is its own kind. So a
meeting moved three times ends with one pending reminder per lead time, for its final time: the
earlier versions' rows are cancelled by `sweeps.schedule`. A reminder whose time has already
passed is not sent late; its row is cancelled. Invitations, change and cancellation notices are
sent by the services themselves (`notify` with dedupe keys), not from here.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import sweeps, workdays
from chainparty.notifications import Message

from ..access import seats_in_force
from ..models import CommitteeSeat, Decision, Invitation, Meeting
from ..selectors import department_handlers, enterprise_secretaries
from .leads import parse_leads

MINUTES_WORKDAYS = (3, 7)
DECISION_ESCALATE_WORKDAYS = 3
REMIND_AT = dt.time(9, 0)

MEETING_REMINDER = "meeting_reminder:"  # + the lead's spec, e.g. "meeting_reminder:1d@16:00"
MINUTES_MISSING = "meeting_minutes:"  # + the working days, e.g. "meeting_minutes:3"
DECISION_BEFORE = "decision_due:before"
DECISION_AFTER = "decision_due:after"
DECISION_ESCALATION = "decision_escalation"


def meeting_source(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def decision_source(decision_id: int) -> str:
    return f"decision:{decision_id}"


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def workdays_before(day: dt.date, n: int) -> dt.date:
    """The Nth working day before `day` (`day` itself not counted)."""
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= workdays.is_workday(day)
    return day


def _schedule(*, kind, source_key, version, recipients, due_at, message) -> int:
    """Schedule unless the moment has passed (then cancel what that kind had pending)."""
    if due_at <= timezone.now() or not recipients:
        sweeps.cancel(source_key, kind=kind)
        return 0
    return sweeps.schedule(
        kind=kind, source_key=source_key, version=version, recipients=recipients, due_at=due_at, message=message
    )


def _secretaries(alliance_id: int, day: dt.date) -> list:
    seats = seats_in_force(on=day).filter(
        alliance_id=alliance_id, role=CommitteeSeat.Role.SECRETARY, user__is_active=True
    )
    return [seat.user for seat in seats.select_related("user").order_by("user_id")]


# -- meetings ------------------------------------------------------------------------------------
def _lead_due_at(meeting: Meeting, lead) -> dt.datetime:
    if lead.delta is not None:
        return meeting.starts_at - lead.delta
    return _at(workdays_before(meeting.local_date, lead.workdays), lead.at)


def meeting_changed(meeting: Meeting) -> None:
    """(Re)schedule a scheduled meeting's reminders for its current start time."""
    if meeting.state != Meeting.State.SCHEDULED:
        return
    source = meeting_source(meeting.pk)
    when = timezone.localtime(meeting.starts_at)
    url = meeting.get_absolute_url()
    # Not who answered 请假; whoever sends a substitute is reminded, to pass it on.
    invitations = meeting.invitations.select_related("user").exclude(user=None).exclude(answer=Invitation.Answer.LEAVE)
    invitees = [i.user for i in invitations if i.user.is_active]
    leads = parse_leads(meeting.alliance.meeting_reminders)
    for lead in leads:
        _schedule(
            kind=MEETING_REMINDER + lead.spec,
            source_key=source,
            version=meeting.starts_at,
            recipients=invitees,
            due_at=_lead_due_at(meeting, lead),
            message=Message(
                title=_("会议提醒：%s") % meeting.title,
                body=_("%(alliance)s%(kind)s将于 %(when)s 在%(place)s召开，请准时参加。")
                % {
                    "alliance": meeting.alliance,
                    "kind": meeting.get_kind_display(),
                    "when": f"{when:%Y-%m-%d %H:%M}",
                    "place": meeting.place,
                },
                url=url,
            ),
        )
    # Lead times the alliance no longer uses.
    wanted = {MEETING_REMINDER + lead.spec for lead in leads}
    for kind in _pending_kinds(source, MEETING_REMINDER) - wanted:
        sweeps.cancel(source, kind=kind)
    people = _secretaries(meeting.alliance_id, meeting.local_date)
    if meeting.recorder_id and meeting.recorder.is_active:
        people.append(meeting.recorder)
    for days in MINUTES_WORKDAYS:
        _schedule(
            kind=f"{MINUTES_MISSING}{days}",
            source_key=source,
            version=meeting.starts_at,
            recipients=people,
            due_at=_at(workdays.add_workdays(meeting.local_date, days), REMIND_AT),
            message=Message(
                title=_("纪要未归档：%s") % meeting.title,
                body=_("%(when)s 召开的会议已过去 %(days)d 个工作日，纪要尚未归档，请尽快整理归档。")
                % {"when": f"{when:%Y-%m-%d %H:%M}", "days": days},
                url=url,
            ),
        )


def _pending_kinds(source: str, prefix: str) -> set[str]:
    from chainparty.models import DueItem

    rows = DueItem.objects.filter(
        source_key=source, kind__startswith=prefix, status__in=[DueItem.Status.PENDING, DueItem.Status.CLAIMED]
    )
    return set(rows.values_list("kind", flat=True).distinct())


def meeting_cancelled(meeting: Meeting) -> None:
    """A cancelled meeting sends no reminder of any kind."""
    sweeps.cancel(meeting_source(meeting.pk))


def minutes_filed(meeting: Meeting) -> None:
    for days in MINUTES_WORKDAYS:
        sweeps.cancel(meeting_source(meeting.pk), kind=f"{MINUTES_MISSING}{days}")


# -- decisions -----------------------------------------------------------------------------------
def decision_owners(decision: Decision) -> list:
    """Who answers for a decision: the person, the enterprise's Party secretaries, or the
    department's handlers (active accounts)."""
    if decision.owner_user_id:
        return [decision.owner_user] if decision.owner_user.is_active else []
    if decision.owner_enterprise_id:
        return enterprise_secretaries([decision.owner_enterprise_id]).get(decision.owner_enterprise_id, [])
    return department_handlers([decision.owner_department_id]).get(decision.owner_department_id, [])


def decision_changed(decision: Decision) -> None:
    """(Re)schedule an open decision's reminders for its due date; cancel them otherwise."""
    source = decision_source(decision.pk)
    if decision.status != Decision.Status.OPEN:
        sweeps.cancel(source)
        return
    meeting = decision.meeting
    due = decision.due_date
    url = meeting.get_absolute_url()
    text = decision.text if len(decision.text) <= 60 else decision.text[:60] + "…"
    owners = decision_owners(decision)
    reminders = (
        (DECISION_BEFORE, owners, workdays_before(due, 1), _("议定事项即将到期")),
        (DECISION_AFTER, owners, workdays.add_workdays(due, 1), _("议定事项已超期")),
        (
            DECISION_ESCALATION,
            _secretaries(meeting.alliance_id, timezone.localdate()),
            workdays.add_workdays(due, DECISION_ESCALATE_WORKDAYS),
            _("议定事项超期未办结（督办）"),
        ),
    )
    for kind, recipients, day, title in reminders:
        _schedule(
            kind=kind,
            source_key=source,
            version=due,
            recipients=recipients,
            due_at=_at(day, REMIND_AT),
            message=Message(
                title=f"{title}：{text}",
                body=_("%(meeting)s议定事项“%(text)s”，责任单位（人）：%(owner)s，办结期限 %(due)s。")
                % {"meeting": meeting.title, "text": text, "owner": decision.owner_label, "due": f"{due:%Y-%m-%d}"},
                url=url,
            ),
        )
