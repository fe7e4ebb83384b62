"""DOMAIN.md stories 1 and 5, end to end through the services and the pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from alliances import services as org
from chainparty.models import Notification
from demands.models import Cooperation, Match, Need, Policy, PolicyDelivery
from demands.services import filing, workflow
from tests import factories
from tests.demands.offers_support import farm_chain, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded policy PDFs go to a temporary folder, not the project's."""
    settings.MEDIA_ROOT = tmp_path


def test_story_1_rush_order_matched_with_spare_capacity_becomes_a_cooperation(
    world, client_for, django_capture_on_commit_callbacks
):
    farm = farm_chain(world)
    farm_secretary = factories.UserFactory(username="farm_secretary", real_name="红色农机党委书记")
    org.seat_assign(
        alliance=farm["alliance"],
        role="secretary",
        person_name="红色农机党委书记",
        user=farm_secretary,
        enterprise=farm["jindafeng"],
        term_start=dt.date(2022, 6, 1),
        system=True,
    )
    # Jindafeng posts the need; the committee accepts it.
    need = filing.need_file(
        actor=farm["jindafeng_secretary"],
        enterprise=farm["jindafeng"],
        category=Need.Category.MARKET,
        title="2000台玉米收获机紧急订单，产能不足",
        description="承接2000台玉米收获机紧急订单，交期三个月，现有产能不足，需要协作企业分包整机生产。",
        urgency=Need.Urgency.URGENT,
        contact_name="金大丰王经理",
        contact_phone="13800000002",
    )
    need = workflow.need_accept(need=need, actor=farm_secretary)

    # The committee's secretary sees Wuzheng's spare capacity suggested first, with the reasons.
    secretary = client_for(farm_secretary)
    fragment = secretary.get(reverse("demands:need_matches", args=[need.pk]))
    assert fragment.status_code == 200
    top = fragment.context["suggestions"][0]
    assert top.object == farm["capacity"]
    html = fragment.content.decode()
    assert "五征集团山拖农机装备有限公司" in html and "同属农机装备产业链" in html and "300台/月" in html

    with django_capture_on_commit_callbacks(execute=True):
        secretary.post(reverse("demands:match_propose", args=[need.pk]), {"resource": farm["capacity"].pk})
    match = Match.objects.get(need=need)
    assert Notification.objects.filter(recipient=farm["wuzheng_secretary"], kind="match").exists()
    assert Notification.objects.filter(recipient=farm["jindafeng_secretary"], kind="match").exists()

    # Both enterprises confirm; Wuzheng, confirming last, records the 300 subcontracted units.
    client_for(farm["jindafeng_secretary"]).post(reverse("demands:match_confirm", args=[match.pk]), {"side": "need"})
    assert not Cooperation.objects.exists()
    response = client_for(farm["wuzheng_secretary"]).post(
        reverse("demands:match_confirm", args=[match.pk]),
        {
            "side": "provider",
            "description": "五征山拖分包生产玉米收获机300台",
            "value_wan": "4500",
            "date": dt.date.today().isoformat(),
        },
        follow=True,
    )
    assert "已登记为促成合作" in response.content.decode()
    cooperation = Cooperation.objects.get()
    assert cooperation.provider_enterprise == farm["wuzheng"]
    assert cooperation.receiver_enterprise == farm["jindafeng"]
    assert (cooperation.need, cooperation.alliance, cooperation.value_wan) == (need, farm["alliance"], Decimal("4500"))

    listing = client_for(farm_secretary).get(reverse("demands:cooperation_list"))
    assert list(listing.context["page"]) == [cooperation]
    assert listing.context["totals"] == {"count": 1, "value_wan": Decimal("4500")}
    assert "五征山拖分包生产玉米收获机300台" in listing.content.decode()


def test_story_5_loan_policy_pushed_to_every_textile_enterprise_and_reading_tracked(
    world, personas, client_for, django_capture_on_commit_callbacks
):
    finance = factories.DepartmentFactory(name="汶上县地方金融服务中心", region=world.county, factor_group="finance")
    finance_handler = factories.UserFactory(username="finance_handler", real_name="金融中心陈科长")
    org.department_add_handler(department=finance, user=finance_handler, system=True)
    textile = [factories.EnterpriseFactory(name=f"汶上纺织{i}厂", region=world.county) for i in range(3)]
    chemical = factories.EnterpriseFactory(name="汶上化工", region=world.county, industry="化工")
    chemical_secretary = factories.UserFactory(username="chem_sec")
    org.enterprise_grant_secretary(enterprise=chemical, user=chemical_secretary, system=True)
    yanzhou_textile = factories.EnterpriseFactory(name="兖州纺织", region=world.other_county)

    handler = client_for(finance_handler)
    response = handler.post(
        reverse("demands:policy_create"),
        {
            "department": finance.pk,
            "title": "休闲服饰贷",
            "doc_number": "汶金发〔2026〕1号",
            "categories": ["finance"],
            "summary": "面向全县纺织服装中小企业，单户最高可贷5000万元，优先支持休闲服饰企业扩产。",
            "industries": "纺织服装",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "contact": "陈科长 0537-7212345",
            "attachment": pdf_file("休闲服饰贷实施办法.pdf"),
        },
    )
    policy = Policy.objects.get(title="休闲服饰贷")
    assert response.status_code == 302 and policy.state == Policy.State.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        handler.post(reverse("demands:policy_publish", args=[policy.pk]))

    reached = set(PolicyDelivery.objects.filter(policy=policy).values_list("enterprise_id", flat=True))
    assert reached == {world.lead.pk, world.member.pk, *(e.pk for e in textile)}
    assert chemical.pk not in reached and yanzhou_textile.pk not in reached
    assert Notification.objects.filter(recipient=personas.enterprise_secretary, title__contains="休闲服饰贷").exists()
    assert not Notification.objects.filter(recipient=chemical_secretary).exists()

    # 鸿瑞轩's secretary finds it in the inbox, unread, opens it and presses 我已阅读.
    inbox = client_for(personas.enterprise_secretary).get(reverse("demands:policy_inbox"))
    assert "休闲服饰贷" in inbox.content.decode() and inbox.context["unread_count"] == 1
    client_for(personas.enterprise_secretary).get(reverse("demands:policy_detail", args=[policy.pk]))
    assert client_for(personas.enterprise_secretary).get(reverse("demands:policy_inbox")).context["unread_count"] == 1
    client_for(personas.enterprise_secretary).post(reverse("demands:policy_read", args=[policy.pk]))
    assert client_for(personas.enterprise_secretary).get(reverse("demands:policy_inbox")).context["unread_count"] == 0

    # The department sees who has read it and the awareness rate per alliance.
    handler = client_for(finance_handler)  # the test client is shared: log the handler in again
    page = handler.get(reverse("demands:policy_detail", args=[policy.pk]))
    html = page.content.decode()
    assert "20.0%（1/5）" in html
    assert [(row.name, row.delivered, row.read) for row in page.context["awareness"]] == [(world.alliance.name, 2, 1)]
    readers = handler.get(reverse("demands:policy_detail", args=[policy.pk]), {"read": "1"}).context["page"]
    assert [(d.enterprise, d.read_by) for d in readers] == [(world.lead, personas.enterprise_secretary)]
    # The alliance secretary sees the awareness of the members, not the department's whole list.
    seen = client_for(personas.secretary).get(reverse("demands:policy_detail", args=[policy.pk]))
    assert {d.enterprise for d in seen.context["page"]} == {world.lead, world.member}
