"""`/api/schedules/`: scoped like the meetings (whoever sees the alliance sees its schedules; an
outsider sees none and gets 404 on one), filters, a query budget that does not grow with the rows;
writes (create, PATCH, end) for the alliance's managers only, through the schedule services, with
their Chinese messages on a 400; and the schema still generating without warnings."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
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
    assert "/api/schedules/{id}/end/" in schema
    for name in ("ScheduleCreate", "PatchedScheduleUpdate", "ScheduleEnd"):
        assert f"{name}Request:" in schema, name


# -- writes ---------------------------------------------------------------------------------------
def payload(world, **fields):
    return {
        "alliance": world.alliance.pk,
        "kind": MeetingKind.JOINT,
        "title": "联席会议",
        "rule": MeetingSchedule.Rule.LAST_WORKDAY_OF_QUARTER,
        "start_time": "14:30",
        "duration_minutes": 90,
        "starts_on": "2026-09-21",
        "place_zone": world.zone.pk,
        "hosts": [world.lead.pk],
        **fields,
    }


@pytest.mark.parametrize("persona", ["secretary", "org_staff"])
def test_managers_create_a_schedule_and_its_meetings(world, personas, api, persona):
    response = api(getattr(personas, persona)).post("/api/schedules/", payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "联席会议" and body["rule"] == "last_workday_of_quarter"
    assert [h["enterprise"]["id"] for h in body["hosts"]] == [world.lead.pk]
    schedule = MeetingSchedule.objects.get(pk=body["id"])
    first = schedule.occurrences.order_by("starts_at").first()
    assert first.occurrence_date == dt.date(2026, 9, 30) and first.title == "2026年第三季度联席会议"


@pytest.mark.parametrize(
    ("persona", "code"),
    [("enterprise_secretary", 403), ("leader", 403), ("handler", 403), ("outsider", 404)],
)
def test_who_does_not_manage_the_alliance_creates_nothing(world, personas, api, persona, code):
    response = api(getattr(personas, persona)).post("/api/schedules/", payload(world), format="json")
    assert response.status_code == code
    if code == 403:
        assert "管理会议计划" in response.json()["detail"]
    assert not MeetingSchedule.objects.exists()


def test_bad_input_comes_back_with_the_services_chinese_messages(world, personas, api):
    client = api(personas.secretary)
    weekly = payload(world, rule=MeetingSchedule.Rule.WEEKLY)  # no weekday
    response = client.post("/api/schedules/", weekly, format="json")
    assert response.status_code == 400 and response.json() == {"weekday": ["请选择星期几。"]}
    nowhere = payload(world, place_zone=None, place_address="")
    assert client.post("/api/schedules/", nowhere, format="json").json() == {
        "place_address": ["请填写会议地点或选择片区。"]
    }
    assert not MeetingSchedule.objects.exists()


def test_managers_edit_the_series_and_from_a_day_on(series, world, personas, api):
    client = api(personas.org_staff)
    response = client.patch(f"/api/schedules/{series.pk}/", {"start_time": "15:00"}, format="json")
    assert response.status_code == 200 and response.json()["start_time"] == "15:00:00"
    series.refresh_from_db()
    assert series.title == "月度党委会议" and series.place_zone == world.zone  # what was not sent is kept
    upcoming = series.occurrences.order_by("starts_at").first()
    assert timezone.localtime(upcoming.starts_at).time() == dt.time(15, 0)

    response = client.patch(
        f"/api/schedules/{series.pk}/", {"from_date": "2026-11-01", "place_address": "党群服务中心"}, format="json"
    )
    assert response.status_code == 200
    continuation = MeetingSchedule.objects.get(pk=response.json()["id"])
    assert continuation.pk != series.pk and continuation.split_from_id == series.pk
    assert response.json()["place_address"] == "党群服务中心"

    bad = client.patch(f"/api/schedules/{series.pk}/", {"rule": "monthly_weekday", "ordinal": 1}, format="json")
    assert bad.status_code == 400 and bad.json() == {"weekday": ["请选择星期几。"]}


@pytest.mark.parametrize(("persona", "code"), [("enterprise_secretary", 403), ("outsider", 404)])
def test_who_does_not_manage_it_neither_edits_nor_ends_it(series, personas, api, persona, code):
    client = api(getattr(personas, persona))
    assert client.patch(f"/api/schedules/{series.pk}/", {"title": "改名"}, format="json").status_code == code
    assert client.post(f"/api/schedules/{series.pk}/end/", {"ends_on": "2026-10-31"}, format="json").status_code == code
    series.refresh_from_db()
    assert series.title == "月度党委会议" and series.active and series.ends_on is None


def test_ending_a_schedule_cancels_what_comes_after(series, personas, api):
    meetings = list(series.occurrences.order_by("starts_at"))
    assert len(meetings) >= 2
    response = api(personas.secretary).post(
        f"/api/schedules/{series.pk}/end/", {"ends_on": "2026-10-31", "reason": "改为季度召开"}, format="json"
    )
    assert response.status_code == 200 and response.json()["ends_on"] == "2026-10-31"
    later = series.occurrences.filter(occurrence_date__gt=dt.date(2026, 10, 31))
    assert later.exists() and all(m.state == "cancelled" and m.cancel_reason == "改为季度召开" for m in later)
    assert series.occurrences.get(occurrence_date__lte=dt.date(2026, 10, 31)).state == "scheduled"
    assert api(personas.secretary).post(f"/api/schedules/{series.pk}/end/", {}, format="json").json() == {
        "ends_on": ["该字段是必填项。"]
    }


def test_a_recorder_from_elsewhere_is_refused_and_not_named(world, personas, api):
    """The schedule's recorder is checked like a meeting's (services.reach.check_people): otherwise
    any account id on the platform was taken, and its real name came back as recorder_name."""
    client = api(personas.secretary)
    # Starting after the horizon: no occurrence is made now, whose meeting service would refuse it.
    later = payload(world, recorder=personas.outsider.pk, starts_on="2027-06-01")
    response = client.post("/api/schedules/", later, format="json")
    assert response.status_code == 400
    # Answered as an id that does not exist (no existence oracle: test_schedules_api_lookups.py).
    assert list(response.json()) == ["recorder"] and "不存在" in response.json()["recorder"][0]
    assert personas.outsider.real_name not in response.content.decode()
    assert not MeetingSchedule.objects.exists()
    with pytest.raises(ValidationError):
        create(world, personas, recorder=personas.outsider, starts_on=dt.date(2027, 6, 1))
