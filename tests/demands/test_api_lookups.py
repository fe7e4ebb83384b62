"""The demands' write APIs (needs, dispatch, resources, policies) are no existence oracle (review
finding): an id of an alliance, department, resource, account, enterprise, region or zone outside
the caller's reach is refused exactly as an id that does not exist (same field, same message), and
nothing is saved. Ids within reach still work (the other tests of these APIs)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from alliances import services as alliance_services
from alliances.models import Alliance, Department, Enterprise, Region, WorkZone
from demands.models import Need, Policy, Resource
from demands.services import resources as resource_services
from demands.services import workflow
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def elsewhere(world):
    """An alliance, a zone and a resource in 兖州区, outside every persona's reach but the city's."""
    alliance = alliance_services.alliance_create(
        name="兖州区农机装备产业链党委",
        chain="农机装备",
        region=world.other_county,
        founded_on=dt.date(2023, 9, 1),
        lead_enterprise=world.outsider_enterprise,
    )
    zone = factories.ZoneFactory(name="兖州工业园区", region=world.other_county)
    resource = resource_services.resource_create(
        user=None, enterprise=world.outsider_enterprise, category="capacity", title="农机产能"
    )
    return type("Elsewhere", (), {"alliance": alliance, "zone": zone, "resource": resource})


def _absent(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def _same_refusal(client, url, base, field, elsewhere_pk, model, *, many=False):
    absent = _absent(model)
    answers = []
    for value in (elsewhere_pk, absent):
        response = client.post(url, {**base, field: [value] if many else value}, format="json")
        assert response.status_code == 400, response.content
        answers.append(response.json())
    outside, missing = answers
    assert list(outside) == [field] == list(missing), (outside, missing)
    assert str(outside).replace(str(elsewhere_pk), "ID") == str(missing).replace(str(absent), "ID")
    assert "不存在" in str(outside)


NEED = {
    "category": "financing",
    "urgency": "urgent",
    "title": "流动资金贷款",
    "description": "原材料采购需流动资金500万元。",
    "contact_phone": "13800000001",
}


def test_filing_a_need_into_an_alliance_outside_reach(world, personas, api, elsewhere):
    base = {**NEED, "enterprise": world.lead.pk}
    client = api(personas.enterprise_secretary)
    _same_refusal(client, "/api/needs/", base, "alliance", elsewhere.alliance.pk, Alliance)
    assert not Need.objects.exists()
    response = client.post("/api/needs/", {**base, "alliance": world.alliance.pk}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("field", ["lead_department", "co_departments", "lead_resource", "lead_handler"])
def test_dispatching_to_ids_outside_the_needs_reach(world, personas, api, file_need, elsewhere, field):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    far_handler = factories.UserFactory(username="far_handler")
    alliance_services.department_add_handler(department=world.other_department, user=far_handler, system=True)
    base = {"lead_department": world.department.pk}
    value, model, many = {
        "lead_department": (world.other_department.pk, Department, False),
        "co_departments": (world.other_department.pk, Department, True),
        "lead_resource": (elsewhere.resource.pk, Resource, False),
        "lead_handler": (far_handler.pk, get_user_model(), False),
    }[field]
    if field == "lead_resource":
        base = {}
    _same_refusal(api(personas.secretary), f"/api/needs/{need.pk}/dispatch/", base, field, value, model, many=many)
    need.refresh_from_db()
    assert need.state == Need.State.ACCEPTED and not need.assignments.exists()


def test_resources_for_an_enterprise_department_or_zone_outside_reach(world, personas, api, elsewhere):
    secretary = api(personas.enterprise_secretary)
    base = {"category": "capacity", "title": "针织产能"}
    _same_refusal(secretary, "/api/resources/", base, "enterprise", world.member.pk, Enterprise)
    _same_refusal(
        secretary, "/api/resources/", {**base, "enterprise": world.lead.pk}, "zone", elsewhere.zone.pk, WorkZone
    )
    _same_refusal(api(personas.handler), "/api/resources/", base, "department", world.other_department.pk, Department)
    assert Resource.objects.count() == 1  # elsewhere's own


@pytest.mark.parametrize(
    ("field", "many"),
    [("department", False), ("target_regions", True), ("target_zones", True), ("target_alliances", True)],
)
def test_policies_for_a_department_or_targets_outside_reach(world, personas, api, elsewhere, field, many):
    base = {"department": world.department.pk, "title": "休闲服饰贷", "categories": ["finance"], "summary": "x"}
    value, model = {
        "department": (world.other_department.pk, Department),
        "target_regions": (world.other_county.pk, Region),
        "target_zones": (elsewhere.zone.pk, WorkZone),
        "target_alliances": (elsewhere.alliance.pk, Alliance),
    }[field]
    _same_refusal(api(personas.handler), "/api/policies/", base, field, value, model, many=many)
    assert not Policy.objects.exists()
