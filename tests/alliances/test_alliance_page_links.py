"""The alliance page links only the members the reader may open; the rest are plain text."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances import services
from alliances.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db


def _page(client, world):
    response = client.get(world.alliance.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _link(obj):
    return f'href="{obj.get_absolute_url()}"'


def test_enterprise_secretary_gets_a_link_only_to_their_own_enterprise(world, personas, client_for):
    page = _page(client_for(personas.enterprise_secretary), world)
    assert _link(world.lead) in page
    assert world.member.name in page
    assert _link(world.member) not in page
    # and what is linked opens
    assert client_for(personas.enterprise_secretary).get(world.lead.get_absolute_url()).status_code == 200


def test_org_staff_gets_links_to_every_member(world, personas, client_for):
    page = _page(client_for(personas.org_staff), world)
    assert _link(world.lead) in page and _link(world.member) in page
    assert _link(world.department) in page


def test_the_visible_set_is_read_once_not_per_member(world, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    with CaptureQueriesContext(connection) as few:
        _page(client, world)
    for number in range(5):
        services.membership_add(
            alliance=world.alliance,
            enterprise=factories.EnterpriseFactory(
                name=f"新成员{number}有限公司", region=world.county, zone=world.zone
            ),
            position=Membership.Position.SUPPORTING,
            joined_on=dt.date(2024, 1, 1),
        )
    with CaptureQueriesContext(connection) as many:
        page = _page(client, world)
    assert "新成员4有限公司" in page
    assert len(many) == len(few)
