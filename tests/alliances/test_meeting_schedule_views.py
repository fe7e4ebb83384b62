"""The schedule pages (会议计划): the list, create, edit (whole series or from a day on), host
rotation order and ending a schedule, for managers and org staff; a member gets 403, an outsider
404 and anonymous the login page; bad input shows the service's message and saves nothing; on an
occurrence the move and cancel forms offer 仅本次 / 本次及以后."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alliances.meetings import schedules
from alliances.models import Meeting, MeetingKind, MeetingSchedule, Membership
from chainparty import demo as calendar_demo
from tests import factories

pytestmark = pytest.mark.django_db
Rule = MeetingSchedule.Rule
D = dt.date


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture(autouse=True)
def clock(db):
    calendar_demo.load()  # 2027's holidays, as staff would enter them
    with time_machine.travel(local(2026, 12, 10, 10, 0), tick=False):
        yield


@pytest.fixture
def series(world, personas):
    return schedules.schedule_create(
        actor=personas.secretary,
        alliance=world.alliance,
        kind=MeetingKind.COMMITTEE,
        title="月度党委会议",
        rule=Rule.NTH_WORKDAY_OF_MONTH,
        ordinal=1,
        start_time=dt.time(9, 0),
        starts_on=D(2026, 12, 1),
        place_address="汶上县党群服务中心",
        hosts=[world.lead, world.member],
    )


def url(name, *args):
    return reverse(f"alliances:{name}", args=args)


def occurrences(schedule_ids=None):
    qs = Meeting.objects.exclude(schedule=None).order_by("occurrence_date", "pk")
    return list(qs.filter(schedule__in=schedule_ids) if schedule_ids else qs)


def first(series):
    return occurrences([series.pk])[0]


def manager_pages(world, series):
    meeting = first(series)
    return [
        url("schedule_list", world.alliance.pk),
        url("schedule_create", world.alliance.pk),
        url("schedule_edit", series.pk),
        url("schedule_hosts", series.pk),
        url("schedule_end", series.pk),
        url("occurrence_move", meeting.pk),
        url("occurrence_cancel", meeting.pk),
    ]


# -- who may open what ------------------------------------------------------------------------------
def test_managers_and_org_staff_open_every_page(client_for, world, personas, series):
    for persona in (personas.secretary, personas.org_staff):
        client = client_for(persona)
        for target in manager_pages(world, series):
            assert client.get(target).status_code == 200, (persona, target)


def test_a_member_gets_403_and_changes_nothing(client_for, world, personas, series):
    client = client_for(personas.other_enterprise_secretary)
    for target in manager_pages(world, series):
        assert client.get(target).status_code == 403, target
    meeting = first(series)
    assert client.post(url("schedule_end", series.pk), {"ends_on": "2026-12-10"}).status_code == 403
    assert client.post(url("occurrence_cancel", meeting.pk), {"scope": "following", "reason": "x"}).status_code == 403
    assert client.post(url("schedule_hosts", series.pk), {"op": "down", "enterprise": world.lead.pk}).status_code == 403
    assert MeetingSchedule.objects.get(pk=series.pk).ends_on is None
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    assert list(series.hosts.values_list("enterprise_id", flat=True)) == [world.lead.pk, world.member.pk]
    calendar = client.get(url("alliance_meetings", world.alliance.pk)).content.decode()
    assert url("schedule_list", world.alliance.pk) not in calendar


def test_an_outsider_gets_404(client_for, world, personas, series):
    client = client_for(personas.outsider)
    for target in manager_pages(world, series):
        assert client.get(target).status_code == 404, target


def test_anonymous_goes_to_login(client, world, series):
    for target in manager_pages(world, series):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), target


def test_a_meeting_outside_a_series_has_no_occurrence_forms(client_for, world, personas):
    meeting = factories.MeetingFactory(alliance=world.alliance)
    client = client_for(personas.secretary)
    assert client.get(url("occurrence_move", meeting.pk)).status_code == 404
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert url("meeting_move", meeting.pk) in page and url("occurrence_move", meeting.pk) not in page


# -- list, create, edit ----------------------------------------------------------------------------
def test_the_calendar_links_the_schedules_and_the_list_shows_rule_and_rotation(client_for, world, personas, series):
    client = client_for(personas.secretary)
    calendar = client.get(url("alliance_meetings", world.alliance.pk)).content.decode()
    assert url("schedule_list", world.alliance.pk) in calendar
    page = client.get(url("schedule_list", world.alliance.pk)).content.decode()
    for text in ("月度党委会议", "每月第 N 个工作日", "09:00", "1. 鸿瑞轩服饰有限公司", "2. 新花源纺织有限公司"):
        assert text in page, text


def _create_post(world, **overrides):
    data = {
        "kind": "committee",
        "title": "季度联席会议",
        "rule": Rule.LAST_WORKDAY_OF_QUARTER,
        "start_time": "14:30",
        "duration_minutes": 90,
        "place_zone": world.zone.pk,
        "starts_on": "2026-12-01",
        "hosts": [world.member.pk],
    }
    data.update(overrides)
    return data


def test_org_staff_create_a_schedule_and_its_occurrences(client_for, world, personas):
    client = client_for(personas.org_staff)
    response = client.post(url("schedule_create", world.alliance.pk), _create_post(world))
    assert response.status_code == 302 and response["Location"] == url("schedule_list", world.alliance.pk)
    schedule = MeetingSchedule.objects.get(title="季度联席会议")
    assert [h.enterprise for h in schedule.hosts.all()] == [world.member]
    assert [(m.occurrence_date, timezone.localtime(m.starts_at).time()) for m in occurrences([schedule.pk])] == [
        (D(2026, 12, 31), dt.time(14, 30))
    ]


def test_bad_input_shows_the_services_message_and_saves_nothing(client_for, world, personas):
    client = client_for(personas.secretary)
    response = client.post(url("schedule_create", world.alliance.pk), _create_post(world, rule=Rule.WEEKLY))
    assert response.status_code == 400 and "请选择星期几。" in response.content.decode()
    response = client.post(url("schedule_create", world.alliance.pk), _create_post(world, place_zone=""))
    assert response.status_code == 400 and "请填写会议地点或选择片区。" in response.content.decode()
    response = client.post(
        url("schedule_create", world.alliance.pk), _create_post(world, starts_on="2026-12-01", ends_on="2026-11-01")
    )
    assert response.status_code == 400 and "截止日期不能早于起始日期。" in response.content.decode()
    assert not MeetingSchedule.objects.exists() and not Meeting.objects.exists()


def _edit_post(series, **overrides):
    data = {
        "kind": series.kind,
        "title": series.title,
        "rule": series.rule,
        "ordinal": series.ordinal,
        "start_time": "15:00",
        "duration_minutes": series.duration_minutes,
        "place_address": series.place_address,
    }
    data.update(overrides)
    return data


def test_editing_the_whole_series_moves_its_untouched_occurrences(client_for, personas, series):
    client = client_for(personas.secretary)
    assert client.get(url("schedule_edit", series.pk)).status_code == 200
    response = client.post(url("schedule_edit", series.pk), _edit_post(series))
    assert response.status_code == 302
    assert {timezone.localtime(m.starts_at).time() for m in occurrences([series.pk])} == {dt.time(15, 0)}
    assert MeetingSchedule.objects.get(pk=series.pk).start_time == dt.time(15, 0)


def test_editing_from_a_day_on_splits_the_series(client_for, personas, series):
    dates = [m.occurrence_date for m in occurrences([series.pk])]
    assert dates == [D(2027, 1, 4), D(2027, 2, 1), D(2027, 3, 1)]
    client = client_for(personas.secretary)
    response = client.post(url("schedule_edit", series.pk), _edit_post(series, from_date="2027-02-01"))
    assert response.status_code == 302
    meetings = occurrences()
    assert [m.occurrence_date for m in meetings] == dates  # nothing duplicated, nothing lost
    times = [timezone.localtime(m.starts_at).time() for m in meetings]
    assert times == [dt.time(9, 0), dt.time(15, 0), dt.time(15, 0)]
    assert MeetingSchedule.objects.get(pk=series.pk).ends_on == D(2027, 1, 31)


def test_a_bad_edit_saves_nothing(client_for, personas, series):
    client = client_for(personas.secretary)
    response = client.post(url("schedule_edit", series.pk), _edit_post(series, rule=Rule.MONTHLY_WEEKDAY, ordinal=6))
    page = response.content.decode()
    assert response.status_code == 400 and "每月第几个星期几只能是 1 到 5。" in page
    assert MeetingSchedule.objects.get(pk=series.pk).start_time == dt.time(9, 0)


# -- host rotation ------------------------------------------------------------------------------------
def rotation(series):
    return list(series.hosts.order_by("position").values_list("enterprise_id", flat=True))


def test_the_rotation_is_reordered_with_up_down_position_and_remove(client_for, world, personas, series):
    client = client_for(personas.org_staff)
    page = client.get(url("schedule_hosts", series.pk)).content.decode()
    assert "鸿瑞轩服饰有限公司" in page and "上移" in page
    hosts = url("schedule_hosts", series.pk)
    assert client.post(hosts, {"op": "down", "enterprise": world.lead.pk}).status_code == 302
    assert rotation(series) == [world.member.pk, world.lead.pk]
    client.post(hosts, {"op": "up", "enterprise": world.lead.pk})
    assert rotation(series) == [world.lead.pk, world.member.pk]
    client.post(hosts, {"op": "position", "enterprise": world.member.pk, "position": 1})
    assert rotation(series) == [world.member.pk, world.lead.pk]
    client.post(hosts, {"op": "remove", "enterprise": world.lead.pk})
    assert rotation(series) == [world.member.pk]
    client.post(hosts, {"op": "add", "enterprise": world.lead.pk})
    assert rotation(series) == [world.member.pk, world.lead.pk]


def test_adding_an_enterprise_that_left_shows_the_message_and_saves_nothing(client_for, world, personas, series):
    client = client_for(personas.secretary)
    client.post(url("schedule_hosts", series.pk), {"op": "remove", "enterprise": world.member.pk})
    Membership.objects.filter(alliance=world.alliance, enterprise=world.member).update(left_on=D(2026, 12, 1))
    response = client.post(url("schedule_hosts", series.pk), {"op": "add", "enterprise": world.member.pk})
    assert response.status_code == 400
    assert "以下企业不是本联盟的在册成员企业：新花源纺织有限公司" in response.content.decode()
    assert rotation(series) == [world.lead.pk]
    # An enterprise that never was a member is not offered at all.
    response = client.post(url("schedule_hosts", series.pk), {"op": "add", "enterprise": world.outsider_enterprise.pk})
    assert response.status_code == 400 and rotation(series) == [world.lead.pk]


# -- ending ---------------------------------------------------------------------------------------
def test_ending_a_schedule_cancels_the_later_occurrences(client_for, world, personas, series):
    client = client_for(personas.secretary)
    response = client.post(url("schedule_end", series.pk), {"ends_on": "2027-01-31", "reason": "改为季度召开"})
    assert response.status_code == 302 and response["Location"] == url("schedule_list", world.alliance.pk)
    states = [(m.occurrence_date, m.state, m.cancel_reason) for m in occurrences([series.pk])]
    assert states == [
        (D(2027, 1, 4), Meeting.State.SCHEDULED, ""),
        (D(2027, 2, 1), Meeting.State.CANCELLED, "改为季度召开"),
        (D(2027, 3, 1), Meeting.State.CANCELLED, "改为季度召开"),
    ]
    page = client.get(url("schedule_list", world.alliance.pk)).content.decode()
    assert "2027-01-31" in page


def test_ending_needs_a_date(client_for, personas, series):
    response = client_for(personas.secretary).post(url("schedule_end", series.pk), {"ends_on": ""})
    assert response.status_code == 400 and MeetingSchedule.objects.get(pk=series.pk).ends_on is None


# -- one occurrence: 仅本次 / 本次及以后 -----------------------------------------------------------------
def test_the_meeting_page_offers_the_occurrence_forms(client_for, personas, series):
    meeting = first(series)
    page = client_for(personas.secretary).get(meeting.get_absolute_url()).content.decode()
    assert url("occurrence_move", meeting.pk) in page and url("occurrence_cancel", meeting.pk) in page
    form = client_for(personas.secretary).get(url("occurrence_move", meeting.pk)).content.decode()
    assert "仅本次" in form and "本次及以后" in form


def _move_post(meeting, scope, starts_at):
    return {
        "scope": scope,
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts_at + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "version": meeting.version,
    }


def test_move_this_one_only(client_for, personas, series):
    meeting = first(series)
    client = client_for(personas.secretary)
    response = client.post(url("occurrence_move", meeting.pk), _move_post(meeting, "this", local(2027, 1, 5, 10)))
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    moved, *others = occurrences([series.pk])
    assert moved.starts_at == local(2027, 1, 5, 10) and moved.occurrence_date == D(2027, 1, 4)
    assert {timezone.localtime(m.starts_at).time() for m in others} == {dt.time(9, 0)}


def test_move_this_and_following(client_for, personas, series):
    second = occurrences([series.pk])[1]
    client = client_for(personas.secretary)
    response = client.post(
        url("occurrence_move", second.pk), _move_post(second, "following", local(2027, 2, 1, 14, 30))
    )
    assert response.status_code == 302
    meetings = occurrences()
    assert [(m.occurrence_date, timezone.localtime(m.starts_at).time(), m.ends_at - m.starts_at) for m in meetings] == [
        (D(2027, 1, 4), dt.time(9, 0), dt.timedelta(hours=2)),
        (D(2027, 2, 1), dt.time(14, 30), dt.timedelta(hours=1)),
        (D(2027, 3, 1), dt.time(14, 30), dt.timedelta(hours=1)),
    ]


def test_this_and_following_cannot_change_the_day(client_for, personas, series):
    second = occurrences([series.pk])[1]
    response = client_for(personas.secretary).post(
        url("occurrence_move", second.pk), _move_post(second, "following", local(2027, 2, 3, 9))
    )
    assert response.status_code == 400 and "只能调整开始时间和时长" in response.content.decode()
    assert Meeting.objects.get(pk=second.pk).starts_at == local(2027, 2, 1, 9)


def test_a_move_ending_before_it_starts_shows_the_message_and_saves_nothing(client_for, personas, series):
    meeting = first(series)
    data = _move_post(meeting, "this", local(2027, 1, 5, 10))
    data["ends_at"] = "2027-01-05T09:00"
    response = client_for(personas.secretary).post(url("occurrence_move", meeting.pk), data)
    assert response.status_code == 400 and "结束时间必须晚于开始时间。" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).starts_at == local(2027, 1, 4, 9)


def test_cancel_this_one_or_this_and_following(client_for, personas, series):
    jan, feb, _mar = occurrences([series.pk])
    client = client_for(personas.secretary)
    response = client.post(url("occurrence_cancel", jan.pk), {"scope": "this", "reason": "与县委会议冲突"})
    assert response.status_code == 302
    assert [m.state for m in occurrences([series.pk])] == ["cancelled", "scheduled", "scheduled"]
    client.post(url("occurrence_cancel", feb.pk), {"scope": "following", "reason": "停开"})
    assert [m.state for m in occurrences([series.pk])] == ["cancelled", "cancelled", "cancelled"]
    assert MeetingSchedule.objects.get(pk=series.pk).ends_on == D(2027, 1, 31)


def test_cancel_needs_a_reason(client_for, personas, series):
    meeting = first(series)
    response = client_for(personas.secretary).post(url("occurrence_cancel", meeting.pk), {"scope": "this"})
    assert response.status_code == 400 and Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
