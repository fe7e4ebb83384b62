"""`/api/needs/`: scoping, filters, create with Chinese per-field errors, every action, 404/403/409,
stories 2 and 3 through the API, and a query budget that does not grow with rows."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from chainparty.accounts.tokens import token_issue
from demands.models import Assignment, Need
from demands.services import workflow
from tests.demands.conftest import at

LIST = "/api/needs/"


def _detail(need):
    return f"/api/needs/{need.pk}/"


def _act(need, action):
    return f"/api/needs/{need.pk}/{action}/"


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def _numbers(response):
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


# -- reading ---------------------------------------------------------------------------------------------
def test_list_is_scoped_by_persona(world, personas, api, file_need, dispatched_need):
    own = file_need()
    dispatched = dispatched_need()
    assert _numbers(api(personas.enterprise_secretary).get(LIST)) == {own.number, dispatched.number}
    assert _numbers(api(personas.other_enterprise_secretary).get(LIST)) == set()
    assert _numbers(api(personas.handler).get(LIST)) == {dispatched.number}
    assert _numbers(api(personas.secretary).get(LIST)) == {own.number, dispatched.number}
    assert _numbers(api(personas.leader).get(LIST)) == {own.number, dispatched.number}
    assert _numbers(api(personas.outsider).get(LIST)) == set()
    assert APIClient().get(LIST).status_code in (401, 403)


def test_retrieve_404_for_another_enterprise(world, personas, api, dispatched_need):
    need = dispatched_need()
    assert api(personas.other_enterprise_secretary).get(_detail(need)).status_code == 404
    body = api(personas.enterprise_secretary).get(_detail(need)).json()
    assert body["number"] == need.number
    assert [a["role"] for a in body["assignments"]] == ["lead"]
    assert [e["action"] for e in body["events"]] == ["file", "accept", "dispatch"]
    assert body["lead_assignee"] == world.department.name
    assert "rate" not in body["allowed_actions"] and "answer" in body["allowed_actions"]


def test_filters(world, personas, api, file_need, dispatched_need):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        land = dispatched_need(category=Need.Category.LAND, urgency=Need.Urgency.URGENT)
        labor = file_need()
    client = api(personas.org_staff)
    with time_machine.travel(at(2026, 6, 11), tick=False):
        assert _numbers(client.get(LIST, {"category": "land"})) == {land.number}
        assert _numbers(client.get(LIST, {"state": ["submitted", "accepted"]})) == {labor.number}
        assert _numbers(client.get(LIST, {"overdue": "true"})) == {land.number}
        assert _numbers(client.get(LIST, {"overdue": "false"})) == {labor.number}
        assert _numbers(client.get(LIST, {"department": world.department.pk})) == {land.number}
        assert _numbers(client.get(LIST, {"alliance": world.alliance.pk})) == {land.number, labor.number}
        assert _numbers(client.get(LIST, {"filed_from": "2026-06-01", "filed_to": "2026-06-01"})) == {
            land.number,
            labor.number,
        }
        assert _numbers(client.get(LIST, {"filed_from": "2026-06-02"})) == set()
        assert _numbers(client.get(LIST, {"q": land.number})) == {land.number}
        assert _numbers(client.get(LIST, {"q": land.number.lower()})) == {land.number}
        assert _numbers(client.get(LIST, {"q": "缝纫"})) == {land.number, labor.number}  # both titles
        assert _numbers(client.get(LIST, {"q": "收获机"})) == set()
        row = client.get(LIST, {"overdue": "true"}).json()["results"][0]
        assert row["is_overdue"] is True and row["overdue_workdays"] == 3
    # Every field valid on its own, so the request fails on the range alone.
    bad = client.get(LIST, {"filed_from": "2026-06-05", "filed_to": "2026-06-01", "category": "land"})
    assert bad.status_code == 400
    assert bad.json() == {"filed_to": ["结束日期不能早于开始日期。"]}


def test_list_query_budget_does_not_grow(
    world, personas, api, dispatched_need, file_need, django_assert_max_num_queries
):
    client = api(personas.org_staff)
    for _ in range(10):
        dispatched_need()
    with django_assert_max_num_queries(5):
        first = client.get(LIST).json()
    for _ in range(25):
        dispatched_need()
        file_need()
    with django_assert_max_num_queries(5):
        second = client.get(LIST).json()
    assert (first["count"], second["count"], len(second["results"])) == (10, 60, 25)
    assert second["count_capped"] is False


def test_count_is_capped(world, personas, api, file_need, monkeypatch):
    from demands.selectors import needs as selectors

    monkeypatch.setattr(selectors.CappedPaginator, "cap", 3)
    for _ in range(5):
        file_need()
    body = api(personas.secretary).get(LIST).json()
    assert body["count"] == 4 and body["count_capped"] is True


# -- creating --------------------------------------------------------------------------------------------
def test_create_with_chinese_field_errors_saves_nothing(world, personas, api):
    client = api(personas.enterprise_secretary)
    response = client.post(LIST, {"enterprise": world.lead.pk, "category": "nope", "funding_wan": "-5"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"title", "description", "category"} <= set(errors)
    assert "该字段是必填项" in errors["title"][0]
    assert not Need.objects.exists()
    other = client.post(
        LIST,
        {"enterprise": world.member.pk, "category": "labor", "title": "越权", "description": "x"},
        format="json",
    )
    assert other.status_code == 400 and "enterprise" in other.json()
    assert not Need.objects.exists()


def test_create_and_token_auth(world, personas):
    _token, raw = token_issue(user=personas.enterprise_secretary, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        LIST,
        {
            "enterprise": world.lead.pk,
            "category": "financing",
            "urgency": "urgent",
            "title": "流动资金贷款",
            "description": "原材料采购需流动资金500万元。",
            "funding_wan": "500",
            "contact_phone": "13800000001",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("XQ-") and body["state"] == "submitted" and body["source"] == "self_reported"
    assert body["alliance"]["id"] == world.alliance.pk


# -- actions and their refusals -----------------------------------------------------------------------------------
def test_action_personas_and_conflicts(world, personas, api, file_need):
    need = file_need()
    assert api(personas.outsider).post(_act(need, "accept"), {}, format="json").status_code == 404
    assert api(personas.other_enterprise_secretary).post(_act(need, "accept"), {}).status_code == 404
    assert api(personas.enterprise_secretary).post(_act(need, "accept"), {}).status_code == 403
    assert api(personas.leader).post(_act(need, "accept"), {}).status_code == 403
    secretary = api(personas.secretary)
    accepted = secretary.post(_act(need, "accept"), {"version": need.version, "note": "受理"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    again = secretary.post(_act(need, "accept"), {}, format="json")
    assert again.status_code == 409 and "不能受理" in again.json()["detail"]
    stale = secretary.post(_act(need, "return"), {"version": need.version, "reason": "补充"}, format="json")
    assert stale.status_code == 409 and "已被他人处理" in stale.json()["detail"] and stale.json()["code"] == "stale"
    missing = secretary.post(_act(need, "reject"), {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    assert Need.objects.get(pk=need.pk).state == Need.State.ACCEPTED


def test_story_2_through_the_api(world, personas, api):
    owner = api(personas.enterprise_secretary)
    with time_machine.travel(at(2026, 9, 30), tick=False):
        created = owner.post(
            LIST,
            {
                "enterprise": world.lead.pk,
                "category": "labor",
                "urgency": "urgent",
                "title": "缺少熟练技工",
                "description": "需熟练技工30名",
                "people": 30,
                "contact_phone": "0537-7212345",
            },
            format="json",
        ).json()
        need = Need.objects.get(pk=created["id"])
        secretary = api(personas.secretary)
        assert secretary.post(_act(need, "accept"), {}, format="json").status_code == 200
        dispatched = secretary.post(
            _act(need, "dispatch"),
            {"lead_department": world.department.pk, "lead_handler": personas.handler.pk, "instruction": "对接技校"},
            format="json",
        )
        assert dispatched.status_code == 200, dispatched.content
        assert dispatched.json()["deadline"] == "2026-10-13"  # across National Day and its make-up Saturday
    handler = api(personas.handler)
    assert handler.post(_act(need, "start"), {}, format="json").json()["state"] == "in_progress"
    answered = handler.post(_act(need, "answer"), {"answer": "5月招聘19人", "people_solved": 19}, format="json")
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    assert api(personas.other_enterprise_secretary).post(_act(need, "rate"), {"rating": "satisfied"}).status_code == 404
    rated = owner.post(_act(need, "rate"), {"rating": "satisfied", "comment": "满意"}, format="json")
    assert rated.json()["state"] == "rated"
    closed = api(personas.secretary).post(_act(need, "close"), {"note": "销号"}, format="json").json()
    assert closed["state"] == "closed" and closed["people_solved"] == 19
    assert [e["action"] for e in closed["events"]] == [
        "file",
        "accept",
        "dispatch",
        "start",
        "answer",
        "rate",
        "close",
    ]


def test_story_3_through_the_api(world, personas, api, file_need, co_department):
    need = workflow.need_accept(
        need=file_need(category=Need.Category.LAND, land_mu=20, funding_wan=3000), actor=personas.secretary
    )
    response = api(personas.secretary).post(
        _act(need, "dispatch"),
        {"lead_department": co_department.pk, "co_departments": [world.department.pk]},
        format="json",
    )
    assert [(a["role"], a["department"]["id"]) for a in response.json()["assignments"]] == [
        ("lead", co_department.pk),
        ("co", world.department.pk),
    ]
    co = api(personas.handler).post(_act(need, "answer"), {"answer": "授信3000万", "funding_wan_solved": "3000"})
    assert co.json()["state"] == "dispatched"
    lead = api(co_department.test_handler).post(_act(need, "answer"), {"answer": "用地20亩", "land_mu_solved": "20"})
    body = lead.json()
    assert body["state"] == "answered"
    assert (body["land_mu_solved"], body["funding_wan_solved"]) == ("20.00", "3000.00")
    assert api(personas.handler).post(_act(need, "answer"), {"answer": "再答"}).status_code == 409


def test_return_resubmit_reject_merge_reopen_through_the_api(world, personas, api, file_need, dispatched_need):
    secretary, owner = api(personas.secretary), api(personas.enterprise_secretary)
    need = file_need()
    assert secretary.post(_act(need, "return"), {"reason": "请补充工种"}).json()["state"] == "returned"
    assert owner.post(_act(need, "resubmit"), {}).status_code == 400
    assert owner.post(_act(need, "resubmit"), {"supplement": "车缝工"}).json()["state"] == "submitted"
    other = file_need(title="重复")
    merged = secretary.post(_act(other, "merge"), {"into": need.pk}).json()
    assert merged["state"] == "merged" and merged["merged_into"] == need.number
    rejected = secretary.post(_act(need, "reject"), {"reason": "不属于联盟职责"}).json()
    assert rejected["state"] == "rejected"
    done = dispatched_need()
    workflow.need_answer(need=done, assignment=done.assignments.get(), actor=personas.handler, answer="已办")
    reopened = secretary.post(_act(done, "reopen"), {"reason": "未解决"}).json()
    assert reopened["state"] == "in_progress" and reopened["redo_count"] == 1
    assert Assignment.objects.get(need=done).redo_count == 1


def test_handler_cannot_answer_a_part_that_is_not_theirs(world, personas, api, dispatched_need, co_department):
    need = dispatched_need(co_departments=[co_department])
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    response = api(co_department.test_handler).post(_act(need, "answer"), {"answer": "越权", "assignment": lead.pk})
    assert response.status_code == 403
    assert api(personas.secretary).post(_act(need, "answer"), {"answer": "书记代答"}).status_code == 403


def test_attachments_through_the_api(world, personas, api, file_need):
    need = file_need()
    client = api(personas.enterprise_secretary)
    good = SimpleUploadedFile("岗位表.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    response = client.post(_act(need, "attachments"), {"files": [good]}, format="multipart")
    assert response.status_code == 201 and response.json()[0]["name"] == "岗位表.pdf"
    bad = SimpleUploadedFile("岗位表.pdf", b"\x89PNG\r\n\x1a\n0000", content_type="application/pdf")
    response = client.post(_act(need, "attachments"), {"files": [bad]}, format="multipart")
    assert response.status_code == 400 and "扩展名与文件内容不符" in str(response.json())
    assert api(personas.handler).post(_act(need, "attachments"), {"files": [good]}).status_code == 404


def test_schema_documents_the_actions(world, personas, client_for):
    response = client_for(personas.org_staff).get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    for path in ("/api/needs/{id}/dispatch/", "/api/needs/{id}/return/", "/api/needs/{id}/rate/"):
        assert path in schema
    assert "count_capped" in schema


def test_deadline_override_must_be_in_the_future(world, personas, api, file_need):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    with time_machine.travel(at(2026, 6, 1), tick=False):
        response = api(personas.secretary).post(
            _act(need, "dispatch"), {"lead_department": world.department.pk, "deadline": "2026-05-30"}
        )
    assert response.status_code == 400 and "deadline" in response.json()
    assert dt.date(2026, 5, 30) and Need.objects.get(pk=need.pk).state == Need.State.ACCEPTED


def test_dispatch_to_a_non_handler_does_not_reveal_who_the_user_is(world, personas, api, file_need):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    response = api(personas.secretary).post(
        _act(need, "dispatch"),
        {"lead_department": world.department.pk, "lead_handler": personas.leader.pk},
        format="json",
    )
    assert response.status_code == 400
    text = response.content.decode()
    # Not a handler of any department in reach: answered as an id that does not exist (test_api_lookups.py).
    assert "不存在" in str(response.json()["lead_handler"]) and personas.leader.real_name not in text
    need.refresh_from_db()
    assert need.state == Need.State.ACCEPTED and not need.assignments.exists()
