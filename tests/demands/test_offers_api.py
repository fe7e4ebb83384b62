"""/api/resources/, /api/policies/ and /api/cooperations/: personas, errors, budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from demands.models import Cooperation, Policy, PolicyDelivery, Resource
from demands.services import policies as services
from demands.services.matches import cooperation_record
from tests import factories
from tests.demands.offers_support import make_policy, make_resource, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded policy PDFs go to a temporary folder, not the project's."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


# -- resources ---------------------------------------------------------------------------
def test_resource_create_and_update_by_owner(api, world, personas):
    client = api(personas.enterprise_secretary)
    response = client.post(
        "/api/resources/",
        {"enterprise": world.lead.pk, "category": "capacity", "title": "针织产能", "quantity": "1万件/月"},
        format="json",
    )
    assert response.status_code == 201, response.data
    resource = Resource.objects.get(pk=response.data["id"])
    assert response.data["region"] == "汶上县" and response.data["owner_name"] == world.lead.name
    response = client.patch(f"/api/resources/{resource.pk}/", {"status": "paused"}, format="json")
    assert response.status_code == 200 and response.data["effective_status"] == "paused"
    assert (
        api(personas.secretary).patch(f"/api/resources/{resource.pk}/", {"title": "x"}, format="json").status_code
        == 403
    )
    assert api(personas.outsider).get(f"/api/resources/{resource.pk}/").status_code == 404
    assert (
        api(personas.outsider).patch(f"/api/resources/{resource.pk}/", {"title": "x"}, format="json").status_code == 404
    )
    assert Resource.objects.get(pk=resource.pk).title == "针织产能"


def test_resource_create_errors_are_chinese_and_save_nothing(api, world, personas):
    client = api(personas.enterprise_secretary)
    response = client.post("/api/resources/", {"enterprise": world.lead.pk}, format="json")
    assert response.status_code == 400
    assert {"category", "title"} <= set(response.data)
    assert "该字段是必填项" in str(response.data["title"])
    response = client.post(
        "/api/resources/",
        {"enterprise": world.lead.pk, "category": "capacity", "title": "过期", "valid_until": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "有效期" in str(response.data["valid_until"])
    response = client.post("/api/resources/", {"category": "capacity", "title": "无提供方"}, format="json")
    assert response.status_code == 400 and "enterprise" in response.data
    response = client.post(
        "/api/resources/", {"enterprise": world.member.pk, "category": "capacity", "title": "冒名"}, format="json"
    )
    # Another's enterprise reads as one that does not exist (no existence oracle: test_api_lookups.py).
    assert response.status_code == 400 and "不存在" in str(response.data["enterprise"])
    assert not Resource.objects.exists()


def test_resource_list_filters(api, world, personas):
    make_resource(personas.enterprise_secretary, enterprise=world.lead, category="capacity", title="产能")
    make_resource(personas.handler, department=world.department, category="training", title="培训")
    data = api(personas.secretary).get("/api/resources/", {"category": "training"}).data
    assert [r["title"] for r in data["results"]] == ["培训"]
    assert api(personas.outsider).get("/api/resources/").data["count"] == 0


# -- policies ----------------------------------------------------------------------------
def test_policy_create_publish_read_flow(api, world, personas):
    handler = api(personas.handler)
    response = handler.post(
        "/api/policies/",
        {
            "department": world.department.pk,
            "title": "休闲服饰贷",
            "categories": ["finance"],
            "summary": "单户最高5000万元",
            "industries": ["纺织服装"],
            "attachment": pdf_file(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.data
    policy_id = response.data["id"]
    assert response.data["state"] == "draft" and response.data["attachment_url"]
    assert api(personas.enterprise_secretary).get(f"/api/policies/{policy_id}/").status_code == 404
    assert api(personas.org_staff).post(f"/api/policies/{policy_id}/publish/").status_code == 200
    response = handler.post(f"/api/policies/{policy_id}/publish/")
    assert response.status_code == 200 and response.data == {"new_deliveries": 0, "delivered_count": 2}
    secretary = api(personas.enterprise_secretary)
    assert secretary.post(f"/api/policies/{policy_id}/publish/").status_code == 403
    assert secretary.post(f"/api/policies/{policy_id}/read/").data == {"read": 1}
    assert secretary.post(f"/api/policies/{policy_id}/read/").data == {"read": 0}
    assert api(personas.secretary).post(f"/api/policies/{policy_id}/read/").status_code == 403
    assert api(personas.outsider).post(f"/api/policies/{policy_id}/read/").status_code == 404
    awareness = handler.get(f"/api/policies/{policy_id}/awareness/").data
    assert awareness == [
        {"alliance": world.alliance.pk, "name": world.alliance.name, "delivered": 2, "read": 1, "rate": 50.0}
    ]
    assert api(personas.outsider).get(f"/api/policies/{policy_id}/awareness/").status_code == 404
    assert api(personas.outsider).get(f"/api/policies/{policy_id}/").status_code == 404
    listed = handler.get("/api/policies/", {"state": "published"}).data["results"]
    assert listed[0]["awareness_rate"] == 50.0 and listed[0]["categories"] == ["finance"]


def test_policy_create_errors(api, world, personas):
    handler = api(personas.handler)
    response = handler.post(
        "/api/policies/",
        {
            "department": world.department.pk,
            "title": "x",
            "categories": ["finance"],
            "summary": "x",
            "valid_from": "2026-05-01",
            "valid_to": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 400 and "有效期止" in str(response.data["valid_to"])
    response = handler.post(
        "/api/policies/",
        {
            "department": world.department.pk,
            "title": "x",
            "categories": ["finance"],
            "summary": "x",
            "attachment": pdf_file("a.pdf", b"GIF89a fake"),
        },
        format="multipart",
    )
    assert response.status_code == 400 and "attachment" in response.data
    response = handler.post(
        "/api/policies/",
        {"department": world.department.pk, "title": "x", "categories": ["finance"], "summary": "x", "sizes": ["huge"]},
        format="json",
    )
    assert response.status_code == 400 and "企业规模无效：huge（可选 above（规上）" in str(response.data["sizes"])
    assert not Policy.objects.filter(title="x").exists()
    response = handler.post("/api/policies/", {"department": world.department.pk, "categories": []}, format="json")
    assert response.status_code == 400 and {"title", "summary", "categories"} <= set(response.data)
    response = handler.post(
        "/api/policies/",
        {"department": world.other_department.pk, "title": "越权", "categories": ["land"], "summary": "x"},
        format="json",
    )
    # A department outside reach reads as one that does not exist (test_api_lookups.py).
    assert response.status_code == 400 and "不存在" in str(response.data["department"])
    assert api(personas.enterprise_secretary).post("/api/policies/", {}, format="json").status_code == 403
    assert not Policy.objects.exists()


def test_publish_withdrawn_policy_is_a_conflict(api, world, personas):
    policy = make_policy(personas.handler, world.department, publish=True)
    services.policy_withdraw(policy=policy, user=personas.handler)
    response = api(personas.handler).post(f"/api/policies/{policy.pk}/publish/")
    assert response.status_code == 409 and "已撤回" in str(response.data)
    assert PolicyDelivery.objects.filter(policy=policy).count() == 2


# -- cooperations -----------------------------------------------------------------------
def test_cooperation_create_by_secretary(api, world, personas):
    payload = {
        "alliance": world.alliance.pk,
        "provider_enterprise": world.member.pk,
        "receiver_enterprise": world.lead.pk,
        "description": "分包5000件休闲服装",
        "value_wan": "120.00",
        "date": "2026-01-05",
    }
    assert api(personas.enterprise_secretary).post("/api/cooperations/", payload, format="json").status_code == 403
    assert api(personas.outsider).post("/api/cooperations/", payload, format="json").status_code == 403
    response = api(personas.secretary).post("/api/cooperations/", payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data["provider_name"] == world.member.name
    cooperation_id = response.data["id"]
    assert api(personas.enterprise_secretary).get(f"/api/cooperations/{cooperation_id}/").status_code == 200
    assert api(personas.outsider).get(f"/api/cooperations/{cooperation_id}/").status_code == 404
    bad = {**payload, "receiver_enterprise": world.outsider_enterprise.pk, "value_wan": "-5"}
    response = api(personas.org_staff).post("/api/cooperations/", bad, format="json")
    assert response.status_code == 400 and {"receiver_enterprise", "value_wan"} <= set(response.data)
    assert Cooperation.objects.count() == 1
    data = api(personas.secretary).get("/api/cooperations/", {"date_from": "2026-02-01"}).data
    assert data["count"] == 0


# -- query budgets -------------------------------------------------------------------------
def _grow(world, personas, n):
    for i in range(n):
        enterprise = factories.EnterpriseFactory(region=world.county, zone=world.zone)
        make_resource(None, enterprise=enterprise, title=f"产能{i}")
        make_policy(personas.handler, world.department, title=f"政策{i}", categories=["finance", "tax"], publish=True)
        cooperation_record(
            user=personas.secretary,
            alliance=world.alliance,
            provider_enterprise=world.member,
            receiver_enterprise=world.lead,
            description=f"合作{i}",
            value_wan=Decimal(i),
            date=dt.date(2026, 1, 1),
        )


def _queries(user, url):
    client = APIClient()
    client.force_authenticate(type(user).objects.get(pk=user.pk))  # a fresh user: nothing cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.data["count"]


@pytest.mark.parametrize("url", ["/api/resources/", "/api/policies/", "/api/cooperations/"])
def test_api_lists_keep_their_query_budget(world, personas, url):
    _grow(world, personas, 10)
    small, count = _queries(personas.org_staff, url)
    _grow(world, personas, 50)
    large, more = _queries(personas.org_staff, url)
    assert more > count >= 10
    assert small == large <= 8
