import datetime as dt

import pytest
from django.urls import reverse

from alliances.models import Alliance, Enterprise, Membership
from tests import factories

pytestmark = pytest.mark.django_db


def _url(world, name):
    pages = {
        "alliance_detail": ("alliances:alliance_detail", world.alliance.pk),
        "alliance_edit": ("alliances:alliance_edit", world.alliance.pk),
        "enterprise_detail": ("alliances:enterprise_detail", world.lead.pk),
        "enterprise_edit": ("alliances:enterprise_edit", world.lead.pk),
        "other_enterprise": ("alliances:enterprise_detail", world.member.pk),
        "foreign_enterprise": ("alliances:enterprise_detail", world.outsider_enterprise.pk),
        "department_detail": ("alliances:department_detail", world.department.pk),
        "department_edit": ("alliances:department_edit", world.department.pk),
        "foreign_department": ("alliances:department_detail", world.other_department.pk),
        "alliance_create": ("alliances:alliance_create", None),
        "enterprise_create": ("alliances:enterprise_create", None),
        "department_create": ("alliances:department_create", None),
        "zone_create": ("alliances:zone_create", None),
        "party_organization_create": ("alliances:party_organization_create", None),
        "zone_edit": ("alliances:zone_edit", world.zone.pk),
    }
    route, pk = pages[name]
    return reverse(route, args=[pk] if pk else [])


ACCESS = [
    # (persona, page, expected status)
    ("org_staff", "alliance_detail", 200),
    ("org_staff", "alliance_edit", 200),
    ("org_staff", "enterprise_edit", 200),
    ("org_staff", "alliance_create", 200),
    ("org_staff", "enterprise_create", 200),
    ("org_staff", "department_create", 200),
    ("org_staff", "zone_create", 200),
    ("org_staff", "zone_edit", 200),
    ("org_staff", "party_organization_create", 200),
    ("org_staff", "department_edit", 200),
    ("org_staff", "foreign_enterprise", 404),
    ("org_staff", "foreign_department", 404),
    ("leader", "alliance_detail", 200),
    ("leader", "alliance_edit", 403),
    ("leader", "enterprise_create", 403),
    ("leader", "enterprise_edit", 403),
    ("secretary", "alliance_detail", 200),
    ("secretary", "alliance_edit", 200),
    ("secretary", "other_enterprise", 200),
    ("secretary", "enterprise_create", 403),
    ("secretary", "foreign_enterprise", 404),
    ("enterprise_secretary", "enterprise_detail", 200),
    ("enterprise_secretary", "enterprise_edit", 200),
    ("enterprise_secretary", "other_enterprise", 404),
    ("enterprise_secretary", "alliance_detail", 200),
    ("enterprise_secretary", "alliance_edit", 403),
    ("enterprise_secretary", "department_edit", 403),
    ("other_enterprise_secretary", "enterprise_detail", 404),
    ("other_enterprise_secretary", "enterprise_edit", 404),
    ("handler", "department_detail", 200),
    ("handler", "department_edit", 403),
    ("handler", "alliance_detail", 200),
    ("handler", "alliance_create", 403),
    ("guide", "enterprise_detail", 200),
    ("guide", "enterprise_edit", 403),
    ("guide", "zone_edit", 403),
    ("outsider", "alliance_detail", 404),
    ("outsider", "enterprise_detail", 404),
    ("outsider", "department_detail", 404),
    ("outsider", "zone_create", 403),
]


@pytest.mark.parametrize(("persona", "page", "status"), ACCESS)
def test_page_access_by_persona(world, personas, client_for, persona, page, status):
    response = client_for(getattr(personas, persona)).get(_url(world, page))
    assert response.status_code == status


@pytest.mark.parametrize(
    "route",
    [
        "home",
        "alliances:alliance_list",
        "alliances:enterprise_list",
        "alliances:party_organization_list",
        "alliances:department_list",
        "alliances:zone_list",
        "notifications",
    ],
)
def test_lists_need_login(client, route):
    response = client.get(reverse(route))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_lists_show_each_persona_only_their_scope(world, personas, client_for):
    page = client_for(personas.enterprise_secretary).get(reverse("alliances:enterprise_list")).content.decode()
    assert world.lead.name in page and world.member.name not in page
    page = client_for(personas.org_staff).get(reverse("alliances:enterprise_list")).content.decode()
    assert world.lead.name in page and world.member.name in page and world.outsider_enterprise.name not in page
    page = client_for(personas.outsider).get(reverse("alliances:alliance_list")).content.decode()
    assert world.alliance.name not in page


def test_home_shows_persona_scope(world, personas, client_for):
    page = client_for(personas.enterprise_secretary).get(reverse("home")).content.decode()
    assert "企业党组织书记" in page and world.lead.name in page
    assert reverse("indicator_panel", args=["needs"]) in page and reverse("demands:my_needs") in page
    page = client_for(personas.outsider).get(reverse("home")).content.decode()
    assert "尚未分配任何职责" in page


def test_alliance_page_shows_members_seats_and_coverage(world, personas, client_for):
    factories.PartyOrganizationFactory(region=world.county).enterprises.add(world.lead)
    page = client_for(personas.secretary).get(reverse("alliances:alliance_detail", args=[world.alliance.pk]))
    html = page.content.decode()
    assert world.member.name in html and "王书记" in html
    assert "50.0%" in html  # one of two member enterprises has a Party organisation


def test_enterprise_filters(world, personas, client_for):
    factories.PartyOrganizationFactory(region=world.county).enterprises.add(world.lead)
    client = client_for(personas.org_staff)
    html = client.get(reverse("alliances:enterprise_list"), {"party": "uncovered"}).content.decode()
    assert world.member.name in html and world.lead.name not in html
    html = client.get(reverse("alliances:enterprise_list"), {"q": "鸿瑞轩"}).content.decode()
    assert world.lead.name in html and world.member.name not in html
    response = client.get(reverse("alliances:enterprise_list"), {"zone": world.zone.pk}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and world.lead.name in response.content.decode()


def test_create_enterprise_with_bad_credit_code_saves_nothing(world, personas, client_for):
    client = client_for(personas.org_staff)
    data = {
        "name": "错误代码企业",
        "credit_code": "9144030071526726XA",
        "industry": "纺织服装",
        "size": "below",
        "region": world.county.pk,
        "employees": 10,
    }
    response = client.post(reverse("alliances:enterprise_create"), data)
    assert response.status_code == 400
    assert "校验位不正确" in response.content.decode()
    assert not Enterprise.objects.filter(name="错误代码企业").exists()
    data["credit_code"] = factories.make_credit_code()
    response = client.post(reverse("alliances:enterprise_create"), data)
    assert response.status_code == 302
    assert Enterprise.objects.filter(name="错误代码企业").exists()


def test_duplicate_credit_code_on_form(world, personas, client_for):
    response = client_for(personas.org_staff).post(
        reverse("alliances:enterprise_create"),
        {
            "name": "重复",
            "credit_code": world.lead.credit_code,
            "industry": "x",
            "size": "below",
            "region": world.county.pk,
            "employees": 1,
        },
    )
    assert "已被其他企业使用" in response.content.decode()


def test_enterprise_secretary_edits_contact_but_not_registration(world, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    url = reverse("alliances:enterprise_edit", args=[world.lead.pk])
    data = {
        "name": world.lead.name,
        "credit_code": "91110000802100433B",
        "industry": world.lead.industry,
        "size": world.lead.size,
        "region": world.other_county.pk,
        "employees": 999,
        "contact_name": "新联系人",
    }
    assert client.post(url, data).status_code == 302
    world.lead.refresh_from_db()
    assert world.lead.contact_name == "新联系人" and world.lead.employees == 999
    assert world.lead.region == world.county and world.lead.credit_code != "91110000802100433B"


def test_secretary_adds_member_ends_membership_and_history_shows(world, personas, client_for):
    newcomer = factories.EnterpriseFactory(name="新加入纺织有限公司", region=world.county)
    client = client_for(personas.secretary)
    url = reverse("alliances:membership_add", args=[world.alliance.pk])
    client.post(url, {"enterprise": newcomer.pk, "position": "upstream", "joined_on": "2025-03-01"})
    membership = Membership.objects.get(alliance=world.alliance, enterprise=newcomer)
    end = reverse("alliances:membership_end", args=[world.alliance.pk, membership.pk])
    response = client.post(end, {"left_on": "2024-01-01"}, follow=True)
    assert "退出日期不能早于加入日期" in response.content.decode()
    client.post(end, {"left_on": "2025-06-30"})
    html = client.get(reverse("alliances:alliance_detail", args=[world.alliance.pk])).content.decode()
    assert "历史成员" in html and "2025-06-30" in html


def test_seat_outside_alliance_on_the_page(world, personas, client_for):
    client = client_for(personas.secretary)
    response = client.post(
        reverse("alliances:seat_add", args=[world.alliance.pk]),
        {
            "role": "member_parttime",
            "person_name": "外来委员",
            "enterprise": world.outsider_enterprise.pk,
            "term_start": "2025-01-01",
        },
        follow=True,
    )
    assert "来自企业" in response.content.decode()  # the error names the field
    assert not world.alliance.seats.filter(person_name="外来委员").exists()


def test_leader_cannot_post_membership(world, personas, client_for):
    response = client_for(personas.leader).post(
        reverse("alliances:membership_add", args=[world.alliance.pk]),
        {"enterprise": world.lead.pk, "position": "upstream", "joined_on": "2025-03-01"},
    )
    assert response.status_code == 403


def test_org_staff_creates_alliance(world, personas, client_for):
    client = client_for(personas.org_staff)
    response = client.post(
        reverse("alliances:alliance_create"),
        {
            "name": "汶上县高端装备产业链党委",
            "chain": "高端装备",
            "kind": "committee",
            "region": world.county.pk,
            "lead_enterprise": world.member.pk,
            "founded_on": "2024-05-01",
            "meeting_cadence": "monthly",
        },
    )
    alliance = Alliance.objects.get(name="汶上县高端装备产业链党委")
    assert response["Location"] == alliance.get_absolute_url()
    assert alliance.memberships.get().enterprise == world.member


def test_org_staff_cannot_create_in_a_region_they_do_not_manage(world, personas, client_for):
    response = client_for(personas.org_staff).post(
        reverse("alliances:alliance_create"),
        {
            "name": "越权",
            "chain": "x",
            "kind": "committee",
            "region": world.other_county.pk,
            "founded_on": "2024-05-01",
            "meeting_cadence": "monthly",
        },
    )
    assert response.status_code == 400
    assert not Alliance.objects.filter(name="越权").exists()


def test_delete_referenced_enterprise_shows_message(world, personas, client_for):
    response = client_for(personas.org_staff).post(
        reverse("alliances:enterprise_delete", args=[world.member.pk]), follow=True
    )
    assert "不能删除" in response.content.decode()
    assert Enterprise.objects.filter(pk=world.member.pk).exists()


@pytest.mark.parametrize("count", [10, 500])
def test_enterprise_list_query_budget_does_not_grow(world, personas, client_for, django_assert_max_num_queries, count):
    factories.EnterpriseFactory.create_batch(count, region=world.county, zone=world.zone)
    client = client_for(personas.org_staff)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("alliances:enterprise_list"), {"industry": "纺织服装"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
def test_alliance_list_query_budget(world, personas, client_for, django_assert_max_num_queries, count):
    for _ in range(count // 10):
        factories.AllianceFactory(region=world.county, founded_on=dt.date(2024, 1, 1))
    client = client_for(personas.org_staff)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("alliances:alliance_list")).status_code == 200
