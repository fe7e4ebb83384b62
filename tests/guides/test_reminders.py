"""The monthly visit reminders (issue 9 §2), eagerly under frozen clocks: five working days before a
month ends each guide hears of the enterprises still unvisited in a period ending with it (monthly
ones every month, quarterly ones at a quarter's end), and when it has ended the sending department's
handlers (or, for a zone's guides, the region's organisation staff) hear of the overdue ones.
Exactly once per guide and unit per period, however many runs, through the shared sweep."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from chainparty import sweeps, workdays
from chainparty.models import DueItem, Notification, TaskHeartbeat
from guides import reminders, services, tasks
from guides.models import Team, Visit
from tests import factories

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(timezone.make_aware(dt.datetime(*args)), tick=False)


@pytest.fixture
def qian(world, personas):
    """钱, sent by the world's department, visits the member enterprise monthly (三包三联)."""
    with at(2026, 1, 5, 9, 0):
        user = factories.UserFactory(username="guide_qian", real_name="钱指导")
        guide = services.guide_create(
            actor=None, user=user, department=world.department, term_start=dt.date(2025, 1, 1)
        )
        services.assignment_create(
            actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1), cadence="monthly"
        )
    return guide


def visit(guide, enterprise, day):
    with at(day.year, day.month, day.day, 15, 0):
        return services.visit_log(actor=guide.user, enterprise=enterprise, visited_on=day)


def due_rows(kind=None):
    rows = DueItem.objects.order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def run(*args):
    with at(*args):
        counts = reminders.remind_unvisited(today=timezone.localdate())
        sweeps.sweep_due(now=timezone.now() + dt.timedelta(hours=2))
        return counts


# -- when ---------------------------------------------------------------------------------------
def test_the_reminder_day_leaves_five_working_days(db):
    for month in range(1, 13):
        day = reminders.reminder_day(dt.date(2026, month, 10))
        end = reminders.month_end(day)
        assert workdays.is_workday(day)
        assert sum(workdays.is_workday(day + dt.timedelta(days=n)) for n in range((end - day).days + 1)) == 5
    # May 2026 ends on a Sunday: Monday the 25th to Friday the 29th.
    assert reminders.reminder_day(dt.date(2026, 5, 1)) == dt.date(2026, 5, 25)


def test_nothing_before_the_reminder_day(world, personas, qian):
    assert run(2026, 5, 22, 8, 30) == {"guides": 0, "senders": 0}
    assert due_rows() == []


# -- the guides ---------------------------------------------------------------------------------
def test_a_guide_is_reminded_once_of_the_monthly_enterprise_unvisited(world, personas, qian):
    visit(qian, world.member, dt.date(2026, 4, 20))  # last month: does not count for May
    assert run(2026, 5, 25, 8, 30) == {"guides": 1, "senders": 0}
    [row] = due_rows()
    assert row.recipient == qian.user and row.kind == reminders.GUIDE_REMINDER
    assert row.delivery_key == f"{reminders.GUIDE_REMINDER}:guide:{qian.pk}@2026-05:u{qian.user.pk}"
    assert row.status == DueItem.Status.DELIVERED
    [note] = Notification.objects.filter(recipient=qian.user)
    assert note.title == "走访提醒：本期还有 1 家企业未走访"
    assert "2026-05-31" in note.body and "含今天还有 5 个工作日" in note.body
    assert f"{world.member.name}（每月走访，上次：2026-04-20）" in note.body
    # The zone's guide visits quarterly: May ends no quarter, so nothing for them.
    assert not Notification.objects.filter(recipient=personas.guide).exists()
    # Run again the same day, the next day, and from a second "worker": still one reminder.
    assert run(2026, 5, 25, 8, 31) == {"guides": 0, "senders": 0}
    assert run(2026, 5, 26, 8, 30) == {"guides": 0, "senders": 0}
    assert len(due_rows()) == 1 and Notification.objects.filter(recipient=qian.user).count() == 1


def test_a_visit_this_month_is_not_reminded_but_a_disputed_one_is(world, personas, qian):
    first = visit(qian, world.member, dt.date(2026, 5, 6))
    assert run(2026, 5, 25, 8, 30)["guides"] == 0
    with at(2026, 5, 25, 10, 0):
        services.visit_dispute(actor=personas.other_enterprise_secretary, visit=first, reason="当天无人来访")
    assert first.__class__.objects.get(pk=first.pk).confirmation == Visit.Confirmation.DISPUTED
    assert run(2026, 5, 26, 8, 30)["guides"] == 1  # caught up the next day


def test_a_quarter_end_reminds_the_quarterly_enterprises_too(world, personas, qian):
    visit(personas.guide.guide_profile, world.lead, dt.date(2026, 4, 10))  # this quarter
    visit(qian, world.member, dt.date(2026, 6, 2))  # this month, by 钱
    assert run(2026, 6, 24, 8, 30)["guides"] == 0  # everyone's enterprises are visited in their period
    DueItem.objects.all().delete()
    Visit.objects.all().delete()
    visit(personas.guide.guide_profile, world.lead, dt.date(2026, 3, 30))  # last quarter
    assert run(2026, 6, 24, 8, 30)["guides"] == 2
    [zone_note] = Notification.objects.filter(recipient=personas.guide)
    assert zone_note.title == "走访提醒：本期还有 2 家企业未走访"
    # Never visited first, then the oldest visit.
    lines = zone_note.body.splitlines()[1:]
    assert lines == [
        f"{world.member.name}（每季度走访，上次：从未走访）",
        f"{world.lead.name}（每季度走访，上次：2026-03-30）",
    ]


def test_a_team_member_is_reminded_of_the_team_enterprises(world, personas, qian):
    with at(2026, 1, 5, 9, 0):
        team = services.team_create(actor=None, name="人社服务队", kind=Team.Kind.RED_COLLAR, region=world.county)
        services.team_member_add(actor=None, team=team, guide=qian, role="leader", starts_on=dt.date(2026, 1, 5))
        services.assignment_create(
            actor=None, team=team, enterprise=world.lead, starts_on=dt.date(2026, 1, 5), cadence="monthly"
        )
    run(2026, 5, 25, 8, 30)
    [note] = Notification.objects.filter(recipient=qian.user)
    assert note.title == "走访提醒：本期还有 2 家企业未走访"
    assert world.lead.name in note.body and world.member.name in note.body


def test_an_inactive_guide_is_not_reminded(world, personas, qian):
    qian.user.is_active = False
    qian.user.save(update_fields=["is_active"])
    assert run(2026, 5, 25, 8, 30)["guides"] == 0


# -- the sending units ----------------------------------------------------------------------------
def test_the_sending_department_hears_of_its_guides_overdue_enterprises_once(world, personas, qian):
    assert run(2026, 6, 1, 8, 30) == {"guides": 0, "senders": 1}
    [row] = due_rows(reminders.SENDER_REPORT)
    assert row.recipient == personas.handler
    assert row.delivery_key.startswith(
        f"{reminders.SENDER_REPORT}:guide-sender:department:{world.department.pk}@2026-05"
    )
    [note] = Notification.objects.filter(recipient=personas.handler)
    assert note.title == f"{world.department.name}选派的指导员上期有 1 家企业逾期未走访"
    assert f"钱指导：{world.member.name}（每月走访，上次：从未走访）" in note.body
    assert "2026年5月" in note.body  # the month as the language writes it (YEAR_MONTH_FORMAT)
    # A visit logged late for the ended month does not undo a notice sent; the next runs add nothing.
    assert run(2026, 6, 2, 8, 30)["senders"] == 0
    assert run(2026, 6, 5, 8, 30)["senders"] == 0
    assert Notification.objects.filter(recipient=personas.handler).count() == 1


def test_long_lists_show_the_first_lines_and_count_the_rest(world, personas, qian, monkeypatch):
    """A guide with more unvisited enterprises than a message shows: the first BODY_LINES (never
    visited first, then by name) and "……另有 N 项"; the sending unit's notice the same, counting
    every overdue enterprise of its guides."""
    monkeypatch.setattr(reminders, "BODY_LINES", 2)
    with at(2026, 1, 5, 9, 0):
        for name in ("汶上县甲纺织有限公司", "汶上县乙纺织有限公司"):
            enterprise = factories.EnterpriseFactory(name=name, region=world.county)
            services.assignment_create(
                actor=None, guide=qian, enterprise=enterprise, starts_on=dt.date(2026, 1, 1), cadence="monthly"
            )
    assert run(2026, 5, 25, 8, 30)["guides"] == 1
    [note] = Notification.objects.filter(recipient=qian.user)
    assert note.title == "走访提醒：本期还有 3 家企业未走访"
    lines = note.body.splitlines()
    assert len(lines) == 4 and lines[-1] == "……另有 1 项", lines
    assert run(2026, 6, 1, 8, 30)["senders"] == 1
    [notice] = Notification.objects.filter(recipient=personas.handler)
    assert notice.title == f"{world.department.name}选派的指导员上期有 3 家企业逾期未走访"
    lines = notice.body.splitlines()
    assert len(lines) == 4 and all(line.startswith("钱指导：") for line in lines[1:3]) and lines[3] == "……另有 1 项"


def test_no_notice_for_a_month_visited_or_after_the_window(world, personas, qian):
    visit(qian, world.member, dt.date(2026, 5, 29))
    assert run(2026, 6, 1, 8, 30)["senders"] == 0
    Visit.objects.all().delete()
    assert run(2026, 6, 8, 8, 30)["senders"] == 0  # past June's fifth working day: May is not reported late


def test_a_zone_guide_overdue_at_quarter_end_goes_to_the_region_staff(world, personas, qian):
    visit(qian, world.member, dt.date(2026, 6, 30))
    assert run(2026, 7, 1, 8, 30)["senders"] == 1
    [note] = Notification.objects.filter(recipient=personas.org_staff)
    assert note.title == f"{world.zone.name}选派的指导员上期有 1 家企业逾期未走访"
    assert f"{personas.guide.guide_profile.name}：{world.lead.name}（每季度走访，上次：从未走访）" in note.body
    assert not Notification.objects.filter(recipient=personas.handler).exists()


# -- the beat task ----------------------------------------------------------------------------------
def test_the_beat_runs_the_task_daily_and_it_counts_a_heartbeat(world, personas, qian):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "guides.tasks.remind_unvisited")
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {30}
    with at(2026, 5, 25, 8, 30):
        assert tasks.remind_unvisited.apply().get() == {"guides": 1, "senders": 0}
        assert tasks.remind_unvisited.apply().get() == {"guides": 0, "senders": 0}
    assert TaskHeartbeat.objects.get(name="guides.tasks.remind_unvisited").runs == 2
    assert len(due_rows()) == 1
