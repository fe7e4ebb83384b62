"""Committee rights follow the seat's term dates, read by date whenever a scope is loaded."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliances import services
from alliances.access import scope_for
from alliances.models import CommitteeSeat
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI), tick=False)


def _fresh(user):
    """The user as the next request loads it (no scope cached on the object)."""
    return type(user).objects.get(pk=user.pk)


def test_rights_start_on_term_start_and_end_after_term_end(world):
    user = factories.UserFactory()
    with _on(dt.date(2025, 5, 20)):
        services.seat_assign(
            alliance=world.alliance,
            role=CommitteeSeat.Role.LIAISON,
            person_name="联络员",
            user=user,
            enterprise=world.member,
            term_start=dt.date(2025, 6, 1),
            term_end=dt.date(2025, 6, 30),
            system=True,
        )
        before = scope_for(_fresh(user))
    assert world.alliance.pk not in before.seat_alliance_ids

    with _on(dt.date(2025, 6, 1)):
        started = scope_for(_fresh(user))
    assert world.alliance.pk in started.managed_alliance_ids
    assert world.alliance.pk in started.seat_alliance_ids

    with _on(dt.date(2025, 6, 30)):
        assert world.alliance.pk in scope_for(_fresh(user)).managed_alliance_ids

    with _on(dt.date(2025, 7, 1)):
        ended = scope_for(_fresh(user))
    assert world.alliance.pk not in ended.managed_alliance_ids
    assert world.alliance.pk not in ended.seat_alliance_ids


def test_a_scope_kept_on_a_user_object_does_not_outlive_its_day(world):
    user = factories.UserFactory()
    services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="委员",
        user=user,
        department=world.department,
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2025, 3, 31),
        system=True,
    )
    held = _fresh(user)
    with _on(dt.date(2025, 3, 31)):
        assert world.alliance.pk in scope_for(held).seat_alliance_ids
    with _on(dt.date(2025, 4, 1)):
        assert world.alliance.pk not in scope_for(held).seat_alliance_ids


def test_ended_seat_no_longer_sees_the_alliance_page(world, client):
    user = factories.UserFactory()
    with _on(dt.date(2024, 12, 1)):
        services.seat_assign(
            alliance=world.alliance,
            role=CommitteeSeat.Role.SECRETARY,
            person_name="任期将满",
            user=user,
            enterprise=world.lead,
            term_start=dt.date(2024, 1, 1),
            term_end=dt.date(2024, 12, 31),
            system=True,
        )
    client.force_login(user)
    url = world.alliance.get_absolute_url()
    with _on(dt.date(2024, 12, 31)):
        assert client.get(url).status_code == 200
    with _on(dt.date(2025, 1, 1)):
        assert client.get(url).status_code == 404
