"""Who no one has visited and coverage (issue 9 §2), for organisation staff and leaders: the list with
its filters and guides, the coverage tables and the chart's data, refused to others, in a number of
queries that does not grow with the enterprises."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from alliances import services as alliance_services
from guides import services
from guides.models import Visit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def visited(world, personas, frozen):
    """The lead enterprise visited this month; the member last quarter (a disputed visit this month
    does not count); a third enterprise in the zone never."""
    guide = factories.GuideFactory(region=world.county, department=world.department, name="人社指导员")
    services.assignment_create(
        actor=None, guide=guide, enterprise=world.lead, starts_on=dt.date(2025, 1, 1), cadence="monthly"
    )
    factories.VisitFactory(enterprise=world.lead, guide=guide, visited_on=dt.date(2026, 5, 5))
    factories.VisitFactory(enterprise=world.member, guide=guide, visited_on=dt.date(2026, 2, 5))
    factories.VisitFactory(
        enterprise=world.member,
        guide=guide,
        visited_on=dt.date(2026, 5, 6),
        confirmation=Visit.Confirmation.DISPUTED,
        dispute_reason="当日无人来访",
        confirmed_at=dt.datetime(2026, 5, 7, tzinfo=dt.UTC),
    )
    never = factories.EnterpriseFactory(region=world.county, zone=world.zone, name="从未走访企业")
    return guide, never


def _names(response):
    return [e.name for e in response.context["page"]]


def test_not_visited_this_quarter_with_guides_and_status(client_for, world, personas, visited):
    response = client_for(personas.org_staff).get(reverse("guides:visit_overview"))
    assert response.status_code == 200
    assert _names(response) == ["从未走访企业", world.member.name]  # overdue first
    rows = {e.name: e for e in response.context["page"]}
    assert rows[world.member.name].last_visit == dt.date(2026, 2, 5)  # the disputed one does not count
    assert rows[world.member.name].status_label == "本期待走访"
    assert rows["从未走访企业"].status_label == "逾期未走访"
    assert rows[world.member.name].guides == [personas.guide.guide_profile]
    body = response.content.decode()
    assert "从未走访" in body and personas.guide.guide_profile.name in body


def test_not_visited_filters(client_for, world, personas, visited):
    guide, _never = visited
    client = client_for(personas.org_staff)
    url = reverse("guides:visit_overview")
    assert _names(client.get(url, {"period": "ever"})) == ["从未走访企业"]
    assert _names(client.get(url, {"period": "month"})) == ["从未走访企业", world.member.name]
    assert _names(client.get(url, {"alliance": world.alliance.pk})) == [world.member.name]
    everyone = client.get(url, {"show": "all", "department": world.department.pk})
    assert _names(everyone) == [world.lead.name]
    assert everyone.context["page"][0].guides == [guide, personas.guide.guide_profile]
    by_guide = client.get(url, {"show": "all", "guide": guide.pk})
    assert _names(by_guide) == [world.lead.name]
    assert len(client.get(url, {"zone": "abc", "period": "year"}).context["page"]) == 2  # junk: no filter


def test_leader_sees_the_list_others_are_refused(client_for, personas, visited):
    assert client_for(personas.leader).get(reverse("guides:visit_overview")).status_code == 200
    for persona in ("handler", "outsider", "enterprise_secretary", "guide", "secretary"):
        client = client_for(getattr(personas, persona))
        assert client.get(reverse("guides:visit_overview")).status_code == 403, persona
        assert client.get(reverse("guides:coverage")).status_code == 403, persona


def test_not_visited_query_budget_does_not_grow(client_for, world, personas, visited, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    client.get(reverse("guides:visit_overview"))
    guide, _never = visited
    for _ in range(30):
        enterprise = factories.EnterpriseFactory(region=world.county, zone=world.zone)
        services.assignment_create(
            actor=None, guide=guide, enterprise=enterprise, starts_on=dt.date(2026, 1, 1), cadence="monthly"
        )
    with django_assert_max_num_queries(18):
        response = client.get(reverse("guides:visit_overview"))
    assert len(response.context["page"]) == 25 and response.context["page"].paginator.count == 32
    assert all(guide in e.guides for e in response.context["page"] if e.name.startswith("测试企业"))


def test_coverage_tables_and_chart_data(client_for, world, personas, visited):
    response = client_for(personas.org_staff).get(reverse("guides:coverage"))
    assert response.status_code == 200
    zone = next(r for r in response.context["by_zone"] if r["zone_id"] == world.zone.pk)
    assert (zone["total"], zone["visited_count"]) == (3, 1)
    alliance = response.context["by_alliance"][0]
    assert (alliance["name"], alliance["total"], alliance["visited_count"]) == (world.alliance.name, 2, 1)
    body = response.content.decode()
    assert "33.3%" in body and "50.0%" in body
    data = json.loads(re.search(r'<script id="coverage-data" type="application/json">(.*?)</script>', body).group(1))
    assert data["alliances"] == {"names": [world.alliance.name], "rates": [50.0]}
    assert world.zone.name in data["zones"]["names"]
    assert "js/guides-coverage.js" in body and "vendor/echarts/echarts.min.js" in body
    month = client_for(personas.org_staff).get(reverse("guides:coverage"), {"period": "month"})
    assert month.context["starts_on"] == dt.date(2026, 5, 1)


def test_coverage_query_budget(client_for, world, personas, visited, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    client.get(reverse("guides:coverage"))
    for index in range(10):
        zone = factories.ZoneFactory(name=f"片区{index}", region=world.county)
        factories.EnterpriseFactory(region=world.county, zone=zone)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("guides:coverage"))
    assert len(response.context["by_zone"]) >= 11


def test_the_list_shrinks_when_a_visit_is_logged(client_for, world, personas, visited):
    """Story 6: org staff see the not-visited list shrink as a guide logs a visit."""
    guide, never = visited
    client = client_for(personas.org_staff)
    before = _names(client.get(reverse("guides:visit_overview")))
    assert never.name in before
    services.assignment_create(actor=None, guide=guide, enterprise=never, starts_on=dt.date(2026, 1, 1))
    services.visit_log(
        actor=guide.user,
        enterprise=never,
        kind=Visit.Kind.VISIT,
        findings="了解党员情况",
        opinions="",
        opinions_count=0,
    )
    after = _names(client.get(reverse("guides:visit_overview")))
    assert never.name not in after and len(after) == len(before) - 1


def _table(body, table_id):
    return re.search(rf'<table [^>]*id="{table_id}">.*?<tbody>(.*?)</tbody>', body, re.S).group(1)


def test_coverage_table_rows_link_to_the_list_and_escape_names(client_for, world, personas, visited):
    """The tables' rows are written in Python (guides.views_staff.coverage._table_rows): each zone and
    alliance links to the not-visited list for the period (ever for a year or a range), the row of
    enterprises outside any zone has no link, and names are escaped."""
    odd = factories.ZoneFactory(name="<b>新区</b>&", region=world.county)
    factories.EnterpriseFactory(region=world.county, zone=odd)
    factories.EnterpriseFactory(region=world.county, zone=None)
    client = client_for(personas.org_staff)
    list_url = reverse("guides:visit_overview")
    body = client.get(reverse("guides:coverage"), {"period": "month"}).content.decode()
    zones = _table(body, "coverage-zones")
    assert f'<a href="{list_url}?zone={world.zone.pk}&amp;period=month">{world.zone.name}</a>' in zones
    assert f'<a href="{list_url}?zone={odd.pk}&amp;period=month">&lt;b&gt;新区&lt;/b&gt;&amp;</a>' in zones
    assert "<b>新区" not in body
    assert '<tr><td>未划入片区</td><td class="text-end">1</td><td class="text-end">0</td>' in zones
    assert '<td class="text-end">3</td><td class="text-end">1</td><td class="text-end">33.3%</td>' in zones
    alliances = _table(body, "coverage-alliances")
    assert f'<a href="{list_url}?alliance={world.alliance.pk}&amp;period=month">{world.alliance.name}</a>' in alliances
    assert '<td class="text-end">2</td><td class="text-end">1</td><td class="text-end">50.0%</td>' in alliances
    year = client.get(reverse("guides:coverage"), {"period": "year"}).content.decode()
    assert f'?alliance={world.alliance.pk}&amp;period=ever"' in _table(year, "coverage-alliances")
    assert f'?zone={world.zone.pk}&amp;period=ever"' in _table(year, "coverage-zones")


def test_coverage_tables_say_when_there_is_nothing(client_for, world, personas, frozen):
    other = factories.UserFactory(username="staff_empty")
    empty = alliance_services.region_create(name="空县", code="370899", level="county", parent=world.city)
    alliance_services.region_grant(region=empty, user=other, manage=True, system=True)
    body = client_for(other).get(reverse("guides:coverage")).content.decode()
    assert "暂无企业。" in _table(body, "coverage-zones")
    assert "暂无产业链党委。" in _table(body, "coverage-alliances")
