"""Meeting and decision reminders through the shared sweep, under a frozen clock: before the
meeting at the alliance's lead times, once per lead for the final time of a moved meeting, none
for a cancelled one; minutes missing at 3 and 7 working days; decisions before and after their
due date, then escalation; two sweeps at once deliver once (PostgreSQL)."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from alliances.meetings import services
from alliances.models import Decision, MeetingKind
from chainparty import sweeps
from chainparty.models import DueItem, Notification
from tests.conftest import need_service


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def clock(*args):
    return time_machine.travel(local(*args), tick=False)


# Wednesday 30 September 2026, 09:00; 1-7 October are the National Day holidays, 10 October (a
# Saturday) is worked.
STARTS = local(2026, 9, 30, 9, 0)


def schedule(world, personas, starts_at=STARTS, **fields):
    values = {
        "actor": personas.secretary,
        "alliance": world.alliance,
        "kind": MeetingKind.COMMITTEE,
        "title": "9月党委会议",
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=2),
        "place_address": "汶上县党群服务中心",
        "agenda": ["产能对接"],
        "recorder": personas.enterprise_secretary,
        **fields,
    }
    return services.meeting_schedule(**values)


def sweep(*args):
    with clock(*args):
        return sweeps.sweep_due()["delivered"]


def titles(user, prefix=""):
    return [n.title for n in Notification.objects.filter(recipient=user, title__startswith=prefix).order_by("pk")]


def bodies(user, prefix):
    return [n.body for n in Notification.objects.filter(recipient=user, title__startswith=prefix).order_by("pk")]


@pytest.mark.django_db
def test_invitation_then_reminders_the_working_day_before_and_two_hours_before(
    world, personas, django_capture_on_commit_callbacks
):
    with clock(2026, 9, 20, 10, 0), django_capture_on_commit_callbacks(execute=True):
        schedule(world, personas)
    member = personas.other_enterprise_secretary
    assert titles(member) == ["会议通知：9月党委会议"]
    assert sweep(2026, 9, 29, 15, 59) == 0
    sweep(2026, 9, 29, 16, 0)
    assert titles(member, "会议提醒") == ["会议提醒：9月党委会议"]
    assert sweep(2026, 9, 30, 6, 59) == 0
    sweep(2026, 9, 30, 7, 0)
    assert titles(member, "会议提醒") == ["会议提醒：9月党委会议"] * 2
    assert "2026-09-30 09:00" in bodies(member, "会议提醒")[0]


@pytest.mark.django_db
def test_the_working_day_before_skips_the_holiday(world, personas):
    # Thursday 8 October 2026, the first day back: the working day before is Wednesday 30 September.
    with clock(2026, 9, 20, 10, 0):
        meeting = schedule(world, personas, starts_at=local(2026, 10, 8, 9, 0))
    due = DueItem.objects.filter(source_key=f"meeting:{meeting.pk}", kind="meeting_reminder:1d@16:00").first()
    assert timezone.localtime(due.due_at) == local(2026, 9, 30, 16, 0)


@pytest.mark.django_db
def test_a_meeting_moved_three_times_sends_one_reminder_per_lead_for_its_final_time(
    world, personas, django_capture_on_commit_callbacks
):
    with clock(2026, 9, 20, 10, 0), django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(world, personas)
        for day in (28, 29, 30):
            meeting = services.meeting_move(
                actor=personas.secretary,
                meeting=meeting,
                starts_at=local(2026, 9, day, 14, 0),
                ends_at=local(2026, 9, day, 16, 0),
            )
    member = personas.other_enterprise_secretary
    assert titles(member, "会议时间变更") == ["会议时间变更：9月党委会议"] * 3
    for moment in [(2026, 9, d, h, 0) for d in (25, 27, 28, 29, 30) for h in (8, 12, 16)]:
        sweep(*moment)
    reminders = bodies(member, "会议提醒")
    assert len(reminders) == 2
    assert all("2026-09-30 14:00" in body for body in reminders)


@pytest.mark.django_db
def test_a_cancelled_meeting_sends_no_reminder(world, personas, django_capture_on_commit_callbacks):
    with clock(2026, 9, 20, 10, 0), django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(world, personas)
        services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="书记出差")
    for moment in [(2026, 9, 29, 16, 0), (2026, 9, 30, 7, 0), (2026, 10, 10, 9, 0), (2026, 10, 20, 9, 0)]:
        assert sweep(*moment) == 0
    assert titles(personas.other_enterprise_secretary) == ["会议通知：9月党委会议", "会议取消：9月党委会议"]
    assert not DueItem.objects.exclude(status=DueItem.Status.CANCELLED).exists()


@pytest.mark.django_db
def test_minutes_missing_reminders_at_three_and_seven_working_days(world, personas):
    with clock(2026, 9, 20, 10, 0):
        schedule(world, personas)
    recorder, secretary = personas.enterprise_secretary, personas.secretary
    sweep(2026, 9, 30, 12, 0)  # the reminders before the meeting
    # Three working days after 30 September: 8, 9 and (worked) Saturday 10 October.
    assert sweep(2026, 10, 10, 8, 59) == 0
    sweep(2026, 10, 10, 9, 0)
    assert titles(recorder, "纪要未归档") == titles(secretary, "纪要未归档") == ["纪要未归档：9月党委会议"]
    assert titles(personas.other_enterprise_secretary, "纪要未归档") == []
    # Seven: 12, 13, 14, 15 October.
    assert sweep(2026, 10, 14, 9, 0) == 0
    sweep(2026, 10, 15, 9, 0)
    assert len(titles(recorder, "纪要未归档")) == 2
    assert "7 个工作日" in bodies(secretary, "纪要未归档")[1]

    # Filed in time: nothing more.
    with clock(2026, 9, 20, 10, 0):
        other = schedule(world, personas, title="10月党委会议", starts_at=local(2026, 10, 9, 9, 0))
    with clock(2026, 10, 9, 12, 0):
        item = other.agenda_items.get()
        services.meeting_minutes_file(actor=secretary, meeting=other, minutes={item.pk: "对接了产能"})
    sweep(2026, 11, 30, 9, 0)
    assert titles(recorder, "纪要未归档：10月") == []


@pytest.mark.django_db
def test_who_answers_leave_is_not_reminded_to_come_and_who_sends_a_substitute_is(world, personas):
    on_leave, sending, back = personas.other_enterprise_secretary, personas.enterprise_secretary, personas.secretary
    with clock(2026, 9, 20, 10, 0):
        meeting = schedule(world, personas)
    with clock(2026, 9, 25, 10, 0):  # after the reminders were scheduled

        def answer(user, **fields):
            services.invitation_answer(actor=user, invitation=meeting.invitations.get(user=user), **fields)

        answer(on_leave, answer="leave", leave_reason="外出学习")
        answer(sending, answer="substitute", substitute_name="副总 陈某")
        answer(back, answer="leave", leave_reason="另有公务")
        answer(back, answer="attend")  # changed their mind: reminded again
    sweep(2026, 9, 29, 16, 0)
    sweep(2026, 9, 30, 7, 0)
    assert titles(on_leave, "会议提醒") == []
    assert titles(sending, "会议提醒") == ["会议提醒：9月党委会议"] * 2
    assert titles(back, "会议提醒") == ["会议提醒：9月党委会议"] * 2


@pytest.mark.django_db
def test_decision_reminders_before_and_after_the_due_date_then_escalation(world, personas):
    with clock(2026, 9, 20, 10, 0):
        meeting = schedule(world, personas)
    with clock(2026, 9, 30, 12, 0):
        decision = services.decision_add(
            actor=personas.secretary,
            meeting=meeting,
            text="人社局对接技工学校，解决用工缺口",
            due_workdays=2,
            department=world.department,
        )
        done = services.decision_add(
            actor=personas.secretary,
            meeting=meeting,
            text="整理会议照片",
            due_workdays=2,
            user=personas.enterprise_secretary,
        )
        services.decision_update_status(actor=personas.secretary, decision=done, status=Decision.Status.DONE)
    assert decision.due_date == dt.date(2026, 10, 9)
    handler, secretary = personas.handler, personas.secretary
    sweep(2026, 10, 8, 9, 0)  # the working day before the due date
    assert titles(handler, "议定事项") == ["议定事项即将到期：人社局对接技工学校，解决用工缺口"]
    sweep(2026, 10, 10, 9, 0)  # the working day after (a worked Saturday)
    assert titles(handler, "议定事项")[1] == "议定事项已超期：人社局对接技工学校，解决用工缺口"
    assert titles(secretary, "议定事项") == []
    sweep(2026, 10, 13, 9, 0)  # three working days after: escalated to the alliance's secretary
    assert titles(secretary, "议定事项") == ["议定事项超期未办结（督办）：人社局对接技工学校，解决用工缺口"]
    assert titles(personas.enterprise_secretary, "议定事项") == []  # done: its reminders were cancelled
    assert len(titles(handler, "议定事项")) == 2


@pytest.mark.django_db
def test_a_decision_done_before_its_date_is_not_chased(world, personas):
    with clock(2026, 9, 20, 10, 0):
        meeting = schedule(world, personas)
    with clock(2026, 9, 30, 12, 0):
        decision = services.decision_add(
            actor=personas.secretary, meeting=meeting, text="报送用工需求", due_workdays=2, department=world.department
        )
        services.decision_update_status(actor=personas.secretary, decision=decision, status=Decision.Status.DONE)
    for day in (8, 10, 13, 20):
        sweep(2026, 10, day, 9, 0)
    assert titles(personas.handler, "议定事项") == []


@pytest.mark.django_db
def test_an_alliance_sets_its_own_lead_times(world, personas):
    world.alliance.meeting_reminders = "30m"
    world.alliance.full_clean()
    world.alliance.save()
    with clock(2026, 9, 20, 10, 0):
        schedule(world, personas)
    kinds = set(DueItem.objects.filter(kind__startswith="meeting_reminder").values_list("kind", flat=True))
    assert kinds == {"meeting_reminder:30m"}
    world.alliance.meeting_reminders = "明天提醒"
    with pytest.raises(ValidationError) as error:
        world.alliance.full_clean()
    assert "无法识别的提醒时间" in error.value.message_dict["meeting_reminders"][0]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_deliver_each_reminder_once(world, personas):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for row locks between concurrent transactions")
    with clock(2026, 9, 20, 10, 0):
        for n in range(6):
            schedule(world, personas, title=f"第{n}次会议", starts_at=local(2026, 9, 30, 9 + n, 0))
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        try:
            barrier.wait()
            results[index] = sweeps.sweep_due(now=local(2026, 9, 29, 16, 0), batch_size=2)
        except Exception as error:  # collected and asserted below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, dict) for r in results), results
    invitees = {personas.secretary, personas.enterprise_secretary, personas.other_enterprise_secretary}
    assert sum(r["delivered"] for r in results) == 6 * len(invitees)
    for user in invitees:
        sent = Notification.objects.filter(recipient=user).exclude(title__startswith="会议通知")
        text = "\n".join(f"{n.title}\n{n.body}" for n in sent)
        assert all(text.count(f"第{n}次会议") == 1 for n in range(6)), text
