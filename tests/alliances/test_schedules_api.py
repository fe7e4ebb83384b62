"""`/api/schedules/` (read-only): scoped like the meetings (whoever sees the alliance sees its
schedules; an outsider sees none and gets 404 on one), filters, a query budget that does not grow
with the rows, and the schema still generating without warnings."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.meetings import schedules
from alliances.models import MeetingKind, MeetingSchedule
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 9, 20, 10)), tick=False):
        yield


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def create(world, personas, **fields):
    values = {
        "actor": personas.secretary,
        "alliance": world.alliance,
        "kind": MeetingKind.COMMITTEE,
        "title": "月度党委会议",
        "rule": MeetingSchedule.Rule.NTH_WORKDAY_OF_MONTH,
        "ordinal": 1,
        "start_time": dt.time(9, 0),
        "starts_on": dt.date(2026, 10, 1),
        "place_zone": world.zone,
        "hosts": [world.member, world.lead],
        **fields,
    }
    return schedules.schedule_create(**values)


@pytest.fixture
def series(world, personas):
    return create(world, personas)


def test_list_for_who_sees_the_alliance(series, personas, api):
    for persona in (personas.secretary, personas.org_staff, personas.leader, personas.other_enterprise_secretary):
        response = api(persona).get("/api/schedules/")
        assert response.status_code == 200, persona
        assert [row["id"] for row in response.json()["results"]] == [series.pk], persona
    row = api(personas.secretary).get("/api/schedules/").json()["results"][0]
    assert row["rule_display"] == "每月第 N 个工作日" and row["start_time"] == "09:00:00"
    assert [(h["position"], h["enterprise"]["name"]) for h in row["hosts"]] == [
        (1, "新花源纺织有限公司"),
        (2, "鸿瑞轩服饰有限公司"),
    ]


def test_an_outsider_sees_none_and_gets_404(series, personas, api):
    client = api(personas.outsider)
    assert client.get("/api/schedules/").json()["results"] == []
    assert client.get(f"/api/schedules/{series.pk}/").status_code == 404


def test_anonymous_is_refused(series):
    assert APIClient().get("/api/schedules/").status_code in (401, 403)
    assert APIClient().get(f"/api/schedules/{series.pk}/").status_code in (401, 403)


def test_retrieve_and_bad_ids(series, personas, api):
    client = api(personas.other_enterprise_secretary)
    response = client.get(f"/api/schedules/{series.pk}/")
    assert response.status_code == 200 and response.json()["title"] == "月度党委会议"
    assert client.get("/api/schedules/abc/").status_code == 404
    assert client.get("/api/schedules/999999/").status_code == 404


def test_filters_by_alliance_and_active(world, personas, series, api):
    other = factories.AllianceFactory(region=world.county)
    ended = create(world, personas, title="已停开的会议")
    schedules.schedule_end(actor=personas.secretary, schedule=ended, ends_on=dt.date(2026, 9, 1))
    client = api(personas.org_staff)
    titles = {row["title"] for row in client.get("/api/schedules/", {"active": "true"}).json()["results"]}
    assert titles == {"月度党委会议"}
    assert client.get("/api/schedules/", {"alliance": other.pk}).json()["results"] == []
    assert client.get("/api/schedules/", {"alliance": 999999}).json()["results"] == []
    assert client.get("/api/schedules/", {"alliance": "x"}).status_code == 400


def test_list_query_budget_does_not_grow(world, personas, series, api, django_assert_max_num_queries):
    client = api(personas.org_staff)
    with django_assert_max_num_queries(8) as captured:
        client.get("/api/schedules/")
    baseline = len(captured)
    for n in range(4):
        create(world, personas, title=f"会议计划{n}")
    with django_assert_max_num_queries(baseline):
        assert client.get("/api/schedules/").json()["count"] == 5


def test_the_schema_documents_schedules_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/schedules/" in schema and "/api/schedules/{id}/" in schema
