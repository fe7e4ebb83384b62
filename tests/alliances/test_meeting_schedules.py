"""Meeting schedules: rule dates on the working-day calendar (holidays, 调休 and 2027's entered
days), bounded and idempotent generation, editing one occurrence, the series, or this and the
following ones without duplicating or losing any, and the host rotation."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliances import services as org_services
from alliances.meetings import schedules
from alliances.models import Meeting, MeetingKind, MeetingSchedule, Membership
from alliances.tasks import generate_meeting_occurrences
from chainparty import demo as calendar_demo
from chainparty.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db
Rule = MeetingSchedule.Rule
D = dt.date


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def clock(*args):
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def calendar_2027(db):
    """2027's days as staff would enter them (the package stops at 2026)."""
    calendar_demo.load()


def rule(kind, *, ordinal=None, weekday=None, starts_on=None):
    starts_on = starts_on or D(2000, 1, 1)
    return MeetingSchedule(rule=kind, ordinal=ordinal, weekday=weekday, starts_on=starts_on, start_time=dt.time(9))


def dates(schedule, start, end):
    return schedules.occurrence_dates(schedule, start, end)


# -- rule dates ----------------------------------------------------------------------------------
def test_first_working_day_of_the_month_follows_the_entered_2027_holidays(db):
    first = rule(Rule.NTH_WORKDAY_OF_MONTH, ordinal=1)
    # Without 2027's days, New Year's Day (a Friday) would count as a working day.
    assert dates(first, D(2027, 1, 1), D(2027, 1, 31)) == [D(2027, 1, 1)]
    calendar_demo.load()
    assert dates(first, D(2027, 1, 1), D(2027, 2, 28)) == [D(2027, 1, 4), D(2027, 2, 1)]


def test_nth_and_last_working_day_of_the_month_count_holidays_and_make_up_days(calendar_2027):
    # February 2027: 1-4 work, 5-14 Spring Festival, then the 15th is the fifth working day.
    assert dates(rule(Rule.NTH_WORKDAY_OF_MONTH, ordinal=5), D(2027, 2, 1), D(2027, 2, 28)) == [D(2027, 2, 15)]
    # 31 January 2027 is a Sunday worked for the Spring Festival: the month's last working day.
    assert dates(rule(Rule.LAST_WORKDAY_OF_MONTH), D(2027, 1, 1), D(2027, 1, 31)) == [D(2027, 1, 31)]
    # October 2026: 1-7 National Day, so its first working day is the 8th (package year).
    assert dates(rule(Rule.NTH_WORKDAY_OF_MONTH, ordinal=1), D(2026, 10, 1), D(2026, 10, 31)) == [D(2026, 10, 8)]
    # A month with fewer working days than N has none.
    assert dates(rule(Rule.NTH_WORKDAY_OF_MONTH, ordinal=23), D(2027, 2, 1), D(2027, 2, 28)) == []


def test_last_working_day_of_the_quarter():
    quarterly = rule(Rule.LAST_WORKDAY_OF_QUARTER)
    # 2024: 31 March and 30 June are Sundays.
    assert dates(quarterly, D(2024, 1, 1), D(2024, 12, 31)) == [
        D(2024, 3, 29),
        D(2024, 6, 28),
        D(2024, 9, 30),
        D(2024, 12, 31),
    ]


def test_weekly_skips_holidays_and_monthly_weekday_moves_to_the_next_working_day(db):
    thursdays = rule(Rule.WEEKLY, weekday=MeetingSchedule.Weekday.THURSDAY)
    assert dates(thursdays, D(2026, 9, 28), D(2026, 10, 31)) == [
        D(2026, 10, 8),
        D(2026, 10, 15),
        D(2026, 10, 22),
        D(2026, 10, 29),
    ]
    first_thursday = rule(Rule.MONTHLY_WEEKDAY, ordinal=1, weekday=MeetingSchedule.Weekday.THURSDAY)
    assert dates(first_thursday, D(2026, 10, 1), D(2026, 11, 30)) == [D(2026, 10, 8), D(2026, 11, 5)]


def test_dates_stay_within_the_schedule_own_dates():
    bounded = rule(Rule.NTH_WORKDAY_OF_MONTH, ordinal=1, starts_on=D(2026, 3, 5))
    bounded.ends_on = D(2026, 5, 31)
    assert dates(bounded, D(2026, 1, 1), D(2026, 12, 31)) == [D(2026, 4, 1), D(2026, 5, 6)]


# -- generation ----------------------------------------------------------------------------------
def create(world, personas, **fields):
    values = {
        "actor": personas.secretary,
        "alliance": world.alliance,
        "kind": MeetingKind.COMMITTEE,
        "title": "党委会议",
        "rule": Rule.NTH_WORKDAY_OF_MONTH,
        "ordinal": 1,
        "start_time": dt.time(9, 0),
        "starts_on": D(2026, 12, 1),
        "place_address": "汶上县党群服务中心",
        **fields,
    }
    return schedules.schedule_create(**values)


def occurrences(schedule, **filters):
    return list(Meeting.objects.filter(schedule__in=_series(schedule), **filters).order_by("occurrence_date", "pk"))


def _series(schedule):
    found, todo = [], [schedule]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += list(current.continued_by.all())
    return found


def when(meeting):
    return timezone.localtime(meeting.starts_at).replace(tzinfo=None)


@pytest.fixture
def series(world, personas, calendar_2027, django_capture_on_commit_callbacks):
    with clock(2026, 12, 10, 10, 0), django_capture_on_commit_callbacks(execute=True):
        return create(world, personas)


def test_occurrences_are_created_up_to_the_horizon_once(series, personas, django_capture_on_commit_callbacks):
    # 1 December has passed; the horizon is three months ahead (10 March).
    assert [m.occurrence_date for m in occurrences(series)] == [D(2027, 1, 4), D(2027, 2, 1), D(2027, 3, 1)]
    assert next(when(m) for m in occurrences(series)) == dt.datetime(2027, 1, 4, 9, 0)
    # titled as a secretary writes them: the month, then the series' title
    assert [m.title for m in occurrences(series)] == ["2027年1月党委会议", "2027年2月党委会议", "2027年3月党委会议"]
    notices = Notification.objects.filter(recipient=personas.secretary, title__startswith="会议通知：2027年")
    assert notices.count() == 3
    with clock(2026, 12, 11, 1, 20):
        assert schedules.occurrences_generate() == 0
        assert generate_meeting_occurrences.delay().get() == 0
    with clock(2027, 1, 5, 1, 20), django_capture_on_commit_callbacks(execute=True):
        assert generate_meeting_occurrences.delay().get() == 1
        assert schedules.occurrences_generate() == 0
    assert [m.occurrence_date for m in occurrences(series)][-1] == D(2027, 4, 1)
    assert notices.count() == 4


def test_generation_never_goes_past_the_horizon_nor_the_end(world, personas, calendar_2027):
    with clock(2026, 12, 10, 10, 0):
        weekly = create(world, personas, rule=Rule.WEEKLY, ordinal=None, weekday=0, ends_on=D(2027, 1, 31))
    mondays = [m.occurrence_date for m in occurrences(weekly)]
    assert mondays[0] == D(2026, 12, 14) and mondays[-1] == D(2027, 1, 25)
    assert len(mondays) == 7  # 14, 21, 28 Dec; 4, 11, 18, 25 Jan (ends on 31 Jan)
    with clock(2027, 3, 1, 1, 0):
        assert schedules.occurrences_generate() == 0


def test_a_schedule_without_a_place_or_with_a_non_member_host_is_refused(world, personas):
    with pytest.raises(ValidationError) as place:
        create(world, personas, place_address="")
    assert "place_address" in place.value.message_dict
    with pytest.raises(ValidationError) as host:
        create(world, personas, hosts=[world.outsider_enterprise])
    assert "不是本联盟的在册成员企业" in host.value.message_dict["hosts"][0]
    assert not MeetingSchedule.objects.exists() and not Meeting.objects.exists()


# -- editing -------------------------------------------------------------------------------------
def test_an_occurrence_edited_or_cancelled_alone_is_never_recreated(series, personas):
    _jan, feb, mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        schedules.occurrence_update(
            actor=personas.secretary, meeting=feb, starts_at=local(2027, 2, 2, 10, 0), ends_at=local(2027, 2, 2, 12, 0)
        )
        schedules.occurrence_cancel(actor=personas.secretary, meeting=mar, reason="与全县大会冲突")
        assert schedules.occurrences_generate() == 0
    rows = occurrences(series)
    assert [(m.occurrence_date, m.state) for m in rows] == [
        (D(2027, 1, 4), Meeting.State.SCHEDULED),
        (D(2027, 2, 1), Meeting.State.SCHEDULED),
        (D(2027, 3, 1), Meeting.State.CANCELLED),
    ]
    assert when(rows[1]) == dt.datetime(2027, 2, 2, 10, 0)


def test_editing_the_series_time_moves_only_untouched_future_occurrences(series, personas):
    _jan, feb, mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        schedules.occurrence_update(
            actor=personas.secretary, meeting=feb, starts_at=local(2027, 2, 2, 10, 0), ends_at=local(2027, 2, 2, 12, 0)
        )
        schedules.occurrence_cancel(actor=personas.secretary, meeting=mar, reason="与全县大会冲突")
        schedules.schedule_update(actor=personas.secretary, schedule=series, start_time=dt.time(14, 30))
        assert schedules.occurrences_generate() == 0
    rows = occurrences(series)
    assert len(rows) == 3
    assert [when(m) for m in rows] == [
        dt.datetime(2027, 1, 4, 14, 30),  # untouched: moved with the series
        dt.datetime(2027, 2, 2, 10, 0),  # moved on its own: kept
        dt.datetime(2027, 3, 1, 9, 0),  # cancelled on its own: kept cancelled
    ]
    assert rows[2].state == Meeting.State.CANCELLED
    with clock(2027, 1, 5, 1, 0):
        schedules.occurrences_generate()
    assert when(occurrences(series)[-1]) == dt.datetime(2027, 4, 1, 14, 30)


def test_this_and_following_with_a_new_time_takes_over_without_duplicates(series, personas):
    jan, feb, mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        new = schedules.occurrence_update(
            actor=personas.secretary, meeting=feb, following=True, start_time=dt.time(15, 0)
        )
        assert schedules.occurrences_generate() == 0
    series.refresh_from_db()
    assert series.ends_on == D(2027, 1, 31) and new.starts_on == D(2027, 2, 1) and new.split_from == series
    rows = occurrences(series)
    assert [(m.pk, m.schedule_id, when(m)) for m in rows] == [
        (jan.pk, series.pk, dt.datetime(2027, 1, 4, 9, 0)),
        (feb.pk, new.pk, dt.datetime(2027, 2, 1, 15, 0)),
        (mar.pk, new.pk, dt.datetime(2027, 3, 1, 15, 0)),
    ]
    with clock(2027, 1, 5, 1, 0):
        assert schedules.occurrences_generate() == 1
    assert [(m.schedule_id, m.occurrence_date) for m in occurrences(series)][-1] == (new.pk, D(2027, 4, 1))


def test_this_and_following_with_a_new_rule_leaves_one_meeting_a_month(series, personas):
    jan, feb, mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        schedules.occurrence_update(
            actor=personas.secretary, meeting=mar, starts_at=local(2027, 3, 3, 9, 0), ends_at=local(2027, 3, 3, 11, 0)
        )
        new = schedules.occurrence_update(actor=personas.secretary, meeting=feb, following=True, ordinal=2)
        assert schedules.occurrences_generate() == 0
    rows = occurrences(series)
    assert [(m.pk, m.schedule_id, m.occurrence_date, when(m), m.state) for m in rows] == [
        (jan.pk, series.pk, D(2027, 1, 4), dt.datetime(2027, 1, 4, 9, 0), Meeting.State.SCHEDULED),
        # untouched: the same meeting moves to the new rule's date in its month (one change notice)
        (feb.pk, new.pk, D(2027, 2, 2), dt.datetime(2027, 2, 2, 9, 0), Meeting.State.SCHEDULED),
        # moved by a person: kept at their time, and stands for March, so no 2 March is added
        (mar.pk, new.pk, D(2027, 3, 2), dt.datetime(2027, 3, 3, 9, 0), Meeting.State.SCHEDULED),
    ]
    with clock(2027, 2, 3, 1, 0):  # horizon 3 May: the second working day of April
        assert schedules.occurrences_generate() == 1
    assert occurrences(series)[-1].occurrence_date == D(2027, 4, 2)


def test_a_rule_change_keeps_a_month_cancelled_by_a_person_cancelled(series, personas):
    jan, feb, mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        schedules.occurrence_cancel(actor=personas.secretary, meeting=feb, reason="春节前不开会")
        schedules.schedule_update(actor=personas.secretary, schedule=series, ordinal=3)
        assert schedules.occurrences_generate() == 0
    rows = occurrences(series)
    assert [(m.pk, m.occurrence_date, m.state) for m in rows] == [
        (jan.pk, D(2027, 1, 6), Meeting.State.SCHEDULED),
        (feb.pk, D(2027, 2, 3), Meeting.State.CANCELLED),
        (mar.pk, D(2027, 3, 3), Meeting.State.SCHEDULED),
    ]


def test_cancel_this_and_following_ends_the_series(series, personas):
    _jan, feb, _mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        schedules.occurrence_cancel(actor=personas.secretary, meeting=feb, reason="换届，暂停例会", following=True)
    series.refresh_from_db()
    assert series.ends_on == D(2027, 1, 31)
    assert [m.state for m in occurrences(series)] == [
        Meeting.State.SCHEDULED,
        Meeting.State.CANCELLED,
        Meeting.State.CANCELLED,
    ]
    with clock(2027, 1, 20, 1, 0):
        assert schedules.occurrences_generate() == 0


# -- hosts and chair -----------------------------------------------------------------------------
def test_hosts_rotate_in_order_skipping_a_member_that_left_and_the_quarter_chair_presides(
    world, personas, calendar_2027
):
    third = factories.EnterpriseFactory(name="鲁源纺织有限公司", region=world.county, zone=world.zone)
    org_services.membership_add(
        alliance=world.alliance, enterprise=third, position=Membership.Position.UPSTREAM, joined_on=D(2024, 1, 1)
    )
    org_services.rotation_set(
        alliance=world.alliance, year=2027, quarter=1, enterprise=world.lead, person_name="轮值李书记"
    )
    with clock(2026, 12, 10, 10, 0):
        series = create(world, personas, hosts=[world.member, third, world.lead])
    assert [m.host_enterprise for m in occurrences(series)] == [world.member, third, world.lead]
    assert [m.chair_name for m in occurrences(series)] == ["轮值李书记"] * 3
    membership = Membership.objects.get(alliance=world.alliance, enterprise=third)
    org_services.membership_end(membership=membership, left_on=D(2026, 12, 20))
    with clock(2027, 2, 7, 1, 0):  # horizon 7 May: April and May
        assert schedules.occurrences_generate() == 2
    rows = occurrences(series)
    assert [(m.occurrence_date, m.host_enterprise) for m in rows[3:]] == [
        (D(2027, 4, 1), world.member),
        (D(2027, 5, 6), world.lead),  # the third one left: skipped
    ]
    assert rows[3].chair_name == ""  # no rotating chair recorded for Q2
    with clock(2027, 2, 8, 1, 0):
        schedules.schedule_hosts_set(actor=personas.secretary, schedule=series, enterprises=[world.lead, world.member])
    with clock(2027, 3, 7, 1, 0):
        assert schedules.occurrences_generate() == 1  # 1 June
    assert occurrences(series)[-1].host_enterprise == world.member  # after the lead, in the new order


# -- review fixes ----------------------------------------------------------------------------------
def test_a_monthly_weekday_pushed_into_the_next_month_is_not_lost(db):
    """31 January 2026, the fifth Saturday, is not a working day: its meeting is on Monday 2 February,
    found even when the window starts in February."""
    fifth_saturday = rule(Rule.MONTHLY_WEEKDAY, ordinal=5, weekday=MeetingSchedule.Weekday.SATURDAY)
    assert dates(fifth_saturday, D(2026, 2, 1), D(2026, 2, 28)) == [D(2026, 2, 2)]


def test_one_schedule_that_cannot_be_expanded_does_not_stop_the_others(world, personas, calendar_2027, monkeypatch):
    with clock(2026, 12, 10, 10, 0):
        broken = create(world, personas, title="无法展开的计划", starts_on=D(2027, 6, 1))
        healthy = create(world, personas, title="正常的计划", starts_on=D(2027, 6, 1))
    original = schedules.services.meeting_schedule

    def refuse_the_broken_one(**kwargs):
        if kwargs.get("schedule") is not None and kwargs["schedule"].pk == broken.pk:
            raise ValidationError({"place_zone": "该片区已不在本联盟所在地区。"})
        return original(**kwargs)

    monkeypatch.setattr(schedules.services, "meeting_schedule", refuse_the_broken_one)
    with clock(2027, 5, 20, 1, 0):
        assert schedules.occurrences_generate() >= 1
    assert occurrences(healthy) and not occurrences(broken)


def test_cancel_this_and_following_ends_the_series_continued_from_it_too(series, personas):
    jan, feb, _mar = occurrences(series)
    with clock(2026, 12, 11, 10, 0):
        continued = schedules.occurrence_update(
            actor=personas.secretary, meeting=feb, following=True, start_time=dt.time(15, 0)
        )
        schedules.occurrence_cancel(actor=personas.secretary, meeting=jan, reason="换届，暂停例会", following=True)
    continued.refresh_from_db()
    assert not continued.active
    assert {m.state for m in occurrences(series)} == {Meeting.State.CANCELLED}
    with clock(2027, 3, 20, 1, 0):
        assert schedules.occurrences_generate() == 0
    assert {m.state for m in occurrences(series)} == {Meeting.State.CANCELLED}


def test_an_occurrence_is_titled_by_its_period_and_the_series_title(world):
    def title(rule, day, name="联席会议"):
        schedule = MeetingSchedule(alliance=world.alliance, kind=MeetingKind.JOINT, title=name, rule=rule)
        return schedules.occurrence_title(schedule, day)

    assert title(Rule.NTH_WORKDAY_OF_MONTH, D(2026, 11, 2)) == "2026年11月联席会议"
    assert title(Rule.MONTHLY_WEEKDAY, D(2026, 11, 19)) == "2026年11月联席会议"
    assert title(Rule.LAST_WORKDAY_OF_QUARTER, D(2026, 12, 31)) == "2026年第四季度联席会议"
    assert title(Rule.WEEKLY, D(2026, 11, 5), name="微党课") == "2026年11月5日微党课"
    assert title(Rule.LAST_WORKDAY_OF_MONTH, D(2027, 1, 29), name="") == "2027年1月联席会议"  # no title: the kind
