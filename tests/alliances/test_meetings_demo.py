"""The demo meetings (issue 8 §5) after `load_demo` from scratch, at different moments: the textile
committee's last six monthly 党委会议 (one moved, one without minutes), the next one on the first
working day of the coming month, the salon with rotating hosts, 红色农机's fifth 联席会议, the
food-and-medicine 企业家下午茶, answered and pending invitations, a decision turned into a need, and
no history later than the moment the demo was loaded."""

import datetime as dt
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from alliances.meetings import services
from alliances.models import Alliance, Decision, Invitation, Meeting, MeetingSchedule
from chainparty.models import AuditLog, DueItem, User
from demands.models import Need, NeedEvent

pytestmark = pytest.mark.django_db

TEXTILE = "汶上县纺织服装产业链党委"
FARM = "兖州区“红色农机”产业链党建联盟"
FOOD = "兖州区食品医药产业链党建联盟"
K, S = Meeting.Kind, Meeting.State


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def load_at(moment: dt.datetime):
    with time_machine.travel(moment, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        return timezone.now()


# moment of loading, the six past first working days (the moved one's date as the series gave it),
# and the next meeting's day. 2026-10-01..07 is National Day, 2027-01-01..03 New Year's Day (the
# demo's 2027 calendar); 2027-01-04 at 08:00 its meeting is still to come.
CASES = [
    (
        local(2026, 12, 7, 10, 30),
        ["2026-07-01", "2026-08-03", "2026-09-01", "2026-10-08", "2026-11-02", "2026-12-01"],
        "2027-01-04",
    ),
    (
        local(2027, 1, 5, 1, 0),  # in the small hours
        ["2026-08-03", "2026-09-01", "2026-10-08", "2026-11-02", "2026-12-01", "2027-01-04"],
        "2027-02-01",
    ),
    (
        local(2027, 1, 4, 8, 0),
        ["2026-07-01", "2026-08-03", "2026-09-01", "2026-10-08", "2026-11-02", "2026-12-01"],
        "2027-01-04",
    ),
]


def _committee():
    return Meeting.objects.filter(alliance__name=TEXTILE, kind=K.COMMITTEE).order_by("starts_at")


def _later_than(now):
    """Stored date-times after `now`, leaving out what is legitimately ahead: the times of meetings
    still to come and when their reminders are due."""
    found = []
    for label in ("chainparty", "alliances", "demands"):
        for model in apps.get_app_config(label).get_models():
            rows = model.objects.all()
            if model is Meeting:
                rows = rows.exclude(state=S.SCHEDULED, starts_at__gt=now)
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.DateTimeField) or (model, field.name) == (DueItem, "due_at"):
                    continue
                count = rows.filter(**{f"{field.name}__gt": now}).count()
                if count:
                    found.append((model.__name__, field.name, count))
    return found


def _counts():
    return (
        Meeting.objects.count(),
        Invitation.objects.count(),
        Invitation.objects.exclude(answer=Invitation.Answer.PENDING).count(),
        Decision.objects.count(),
        Need.objects.filter(decision__isnull=False).count(),
        MeetingSchedule.objects.count(),
    )


@pytest.mark.parametrize(("moment", "past_days", "next_day"), CASES, ids=["dec-07", "jan-05-1am", "jan-04-8am"])
def test_textile_committee_history_and_next_meeting(moment, past_days, next_day):
    now = load_at(moment)
    assert not _later_than(now), _later_than(now)
    assert not Meeting.objects.filter(starts_at__gt=now).exclude(state=S.SCHEDULED).exists()
    assert DueItem.objects.filter(due_at__gt=now).exists()  # reminders of what is ahead
    schedule = MeetingSchedule.objects.get(alliance__name=TEXTILE, title="党委会议")
    assert (schedule.rule, schedule.ordinal, schedule.start_time) == ("nth_workday_of_month", 1, dt.time(9))
    # titled as a secretary writes them, past and coming alike: the month, then the meeting
    for meeting in _committee():
        day = meeting.occurrence_date
        assert meeting.title == f"{day.year}年{day.month}月党委会议", meeting.title

    held = [m for m in _committee() if m.state in (S.HELD, S.MINUTES_FILED)]
    assert [m.occurrence_date.isoformat() for m in held] == past_days
    assert all(m.schedule_id == schedule.pk and m.ends_at <= now for m in held)
    assert all(m.invitations.exclude(attendance=Invitation.Attendance.UNRECORDED).exists() for m in held)

    # one held without minutes; the others filed, each agenda item with its minutes
    missing = [m for m in held if m.state == S.HELD]
    assert len(missing) == 1 and not missing[0].summary and not missing[0].decisions.exists()
    assert not missing[0].agenda_items.exclude(minutes="").exists()
    for meeting in held:
        if meeting.state == S.MINUTES_FILED:
            assert meeting.agenda_items.count() >= 2 and not meeting.agenda_items.filter(minutes="").exists()
            assert meeting.minutes_filed_at <= now

    # attendance: some on leave, exactly one substitute
    attendance = Invitation.objects.filter(meeting__in=held)
    assert attendance.filter(attendance=Invitation.Attendance.LEAVE).count() >= 2
    assert attendance.filter(attendance=Invitation.Attendance.SUBSTITUTE).count() == 1

    # one moved: to the next working day, before it was held; its series date kept
    moved = [m for m in _committee() if m.moved_from is not None]
    assert len(moved) == 1 and moved[0] in held and moved[0].version == 2
    original = timezone.localtime(moved[0].moved_from)
    assert (original.date(), original.time()) == (moved[0].occurrence_date, dt.time(9))
    assert moved[0].local_date > moved[0].occurrence_date
    # ... and audited as meeting_move audits a move
    [entry] = AuditLog.objects.filter(action=AuditLog.Action.MEETING_MOVE)
    assert entry.target_id == moved[0].pk and entry.actor.username == "textile_secretary"
    assert dt.datetime.fromisoformat(entry.data["moved_from"]) == moved[0].moved_from
    assert entry.data["title"] == moved[0].title

    # the next one: scheduled by the series on the first working day of the coming month
    upcoming = [m for m in _committee() if m.starts_at > now]
    assert upcoming and all(m.state == S.SCHEDULED and m.schedule_id == schedule.pk for m in upcoming)
    assert timezone.localtime(upcoming[0].starts_at) == local(*dt.date.fromisoformat(next_day).timetuple()[:3], 9)

    # decisions: a department, an enterprise and a person own them; most done, one overdue
    decisions = Decision.objects.filter(meeting__in=held)
    assert decisions.filter(owner_department__isnull=False).exists()
    assert decisions.filter(owner_enterprise__isnull=False).exists()
    assert decisions.filter(owner_user__isnull=False).exists()
    assert decisions.filter(status=Decision.Status.DONE).count() >= 5
    assert all(d.done_at <= now for d in decisions.filter(status=Decision.Status.DONE))
    with time_machine.travel(moment, tick=False):
        assert sum(d.is_overdue for d in decisions) == 1

    # one decision became a need (source 会议), linked both ways
    need = Need.objects.get(decision__meeting__in=held)
    assert need.source == Need.Source.MEETING and need.enterprise.name == "山东新花源纺织有限公司"
    assert NeedEvent.objects.filter(need=need, action=NeedEvent.Action.FROM_DECISION).exists()


def test_salon_joint_meeting_tea_and_invitations_and_loading_twice():
    now = load_at(local(2026, 12, 7, 10, 30))
    first = _counts()
    load_at(now + dt.timedelta(hours=1))
    assert _counts() == first
    farm = Alliance.objects.get(name=FARM)

    # 红色沙龙: the last one hosted by the rotation's last host, the coming ones by the next in turn
    salon = MeetingSchedule.objects.get(alliance=farm, kind=K.SALON)
    order = list(salon.hosts.order_by("position").values_list("enterprise__name", flat=True))
    assert len(order) == 3
    salons = list(Meeting.objects.filter(schedule=salon).order_by("starts_at").select_related("host_enterprise"))
    assert salons[0].state == S.MINUTES_FILED and salons[0].ends_at <= now
    assert [m.host_enterprise.name for m in salons] == [order[-1], *order][: len(salons)]
    assert all(m.state == S.SCHEDULED and m.starts_at > now for m in salons[1:])
    assert [m.title for m in salons] == [f"{m.occurrence_date:%Y}年{m.occurrence_date.month}月红色沙龙" for m in salons]

    # the fifth 联席会议 with the factor departments attending
    joint = Meeting.objects.get(alliance=farm, kind=K.JOINT, title__contains="第五次联席会议")
    assert joint.state == S.MINUTES_FILED and joint.ends_at <= now and joint.invited_departments.count() == 5
    present = joint.invitations.filter(
        source=Invitation.Source.DEPARTMENT, attendance__in=Invitation.ATTENDED, user__isnull=False
    )
    assert present.count() >= 2

    # 企业家下午茶 of the food-and-medicine alliance, with story 3's need discussed on its agenda
    tea = Meeting.objects.get(alliance__name=FOOD, kind=K.TEA)
    assert tea.state == S.MINUTES_FILED and tea.ends_at <= now and tea.invited_departments.exists()
    assert tea.agenda_items.get(position=1).need_links.exists()

    # the coming salon: answered by farm_secretary and jindafeng, wuzheng's still pending
    coming = salons[1]
    answers = {i.user.username: i for i in coming.invitations.filter(user__isnull=False).select_related("user")}
    assert answers["jindafeng"].answer == Invitation.Answer.ATTEND
    assert answers["farm_secretary"].answer == Invitation.Answer.ATTEND
    pending = [name for name, i in answers.items() if i.answer == Invitation.Answer.PENDING]
    assert pending == ["wuzheng"]
    with time_machine.travel(now, tick=False):  # the demo login can answer it
        services.invitation_answer(
            actor=User.objects.get(username="wuzheng"),
            invitation=answers["wuzheng"],
            answer=Invitation.Answer.LEAVE,
            leave_reason="外出参加农机展",
        )

    # the next committee meeting: a substitute named, a leave with its reason
    nxt = _committee().filter(starts_at__gt=now).first()
    by_user = {i.user.username: i for i in nxt.invitations.filter(user__isnull=False).select_related("user")}
    assert by_user["hongruixuan"].substitute_name and by_user["finance_handler"].leave_reason
