"""Meetings due by each alliance's cadence but not held (`selectors.cadence_gaps`): the previous
month for a monthly alliance, the previous quarter for a quarterly one; only a held (or minuted)
党委会议 or 联席会议 counts; scoped to the user's alliances; one query whatever the number of
alliances; and the organisation department's page for it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alliances.meetings import selectors
from alliances.models import Alliance, Meeting, MeetingKind
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 10)
HELD = Meeting.State.HELD


def at(*args):
    return timezone.make_aware(dt.datetime(*args))


def meeting(alliance, starts_at, *, kind=MeetingKind.COMMITTEE, state=HELD):
    extra = {"cancel_reason": "改期"} if state == Meeting.State.CANCELLED else {}
    if state == Meeting.State.MINUTES_FILED:
        extra["minutes_filed_at"] = starts_at + dt.timedelta(days=1)
    return factories.MeetingFactory(alliance=alliance, kind=kind, starts_at=starts_at, state=state, **extra)


@pytest.fixture
def quarterly(world):
    return factories.AllianceFactory(
        name="汶上县农机装备产业链党委",
        region=world.county,
        founded_on=dt.date(2024, 1, 1),
        meeting_cadence=Alliance.Cadence.QUARTERLY,
    )


def gaps(user, today=TODAY):
    return {gap.alliance.name: gap for gap in selectors.cadence_gaps(user=user, today=today)}


def test_last_periods_are_the_previous_month_and_quarter():
    assert selectors.last_periods(TODAY) == {
        "monthly": (dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
        "quarterly": (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    }
    assert selectors.last_periods(dt.date(2027, 1, 1))["quarterly"] == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert selectors.last_periods(dt.date(2027, 1, 1))["monthly"] == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_a_monthly_alliance_without_a_held_committee_or_joint_meeting_last_month(world, personas, quarterly):
    meeting(quarterly, at(2026, 2, 3, 9))  # the quarterly one met in Q1
    meeting(world.alliance, at(2026, 3, 2, 9))
    meeting(world.alliance, at(2026, 4, 8, 9), kind=MeetingKind.SALON)  # a salon does not count
    meeting(world.alliance, at(2026, 4, 20, 9), state=Meeting.State.SCHEDULED)  # never held
    meeting(world.alliance, at(2026, 4, 21, 9), state=Meeting.State.CANCELLED)
    found = gaps(personas.org_staff)
    assert list(found) == [world.alliance.name]
    gap = found[world.alliance.name]
    assert (gap.period_start, gap.period_end) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert gap.last_held_at == at(2026, 3, 2, 9) and not gap.quarterly


def test_held_or_minuted_meetings_close_the_gap(world, personas, quarterly):
    assert set(gaps(personas.org_staff)) == {world.alliance.name, quarterly.name}
    meeting(world.alliance, at(2026, 4, 30, 23, 30), kind=MeetingKind.JOINT)  # late on the last day, local time
    assert list(gaps(personas.org_staff)) == [quarterly.name]
    meeting(quarterly, at(2026, 3, 31, 9), state=Meeting.State.MINUTES_FILED, kind=MeetingKind.JOINT)
    assert gaps(personas.org_staff) == {}


def test_a_meeting_outside_the_period_does_not_count(world, personas, quarterly):
    meeting(world.alliance, at(2026, 5, 6, 9))  # this month: not the period that was due
    meeting(quarterly, at(2026, 4, 2, 9))  # this quarter
    found = gaps(personas.org_staff)
    assert set(found) == {world.alliance.name, quarterly.name}
    assert found[quarterly.name].quarterly and found[quarterly.name].period_end == dt.date(2026, 3, 31)
    assert found[quarterly.name].last_held_at == at(2026, 4, 2, 9)


def test_scoped_to_the_users_alliances_and_to_alliances_that_existed(world, personas):
    factories.AllianceFactory(name="兖州区某产业链党委", region=world.other_county, founded_on=dt.date(2020, 1, 1))
    factories.AllianceFactory(name="汶上县新成立党委", region=world.county, founded_on=dt.date(2026, 4, 15))
    assert list(gaps(personas.org_staff)) == [world.alliance.name]
    assert list(gaps(personas.secretary)) == [world.alliance.name]
    assert gaps(personas.outsider) == {}


def test_one_query_whatever_the_number_of_alliances(world, personas, django_assert_num_queries):
    selectors.cadence_gaps(user=personas.org_staff, today=TODAY)  # the user's scope, read once
    with django_assert_num_queries(1):
        assert len(selectors.cadence_gaps(user=personas.org_staff, today=TODAY)) == 1
    for n in range(4):
        factories.AllianceFactory(name=f"汶上县第{n}产业链党委", region=world.county, founded_on=dt.date(2020, 1, 1))
    with django_assert_num_queries(1):
        assert len(selectors.cadence_gaps(user=personas.org_staff, today=TODAY)) == 5


# -- the page ---------------------------------------------------------------------------------------
URL = "alliances:meeting_cadence_gaps"


@pytest.fixture
def clock():
    with time_machine.travel(at(2026, 5, 10, 10), tick=False):
        yield


def test_org_staff_and_leaders_see_the_page(client_for, world, personas, quarterly, clock):
    meeting(quarterly, at(2026, 2, 3, 9))
    for persona in (personas.org_staff, personas.leader):
        response = client_for(persona).get(reverse(URL))
        page = response.content.decode()
        assert response.status_code == 200
        assert world.alliance.name in page and "2026年4月" in page and quarterly.name not in page


def test_others_are_refused_and_anonymous_goes_to_login(client, client_for, world, personas, clock):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for persona in (personas.secretary, personas.enterprise_secretary, personas.outsider):
        assert client_for(persona).get(reverse(URL)).status_code == 403, persona
