"""The guides API (issue 9 §4): `/api/guides/`, `/api/teams/`, `/api/visits/` and the visit's
confirm, dispute, photos and needs routes. Every route for a persona who may and one who may not
(404 when they may not see, 403 when they may see but not act), bad input answered 400 with the
service's Chinese message and nothing saved, a phone app's personal token, list query budgets that
do not grow with the rows, and a schema that generates without warnings."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from alliances import services as alliance_services
from chainparty.accounts.tokens import token_issue
from demands.models import Need
from guides import services
from guides.models import Guide, Team, Visit, VisitNeed
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 12)


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def people(frozen, world, personas, guide_of_member):
    """The shared personas, with the department's guide (周指导, serving the member enterprise) given a
    phone, and the zone's guide (孙, serving both enterprises of the zone)."""
    Guide.objects.filter(pk=guide_of_member.pk).update(phone="13912345678")
    guide_of_member.refresh_from_db()
    return personas


def png(name="现场.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")


def log_visit(guide, enterprise, **fields):
    return services.visit_log(actor=guide.user, enterprise=enterprise, **fields)


# -- guides -----------------------------------------------------------------------------------------
def _names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_guides_list_follows_who_sees_which_guide(people, world, guide_of_member, api):
    zone_guide = people.guide.guide_profile
    assert _names(api(people.org_staff).get("/api/guides/")) == sorted([zone_guide.name, guide_of_member.name])
    # The department's handler sees the guide it sent; the lead's secretary the zone guide serving it.
    assert _names(api(people.handler).get("/api/guides/")) == [guide_of_member.name]
    assert _names(api(people.enterprise_secretary).get("/api/guides/")) == [zone_guide.name]
    assert _names(api(people.guide).get("/api/guides/")) == [zone_guide.name]
    assert _names(api(people.outsider).get("/api/guides/")) == []
    assert api(None).get("/api/guides/").status_code in (401, 403)


def test_guides_list_filters(people, world, guide_of_member, api):
    client = api(people.org_staff)
    zone_guide = people.guide.guide_profile
    assert _names(client.get("/api/guides/", {"department": world.department.pk})) == [guide_of_member.name]
    assert _names(client.get("/api/guides/", {"zone": world.zone.pk})) == [zone_guide.name]
    assert _names(client.get("/api/guides/", {"kind": Guide.Kind.RED_SAIL})) == []
    Guide.objects.filter(pk=zone_guide.pk).update(term_end=dt.date(2026, 4, 30))
    assert _names(client.get("/api/guides/", {"active": "true"})) == [guide_of_member.name]
    assert _names(client.get("/api/guides/", {"active": "false"})) == [zone_guide.name]
    team = services.team_create(actor=None, name="人社服务队", kind=Team.Kind.RED_COLLAR, region=world.county)
    services.team_member_add(actor=None, team=team, guide=guide_of_member, role="leader", starts_on=TODAY)
    assert _names(client.get("/api/guides/", {"team": team.pk})) == [guide_of_member.name]
    bad = client.get("/api/guides/", {"kind": "astronaut"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_guide_detail_has_assignments_load_and_phone_by_who_asks(people, world, guide_of_member, api):
    url = f"/api/guides/{guide_of_member.pk}/"
    body = api(people.org_staff).get(url).json()
    assert body["department"]["name"] == world.department.name and body["in_term"] is True
    assert [(a["target"], a["target_object"]["name"], a["in_force"]) for a in body["assignments"]] == [
        ("enterprise", world.member.name, True)
    ]
    assert body["load"]["enterprises"] == 1
    assert body["phone"] == "13912345678"
    assert api(people.handler).get(url).json()["phone"] == "13912345678"  # its sending department
    # Guides see themselves and their teammates, not every colleague.
    assert api(people.guide).get(url).status_code == 404
    assert api(people.outsider).get(url).status_code == 404
    assert api(people.enterprise_secretary).get(url).status_code == 404  # 周 does not serve the lead
    member_secretary = api(people.other_enterprise_secretary).get(url)
    assert member_secretary.status_code == 200 and member_secretary.json()["phone"] == "13912345678"
    assert api(people.org_staff).get("/api/guides/abc/").status_code == 404


def test_guide_phone_is_masked_for_whom_it_is_not_meant(people, world, guide_of_member, api):
    # A leader of the region sees the guide but is not one of those who call them.
    body = api(people.leader).get(f"/api/guides/{guide_of_member.pk}/").json()
    assert body["phone"] != "13912345678" and body["phone"].endswith("5678")


# -- teams ------------------------------------------------------------------------------------------
@pytest.fixture
def team(people, world, guide_of_member):
    team = services.team_create(
        actor=None, name="人社服务队", kind=Team.Kind.RED_COLLAR, region=world.county, department=world.department
    )
    services.team_member_add(actor=None, team=team, guide=guide_of_member, role="leader", starts_on=TODAY)
    services.assignment_create(actor=None, team=team, enterprise=world.lead, starts_on=TODAY)
    return team


def test_teams_list_and_detail_with_members(people, world, guide_of_member, team, api):
    rows = api(people.org_staff).get("/api/teams/").json()["results"]
    assert [(row["name"], row["member_count"]) for row in rows] == [("人社服务队", 1)]
    body = api(people.handler).get(f"/api/teams/{team.pk}/").json()
    assert [(m["guide"]["name"], m["role"]) for m in body["members"]] == [(guide_of_member.name, "leader")]
    assert [a["target_object"]["name"] for a in body["assignments"]] == [world.lead.name]
    assert api(people.org_staff).get("/api/teams/", {"kind": Team.Kind.RED_SAIL}).json()["results"] == []


def test_teams_refused_to_whom_may_not_see_them(people, team, api):
    assert api(people.outsider).get("/api/teams/").json()["results"] == []
    assert api(people.outsider).get(f"/api/teams/{team.pk}/").status_code == 404
    assert api(people.enterprise_secretary).get(f"/api/teams/{team.pk}/").status_code == 404


# -- visits: create -------------------------------------------------------------------------------
def test_a_guide_logs_a_visit_with_a_personal_token_and_photos(people, world, guide_of_member):
    _row, raw = token_issue(user=guide_of_member.user, name="手机")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        "/api/visits/",
        {
            "enterprise": world.member.pk,
            "kind": "sanbao",
            "checklist": ["policy_briefing", "collect_needs"],
            "findings": "用工缺口约 30 人",
            "opinions": "希望组织专场招聘",
            "opinions_count": 2,
            "staff[0]name": "人社局王科员",
            "staff[0]department": world.department.pk,
            "photos": [png(), png("二.png")],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["visited_on"] == "2026-05-12" and body["kind_display"] == "三包三联"
    assert body["checklist_display"] == ["政策宣讲", "收集诉求"]
    assert body["confirmation"] == "pending" and body["can_edit"] is True and body["can_confirm"] is False
    assert [p["person_name"] for p in body["people"]] == [guide_of_member.name, "人社局王科员"]
    assert len(body["photos"]) == 2
    visit = Visit.objects.get()
    assert visit.guide == guide_of_member and visit.logged_by == guide_of_member.user


def test_a_visit_as_json(people, world, guide_of_member, api):
    response = api(guide_of_member.user).post(
        "/api/visits/", {"enterprise": world.member.pk, "visited_on": "2026-05-01", "checklist": []}, format="json"
    )
    assert response.status_code == 201 and response.json()["visited_on"] == "2026-05-01"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"visited_on": "2026-05-13"}, "visited_on", "走访日期不能晚于今天。"),
        ({"visited_on": "2025-12-31"}, "enterprise", "不在您的联系范围内"),
        ({"checklist": ["dancing"]}, "checklist", None),
        ({"kind": "dancing"}, "kind", None),
        ({"opinions_count": -1}, "opinions_count", None),
        ({"photos": [SimpleUploadedFile("x.png", b"<html><script>", content_type="image/png")]}, "photos", None),
    ],
)
def test_bad_visits_are_refused_with_a_message_and_nothing_saved(
    people, world, guide_of_member, api, fields, field, message
):
    response = api(guide_of_member.user).post(
        "/api/visits/", {"enterprise": world.member.pk, **fields}, format="multipart"
    )
    assert response.status_code == 400, response.content
    errors = response.json()[field]
    if message:
        assert any(message in text for text in errors)
    assert not Visit.objects.exists()


def test_visit_create_refused_to_non_guides_and_for_enterprises_out_of_sight(people, world, guide_of_member, api):
    refused = api(people.org_staff).post("/api/visits/", {"enterprise": world.member.pk}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "只有党建指导员可以登记走访。"
    assert api(people.enterprise_secretary).post("/api/visits/", {"enterprise": world.lead.pk}).status_code == 403
    # An enterprise the guide cannot see is "not found" (its name is not told).
    hidden = api(guide_of_member.user).post("/api/visits/", {"enterprise": world.outsider_enterprise.pk}, format="json")
    assert hidden.status_code == 400 and world.outsider_enterprise.name not in hidden.content.decode()
    # Visible (through the zone guide's zone) but not in 周's charge: the service's message.
    lead = api(guide_of_member.user).post("/api/visits/", {"enterprise": world.lead.pk}, format="json")
    assert lead.status_code == 400
    assert not Visit.objects.exists()


# -- visits: read ----------------------------------------------------------------------------------
@pytest.fixture
def visit(people, world, guide_of_member):
    return log_visit(guide_of_member, world.member, findings="发现问题", opinions="意见", opinions_count=1)


def test_visit_list_follows_who_sees_which_visit(people, world, guide_of_member, visit, api):
    lead_visit = log_visit(people.guide.guide_profile, world.lead, visited_on=dt.date(2026, 5, 2))

    def ids(user, **params):
        response = api(user).get("/api/visits/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(people.org_staff) == [visit.pk, lead_visit.pk]
    assert ids(people.other_enterprise_secretary) == [visit.pk]  # the member's secretary
    assert ids(people.enterprise_secretary) == [lead_visit.pk]
    assert ids(people.handler) == [visit.pk]  # visits by the guide its department sent
    assert ids(guide_of_member.user) == [visit.pk]
    assert ids(people.outsider) == []
    # Filters.
    assert ids(people.org_staff, enterprise=world.lead.pk) == [lead_visit.pk]
    assert ids(people.org_staff, guide=guide_of_member.pk) == [visit.pk]
    assert ids(people.org_staff, date_from="2026-05-03") == [visit.pk]
    assert ids(people.org_staff, date_to="2026-05-03") == [lead_visit.pk]
    assert ids(people.org_staff, confirmation="confirmed") == []
    bad = api(people.org_staff).get("/api/visits/", {"date_from": "2026-05-10", "date_to": "2026-05-01"})
    assert bad.status_code == 400 and bad.json()["date_to"] == ["结束日期不能早于开始日期。"]


def test_visit_detail_and_refusals(people, world, visit, api):
    url = f"/api/visits/{visit.pk}/"
    body = api(people.other_enterprise_secretary).get(url).json()
    assert body["findings"] == "发现问题" and body["can_confirm"] is True and body["can_edit"] is False
    for outsider in (people.outsider, people.enterprise_secretary):
        assert api(outsider).get(url).status_code == 404
    assert api(people.org_staff).get("/api/visits/999999/").status_code == 404


def test_visit_list_query_budget_does_not_grow(people, world, guide_of_member, api, django_assert_max_num_queries):
    client = api(people.org_staff)
    log_visit(guide_of_member, world.member, visited_on=dt.date(2026, 5, 1))
    with django_assert_max_num_queries(8) as few:
        assert len(client.get("/api/visits/").json()["results"]) == 1
    for day in range(2, 12):
        log_visit(guide_of_member, world.member, visited_on=dt.date(2026, 5, day), checklist=["other"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/visits/").json()["results"]) == 11
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/guides/").json()["results"]) == 2


# -- visits: the enterprise's answer ----------------------------------------------------------------
def test_the_member_secretary_confirms_and_no_one_else(people, world, guide_of_member, visit, api):
    url = f"/api/visits/{visit.pk}/confirm/"
    assert api(people.enterprise_secretary).post(url).status_code == 404  # another enterprise's visit
    assert api(people.outsider).post(url).status_code == 404
    assert api(guide_of_member.user).post(url).status_code == 403
    assert api(people.org_staff).post(url).status_code == 403
    response = api(people.other_enterprise_secretary).post(url)
    assert response.status_code == 200 and response.json()["confirmation_display"] == "企业已确认"
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.CONFIRMED
    assert visit.confirmed_by == people.other_enterprise_secretary
    again = api(people.other_enterprise_secretary).post(url)
    assert again.status_code == 403 and "企业已确认" in again.json()["detail"]


def test_a_dispute_needs_a_reason(people, guide_of_member, visit, api):
    url = f"/api/visits/{visit.pk}/dispute/"
    assert api(guide_of_member.user).post(url, {"reason": "x"}).status_code == 403
    blank = api(people.other_enterprise_secretary).post(url, {"reason": "  "}, format="json")
    assert blank.status_code == 400 and blank.json()["reason"] == ["请说明对走访记录的异议理由。"]
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.PENDING
    response = api(people.other_enterprise_secretary).post(url, {"reason": "当天无人来访"}, format="json")
    assert response.status_code == 200 and response.json()["dispute_reason"] == "当天无人来访"


# -- visits: photos and needs -----------------------------------------------------------------------
def test_photos_added_by_the_guide_who_went(people, guide_of_member, visit, api):
    url = f"/api/visits/{visit.pk}/photos/"
    response = api(guide_of_member.user).post(url, {"photos": [png()]}, format="multipart")
    assert response.status_code == 201 and [p["name"] for p in response.json()] == ["现场.png"]
    assert api(people.other_enterprise_secretary).post(url, {"photos": [png()]}, format="multipart").status_code == 403
    assert api(people.outsider).post(url, {"photos": [png()]}, format="multipart").status_code == 404
    empty = api(guide_of_member.user).post(url, {}, format="multipart")
    assert empty.status_code == 400 and empty.json()["photos"] == ["请选择要上传的照片。"]
    assert visit.photos.count() == 1


def test_a_need_raised_from_the_visit(people, world, guide_of_member, visit, api):
    url = f"/api/visits/{visit.pk}/needs/"
    fields = {"category": "labor", "title": "招聘纺织挡车工 30 名", "description": "订单增加", "people": 30}
    fields |= {"contact_name": "赵书记", "contact_phone": "13800000000"}
    response = api(guide_of_member.user).post(url, fields, format="json")
    assert response.status_code == 201, response.content
    need = Need.objects.get()
    assert response.json() == {
        "id": need.pk,
        "number": need.number,
        "title": "招聘纺织挡车工 30 名",
        "state": need.state,
        "state_display": need.state_label,
        "visit": visit.pk,
    }
    assert need.source == Need.Source.VISIT and need.enterprise == world.member
    assert VisitNeed.objects.get().visit == visit
    detail = api(people.org_staff).get(f"/api/visits/{visit.pk}/").json()
    assert [n["number"] for n in detail["needs"]] == [need.number]


def test_needs_from_a_visit_refused_to_others_and_bad_input(people, guide_of_member, visit, api):
    url = f"/api/visits/{visit.pk}/needs/"
    fields = {"category": "labor", "title": "招聘", "description": ""}
    refused = api(people.org_staff).post(url, fields, format="json")
    assert refused.status_code == 403
    assert api(people.other_enterprise_secretary).post(url, fields, format="json").status_code == 403
    assert api(people.outsider).post(url, fields, format="json").status_code == 404
    bad = api(guide_of_member.user).post(url, {"category": "labor"}, format="json")
    assert bad.status_code == 400 and "title" in bad.json()
    assert not Need.objects.exists()


def test_a_companion_of_another_region_cannot_be_named(people, world, guide_of_member, api):
    stranger = services.guide_create(
        actor=None, user=factories.UserFactory(), department=world.other_department, term_start=dt.date(2025, 1, 1)
    )
    response = api(guide_of_member.user).post(
        "/api/visits/", {"enterprise": world.member.pk, "companions": [stranger.pk]}, format="json"
    )
    assert response.status_code == 400 and "companions" in response.json()
    assert not Visit.objects.exists()


def _refusals(client, url, body, field, values):
    answers = [client.post(url, {**body, field: value}, format="json") for value in values]
    assert [answer.status_code for answer in answers] == [400] * len(values), [a.content for a in answers]
    return [answer.json() for answer in answers]


def test_ids_out_of_reach_are_refused_as_ids_that_do_not_exist(people, world, guide_of_member, visit, api):
    """No existence oracle: a companion guide, a companion's department and a need's alliance of
    another county get the answer an id that does not exist gets, and nothing is saved."""
    stranger = services.guide_create(
        actor=None, user=factories.UserFactory(), department=world.other_department, term_start=dt.date(2025, 1, 1)
    )
    elsewhere = alliance_services.alliance_create(
        name="兖州区农机装备产业链党委",
        chain="农机装备",
        region=world.other_county,
        founded_on=dt.date(2023, 9, 1),
        lead_enterprise=world.outsider_enterprise,
    )
    client = api(guide_of_member.user)
    visits_before = Visit.objects.count()
    outside, missing = _refusals(
        client, "/api/visits/", {"enterprise": world.member.pk}, "companions", [[stranger.pk], [stranger.pk + 1000]]
    )
    assert outside["companions"] == [
        m.replace(str(stranger.pk + 1000), str(stranger.pk)) for m in missing["companions"]
    ]
    outside, missing = _refusals(
        client,
        "/api/visits/",
        {"enterprise": world.member.pk},
        "staff",
        [[{"name": "王科长", "department": world.other_department.pk}], [{"name": "王科长", "department": 99999}]],
    )
    assert str(outside["staff"]).replace(str(world.other_department.pk), "X") == str(missing["staff"]).replace(
        "99999", "X"
    )
    assert Visit.objects.count() == visits_before
    body = {"category": "labor", "title": "招聘", "description": "挡车工", "contact_phone": "13800000000"}
    outside, missing = _refusals(client, f"/api/visits/{visit.pk}/needs/", body, "alliance", [elsewhere.pk, 99999])
    assert outside["alliance"][0].replace(str(elsewhere.pk), "X") == missing["alliance"][0].replace("99999", "X")
    assert not Need.objects.exists()
    # Within reach it still works: the member's own alliance.
    made = client.post(f"/api/visits/{visit.pk}/needs/", {**body, "alliance": world.alliance.pk}, format="json")
    assert made.status_code == 201, made.content


@pytest.mark.parametrize("who", ["guide", "city_staff", "superuser"])
def test_companions_and_their_departments_within_reach_are_taken(people, world, guide_of_member, api, who):
    """The other side of the scopes: a guide names a companion and a department of their county;
    city staff and a platform administrator log for a county guide with the same."""
    companion = services.guide_create(
        actor=None, user=factories.UserFactory(), department=world.department, term_start=dt.date(2025, 1, 1)
    )
    if who == "guide":
        caller, body = guide_of_member.user, {}
    elif who == "city_staff":
        caller = factories.UserFactory(username="city_staff")
        alliance_services.region_grant(region=world.city, user=caller, manage=True, system=True)
        body = {"guide": guide_of_member.pk}
    else:
        caller = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
        body = {"guide": guide_of_member.pk}
    response = api(caller).post(
        "/api/visits/",
        {
            **body,
            "enterprise": world.member.pk,
            "companions": [companion.pk],
            "staff": [{"name": "王科长", "department": world.department.pk}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    visit = Visit.objects.get()
    assert sorted(visit.people.values_list("person_name", flat=True)) == sorted(
        [guide_of_member.name, companion.name, "王科长"]
    )


# -- schema ---------------------------------------------------------------------------------------
def test_the_schema_documents_the_guides_api_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/guides/",
        "/api/guides/{id}/",
        "/api/teams/{id}/",
        "/api/visits/",
        "/api/visits/{id}/confirm/",
        "/api/visits/{id}/dispute/",
        "/api/visits/{id}/needs/",
        "/api/visits/{id}/photos/",
    ):
        assert path in schema
    assert "bearer" in schema
