"""The coverage page's custom date range (?date_from=&date_to=): counted over exactly that range,
validated with the shared date range and answered in Chinese, the current periods unchanged."""

import datetime as dt

import pytest
from django.urls import reverse

from guides import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(world, personas, frozen):
    """The lead enterprise visited in February, the member in April."""
    guide = factories.GuideFactory(region=world.county, department=world.department)
    services.assignment_create(actor=None, guide=guide, enterprise=world.lead, starts_on=dt.date(2025, 1, 1))
    factories.VisitFactory(enterprise=world.lead, guide=guide, visited_on=dt.date(2026, 2, 10))
    factories.VisitFactory(enterprise=world.member, guide=guide, visited_on=dt.date(2026, 4, 20))
    return guide


def _zone(response, world):
    return next(r for r in response.context["by_zone"] if r["zone_id"] == world.zone.pk)


@pytest.mark.parametrize(
    ("date_from", "date_to", "visited"),
    [("2026-02-01", "2026-02-28", 1), ("2026-03-01", "2026-03-31", 0), ("2026-01-01", "2026-05-12", 2)],
)
def test_coverage_over_a_custom_range(client_for, world, personas, visits, date_from, date_to, visited):
    response = client_for(personas.org_staff).get(
        reverse("guides:coverage"), {"date_from": date_from, "date_to": date_to}
    )
    assert response.status_code == 200
    assert response.context["period"] == "custom"
    assert (response.context["starts_on"].isoformat(), response.context["ends_on"].isoformat()) == (
        date_from,
        date_to,
    )
    assert _zone(response, world)["visited_count"] == visited
    body = response.content.decode()
    assert f"{date_from} 至 {date_to}" in body and f'value="{date_from}"' in body
    assert '<option value="" selected>自选日期</option>' in body  # the period list does not claim 本月


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-04-01", "date_to": "2026-03-01"}, "截止日期不能早于起始日期。"),
        ({"date_from": "2026-04-01", "date_to": "2026-05-13"}, "截止日期不能晚于今天。"),
        ({"date_from": "1999-12-31", "date_to": "2026-03-01"}, "日期应在 2000-01-01 至 2100-12-31 之间。"),
        ({"date_from": "2026-04-01"}, "请同时填写起始日期和截止日期。"),
        ({"date_from": "四月", "date_to": "2026-05-01"}, "请输入有效的日期"),
    ],
)
def test_a_bad_range_is_answered_in_chinese_with_the_current_period(
    client_for, world, personas, visits, params, message
):
    response = client_for(personas.org_staff).get(reverse("guides:coverage"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["period"] == "quarter" and response.context["starts_on"] == dt.date(2026, 4, 1)


def test_the_current_periods_still_work(client_for, world, personas, visits):
    client = client_for(personas.org_staff)
    assert _zone(client.get(reverse("guides:coverage"), {"period": "year"}), world)["visited_count"] == 2
    assert _zone(client.get(reverse("guides:coverage")), world)["visited_count"] == 1


@pytest.mark.parametrize("persona", ["guide", "enterprise_secretary", "outsider", "handler"])
def test_a_custom_range_is_refused_to_others(client_for, personas, frozen, persona):
    response = client_for(getattr(personas, persona)).get(
        reverse("guides:coverage"), {"date_from": "2026-01-01", "date_to": "2026-05-01"}
    )
    assert response.status_code == 403


def test_a_custom_range_query_budget(client_for, world, personas, visits, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    params = {"date_from": "2026-01-01", "date_to": "2026-05-12"}
    client.get(reverse("guides:coverage"), params)
    for index in range(10):
        zone = factories.ZoneFactory(name=f"片区{index}", region=world.county)
        factories.EnterpriseFactory(region=world.county, zone=zone)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("guides:coverage"), params)
    assert len(response.context["by_zone"]) >= 11
