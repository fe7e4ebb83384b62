"""Ending a membership caps its seats' terms and refuses, in Chinese, a date before a seat starts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alliances import services
from alliances.models import CommitteeSeat, Membership

pytestmark = pytest.mark.django_db


def _membership(world, enterprise):
    return Membership.objects.get(alliance=world.alliance, enterprise=enterprise, left_on__isnull=True)


def _future_seat(world):
    return services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="候任委员",
        enterprise=world.member,
        term_start=dt.date(2026, 1, 1),
        system=True,
    )


def test_leaving_before_a_seat_starts_is_refused_with_a_message(world):
    seat = _future_seat(world)
    with pytest.raises(ValidationError) as error:
        services.membership_end(membership=_membership(world, world.member), left_on=dt.date(2025, 6, 30))
    message = " ".join(error.value.messages)
    assert "候任委员" in message and "2026-01-01" in message
    assert _membership(world, world.member).left_on is None
    seat.refresh_from_db()
    assert seat.term_end is None


def test_leaving_on_or_after_the_start_ends_the_seat_with_the_membership(world):
    seat = services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="委员",
        enterprise=world.member,
        term_start=dt.date(2024, 1, 1),
        term_end=dt.date(2027, 12, 31),
        system=True,
    )
    services.membership_end(membership=_membership(world, world.member), left_on=dt.date(2025, 6, 30))
    seat.refresh_from_db()
    assert seat.term_end == dt.date(2025, 6, 30)


def test_the_page_shows_the_message_instead_of_a_server_error(world, personas, client_for):
    _future_seat(world)
    membership = _membership(world, world.member)
    client = client_for(personas.secretary)
    response = client.post(
        reverse("alliances:membership_end", args=[world.alliance.pk, membership.pk]),
        {"left_on": "2025-06-30"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("候任委员" in m and "任期" in m for m in shown), shown
    assert _membership(world, world.member).left_on is None


def test_ending_a_membership_someone_else_just_ended_is_refused_not_overwritten(world):
    """Two people end the same membership from pages they opened before either saved."""
    mine = _membership(world, world.member)
    theirs = Membership.objects.get(pk=mine.pk)
    services.membership_end(membership=theirs, left_on=dt.date(2025, 6, 30))
    with pytest.raises(ValidationError) as error:
        services.membership_end(membership=mine, left_on=dt.date(2025, 9, 30))
    assert "2025-06-30" in " ".join(error.value.messages)
    assert Membership.objects.get(pk=mine.pk).left_on == dt.date(2025, 6, 30)
