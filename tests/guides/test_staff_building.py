"""Party-organisation building and member development pages (issue 9 §1): goals listed by stage,
opened and advanced by staff until the Party organisation recorded in alliances is chosen, member
development recorded by date and summed per year; who may and may not."""

import datetime as dt

import pytest
from django.urls import reverse

from guides import services
from guides.models import BuildingGoal, MemberDevelopment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world, personas, frozen):
    return services.building_goal_open(actor=None, enterprise=world.member, opened_on=dt.date(2026, 3, 1))


def test_staff_opens_a_goal(client_for, world, personas, frozen):
    client = client_for(personas.org_staff)
    form = client.get(reverse("guides:building_goal_open"), {"enterprise": world.member.pk})
    assert form.status_code == 200
    response = client.post(
        reverse("guides:building_goal_open"),
        {"enterprise": world.member.pk, "guide": personas.guide.guide_profile.pk, "opened_on": "2026-05-01"},
    )
    assert response.status_code == 302
    goal = BuildingGoal.objects.get(enterprise=world.member)
    assert (goal.stage, goal.guide, goal.opened_on) == ("survey", personas.guide.guide_profile, dt.date(2026, 5, 1))
    again = client.post(
        reverse("guides:building_goal_open"), {"enterprise": world.member.pk, "opened_on": "2026-05-01"}
    )
    assert again.status_code == 400 and "该企业已有进行中的党组织组建目标" in again.content.decode()
    assert BuildingGoal.objects.count() == 1


def test_goal_list_with_stage_counts(client_for, world, personas, goal):
    response = client_for(personas.org_staff).get(reverse("guides:building_goal_list"))
    assert response.status_code == 200
    assert [g.pk for g in response.context["page"]] == [goal.pk]
    assert ("survey", "摸排", 1) in response.context["stage_counts"]
    assert (
        list(
            client_for(personas.org_staff)
            .get(reverse("guides:building_goal_list"), {"stage": "founded"})
            .context["page"]
        )
        == []
    )
    assert client_for(personas.leader).get(reverse("guides:building_goal_list")).status_code == 200
    for persona in ("handler", "outsider", "enterprise_secretary"):
        assert client_for(getattr(personas, persona)).get(reverse("guides:building_goal_list")).status_code == 403


def test_advance_to_founded_needs_the_recorded_organization(client_for, world, personas, goal):
    client = client_for(personas.org_staff)
    url = reverse("guides:building_goal_advance", args=[goal.pk])
    response = client.post(url, {"stage": "has_members", "changed_on": "2026-04-01", "note": "发现 2 名流动党员"})
    assert response.status_code == 302
    response = client.post(url, {"stage": "founded", "changed_on": "2026-05-01", "method": "joint"})
    assert response.status_code == 400
    assert "请先在党组织中登记覆盖该企业的党组织" in response.content.decode()
    goal.refresh_from_db()
    assert goal.stage == "has_members" and goal.closed_on is None

    branch = factories.PartyOrganizationFactory(region=world.county, name="纺织联合党支部")
    # Recorded in alliances: covering the enterprise closes the goal by itself (guides/receivers.py) …
    other = factories.EnterpriseFactory(region=world.county, zone=world.zone)
    other_goal = services.building_goal_open(actor=None, enterprise=other)
    page = client.get(reverse("guides:building_goal_detail", args=[other_goal.pk]))
    assert branch not in page.context["form"].fields["party_organization"].queryset
    branch.enterprises.add(other)
    other_goal.refresh_from_db()
    assert other_goal.stage == "founded"
    # … and the form offers the organisations covering the goal's enterprise.
    detail = client.get(reverse("guides:building_goal_detail", args=[goal.pk]))
    assert detail.status_code == 200 and "发现 2 名流动党员" in detail.content.decode()


def test_advance_to_founded_with_an_organization(client_for, world, personas, goal):
    branch = factories.PartyOrganizationFactory(region=world.county, name="新花源党支部")
    # Covered by a join that bypasses the receiver, as an import would leave it.
    branch.enterprises.through.objects.create(partyorganization=branch, enterprise=world.member)
    client = client_for(personas.org_staff)
    response = client.post(
        reverse("guides:building_goal_advance", args=[goal.pk]),
        {"stage": "founded", "changed_on": "2026-05-10", "method": "single", "party_organization": branch.pk},
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.stage, goal.method, goal.party_organization, goal.closed_on) == (
        "founded",
        "single",
        branch,
        dt.date(2026, 5, 10),
    )
    page = client.get(reverse("guides:building_goal_detail", args=[goal.pk]))
    assert page.context["form"] is None and "新花源党支部" in page.content.decode()


def test_goal_page_for_the_serving_guide_and_refused_to_others(client_for, world, personas, goal):
    url = reverse("guides:building_goal_detail", args=[goal.pk])
    guide_page = client_for(personas.guide).get(url)  # the zone's guide serves the enterprise
    assert guide_page.status_code == 200 and guide_page.context["can_manage"]
    assert client_for(personas.outsider).get(url).status_code == 404
    assert client_for(personas.leader).get(url).status_code == 200
    leader = client_for(personas.leader).post(
        reverse("guides:building_goal_advance", args=[goal.pk]), {"stage": "has_members", "changed_on": "2026-05-01"}
    )
    assert leader.status_code == 403
    assert client_for(personas.handler).get(reverse("guides:building_goal_open")).status_code == 403


def test_member_development_recorded_and_summed_per_year(client_for, world, personas, frozen):
    client = client_for(personas.org_staff)
    url = reverse("guides:development_create")
    for name, kind, day in [
        ("张三", "developed", "2026-03-01"),
        ("李四", "developed", "2026-04-01"),
        ("王五", "activist", "2026-04-02"),
        ("赵六", "developed", "2025-11-01"),
    ]:
        response = client.post(
            url, {"enterprise": world.member.pk, "kind": kind, "person_name": name, "recorded_on": day}
        )
        assert response.status_code == 302, response.content.decode()
    bad = client.post(
        url, {"enterprise": world.member.pk, "kind": "developed", "person_name": "钱七", "recorded_on": "2026-06-01"}
    )
    assert bad.status_code == 400 and "日期不能晚于今天" in bad.content.decode()
    twice = client.post(
        url, {"enterprise": world.member.pk, "kind": "developed", "person_name": "张三", "recorded_on": "2026-03-01"}
    )
    assert twice.status_code == 400 and "该人员的这条记录已登记" in twice.content.decode()
    assert MemberDevelopment.objects.count() == 4

    page = client.get(reverse("guides:development_list"))
    assert dict(page.context["sums"]) == {"入党积极分子": 1, "发展对象": 0, "发展党员": 2}
    assert [d.person_name for d in page.context["page"]] == ["王五", "李四", "张三"]
    last_year = client.get(reverse("guides:development_list"), {"year": 2025})
    assert dict(last_year.context["sums"])["发展党员"] == 1
    assert client_for(personas.outsider).get(reverse("guides:development_list")).status_code == 403
    assert client_for(personas.leader).post(url, {"enterprise": world.member.pk}).status_code == 403


def test_building_lists_query_budget(client_for, world, personas, frozen, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    client.get(reverse("guides:building_goal_list"))
    for _ in range(15):
        enterprise = factories.EnterpriseFactory(region=world.county, zone=world.zone)
        services.building_goal_open(actor=None, enterprise=enterprise, guide=personas.guide.guide_profile)
        services.member_development_record(
            actor=None, enterprise=enterprise, kind="developed", person_name="某某", recorded_on=dt.date(2026, 5, 1)
        )
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("guides:building_goal_list")).context["page"]) == 15
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("guides:development_list")).context["page"]) == 15
