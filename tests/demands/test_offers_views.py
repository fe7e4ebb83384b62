"""Pages of resources, policies, matches and cooperations: who may, who may not, and query budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demands.models import Cooperation, Match, Policy, PolicyDelivery, Resource
from demands.services import matches as services
from demands.services.policies import policy_mark_read, policy_publish
from demands.services.resources import resource_set_status
from tests import factories
from tests.demands.offers_support import make_need, make_policy, make_resource, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded policy PDFs go to a temporary folder, not the project's."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lead_resource(world, personas):
    return make_resource(personas.enterprise_secretary, enterprise=world.lead, title="缝纫车间闲置产能")


@pytest.fixture
def outsider_resource(world):
    return make_resource(None, enterprise=world.outsider_enterprise, title="兖州机加工产能")


@pytest.fixture
def draft(world, personas):
    return make_policy(personas.handler, world.department, title="稳岗返还草稿", categories=["talent"])


@pytest.fixture
def loan(world, personas):
    return make_policy(
        personas.handler,
        world.department,
        title="休闲服饰贷",
        categories=["finance"],
        industries=["纺织服装"],
        attachment=pdf_file(),
        publish=True,
    )


# -- resources ---------------------------------------------------------------------------
def test_resource_list_is_scoped(client_for, world, personas, lead_resource, outsider_resource):
    paused = make_resource(None, enterprise=world.member, title="已暂停的资源")
    resource_set_status(resource=paused, status=Resource.Status.PAUSED)
    page = client_for(personas.enterprise_secretary).get(reverse("demands:resource_list"))
    assert page.status_code == 200
    titles = [r.title for r in page.context["page"]]
    assert lead_resource.title in titles
    assert outsider_resource.title not in titles
    assert paused.title not in titles  # another member's paused resource is not offered
    assert client_for(personas.org_staff).get(reverse("demands:resource_list")).context["page"].paginator.count == 2
    assert client_for(personas.outsider).get(reverse("demands:resource_list")).context["page"].paginator.count == 0


def test_resource_list_filters_and_htmx_rows(client_for, personas, lead_resource, world):
    make_resource(personas.handler, department=world.department, category="training", title="技工订单式培训")
    client = client_for(personas.secretary)
    page = client.get(reverse("demands:resource_list"), {"category": "training"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert page.templates[0].name == "demands/resources/_resource_rows.html"
    assert [r.title for r in page.context["page"]] == ["技工订单式培训"]
    page = client.get(reverse("demands:resource_list"), {"owner": "鸿瑞轩"})
    assert [r.title for r in page.context["page"]] == [lead_resource.title]


def test_resource_detail_404_outside_scope(client_for, personas, lead_resource, outsider_resource):
    url = reverse("demands:resource_detail", args=[outsider_resource.pk])
    assert client_for(personas.enterprise_secretary).get(url).status_code == 404
    page = client_for(personas.secretary).get(reverse("demands:resource_detail", args=[lead_resource.pk]))
    assert page.status_code == 200 and not page.context["can_manage"]


def test_resource_create_by_secretary_and_refused_to_others(client_for, personas, world):
    client = client_for(personas.enterprise_secretary)
    assert client.get(reverse("demands:resource_create")).status_code == 200
    response = client.post(
        reverse("demands:resource_create"),
        {"owner": f"e{world.lead.pk}", "category": "capacity", "title": "针织产能", "quantity": "1万件/月"},
    )
    resource = Resource.objects.get(title="针织产能")
    assert response.status_code == 302 and response.url == resource.get_absolute_url()
    assert resource.enterprise == world.lead and resource.created_by == personas.enterprise_secretary
    for persona in (personas.secretary, personas.guide, personas.leader, personas.outsider):
        assert client_for(persona).get(reverse("demands:resource_create")).status_code == 403


def test_resource_create_cannot_name_another_owner_and_bad_input_saves_nothing(client_for, personas, world):
    client = client_for(personas.enterprise_secretary)
    response = client.post(
        reverse("demands:resource_create"), {"owner": f"e{world.member.pk}", "category": "capacity", "title": "冒名"}
    )
    assert response.status_code == 400 and "owner" in response.context["form"].errors
    response = client.post(
        reverse("demands:resource_create"),
        {"owner": f"e{world.lead.pk}", "category": "", "title": "", "valid_until": "2020-01-01"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"category", "title"} <= set(errors)
    assert "请根据提示修改" in response.content.decode()
    assert not Resource.objects.exists()


def test_resource_edit_and_status_by_owner_only(client_for, personas, lead_resource, outsider_resource):
    url = reverse("demands:resource_edit", args=[lead_resource.pk])
    assert client_for(personas.secretary).get(url).status_code == 403
    assert client_for(personas.outsider).get(url).status_code == 404
    client = client_for(personas.enterprise_secretary)
    response = client.post(url, {"category": "capacity", "title": "缝纫车间产能（扩大）", "quantity": "2万件/月"})
    assert response.status_code == 302
    lead_resource.refresh_from_db()
    assert lead_resource.title == "缝纫车间产能（扩大）" and "扩大" in lead_resource.tokens
    status_url = reverse("demands:resource_status", args=[lead_resource.pk])
    client.post(status_url, {"status": "paused"})
    assert Resource.objects.get(pk=lead_resource.pk).status == Resource.Status.PAUSED
    assert client_for(personas.org_staff).post(status_url, {"status": "active"}).status_code == 403
    assert Resource.objects.get(pk=lead_resource.pk).status == Resource.Status.PAUSED


def test_resource_need_suggestions_fragment(client_for, personas, world, lead_resource):
    resource = make_resource(
        personas.other_enterprise_secretary, enterprise=world.member, title="缝纫工人培训", category="training"
    )
    need = make_need(world.lead, world.alliance, category="labor", title="缺少熟练缝纫工")
    page = client_for(personas.secretary).get(reverse("demands:resource_need_suggestions", args=[resource.pk]))
    assert page.status_code == 200
    assert need.title in page.content.decode() and "推荐对接" in page.content.decode()
    assert (
        client_for(personas.outsider).get(reverse("demands:resource_need_suggestions", args=[resource.pk])).status_code
        == 404
    )


# -- policies ----------------------------------------------------------------------------
def test_policy_create_by_handler_with_pdf(client_for, personas, world):
    client = client_for(personas.handler)
    page = client.get(reverse("demands:policy_create"))
    assert page.status_code == 200
    assert f'<option value="{world.department.pk}" selected>' in page.content.decode(), "their only department"
    response = client.post(
        reverse("demands:policy_create"),
        {
            "department": world.department.pk,
            "title": "技能提升补贴",
            "doc_number": "汶人社发〔2026〕3号",
            "categories": ["talent"],
            "summary": "职工取得职业技能证书的给予补贴",
            "industries": "纺织服装、服装",
            "sizes": ["below"],
            "attachment": pdf_file("技能提升补贴.pdf"),
        },
    )
    policy = Policy.objects.get(title="技能提升补贴")
    assert response.status_code == 302
    assert policy.state == Policy.State.DRAFT and policy.industries == ["服装", "纺织服装"]
    assert policy.attachment_name == "技能提升补贴.pdf"
    for persona in (personas.enterprise_secretary, personas.secretary, personas.guide, personas.outsider):
        assert client_for(persona).get(reverse("demands:policy_create")).status_code == 403


def test_policy_create_bad_input_saves_nothing(client_for, personas, world):
    response = client_for(personas.handler).post(
        reverse("demands:policy_create"),
        {
            "department": world.department.pk,
            "title": "错误的政策",
            "categories": ["finance"],
            "summary": "摘要",
            "valid_from": "2026-03-01",
            "valid_to": "2026-02-01",
            "attachment": pdf_file("伪装.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "valid_to" in response.context["form"].errors
    response = client_for(personas.handler).post(
        reverse("demands:policy_create"),
        {
            "department": world.department.pk,
            "title": "错误的政策",
            "categories": ["finance"],
            "summary": "摘要",
            "attachment": pdf_file("伪装.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "PDF" in " ".join(response.context["form"].errors["attachment"])
    response = client_for(personas.handler).post(reverse("demands:policy_create"), {"department": world.department.pk})
    assert {"title", "summary", "categories"} <= set(response.context["form"].errors)
    assert not Policy.objects.exists()


def test_handler_cannot_publish_for_another_department(client_for, personas, world):
    response = client_for(personas.handler).post(
        reverse("demands:policy_create"),
        {"department": world.other_department.pk, "title": "越权", "categories": ["land"], "summary": "x"},
    )
    assert response.status_code == 400 and "department" in response.context["form"].errors
    assert not Policy.objects.exists()


def test_draft_is_hidden_from_enterprises(client_for, personas, draft):
    url = reverse("demands:policy_detail", args=[draft.pk])
    assert client_for(personas.enterprise_secretary).get(url).status_code == 404
    assert client_for(personas.handler).get(url).status_code == 200
    assert client_for(personas.org_staff).get(url).status_code == 200
    assert (
        client_for(personas.enterprise_secretary).get(reverse("demands:policy_edit", args=[draft.pk])).status_code
        == 404
    )


def test_publish_page_action_pushes_and_refuses_others(client_for, personas, draft, world):
    url = reverse("demands:policy_publish", args=[draft.pk])
    assert client_for(personas.enterprise_secretary).post(url).status_code == 404
    assert client_for(personas.secretary).post(url).status_code == 404
    response = client_for(personas.handler).post(url, follow=True)
    assert response.status_code == 200
    assert "本次新推送 2 家企业" in response.content.decode()
    assert Policy.objects.get(pk=draft.pk).state == Policy.State.PUBLISHED
    assert client_for(personas.enterprise_secretary).post(url).status_code == 403
    withdraw = reverse("demands:policy_withdraw", args=[draft.pk])
    assert client_for(personas.secretary).post(withdraw).status_code == 403
    client_for(personas.handler).post(withdraw)
    assert Policy.objects.get(pk=draft.pk).state == Policy.State.WITHDRAWN
    response = client_for(personas.handler).post(url, follow=True)
    assert "已撤回的政策不能再次发布" in response.content.decode()
    assert client_for(personas.handler).get(reverse("demands:policy_edit", args=[draft.pk])).status_code == 302


def test_policy_edit_by_publisher(client_for, personas, loan):
    url = reverse("demands:policy_edit", args=[loan.pk])
    assert client_for(personas.enterprise_secretary).get(url).status_code == 403
    client = client_for(personas.handler)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"title": "休闲服饰贷（2026版）", "categories": ["finance", "industry"], "summary": "单户最高5000万元"}
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.title == "休闲服饰贷（2026版）" and loan.attachment_name  # the file was kept
    assert set(loan.category_rows.values_list("category", flat=True)) == {"finance", "industry"}


def test_i_have_read_records_reading_and_readers_show_to_publisher(client_for, personas, loan, world):
    url = reverse("demands:policy_detail", args=[loan.pk])
    page = client_for(personas.enterprise_secretary).get(url)
    assert page.status_code == 200 and not page.context["can_manage"]
    client_for(personas.enterprise_secretary).post(reverse("demands:policy_read", args=[loan.pk]))
    delivery = PolicyDelivery.objects.get(policy=loan, enterprise=world.lead)
    assert delivery.read_by == personas.enterprise_secretary
    page = client_for(personas.handler).get(url)
    assert page.context["can_manage"] and page.context["show_readers"]
    assert [(r.name, r.delivered, r.read, r.rate) for r in page.context["awareness"]] == [
        (world.alliance.name, 2, 1, 50.0)
    ]
    assert "50.0%" in page.content.decode()
    unread = client_for(personas.handler).get(url, {"read": "0"})
    assert [d.enterprise for d in unread.context["page"]] == [world.member]
    assert PolicyDelivery.objects.get(policy=loan, enterprise=world.member).read_at is None
    assert client_for(personas.outsider).get(url).status_code == 404


def test_policy_attachment_download(client_for, personas, loan):
    url = reverse("demands:policy_attachment", args=[loan.pk])
    response = client_for(personas.enterprise_secretary).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for(personas.outsider).get(url).status_code == 404


def test_inbox_shows_unread_first(client_for, personas, world, loan):
    older = make_policy(personas.handler, world.department, title="已读过的政策", publish=True)
    policy_mark_read(policy=older, user=personas.enterprise_secretary, enterprise_ids=[world.lead.pk])
    page = client_for(personas.enterprise_secretary).get(reverse("demands:policy_inbox"))
    assert [d.policy for d in page.context["page"]] == [loan, older]
    assert page.context["unread_count"] == 1
    page = client_for(personas.enterprise_secretary).get(reverse("demands:policy_inbox"), {"unread": "1"})
    assert [d.policy for d in page.context["page"]] == [loan]
    page = client_for(personas.handler).get(reverse("demands:policy_inbox"))
    assert page.status_code == 200 and page.context["page"].paginator.count == 0


def test_policy_list_scoping(client_for, personas, loan, draft):
    titles = {
        p.title for p in client_for(personas.enterprise_secretary).get(reverse("demands:policy_list")).context["page"]
    }
    assert titles == {loan.title}
    titles = {p.title for p in client_for(personas.handler).get(reverse("demands:policy_list")).context["page"]}
    assert titles == {loan.title, draft.title}
    assert client_for(personas.outsider).get(reverse("demands:policy_list")).context["page"].paginator.count == 0


# -- matches -------------------------------------------------------------------------------
@pytest.fixture
def sewing(world, personas):
    resource = make_resource(
        personas.other_enterprise_secretary,
        enterprise=world.member,
        title="闲置缝纫产能",
        description="可承接休闲服装缝制",
        category="capacity",
    )
    need = make_need(
        world.lead, world.alliance, category="market", title="订单激增缺缝纫产能", description="休闲服装订单"
    )
    return resource, need


def test_need_matches_fragment(client_for, personas, sewing):
    resource, need = sewing
    url = reverse("demands:need_matches", args=[need.pk])
    page = client_for(personas.secretary).get(url)
    assert page.status_code == 200 and page.context["can_propose"]
    assert page.context["suggestions"][0].object == resource
    assert "发起对接" in page.content.decode()
    assert client_for(personas.other_enterprise_secretary).get(url).status_code == 404
    page = client_for(personas.guide).get(url)
    assert page.status_code == 200 and not page.context["can_propose"] and not page.context["suggestions"]


def test_match_propose_and_confirm_through_pages(client_for, personas, sewing, world):
    resource, need = sewing
    propose = reverse("demands:match_propose", args=[need.pk])
    assert client_for(personas.other_enterprise_secretary).post(propose, {"resource": resource.pk}).status_code == 404
    assert client_for(personas.guide).post(propose, {"resource": resource.pk}).status_code == 403
    response = client_for(personas.enterprise_secretary).post(propose, {"resource": resource.pk})
    assert response.status_code == 302
    match = Match.objects.get()
    assert match.need_confirmed_by == personas.enterprise_secretary
    confirm = reverse("demands:match_confirm", args=[match.pk])
    assert client_for(personas.handler).post(confirm, {"side": "provider"}).status_code == 404
    assert client_for(personas.secretary).post(confirm, {"side": "provider"}).status_code == 403
    inbox = client_for(personas.other_enterprise_secretary).get(reverse("demands:match_list"))
    assert [m.pk for m in inbox.context["waiting"]] == [match.pk]
    assert "提供方确认" in inbox.content.decode()
    response = client_for(personas.other_enterprise_secretary).post(
        confirm, {"side": "provider", "description": "分包3000件", "value_wan": "86.5", "date": "2026-01-10"}
    )
    assert response.status_code == 302
    cooperation = Cooperation.objects.get()
    assert cooperation.value_wan == Decimal("86.5") and cooperation.receiver_enterprise == world.lead


def test_match_confirm_bad_value_changes_nothing(client_for, personas, sewing):
    resource, need = sewing
    match = services.match_propose(need=need, resource=resource, user=personas.secretary)
    response = client_for(personas.other_enterprise_secretary).post(
        reverse("demands:match_confirm", args=[match.pk]), {"side": "provider", "value_wan": "-3"}, follow=True
    )
    assert "合作金额" in response.content.decode()
    assert Match.objects.get(pk=match.pk).provider_confirmed_at is None


# -- cooperations ---------------------------------------------------------------------------
def test_cooperation_create_by_alliance_secretary_only(client_for, personas, world):
    url = reverse("demands:cooperation_create")
    for persona in (personas.enterprise_secretary, personas.handler, personas.guide, personas.outsider):
        assert client_for(persona).get(url).status_code == 403
    client = client_for(personas.secretary)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "alliance": world.alliance.pk,
            "provider_department": world.department.pk,
            "receiver_enterprise": world.member.pk,
            "description": "人社局组织专场招聘会，招聘缝纫工45名",
            "value_wan": "",
            "date": "2026-01-08",
        },
    )
    assert response.status_code == 302
    cooperation = Cooperation.objects.get()
    assert cooperation.provider == world.department and cooperation.value_wan is None
    response = client.post(
        url,
        {
            "alliance": world.alliance.pk,
            "provider_enterprise": world.member.pk,
            "provider_department": world.department.pk,
            "receiver_enterprise": world.member.pk,
            "description": "",
            "date": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert {"provider_enterprise", "description"} <= set(response.context["form"].errors)
    assert Cooperation.objects.count() == 1


def test_cooperation_list_and_detail_scoping(client_for, personas, world):
    cooperation = services.cooperation_record(
        user=personas.secretary,
        alliance=world.alliance,
        provider_enterprise=world.member,
        receiver_enterprise=world.lead,
        description="共享印染设备",
        value_wan=Decimal("30"),
        date=dt.date(2026, 1, 3),
    )
    page = client_for(personas.org_staff).get(reverse("demands:cooperation_list"), {"from": "2026-01-01"})
    assert list(page.context["page"]) == [cooperation] and page.context["totals"]["value_wan"] == Decimal("30")
    page = client_for(personas.org_staff).get(reverse("demands:cooperation_list"), {"to": "2025-12-31"})
    assert page.context["page"].paginator.count == 0
    detail = reverse("demands:cooperation_detail", args=[cooperation.pk])
    assert client_for(personas.enterprise_secretary).get(detail).status_code == 200
    assert client_for(personas.outsider).get(detail).status_code == 404
    assert client_for(personas.outsider).get(reverse("demands:cooperation_list")).context["page"].paginator.count == 0


# -- query budgets -------------------------------------------------------------------------
def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def _grow(world, personas, n):
    for i in range(n):
        enterprise = factories.EnterpriseFactory(region=world.county, zone=world.zone)
        make_resource(None, enterprise=enterprise, title=f"产能{i}")
        make_policy(personas.handler, world.department, title=f"政策{i}", categories=["finance", "tax"], publish=True)
        services.cooperation_record(
            user=personas.secretary,
            alliance=world.alliance,
            provider_enterprise=world.member,
            receiver_enterprise=world.lead,
            description=f"合作{i}",
            value_wan=Decimal(i),
            date=dt.date(2026, 1, 1),
        )


@pytest.mark.parametrize(
    "name,persona,params",
    [
        ("demands:resource_list", "org_staff", {}),
        ("demands:resource_list", "enterprise_secretary", {"status": "active"}),
        ("demands:policy_list", "handler", {}),
        ("demands:policy_inbox", "enterprise_secretary", {}),
        ("demands:cooperation_list", "secretary", {}),
    ],
)
def test_list_pages_keep_their_query_budget(client_for, world, personas, name, persona, params):
    client = client_for(getattr(personas, persona))
    url = reverse(name)
    _grow(world, personas, 10)
    small = _queries(client, url, params)
    _grow(world, personas, 50)
    large = _queries(client, url, params)
    assert small == large <= 12


def test_policy_page_keeps_its_query_budget(client_for, world, personas, loan):
    client = client_for(personas.handler)
    url = reverse("demands:policy_detail", args=[loan.pk])
    for _i in range(10):
        factories.EnterpriseFactory(region=world.county)
    policy_publish(policy=loan, user=personas.handler)
    small = _queries(client, url)
    for _i in range(50):
        factories.EnterpriseFactory(region=world.county)
    policy_publish(policy=loan, user=personas.handler)
    assert PolicyDelivery.objects.filter(policy=loan).count() == 62
    assert small == _queries(client, url) <= 16


def test_policy_need_suggestions_fragment(client_for, personas, world, loan, draft):
    need = make_need(world.lead, world.alliance, category="financing", title="流动资金贷款", description="纺织服装扩产")
    page = client_for(personas.secretary).get(reverse("demands:policy_need_suggestions", args=[loan.pk]))
    assert page.status_code == 200 and [s.object for s in page.context["suggestions"]] == [need]
    assert "推荐对接" in page.content.decode()
    page = client_for(personas.handler).get(reverse("demands:policy_need_suggestions", args=[draft.pk]))
    assert page.status_code == 200 and page.context["suggestions"] == []
    url = reverse("demands:policy_need_suggestions", args=[loan.pk])
    assert client_for(personas.outsider).get(url).status_code == 404


def test_match_list_shows_only_the_users_own_matches(client_for, personas, sewing):
    resource, need = sewing
    services.match_propose(need=need, resource=resource, user=personas.secretary)
    assert len(client_for(personas.enterprise_secretary).get(reverse("demands:match_list")).context["waiting"]) == 1
    for persona in (personas.outsider, personas.handler, personas.secretary):
        assert client_for(persona).get(reverse("demands:match_list")).context["waiting"] == []


def test_already_proposed_suggestion_shows_as_proposed(client_for, personas, sewing):
    resource, need = sewing
    services.match_propose(need=need, resource=resource, user=personas.secretary)
    page = client_for(personas.secretary).get(reverse("demands:need_matches", args=[need.pk]))
    assert page.context["suggestions"][0].object.already_proposed
    assert "已发起对接" in page.content.decode()
