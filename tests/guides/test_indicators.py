"""企业走访覆盖率 in the indicators registry (issue 9 §2): this quarter's rate for the region, the
enterprises not visited, the lowest zone and alliance, and the rows per zone and per alliance a
results page lists; disputed visits and last quarter's do not count; staff of another county see
their own; a fixed number of queries; the home page's deferred panel."""

import datetime as dt

import pytest
from django.urls import reverse

from alliances import services as org_services
from chainparty.indicators import registry
from guides import services
from tests import factories

pytestmark = pytest.mark.django_db

KEYS = [
    "visit_coverage",
    "visit_unvisited",
    "visit_coverage_lowest_zone",
    "visit_coverage_lowest_alliance",
    "visit_coverage_by_zone",
    "visit_coverage_by_alliance",
]


@pytest.fixture
def visited(frozen, world, personas):
    """This quarter (Q2 2026): the lead visited in April; the member visited in March (last quarter)
    and in May, but the May visit is disputed. A third county enterprise lies outside any zone."""
    guide = personas.guide
    services.visit_log(actor=guide, enterprise=world.lead, visited_on=dt.date(2026, 4, 20))
    services.visit_log(actor=guide, enterprise=world.member, visited_on=dt.date(2026, 3, 30))
    disputed = services.visit_log(actor=guide, enterprise=world.member, visited_on=dt.date(2026, 5, 6))
    services.visit_dispute(actor=personas.other_enterprise_secretary, visit=disputed, reason="未见来人")
    factories.EnterpriseFactory(name="汶上县散户加工厂", region=world.county, zone=None)
    return world


def figures(user):
    return {figure.key: figure for figure in registry.compute(user=user, keys=KEYS)}


def test_coverage_for_the_region_per_zone_and_alliance(visited, world, personas):
    got = figures(personas.org_staff)
    assert got["visit_coverage"].value == 33.3 and got["visit_coverage"].unit == "%"
    assert got["visit_coverage"].note == "已走访 1 / 3 家"
    assert got["visit_coverage"].url == reverse("guides:coverage")
    assert got["visit_unvisited"].value == 2 and got["visit_unvisited"].alert
    assert got["visit_coverage_by_zone"].value == [
        {"name": world.zone.name, "total": 2, "visited": 1, "rate": 50.0},
        {"name": "未划入片区的企业", "total": 1, "visited": 0, "rate": 0.0},
    ]
    assert got["visit_coverage_by_alliance"].value == [
        {"name": world.alliance.name, "total": 2, "visited": 1, "rate": 50.0}
    ]
    assert got["visit_coverage_lowest_zone"].value == 0.0
    assert got["visit_coverage_lowest_zone"].note == "未划入片区的企业 0.0%"
    assert got["visit_coverage_lowest_alliance"].note == f"{world.alliance.name} 50.0%"
    # A leader of the county sees the same figures.
    assert figures(personas.leader)["visit_coverage"].value == 33.3


def test_a_visit_this_quarter_raises_the_rate(visited, world, personas):
    services.visit_log(actor=personas.guide, enterprise=world.member, visited_on=dt.date(2026, 5, 12))
    got = figures(personas.org_staff)
    assert got["visit_coverage"].value == 66.7 and got["visit_unvisited"].value == 1
    assert got["visit_coverage_by_alliance"].value[0]["rate"] == 100.0


def test_another_county_and_people_without_a_region(visited, world, personas):
    staff = factories.UserFactory(username="staff_yz")
    org_services.region_grant(region=world.other_county, user=staff, manage=True, system=True)
    got = figures(staff)
    assert got["visit_coverage"].value == 0.0 and got["visit_coverage"].note == "已走访 0 / 1 家"
    assert got["visit_coverage_by_alliance"].value == []
    outsider = figures(personas.outsider)
    assert outsider["visit_coverage"].value is None and outsider["visit_coverage_by_zone"].value == []
    assert outsider["visit_coverage_lowest_zone"].value is None


def test_queries_do_not_grow_with_zones_or_enterprises(visited, world, personas, django_assert_max_num_queries):
    from guides import indicators

    user = personas.org_staff
    figures(user)  # the user's scope, read once per request
    with django_assert_max_num_queries(2):
        indicators.visit_coverage(user)
    for n in range(5):
        zone = factories.ZoneFactory(name=f"片区{n}", region=world.county)
        factories.EnterpriseFactory.create_batch(3, region=world.county, zone=zone)
    with django_assert_max_num_queries(2):
        assert len(indicators.visit_coverage(user).zones) == 7


def test_the_home_page_panel(visited, personas, client_for):
    url = reverse("indicator_panel", args=["guide_visits"])
    page = client_for(personas.org_staff).get(reverse("home")).content.decode()
    assert url in page and "企业走访（本季度）" in page
    fragment = client_for(personas.org_staff).get(url)
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert 'data-indicator="visit_coverage"' in body and "已走访 1 / 3 家" in body
    assert 'data-indicator="visit_coverage_by_zone"' not in body  # the rows are for results pages
    for user in (personas.enterprise_secretary, personas.guide, personas.outsider):
        assert client_for(user).get(url).status_code == 404
    assert (
        client_for(personas.org_staff).get(reverse("indicator_panel", args=["guide_visits_detail"])).status_code == 404
    )
