"""The meetings API: every endpoint for the persona who may and one who may not (404 when they may
not see, 403 when they may see but not act), bad input answered 400/409 with the service's
Chinese message and nothing saved, list query budgets that do not grow with the rows, and a schema
that still generates without warnings."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from alliances import services as org_services
from alliances.meetings import services
from alliances.models import Decision, Invitation, Meeting, MeetingKind
from tests import factories

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


BEFORE = local(2026, 9, 20, 10, 0)
STARTS = local(2026, 9, 30, 9, 0)
AFTER = local(2026, 9, 30, 12, 0)


@pytest.fixture
def clock():
    with time_machine.travel(BEFORE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def schedule(world, personas, **overrides):
    fields = {
        "actor": personas.secretary,
        "alliance": world.alliance,
        "kind": MeetingKind.COMMITTEE,
        "title": "9月党委会议",
        "starts_at": STARTS,
        "ends_at": STARTS + dt.timedelta(hours=2),
        "place_address": "汶上县党群服务中心",
        "agenda": ["产能对接", "技能人才招聘"],
        **overrides,
    }
    return services.meeting_schedule(**fields)


@pytest.fixture
def meeting(world, personas, clock):
    return schedule(world, personas)


def url(meeting, action=""):
    return f"/api/meetings/{meeting.pk}/" + (f"{action}/" if action else "")


def invitation_of(meeting, user):
    return meeting.invitations.get(user=user)


# -- list -----------------------------------------------------------------------------------------
def test_list_shows_the_meetings_the_caller_may_see(meeting, personas, api):
    body = api(personas.enterprise_secretary).get("/api/meetings/").json()
    assert [row["id"] for row in body["results"]] == [meeting.pk]
    row = body["results"][0]
    assert row["kind_display"] == "党委会议" and row["state"] == "scheduled"
    assert row["expected_count"] == meeting.invitations.count() and row["attended_count"] == 0
    assert api(personas.outsider).get("/api/meetings/").json()["count"] == 0


def test_list_filters_by_month_kind_state_and_alliance(world, personas, meeting, api):
    schedule(
        world,
        personas,
        title="10月红色沙龙",
        kind=MeetingKind.SALON,
        starts_at=local(2026, 10, 12, 14, 0),
        ends_at=local(2026, 10, 12, 16, 0),
    )
    client = api(personas.secretary)

    def titles(query):
        response = client.get("/api/meetings/", query)
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles({"month": "2026-09"}) == ["9月党委会议"]
    assert titles({"month": "2026-10"}) == ["10月红色沙龙"]
    assert titles({"kind": "salon"}) == ["10月红色沙龙"]
    assert titles({"state": "cancelled"}) == []
    assert titles({"alliance": world.alliance.pk}) == ["10月红色沙龙", "9月党委会议"]
    assert titles({"alliance": 999999}) == []
    assert titles({"kind": ""}) == ["10月红色沙龙", "9月党委会议"], "an empty parameter is no filter"


def test_list_refuses_a_bad_month_in_chinese(meeting, personas, api):
    response = api(personas.secretary).get("/api/meetings/", {"month": "2026-13"})
    assert response.status_code == 400
    assert "月份格式应为 YYYY-MM" in response.json()["month"][0]


def test_list_query_budget_does_not_grow(world, personas, clock, api, django_assert_max_num_queries):
    client = api(personas.org_staff)
    for n in range(2):
        schedule(
            world,
            personas,
            title=f"会议{n}",
            starts_at=STARTS + dt.timedelta(days=n),
            ends_at=STARTS + dt.timedelta(days=n, hours=2),
        )
    with django_assert_max_num_queries(6) as few:
        assert client.get("/api/meetings/").json()["count"] == 2
    for n in range(2, 14):
        schedule(
            world,
            personas,
            title=f"会议{n}",
            starts_at=STARTS + dt.timedelta(days=n),
            ends_at=STARTS + dt.timedelta(days=n, hours=2),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/meetings/").json()
    assert body["count"] == 14 and len(body["results"]) == 14


# -- retrieve -------------------------------------------------------------------------------------
def test_retrieve_shows_agenda_invitees_answers_and_figures(meeting, personas, api):
    body = api(personas.enterprise_secretary).get(url(meeting)).json()
    assert [item["title"] for item in body["agenda_items"]] == ["产能对接", "技能人才招聘"]
    mine = invitation_of(meeting, personas.enterprise_secretary)
    assert body["my_invitation"] == mine.pk and body["can_manage"] is False
    names = {i["person_name"]: i for i in body["invitations"]}
    assert names[mine.person_name]["answer"] == "pending" and names[mine.person_name]["answer_display"] == "待答复"
    assert body["attendance"] == {"expected": meeting.invitations.count(), "attended": 0, "on_leave": 0, "absent": 0}
    assert api(personas.secretary).get(url(meeting)).json()["can_manage"] is True


def test_retrieve_is_404_for_who_may_not_see_and_for_a_bad_id(meeting, personas, api):
    assert api(personas.outsider).get(url(meeting)).status_code == 404
    assert api(personas.secretary).get("/api/meetings/abc/").status_code == 404
    assert api(personas.secretary).get("/api/meetings/999999/").status_code == 404


def test_retrieve_query_count_does_not_grow_with_invitees_and_decisions(
    world, personas, meeting, api, clock, django_assert_max_num_queries
):
    client = api(personas.secretary)
    clock.move_to(AFTER)

    def add(n):
        factories.InvitationFactory(meeting=meeting, person_name=f"特邀{n}")
        services.decision_add(
            actor=personas.secretary, meeting=meeting, text=f"事项{n}", due_workdays=5, department=world.department
        )

    add(0)
    with django_assert_max_num_queries(20) as few:
        client.get(url(meeting))
    for n in range(1, 6):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url(meeting)).json()
    assert len(body["decisions"]) == 6


# -- create ---------------------------------------------------------------------------------------
def _new(world, **overrides):
    return {
        "alliance": world.alliance.pk,
        "kind": "committee",
        "title": "10月党委会议",
        "starts_at": "2026-10-09T09:00:00+08:00",
        "ends_at": "2026-10-09T11:00:00+08:00",
        "place_address": "汶上县党群服务中心",
        "agenda": ["订单对接"],
        "invited_departments": [world.department.pk],
        **overrides,
    }


def test_create_schedules_with_default_invitees(world, personas, clock, api):
    response = api(personas.secretary).post("/api/meetings/", _new(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    meeting = Meeting.objects.get(pk=body["id"])
    assert meeting.title == "10月党委会议" and [i["title"] for i in body["agenda_items"]] == ["订单对接"]
    assert meeting.invitations.filter(user=personas.enterprise_secretary).exists()
    assert meeting.invitations.filter(user=personas.handler, source=Invitation.Source.DEPARTMENT).exists()


def test_create_is_403_for_a_viewer_and_404_for_who_cannot_see_the_alliance(world, personas, clock, api):
    assert api(personas.enterprise_secretary).post("/api/meetings/", _new(world), format="json").status_code == 403
    assert api(personas.outsider).post("/api/meetings/", _new(world), format="json").status_code == 404
    assert not Meeting.objects.exists()


def test_ids_in_digits_of_another_script_are_refused_with_a_message(world, personas, clock, api):
    """int() reads '٣' as 3: the alliance and a scoped related id in such digits are a 400, not a
    lookup of another object."""
    client = api(personas.secretary)
    arabic = str(world.alliance.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post("/api/meetings/", _new(world, alliance=arabic), format="json")
    assert response.status_code == 400 and response.json()["alliance"] == ["请输入数字编号。"]
    department = str(world.department.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    response = client.post("/api/meetings/", _new(world, invited_departments=[department]), format="json")
    assert response.status_code == 400 and "invited_departments" in response.json()
    response = client.post(
        "/api/meetings/", _new(world, invited_departments=[world.department.pk + 0.7]), format="json"
    )
    assert response.status_code == 400 and "invited_departments" in response.json()  # 3.7 is not pk 3
    assert not Meeting.objects.exists()


def test_create_answers_the_services_message(world, personas, clock, api):
    response = api(personas.secretary).post(
        "/api/meetings/", _new(world, ends_at="2026-10-09T08:00:00+08:00"), format="json"
    )
    assert response.status_code == 400
    assert response.json()["ends_at"] == ["结束时间必须晚于开始时间。"]
    response = api(personas.secretary).post("/api/meetings/", _new(world, place_address=""), format="json")
    assert response.status_code == 400 and response.json()["place_address"] == ["请填写会议地点或选择片区。"]
    assert not Meeting.objects.exists()


@pytest.fixture
def far_handler(world):
    """A handler of another county's department."""
    handler = factories.UserFactory(username="far_handler", real_name="兖州区自然资源局孙科长")
    org_services.department_add_handler(department=world.other_department, user=handler, system=True)
    return handler


@pytest.mark.parametrize("field", ["chair", "recorder", "chosen_users"])
def test_create_refuses_people_the_alliance_may_not_involve(world, personas, clock, api, far_handler, field):
    for stranger in (personas.outsider, far_handler):
        value = [stranger.pk] if field == "chosen_users" else stranger.pk
        response = api(personas.secretary).post("/api/meetings/", _new(world, **{field: value}), format="json")
        assert response.status_code == 400, response.content
        assert list(response.json()) == [field]
        assert stranger.display_name not in response.content.decode()
    assert not Meeting.objects.exists() and not Invitation.objects.exists()


# -- move and cancel ------------------------------------------------------------------------------
def test_move_and_its_refusals(meeting, personas, api):
    new = {"starts_at": "2026-10-09T09:00:00+08:00", "ends_at": "2026-10-09T11:00:00+08:00", "version": 1}
    assert api(personas.enterprise_secretary).post(url(meeting, "move"), new, format="json").status_code == 403
    assert api(personas.outsider).post(url(meeting, "move"), new, format="json").status_code == 404
    response = api(personas.secretary).post(url(meeting, "move"), new, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["moved_from"] is not None
    stale = api(personas.org_staff).post(
        url(meeting, "move"), {**new, "starts_at": "2026-10-09T10:00:00+08:00"}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["detail"] == "会议时间已被他人调整，请刷新后再操作。"
    assert Meeting.objects.get(pk=meeting.pk).version == 2


def test_cancel_needs_a_reason_and_only_once(meeting, personas, api):
    client = api(personas.secretary)
    response = client.post(url(meeting, "cancel"), {"reason": " "}, format="json")
    assert response.status_code == 400 and response.json()["reason"] == ["请填写取消原因。"]
    assert api(personas.enterprise_secretary).post(url(meeting, "cancel"), {"reason": "x"}).status_code == 403
    assert api(personas.outsider).post(url(meeting, "cancel"), {"reason": "x"}).status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    response = client.post(url(meeting, "cancel"), {"reason": "与县委全会时间冲突"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    again = client.post(url(meeting, "cancel"), {"reason": "再取消"}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == "会议当前为“已取消”，不能取消。"


# -- attendance and minutes -----------------------------------------------------------------------
def test_attendance_after_start_with_figures(meeting, personas, api, clock):
    mine = invitation_of(meeting, personas.enterprise_secretary)
    other = invitation_of(meeting, personas.other_enterprise_secretary)
    body = {
        "attendance": [
            {"invitation": mine.pk, "attendance": "present"},
            {"invitation": other.pk, "attendance": "leave"},
        ]
    }
    early = api(personas.secretary).post(url(meeting, "attendance"), body, format="json")
    assert early.status_code == 409 and early.json()["detail"] == "会议尚未开始，不能登记出席情况。"
    clock.move_to(AFTER)
    assert api(personas.enterprise_secretary).post(url(meeting, "attendance"), body, format="json").status_code == 403
    assert api(personas.outsider).post(url(meeting, "attendance"), body, format="json").status_code == 404
    response = api(personas.secretary).post(url(meeting, "attendance"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "held"
    assert data["attendance"]["attended"] == 1 and data["attendance"]["on_leave"] == 1
    assert data["attended_count"] == 1 and data["expected_count"] == meeting.invitations.count()


def test_attendance_for_someone_not_invited_saves_nothing(world, personas, meeting, api, clock):
    stranger = factories.InvitationFactory(meeting=schedule(world, personas, title="另一会议"))
    mine = invitation_of(meeting, personas.enterprise_secretary)
    clock.move_to(AFTER)
    body = {
        "attendance": [
            {"invitation": mine.pk, "attendance": "present"},
            {"invitation": stranger.pk, "attendance": "present"},
        ]
    }
    response = api(personas.secretary).post(url(meeting, "attendance"), body, format="json")
    assert response.status_code == 400
    assert response.json()["attendance"] == ["所登记的人员不在本次会议的邀请名单中。"]
    bad_value = api(personas.secretary).post(
        url(meeting, "attendance"), {"attendance": [{"invitation": mine.pk, "attendance": "asleep"}]}, format="json"
    )
    assert bad_value.status_code == 400 and "出席情况只能是" in bad_value.json()["attendance"][0]
    mine.refresh_from_db()
    assert mine.attendance == Invitation.Attendance.UNRECORDED
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED


def test_minutes_with_decisions_and_their_refusals(world, personas, meeting, api, clock):
    item = meeting.agenda_items.get(position=1)
    body = {
        "summary": "会议研究了产能对接。",
        "minutes": [{"agenda_item": item.pk, "minutes": "鸿瑞轩与新花源对接订单"}],
        "decisions": [{"text": "人社局组织专场招聘会", "due_workdays": 10, "department": world.department.pk}],
    }
    clock.move_to(AFTER)
    no_owner = {**body, "decisions": [{"text": "无责任方的事项", "due_workdays": 10}]}
    response = api(personas.secretary).post(url(meeting, "minutes"), no_owner, format="json")
    assert response.status_code == 400
    assert response.json()["owner"] == ["议定事项须有且只有一个责任方：部门、企业或个人。"]
    assert not Decision.objects.exists() and Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    assert api(personas.enterprise_secretary).post(url(meeting, "minutes"), body, format="json").status_code == 403
    assert api(personas.outsider).post(url(meeting, "minutes"), body, format="json").status_code == 404
    response = api(personas.secretary).post(url(meeting, "minutes"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "minutes_filed" and data["summary"] == "会议研究了产能对接。"
    assert data["agenda_items"][0]["minutes"] == "鸿瑞轩与新花源对接订单"
    [decision] = data["decisions"]
    assert decision["owner_label"] == world.department.name and decision["owner_kind"] == "department"
    assert decision["linked"] == []


def test_minutes_on_a_cancelled_meeting_is_409(meeting, personas, api, clock):
    services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="改期")
    clock.move_to(AFTER)
    response = api(personas.secretary).post(url(meeting, "minutes"), {"summary": "x"}, format="json")
    assert response.status_code == 409 and response.json()["detail"] == "会议已取消，不能归档纪要。"


def test_add_one_decision(world, personas, meeting, api, clock):
    clock.move_to(AFTER)
    body = {"text": "新花源牵头对接订单", "due_workdays": 5, "enterprise": world.member.pk}
    assert api(personas.enterprise_secretary).post(url(meeting, "decisions"), body, format="json").status_code == 403
    response = api(personas.secretary).post(url(meeting, "decisions"), body, format="json")
    assert response.status_code == 201 and response.json()["decisions"][0]["owner_kind"] == "enterprise"
    bad = api(personas.secretary).post(url(meeting, "decisions"), {**body, "due_workdays": 0}, format="json")
    assert bad.status_code == 400 and bad.json()["due_workdays"] == ["办理时限至少为 1 个工作日。"]


@pytest.mark.parametrize("owner", ["department", "enterprise", "user", "far_user"])
def test_a_decision_owner_outside_the_alliances_reach_is_400(world, personas, meeting, api, clock, far_handler, owner):
    """Answered as an id that does not exist (no existence oracle: test_schedules_api_lookups.py);
    the service's own check (services.records._check_owner) stays behind it."""
    clock.move_to(AFTER)
    ids = {
        "department": ("department", world.other_department.pk),
        "enterprise": ("enterprise", world.outsider_enterprise.pk),
        "user": ("user", personas.outsider.pk),
        "far_user": ("user", far_handler.pk),
    }
    field, pk = ids[owner]
    decision = {"text": "督办事项", "due_workdays": 5, field: pk}
    client = api(personas.secretary)
    response = client.post(url(meeting, "decisions"), decision, format="json")
    assert response.status_code == 400 and list(response.json()) == [field]
    assert "不存在" in response.json()[field][0]
    minutes = {"summary": "研究了用地问题。", "decisions": [decision]}
    response = client.post(url(meeting, "minutes"), minutes, format="json")
    assert response.status_code == 400 and "不存在" in str(response.json()["decisions"]), response.json()
    assert not Decision.objects.exists() and Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED


def test_who_answers_for_a_decision_may_view_its_meeting_but_not_manage_it(
    world, personas, meeting, api, clock, far_handler
):
    city = factories.DepartmentFactory(name="济宁市工业和信息化局", region=world.city)
    city_handler, colleague = factories.UserFactory(username="city_h1"), factories.UserFactory(username="city_h2")
    org_services.department_add_handler(department=city, user=city_handler, system=True)
    other_city = factories.DepartmentFactory(name="济宁市商务局", region=world.city)
    org_services.department_add_handler(department=other_city, user=colleague, system=True)
    clock.move_to(AFTER)
    for user in (city_handler, colleague, far_handler):
        assert api(user).get(url(meeting)).status_code == 404
    by_department = services.decision_add(
        actor=personas.secretary, meeting=meeting, text="市工信局协调订单", due_workdays=5, department=city
    )
    assert api(city_handler).get(url(meeting)).status_code == 200
    assert api(city_handler).get(f"/api/decisions/{by_department.pk}/").status_code == 200
    for user in (colleague, far_handler):  # handlers of other departments still see nothing
        assert api(user).get(url(meeting)).status_code == 404
    services.decision_add(actor=personas.secretary, meeting=meeting, text="商务局对接", due_workdays=5, user=colleague)
    assert api(colleague).get(url(meeting)).status_code == 200
    assert api(far_handler).get(url(meeting)).status_code == 404
    # Viewing is all: an owner does not manage the meeting or its decisions.
    body = {"text": "再加一项", "due_workdays": 3, "department": city.pk}
    assert api(city_handler).post(url(meeting, "decisions"), body, format="json").status_code == 403
    status_url = f"/api/decisions/{by_department.pk}/status/"
    assert api(city_handler).post(status_url, {"status": "done"}).status_code == 403
    assert meeting.decisions.count() == 2


# -- invitations ----------------------------------------------------------------------------------
def test_the_invitee_answers_and_others_may_not(meeting, personas, api):
    mine = invitation_of(meeting, personas.enterprise_secretary)
    answer = f"/api/invitations/{mine.pk}/answer/"
    assert api(personas.secretary).post(answer, {"answer": "attend"}).status_code == 403
    assert api(personas.outsider).post(answer, {"answer": "attend"}).status_code == 404
    leave = api(personas.enterprise_secretary).post(answer, {"answer": "leave"}, format="json")
    assert leave.status_code == 400 and leave.json()["leave_reason"] == ["请假须填写原因。"]
    response = api(personas.enterprise_secretary).post(
        answer, {"answer": "substitute", "substitute_name": "张副书记"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["answer"] == "substitute" and response.json()["meeting"]["id"] == meeting.pk
    mine.refresh_from_db()
    assert mine.substitute_name == "张副书记"


def test_answering_a_cancelled_meeting_is_409(meeting, personas, api):
    services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="改期")
    mine = invitation_of(meeting, personas.enterprise_secretary)
    response = api(personas.enterprise_secretary).post(f"/api/invitations/{mine.pk}/answer/", {"answer": "attend"})
    assert response.status_code == 409 and response.json()["detail"] == "会议已取消，无需答复。"


def test_my_invitations(world, personas, meeting, api, django_assert_max_num_queries):
    client = api(personas.enterprise_secretary)
    with django_assert_max_num_queries(4) as few:
        body = client.get("/api/invitations/").json()
    assert [row["meeting"]["id"] for row in body["results"]] == [meeting.pk]
    for n in range(6):
        schedule(world, personas, title=f"会议{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/invitations/", {"upcoming": "true"}).json()["count"] == 7
    assert api(personas.outsider).get("/api/invitations/").json()["count"] == 0
    mine = invitation_of(meeting, personas.enterprise_secretary)
    assert api(personas.outsider).get(f"/api/invitations/{mine.pk}/").status_code == 404
    assert api(personas.secretary).get(f"/api/invitations/{mine.pk}/").status_code == 200


# -- decisions ------------------------------------------------------------------------------------
@pytest.fixture
def decision(world, personas, meeting, clock):
    clock.move_to(AFTER)
    return services.decision_add(
        actor=personas.secretary,
        meeting=meeting,
        text="人社局组织专场招聘会",
        due_workdays=10,
        department=world.department,
    )


def test_decisions_list_scoped_filtered_and_within_budget(
    world, personas, decision, api, django_assert_max_num_queries
):
    client = api(personas.enterprise_secretary)
    with django_assert_max_num_queries(6) as few:
        body = client.get("/api/decisions/").json()
    assert [row["id"] for row in body["results"]] == [decision.pk]
    assert body["results"][0]["meeting"]["id"] == decision.meeting_id and body["results"][0]["status"] == "open"
    for n in range(6):
        services.decision_add(
            actor=personas.secretary, meeting=decision.meeting, text=f"事项{n}", due_workdays=3, enterprise=world.member
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/decisions/").json()["count"] == 7
    assert client.get("/api/decisions/", {"status": "done"}).json()["count"] == 0
    assert client.get("/api/decisions/", {"meeting": decision.meeting_id, "overdue": "false"}).json()["count"] == 7
    assert api(personas.outsider).get("/api/decisions/").json()["count"] == 0
    assert api(personas.outsider).get(f"/api/decisions/{decision.pk}/").status_code == 404


def test_decision_status(personas, decision, api):
    status_url = f"/api/decisions/{decision.pk}/status/"
    assert api(personas.enterprise_secretary).post(status_url, {"status": "done"}).status_code == 403
    assert api(personas.outsider).post(status_url, {"status": "done"}).status_code == 404
    bad = api(personas.secretary).post(status_url, {"status": "finished"})
    assert bad.status_code == 400 and bad.json()["status"] == ["状态只能是办理中、已完成或已撤销。"]
    response = api(personas.secretary).post(status_url, {"status": "done"})
    assert response.status_code == 200 and response.json()["status_display"] == "已完成"
    again = api(personas.secretary).post(status_url, {"status": "done"})
    assert again.status_code == 409 and again.json()["detail"] == "该议定事项已是“已完成”。"


# -- schema ---------------------------------------------------------------------------------------
def test_the_schema_documents_the_meetings_api_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/meetings/{id}/move/",
        "/api/meetings/{id}/cancel/",
        "/api/meetings/{id}/attendance/",
        "/api/meetings/{id}/minutes/",
        "/api/invitations/{id}/answer/",
        "/api/decisions/",
        "/api/decisions/{id}/status/",
    ):
        assert path in schema
