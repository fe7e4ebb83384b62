"""A Party-organisation building goal's page lists the enterprise's development records (发展党员,
积极分子) a page at a time, in a number of queries that does not grow with the records."""

import datetime as dt

import pytest
from django.urls import reverse

from chainparty.paging import PAGE_SIZE
from guides import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world, personas, frozen):
    return services.building_goal_open(
        actor=None, enterprise=world.member, guide=personas.guide.guide_profile, opened_on=dt.date(2026, 3, 1)
    )


def _record(world, personas, n, start=0):
    for index in range(start, start + n):
        services.member_development_record(
            actor=None,
            enterprise=world.member,
            guide=personas.guide.guide_profile,
            kind="developed" if index % 2 else "activist",
            person_name=f"党员{index:03d}",
            recorded_on=dt.date(2026, 1, 1) + dt.timedelta(days=index % 120),
        )


def test_the_goal_page_pages_its_development_records(client_for, world, personas, goal):
    _record(world, personas, PAGE_SIZE + 5)
    client = client_for(personas.org_staff)
    url = reverse("guides:building_goal_detail", args=[goal.pk])
    first = client.get(url)
    assert len(first.context["page"]) == PAGE_SIZE
    assert "page=2" in first.content.decode() and f"共 {PAGE_SIZE + 5} 条" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert len(second.context["page"]) == 5
    names = {d.person_name for d in first.context["page"]} | {d.person_name for d in second.context["page"]}
    assert len(names) == PAGE_SIZE + 5
    assert client.get(url, {"page": "999"}).status_code == 200  # past the end: the last page


def test_the_goal_page_query_budget_does_not_grow(client_for, world, personas, goal, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    url = reverse("guides:building_goal_detail", args=[goal.pk])
    _record(world, personas, 3)
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    _record(world, personas, 60, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == PAGE_SIZE
