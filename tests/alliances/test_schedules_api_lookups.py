"""The schedules' and meetings' write APIs are no existence oracle (review finding 5): an id of an
account, an enterprise, a department or a zone outside the alliance's reach is refused exactly as an
id that does not exist (same field, same message), and nothing is saved."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.models import Department, Enterprise, Meeting, MeetingKind, MeetingSchedule, WorkZone
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 9, 20, 10)), tick=False):
        yield


@pytest.fixture
def secretary_api(personas):
    client = APIClient()
    client.force_authenticate(personas.secretary)
    return client


def _absent(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def _same_refusal(client, url, base, field, elsewhere, absent, *, many=False):
    answers = []
    for value in (elsewhere, absent):
        response = client.post(url, {**base, field: [value] if many else value}, format="json")
        assert response.status_code == 400, response.content
        answers.append(response.json())
    outside, missing = answers
    assert list(outside) == [field] == list(missing)
    assert str(outside).replace(str(elsewhere), "ID") == str(missing).replace(str(absent), "ID")


def schedule_payload(world, **fields):
    return {
        "alliance": world.alliance.pk,
        "kind": MeetingKind.JOINT,
        "title": "联席会议",
        "rule": MeetingSchedule.Rule.LAST_WORKDAY_OF_QUARTER,
        "start_time": "14:30",
        "starts_on": "2027-06-01",
        "place_zone": world.zone.pk,
        "hosts": [world.lead.pk],
        **fields,
    }


def test_schedules_answer_ids_outside_reach_as_ids_that_do_not_exist(world, personas, secretary_api):
    base = schedule_payload(world)
    elsewhere_zone = factories.ZoneFactory(name="兖州片区", region=world.other_county)
    _same_refusal(secretary_api, "/api/schedules/", base, "recorder", personas.outsider.pk, _absent(get_user_model()))
    _same_refusal(secretary_api, "/api/schedules/", base, "place_zone", elsewhere_zone.pk, _absent(WorkZone))
    _same_refusal(
        secretary_api, "/api/schedules/", base, "hosts", world.outsider_enterprise.pk, _absent(Enterprise), many=True
    )
    assert not MeetingSchedule.objects.exists()


def test_schedule_edits_answer_the_same_way(world, personas, secretary_api):
    created = secretary_api.post("/api/schedules/", schedule_payload(world), format="json")
    assert created.status_code == 201, created.json()
    url = f"/api/schedules/{created.json()['id']}/"
    answers = [
        secretary_api.patch(url, {"hosts": [value]}, format="json").json()
        for value in (world.outsider_enterprise.pk, _absent(Enterprise))
    ]
    assert list(answers[0]) == ["hosts"]
    assert str(answers[0]).replace(str(world.outsider_enterprise.pk), "ID") == str(answers[1]).replace(
        str(_absent(Enterprise)), "ID"
    )


def test_people_and_places_in_reach_are_still_taken(world, personas, secretary_api):
    response = secretary_api.post(
        "/api/schedules/", schedule_payload(world, recorder=personas.handler.pk, hosts=[world.member.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["recorder"] == personas.handler.pk


def meeting_payload(world, **fields):
    return {
        "alliance": world.alliance.pk,
        "kind": MeetingKind.COMMITTEE,
        "title": "党委会议",
        "starts_at": "2026-10-09T09:00:00+08:00",
        "ends_at": "2026-10-09T11:00:00+08:00",
        "place_address": "党群服务中心",
        **fields,
    }


@pytest.mark.parametrize(
    ("field", "many", "model"),
    [
        ("chair", False, "user"),
        ("recorder", False, "user"),
        ("chosen_users", True, "user"),
        ("host_enterprise", False, "enterprise"),
        ("invited_departments", True, "department"),
        ("place_zone", False, "zone"),
    ],
)
def test_meetings_answer_ids_outside_reach_as_ids_that_do_not_exist(world, personas, secretary_api, field, many, model):
    elsewhere = {
        "user": (personas.outsider.pk, get_user_model()),
        "enterprise": (world.outsider_enterprise.pk, Enterprise),
        "department": (world.other_department.pk, Department),
        "zone": (factories.ZoneFactory(name="兖州片区", region=world.other_county).pk, WorkZone),
    }[model]
    _same_refusal(
        secretary_api, "/api/meetings/", meeting_payload(world), field, elsewhere[0], _absent(elsewhere[1]), many=many
    )
    assert not Meeting.objects.filter(title="党委会议").exists()
