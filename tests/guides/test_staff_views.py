"""The staff desk's guides, teams and assignments pages (issue 9 §1, §4): who may open each, the
forms' bad input answered in Chinese with nothing saved, and list query budgets that do not grow
with the rows."""

import datetime as dt

import pytest
from django.urls import reverse

from guides import services
from guides.models import Assignment, Guide, Team, TeamMember
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_guide(world, personas, frozen):
    """A guide the world's department sent, assigned to the member enterprise monthly."""
    user = factories.UserFactory(username="guide_hr", real_name="人社指导员")
    guide = services.guide_create(
        actor=None, user=user, department=world.department, rank=Guide.Rank.SECTION, term_start=dt.date(2025, 1, 1)
    )
    services.assignment_create(
        actor=None,
        guide=guide,
        enterprise=world.member,
        starts_on=dt.date(2026, 1, 1),
        cadence=Assignment.Cadence.MONTHLY,
    )
    return guide


# -- guide list ---------------------------------------------------------------------------------
def test_guide_list_for_staff_shows_load_and_filters(client_for, world, personas, sent_guide):
    organization = factories.PartyOrganizationFactory(region=world.county, members=20, probationary_members=2)
    organization.enterprises.add(world.member)
    response = client_for(personas.org_staff).get(reverse("guides:guide_list"))
    assert response.status_code == 200
    rows = {g.name: g for g in response.context["page"]}
    assert set(rows) == {"人社指导员", personas.guide.guide_profile.name}
    load = rows["人社指导员"].load
    assert (load.enterprises, load.party_organizations, load.members) == (1, 1, 22)
    assert rows[personas.guide.guide_profile.name].load.enterprises == 2  # the zone's two enterprises

    filtered = client_for(personas.org_staff).get(
        reverse("guides:guide_list"), {"department": world.department.pk, "kind": "party_building"}
    )
    assert [g.name for g in filtered.context["page"]] == ["人社指导员"]
    by_zone = client_for(personas.org_staff).get(reverse("guides:guide_list"), {"zone": world.zone.pk})
    assert [g.pk for g in by_zone.context["page"]] == [personas.guide.guide_profile.pk]
    junk = client_for(personas.org_staff).get(reverse("guides:guide_list"), {"department": "１２", "term": "x"})
    assert junk.status_code == 200 and len(junk.context["page"]) == 2


def test_guide_list_for_a_department_shows_the_guides_it_sent(client_for, personas, sent_guide):
    response = client_for(personas.handler).get(reverse("guides:guide_list"))
    assert response.status_code == 200
    assert [g.name for g in response.context["page"]] == ["人社指导员"]
    assert "新增指导员" not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "enterprise_secretary", "guide"])
def test_guide_list_refuses_others(client_for, personas, persona):
    assert client_for(getattr(personas, persona)).get(reverse("guides:guide_list")).status_code == 403


def test_guide_list_query_budget_does_not_grow(client_for, world, personas, frozen, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    client.get(reverse("guides:guide_list"))  # warm the session
    for _ in range(20):
        guide = factories.GuideFactory(region=world.county, department=world.department)
        services.assignment_create(actor=None, guide=guide, zone=world.zone, starts_on=dt.date(2026, 1, 1))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("guides:guide_list"))
    assert len(response.context["page"]) == 21


# -- guide page ---------------------------------------------------------------------------------
def test_guide_page_for_staff_and_the_sending_department(client_for, world, personas, sent_guide):
    factories.VisitFactory(enterprise=world.member, guide=sent_guide, visited_on=dt.date(2026, 5, 6))
    url = reverse("guides:guide_detail", args=[sent_guide.pk])
    response = client_for(personas.org_staff).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert world.member.name in body and "每月走访" in body and "2026-05-06" in body
    assert reverse("guides:guide_edit", args=[sent_guide.pk]) in body
    handler = client_for(personas.handler).get(url)
    assert (
        handler.status_code == 200
        and reverse("guides:guide_edit", args=[sent_guide.pk]) not in handler.content.decode()
    )


def test_guide_page_is_404_to_those_who_may_not_see_it(client_for, world, personas, sent_guide):
    other = factories.UserFactory(username="yz_handler")
    from alliances import services as alliance_services

    alliance_services.department_add_handler(department=world.other_department, user=other, system=True)
    assert client_for(other).get(reverse("guides:guide_detail", args=[sent_guide.pk])).status_code == 404
    assert client_for(personas.outsider).get(reverse("guides:guide_detail", args=[sent_guide.pk])).status_code == 404
    zone_guide = personas.guide.guide_profile
    assert client_for(personas.handler).get(reverse("guides:guide_detail", args=[zone_guide.pk])).status_code == 404


# -- create / edit / studio ---------------------------------------------------------------------
def _guide_post(world, **changes):
    data = {
        "username": "new_guide",
        "name": "",
        "kind": Guide.Kind.RED_SAIL,
        "department": world.department.pk,
        "zone": "",
        "rank": Guide.Rank.SECTION,
        "position": "副局长",
        "phone": "13800000000",
        "term_start": "2026-05-01",
        "term_end": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_staff_creates_a_guide(client_for, world, personas, frozen):
    factories.UserFactory(username="new_guide", real_name="新指导员")
    response = client_for(personas.org_staff).post(reverse("guides:guide_create"), _guide_post(world))
    guide = Guide.objects.get(user__username="new_guide")
    assert response.status_code == 302 and response["Location"] == guide.get_absolute_url()
    assert (guide.name, guide.kind, guide.department, guide.region) == (
        "新指导员",
        Guide.Kind.RED_SAIL,
        world.department,
        world.county,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"zone": "ZONE"}, "二者选一"),
        ({"department": ""}, "二者选一"),
        ({"username": "nobody"}, "未找到账号“nobody”"),
        ({"term_start": "2026-05-01", "term_end": "2026-04-01"}, "任期结束日期不能早于选派日期"),
        ({"username": "guide"}, "该账号已是党建指导员"),
    ],
)
def test_guide_create_bad_input_saves_nothing(client_for, world, personas, frozen, changes, message):
    factories.UserFactory(username="new_guide")
    if changes.get("zone") == "ZONE":
        changes = {**changes, "zone": world.zone.pk}
    before = Guide.objects.count()
    response = client_for(personas.org_staff).post(reverse("guides:guide_create"), _guide_post(world, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Guide.objects.count() == before


@pytest.mark.parametrize("persona", ["leader", "handler", "outsider"])
def test_guide_create_is_for_staff(client_for, world, personas, persona):
    factories.UserFactory(username="new_guide")
    response = client_for(getattr(personas, persona)).post(reverse("guides:guide_create"), _guide_post(world))
    assert response.status_code == 403
    assert not Guide.objects.filter(user__username="new_guide").exists()


def test_guide_edit_and_studio(client_for, world, personas, sent_guide, frozen):
    client = client_for(personas.org_staff)
    data = _guide_post(world, name="人社指导员（改）")
    del data["username"]
    response = client.post(reverse("guides:guide_edit", args=[sent_guide.pk]), data)
    assert response.status_code == 302
    sent_guide.refresh_from_db()
    assert (sent_guide.name, sent_guide.position) == ("人社指导员（改）", "副局长")

    response = client.post(
        reverse("guides:guide_studio", args=[sent_guide.pk]),
        {"studio_name": "人社红帆工作室", "granted_on": "2026-05-10"},
    )
    assert response.status_code == 302
    page = client.get(sent_guide.get_absolute_url()).content.decode()
    assert "人社红帆工作室" in page and "2026-05-10" in page

    leader = client_for(personas.leader)
    assert leader.get(reverse("guides:guide_detail", args=[sent_guide.pk])).status_code == 200
    assert leader.post(reverse("guides:guide_studio", args=[sent_guide.pk]), {"studio_name": "x"}).status_code == 403
    assert client_for(personas.handler).get(reverse("guides:guide_edit", args=[sent_guide.pk])).status_code == 403


# -- teams --------------------------------------------------------------------------------------
def test_team_create_members_and_page(client_for, world, personas, sent_guide, frozen):
    client = client_for(personas.org_staff)
    response = client.post(
        reverse("guides:team_create"),
        {
            "name": "红帆一组",
            "kind": Team.Kind.RED_SAIL,
            "region": world.county.pk,
            "department": "",
            "formed_on": "2026-05-01",
        },
    )
    team = Team.objects.get(name="红帆一组")
    assert response.status_code == 302 and response["Location"] == team.get_absolute_url()

    add = reverse("guides:team_member_add", args=[team.pk])
    assert client.post(add, {"guide": sent_guide.pk, "role": "leader", "starts_on": "2026-05-02"}).status_code == 302
    zone_guide = personas.guide.guide_profile  # an ordinary cadre (一般干部)
    response = client.post(add, {"guide": zone_guide.pk, "role": "leader", "starts_on": "2026-05-02"})
    assert response.status_code == 400
    assert "红帆党建指导组的团长须由县级或科级干部担任" in response.content.decode()
    assert client.post(add, {"guide": zone_guide.pk, "role": "member", "starts_on": "2026-05-02"}).status_code == 302

    services.assignment_create(actor=None, team=team, enterprise=world.lead, starts_on=dt.date(2026, 5, 2))
    page = client.get(team.get_absolute_url())
    assert page.status_code == 200
    assert [t.guide for t in page.context["current"]] == [sent_guide, zone_guide]
    assert [t.load.enterprises for t in page.context["current"]] == [2, 2]  # the team's lead + own

    member = TeamMember.objects.get(team=team, guide=zone_guide)
    end = reverse("guides:team_member_end", args=[member.pk])
    response = client.post(end, {"ends_on": "2026-05-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert client.post(end, {"ends_on": "2026-05-11"}).status_code == 302
    member.refresh_from_db()
    assert member.ends_on == dt.date(2026, 5, 11)
    listing = client.get(reverse("guides:team_list"))
    assert [(t.name, t.leader, t.member_count) for t in listing.context["page"]] == [("红帆一组", sent_guide, 1)]


def test_team_pages_refuse_others(client_for, world, personas, frozen):
    team = services.team_create(actor=None, name="红领服务队", kind=Team.Kind.RED_COLLAR, region=world.county)
    assert client_for(personas.outsider).get(team.get_absolute_url()).status_code == 404
    assert client_for(personas.outsider).get(reverse("guides:team_list")).status_code == 403
    assert client_for(personas.leader).get(team.get_absolute_url()).status_code == 200
    assert client_for(personas.leader).get(reverse("guides:team_member_add", args=[team.pk])).status_code == 403
    assert client_for(personas.handler).get(reverse("guides:team_create")).status_code == 403


# -- assignments --------------------------------------------------------------------------------
def _assignment_post(**changes):
    data = {
        "guide": "",
        "team": "",
        "target": "enterprise",
        "zone": "",
        "enterprise": "",
        "alliance": "",
        "cadence": "quarterly",
        "starts_on": "2026-05-12",
        "ends_on": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_assignment_create_and_end(client_for, world, personas, sent_guide, frozen):
    client = client_for(personas.org_staff)
    form = client.get(reverse("guides:assignment_create"), {"guide": sent_guide.pk, "enterprise": world.lead.pk})
    assert form.status_code == 200 and form.context["form"].initial["target"] == "enterprise"
    response = client.post(
        reverse("guides:assignment_create"), _assignment_post(guide=sent_guide.pk, enterprise=world.lead.pk)
    )
    assert response.status_code == 302 and response["Location"] == sent_guide.get_absolute_url()
    assignment = Assignment.objects.get(guide=sent_guide, enterprise=world.lead)

    # The same guide to the same enterprise on meeting dates: the service's Chinese message, nothing saved.
    response = client.post(
        reverse("guides:assignment_create"), _assignment_post(guide=sent_guide.pk, enterprise=world.lead.pk)
    )
    assert response.status_code == 400 and "日期不能重叠" in response.content.decode()
    assert Assignment.objects.filter(guide=sent_guide, enterprise=world.lead).count() == 1

    response = client.post(reverse("guides:assignment_end", args=[assignment.pk]), {"ends_on": "2026-05-20"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == dt.date(2026, 5, 20) and assignment.ended_by == personas.org_staff


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "请选择一名指导员或一个指导组"),
        ({"guide": "GUIDE", "target": "zone", "enterprise": "LEAD"}, "请只选择与联系对象类型一致"),
        ({"guide": "GUIDE", "enterprise": "LEAD", "ends_on": "2026-05-01"}, "结束日期不能早于开始日期"),
        ({"guide": "GUIDE", "enterprise": "OUTSIDE"}, "选择一个有效的选项"),
    ],
)
def test_assignment_bad_input_saves_nothing(client_for, world, personas, sent_guide, frozen, changes, message):
    values = {"GUIDE": sent_guide.pk, "LEAD": world.lead.pk, "OUTSIDE": world.outsider_enterprise.pk}
    data = _assignment_post(**{k: values.get(v, v) for k, v in changes.items()})
    before = Assignment.objects.count()
    response = client_for(personas.org_staff).post(reverse("guides:assignment_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Assignment.objects.count() == before


def test_assignments_are_for_staff(client_for, world, personas, sent_guide, frozen):
    assignment = sent_guide.assignments.get()
    for persona in (personas.leader, personas.handler):
        client = client_for(persona)
        data = _assignment_post(guide=sent_guide.pk, enterprise=world.lead.pk)
        assert client.post(reverse("guides:assignment_create"), data).status_code == 403
        assert (
            client.post(reverse("guides:assignment_end", args=[assignment.pk]), {"ends_on": "2026-05-20"}).status_code
            == 403
        )
    assert client_for(personas.outsider).get(reverse("guides:assignment_end", args=[assignment.pk])).status_code == 404
    assignment.refresh_from_db()
    assert assignment.ends_on is None


# -- the enterprise page ------------------------------------------------------------------------
def test_enterprise_page_shows_its_guides_visits_and_goal(client_for, world, personas, sent_guide, frozen):
    factories.VisitFactory(enterprise=world.member, guide=sent_guide, visited_on=dt.date(2026, 5, 7))
    goal = services.building_goal_open(actor=None, enterprise=world.member, guide=sent_guide)
    url = world.member.get_absolute_url()
    body = client_for(personas.org_staff).get(url).content.decode()
    assert 'id="enterprise-guides"' in body
    for text in ("人社指导员", personas.guide.guide_profile.name, "2026-05-07", "每月走访", "摸排"):
        assert text in body
    assert reverse("guides:building_goal_detail", args=[goal.pk]) in body
    assert "安排指导员" in body
    secretary = client_for(personas.other_enterprise_secretary).get(url).content.decode()
    assert "人社指导员" in secretary and "2026-05-07" in secretary and "安排指导员" not in secretary


def test_enterprise_page_panel_query_budget(
    client_for, world, personas, sent_guide, frozen, django_assert_max_num_queries
):
    client = client_for(personas.org_staff)
    url = world.member.get_absolute_url()
    client.get(url)
    for day in range(1, 9):
        factories.VisitFactory(enterprise=world.member, guide=sent_guide, visited_on=dt.date(2026, 5, day))
    for _ in range(4):
        guide = factories.GuideFactory(region=world.county, department=world.department)
        services.assignment_create(actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1))
    with django_assert_max_num_queries(30):
        response = client.get(url)
    body = response.content.decode()
    assert "2026-05-04" in body and "2026-05-03" not in body  # the five latest visits


def test_every_form_page_opens_for_staff(client_for, world, personas, sent_guide, frozen):
    team = services.team_create(actor=None, name="红领服务队", kind=Team.Kind.RED_COLLAR, region=world.county)
    member = services.team_member_add(actor=None, team=team, guide=sent_guide)
    client = client_for(personas.org_staff)
    urls = [
        reverse("guides:guide_create"),
        reverse("guides:guide_edit", args=[sent_guide.pk]),
        reverse("guides:guide_studio", args=[sent_guide.pk]),
        reverse("guides:team_create"),
        reverse("guides:team_member_add", args=[team.pk]),
        reverse("guides:team_member_end", args=[member.pk]),
        reverse("guides:assignment_create") + f"?team={team.pk}&zone={world.zone.pk}",
        reverse("guides:assignment_end", args=[sent_guide.assignments.get().pk]),
        reverse("guides:development_create"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<form" in response.content.decode()
    edit = client.get(reverse("guides:guide_edit", args=[sent_guide.pk]))
    assert edit.context["form"].initial["department"] == world.department


def test_enterprise_page_shows_assignments_only_to_viewers_of_its_region(
    client_for, world, personas, sent_guide, frozen
):
    """A leader of another county who is also this enterprise's secretary sees its guides, not the
    staff's assignment details: viewing some region is not viewing this one (review finding)."""
    from alliances import services as alliance_services

    both = factories.UserFactory(username="other_leader_secretary")
    alliance_services.region_grant(region=world.other_county, user=both, manage=False, system=True)
    alliance_services.enterprise_grant_secretary(enterprise=world.member, user=both, system=True)
    url = world.member.get_absolute_url()
    staff = client_for(personas.org_staff).get(url).content.decode()
    assert "联系安排" in staff
    body = client_for(both).get(url).content.decode()
    assert 'id="enterprise-guides"' in body and "人社指导员" in body
    assert "联系安排" not in body
