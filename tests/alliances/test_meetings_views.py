"""The meeting pages: who may open and act on each (manager, org staff, invitee; member 403 on manage
actions, outsider 404, anonymous to the login page), bad input showing the service's message with
nothing saved, and list query budgets that do not grow with rows."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.meetings import services
from alliances.models import Decision, Invitation, Meeting, MeetingAttachment
from tests import factories

pytestmark = pytest.mark.django_db

SOON = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=10), dt.time(9, 0)))
#: Long enough ago that the minutes are missing whatever the holidays (3 working days have passed).
LONG_AGO = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=20), dt.time(9, 0)))


def schedule(world, personas, *, starts_at=SOON, title="月度党委会议", agenda=("通报上月诉求办理情况",)):
    return services.meeting_schedule(
        actor=personas.secretary,
        alliance=world.alliance,
        kind="committee",
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place_zone=world.zone,
        chair=personas.secretary,
        recorder=personas.org_staff,
        agenda=agenda,
    )


@pytest.fixture
def meeting(world, personas):
    return schedule(world, personas)


@pytest.fixture
def past_meeting(world, personas):
    return schedule(world, personas, starts_at=LONG_AGO, title="上月党委会议")


def url(name, *args):
    return reverse(f"alliances:{name}", args=args)


def png_file(name="photo.png"):
    buffer = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    buffer.name = name
    return buffer


# -- who may open what ------------------------------------------------------------------------------
def test_anonymous_goes_to_login(client, meeting, world):
    for target in (
        url("alliance_meetings", world.alliance.pk),
        url("meeting_detail", meeting.pk),
        url("my_meetings"),
        url("meeting_region_list"),
        url("meeting_create", world.alliance.pk),
    ):
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), target


def test_outsider_gets_404_everywhere(client_for, meeting, world, personas):
    client = client_for(personas.outsider)
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    for target in (
        url("alliance_meetings", world.alliance.pk),
        url("meeting_create", world.alliance.pk),
        url("meeting_detail", meeting.pk),
        url("meeting_move", meeting.pk),
        url("meeting_cancel", meeting.pk),
        url("meeting_attendance", meeting.pk),
        url("meeting_minutes", meeting.pk),
        url("invitation_answer", invitation.pk),
    ):
        assert client.get(target).status_code == 404, target


def test_member_may_view_but_gets_403_on_manage_actions(client_for, meeting, world, personas):
    client = client_for(personas.other_enterprise_secretary)
    page = client.get(url("meeting_detail", meeting.pk))
    assert page.status_code == 200
    assert "月度党委会议" in page.content.decode()
    assert url("meeting_move", meeting.pk) not in page.content.decode()
    calendar = client.get(url("alliance_meetings", world.alliance.pk))
    assert calendar.status_code == 200 and "安排会议" not in calendar.content.decode()
    for target in (
        url("meeting_create", world.alliance.pk),
        url("meeting_move", meeting.pk),
        url("meeting_cancel", meeting.pk),
        url("meeting_attendance", meeting.pk),
        url("meeting_minutes", meeting.pk),
        url("meeting_attach", meeting.pk),
    ):
        assert client.get(target).status_code == 403, target
    response = client.post(url("meeting_cancel", meeting.pk), {"reason": "不开了"})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    decision = factories.DecisionFactory(meeting=meeting)
    assert client.post(url("decision_status", decision.pk), {"status": "done"}).status_code == 403


def test_an_invitee_cannot_answer_someone_elses_invitation(client_for, meeting, personas):
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    client = client_for(personas.other_enterprise_secretary)
    response = client.post(url("invitation_answer", invitation.pk), {f"inv{invitation.pk}-answer": "attend"})
    assert response.status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).answer == Invitation.Answer.PENDING


def test_region_lists_are_for_org_staff_and_leaders(client_for, meeting, personas):
    for persona in (personas.enterprise_secretary, personas.secretary, personas.handler):
        client = client_for(persona)
        for name in ("meeting_region_list", "meeting_minutes_missing", "meeting_decisions_overdue"):
            assert client.get(url(name)).status_code == 403, (persona, name)
    for persona in (personas.org_staff, personas.leader):
        client = client_for(persona)
        assert client.get(url("meeting_region_list")).status_code == 200


# -- the calendar ---------------------------------------------------------------------------------
def test_calendar_shows_the_month_asked_with_the_schedule_button_for_managers(client_for, meeting, world, personas):
    client = client_for(personas.secretary)
    month = timezone.localtime(meeting.starts_at).strftime("%Y-%m")
    page = client.get(url("alliance_meetings", world.alliance.pk), {"month": month}).content.decode()
    assert "安排会议" in page and meeting.get_absolute_url() in page
    later = timezone.localtime(meeting.starts_at) + dt.timedelta(days=62)
    page = client.get(url("alliance_meetings", world.alliance.pk), {"month": later.strftime("%Y-%m")}).content.decode()
    assert meeting.get_absolute_url() not in page and "本月没有会议" in page
    # A month that is not one falls back to this month rather than failing.
    assert client.get(url("alliance_meetings", world.alliance.pk), {"month": "2026-13"}).status_code == 200
    detail = client.get(world.alliance.get_absolute_url()).content.decode()
    assert url("alliance_meetings", world.alliance.pk) in detail


# -- scheduling -----------------------------------------------------------------------------------
def _schedule_post(world, personas, **overrides):
    data = {
        "kind": "committee",
        "title": "12月党委会议",
        "starts_at": SOON.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (SOON + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place_zone": world.zone.pk,
        "chair": personas.secretary.pk,
        "invited_departments": [world.department.pk],
        "agenda": "通报诉求办理情况\n研究用工难题",
    }
    data.update(overrides)
    return data


def test_manager_schedules_a_meeting(client_for, world, personas):
    client = client_for(personas.org_staff)
    assert client.get(url("meeting_create", world.alliance.pk)).status_code == 200
    response = client.post(url("meeting_create", world.alliance.pk), _schedule_post(world, personas))
    meeting = Meeting.objects.get(title="12月党委会议")
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert [i.title for i in meeting.agenda_items.all()] == ["通报诉求办理情况", "研究用工难题"]
    assert meeting.invitations.filter(user=personas.handler).exists()
    assert meeting.chair_name == personas.secretary.display_name


def test_a_meeting_ending_before_it_starts_shows_the_message_and_saves_nothing(client_for, world, personas):
    client = client_for(personas.secretary)
    data = _schedule_post(world, personas, ends_at=(SOON - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(url("meeting_create", world.alliance.pk), data)
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间。" in response.content.decode()
    assert not Meeting.objects.exists()


# -- the meeting page and its actions ---------------------------------------------------------------
def test_meeting_page_for_the_manager_and_for_an_invitee(client_for, meeting, personas):
    page = client_for(personas.secretary).get(url("meeting_detail", meeting.pk)).content.decode()
    for text in ("月度党委会议", "通报上月诉求办理情况", "调整时间", "取消会议", "会议记录", "主持人（签字）"):
        assert text in page, text
    page = client_for(personas.enterprise_secretary).get(url("meeting_detail", meeting.pk)).content.decode()
    assert "我的答复" in page and "提交答复" in page and "调整时间" not in page


def test_move_and_cancel(client_for, meeting, personas):
    client = client_for(personas.secretary)
    later = SOON + dt.timedelta(days=1)
    response = client.post(
        url("meeting_move", meeting.pk),
        {
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (later + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "version": meeting.version,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == later and meeting.moved_from == SOON
    assert "已调整时间" in client.get(url("meeting_detail", meeting.pk)).content.decode()

    response = client.post(url("meeting_cancel", meeting.pk), {"reason": "  "})
    assert response.status_code == 400
    assert Meeting.objects.get(pk=meeting.pk).state == Meeting.State.SCHEDULED
    client.post(url("meeting_cancel", meeting.pk), {"reason": "与县委全会冲突"})
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED
    assert "与县委全会冲突" in client.get(url("meeting_detail", meeting.pk)).content.decode()


def test_attendance_for_someone_not_invited_shows_the_message_and_saves_nothing(
    client_for, past_meeting, meeting, personas
):
    client = client_for(personas.secretary)
    ours = past_meeting.invitations.get(user=personas.enterprise_secretary)
    stranger = meeting.invitations.get(user=personas.enterprise_secretary)  # another meeting's invitation
    response = client.post(
        url("meeting_attendance", past_meeting.pk),
        {f"attendance-{ours.pk}": "present", f"attendance-{stranger.pk}": "present"},
    )
    assert response.status_code == 400
    assert "所登记的人员不在本次会议的邀请名单中。" in response.content.decode()
    assert Invitation.objects.get(pk=ours.pk).attendance == Invitation.Attendance.UNRECORDED
    assert Meeting.objects.get(pk=past_meeting.pk).state == Meeting.State.SCHEDULED


def test_attendance_recorded_after_the_start(client_for, past_meeting, personas):
    client = client_for(personas.org_staff)
    page = client.get(url("meeting_attendance", past_meeting.pk))
    assert page.status_code == 200
    invitations = list(past_meeting.invitations.all())
    data = {f"attendance-{i.pk}": "present" for i in invitations}
    data[f"attendance-{invitations[0].pk}"] = "leave"
    assert client.post(url("meeting_attendance", past_meeting.pk), data).status_code == 302
    past_meeting.refresh_from_db()
    assert past_meeting.state == Meeting.State.HELD
    expected = len(invitations)
    page = client.get(url("meeting_detail", past_meeting.pk)).content.decode()
    assert f"{expected} / {expected - 1}" in page


def test_minutes_on_a_cancelled_meeting_show_the_message_and_save_nothing(client_for, past_meeting, personas):
    Meeting.objects.filter(pk=past_meeting.pk).update(state=Meeting.State.CANCELLED, cancel_reason="停电")
    item = past_meeting.agenda_items.get()
    client = client_for(personas.secretary)
    data = {
        "summary": "会议研究了用工问题",
        f"minutes-{item.pk}": "人社局介绍技师学院",
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "0",
    }
    response = client.post(url("meeting_minutes", past_meeting.pk), data)
    assert response.status_code == 400
    assert "会议已取消，不能归档纪要。" in response.content.decode()
    past_meeting.refresh_from_db()
    assert past_meeting.summary == "" and past_meeting.agenda_items.get().minutes == ""


def test_minutes_with_decisions_are_filed_and_a_decision_without_owner_saves_nothing(
    client_for, past_meeting, world, personas
):
    item = past_meeting.agenda_items.get()
    client = client_for(personas.secretary)
    base = {
        "summary": "",
        f"minutes-{item.pk}": "人社局对接技师学院",
        "decisions-TOTAL_FORMS": "2",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "组织专场招聘会",
        "decisions-0-due_workdays": "10",
    }
    response = client.post(url("meeting_minutes", past_meeting.pk), base)
    assert response.status_code == 400
    assert "议定事项须有且只有一个责任方" in response.content.decode()
    assert not Decision.objects.exists()
    assert past_meeting.agenda_items.get().minutes == ""

    response = client.post(
        url("meeting_minutes", past_meeting.pk), {**base, "decisions-0-department": world.department.pk}
    )
    assert response.status_code == 302
    past_meeting.refresh_from_db()
    assert past_meeting.state == Meeting.State.MINUTES_FILED
    decision = Decision.objects.get()
    assert decision.owner_department == world.department
    page = client.get(url("meeting_detail", past_meeting.pk)).content.decode()
    assert "组织专场招聘会" in page and "人社局对接技师学院" in page


def test_decision_status_by_a_manager(client_for, past_meeting, personas):
    decision = factories.DecisionFactory(meeting=past_meeting)
    client = client_for(personas.secretary)
    assert client.post(url("decision_status", decision.pk), {"status": "done"}).status_code == 302
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.DONE


def test_attachments_upload_for_managers_and_download_checked(client_for, past_meeting, personas):
    client = client_for(personas.secretary)
    response = client.post(url("meeting_attach", past_meeting.pk), {"kind": "photo", "files": [png_file()]})
    assert response.status_code == 302
    attachment = MeetingAttachment.objects.get()
    download = url("meeting_attachment", past_meeting.pk, attachment.pk)
    assert client_for(personas.enterprise_secretary).get(download).status_code == 200
    assert client_for(personas.outsider).get(download).status_code == 404
    # A text file called .png is refused by content: the message shows, nothing is stored.
    fake = io.BytesIO(b"not an image")
    fake.name = "fake.png"
    response = client_for(personas.secretary).post(
        url("meeting_attach", past_meeting.pk), {"kind": "photo", "files": [fake]}
    )
    assert response.status_code == 400
    assert MeetingAttachment.objects.count() == 1


# -- answering ------------------------------------------------------------------------------------
def test_invitee_answers_leave_needs_a_reason(client_for, meeting, personas):
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    client = client_for(personas.enterprise_secretary)
    prefix = f"inv{invitation.pk}"
    response = client.post(url("invitation_answer", invitation.pk), {f"{prefix}-answer": "leave"})
    assert response.status_code == 400
    assert "请假须填写原因。" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).answer == Invitation.Answer.PENDING
    response = client.post(
        url("invitation_answer", invitation.pk),
        {f"{prefix}-answer": "substitute", f"{prefix}-substitute_name": "李副书记", "next": url("my_meetings")},
    )
    assert response.status_code == 302 and response["Location"] == url("my_meetings")
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.SUBSTITUTE and invitation.substitute_name == "李副书记"
    # An off-site `next` is not followed.
    response = client.post(
        url("invitation_answer", invitation.pk), {f"{prefix}-answer": "attend", "next": "https://evil.example/"}
    )
    assert response["Location"] == meeting.get_absolute_url()


def test_my_meetings_lists_upcoming_first_and_answerable(client_for, meeting, past_meeting, personas):
    page = client_for(personas.enterprise_secretary).get(url("my_meetings")).content.decode()
    upcoming, past = page.index("即将召开"), page.index("往期会议")
    assert upcoming < page.index("月度党委会议") < past < page.index("上月党委会议")
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    assert f'id="answer-form-{invitation.pk}"' in page


# -- the organisation department's lists ----------------------------------------------------------
def test_minutes_missing_and_decisions_overdue(client_for, past_meeting, world, personas):
    filed = schedule(world, personas, starts_at=LONG_AGO - dt.timedelta(days=3), title="已归档会议")
    services.meeting_minutes_file(actor=None, meeting=filed, minutes={}, summary="已归档")
    recent = schedule(world, personas, starts_at=timezone.now() - dt.timedelta(hours=3), title="今天的会议")
    overdue = factories.DecisionFactory(
        meeting=filed, text="超期未办的事项", due_workdays=1, due_date=dt.date(2020, 1, 2)
    )
    factories.DecisionFactory(meeting=filed, text="未到期的事项", due_date=timezone.localdate() + dt.timedelta(days=5))
    client = client_for(personas.org_staff)
    missing = client.get(url("meeting_minutes_missing")).content.decode()
    assert past_meeting.title in missing
    assert filed.title not in missing and recent.title not in missing
    page = client.get(url("meeting_decisions_overdue")).content.decode()
    assert overdue.text in page and "未到期的事项" not in page
    everything = client.get(url("meeting_region_list"), {"state": "minutes_filed"}).content.decode()
    assert filed.title in everything and past_meeting.title not in everything


def test_region_filters_by_alliance_kind_and_month(client_for, meeting, past_meeting, world, personas):
    client = client_for(personas.org_staff)
    month = timezone.localtime(meeting.starts_at).strftime("%Y-%m")
    page = client.get(url("meeting_region_list"), {"month": month, "alliance": world.alliance.pk}).content.decode()
    assert meeting.get_absolute_url() in page and past_meeting.get_absolute_url() not in page
    page = client.get(url("meeting_region_list"), {"kind": "salon"}).content.decode()
    assert meeting.get_absolute_url() not in page


# -- query budgets --------------------------------------------------------------------------------
def _queries(client, target, **params):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(target, params).status_code == 200
    return len(captured)


def test_list_query_budgets_do_not_grow_with_rows(client_for, world, personas, django_assert_max_num_queries):
    first = schedule(world, personas)
    factories.DecisionFactory(meeting=schedule(world, personas, starts_at=LONG_AGO), due_date=dt.date(2020, 1, 2))
    month = timezone.localtime(first.starts_at).strftime("%Y-%m")
    pages = [
        (personas.org_staff, url("meeting_region_list"), {}),
        (personas.org_staff, url("meeting_minutes_missing"), {}),
        (personas.org_staff, url("meeting_decisions_overdue"), {}),
        (personas.secretary, url("alliance_meetings", world.alliance.pk), {"month": month}),
        (personas.enterprise_secretary, url("my_meetings"), {}),
    ]
    before = [_queries(client_for(user), target, **params) for user, target, params in pages]
    for n in range(5):
        schedule(world, personas, starts_at=first.starts_at + dt.timedelta(hours=3 * (n + 1)), title=f"会议{n}")
        old = schedule(world, personas, starts_at=LONG_AGO + dt.timedelta(hours=n + 1), title=f"旧会议{n}")
        factories.DecisionFactory(meeting=old, due_date=dt.date(2020, 1, 2))
    after = [_queries(client_for(user), target, **params) for user, target, params in pages]
    assert after == before
    # Signed in before counting: the budget is the page's, not the sign-in's (force_login now records
    # the login for axes, the audit log and the session list, ~20 queries once per login).
    client = client_for(personas.org_staff)
    with django_assert_max_num_queries(15):
        client.get(url("meeting_region_list"))


def test_a_decision_turns_into_a_need_from_the_meeting_page(client_for, past_meeting, world, personas):
    decision = factories.DecisionFactory(meeting=past_meeting, owner_department=world.department)
    client = client_for(personas.secretary)
    page = client.get(url("meeting_detail", past_meeting.pk)).content.decode()
    action = reverse("demands:need_from_decision", args=[decision.pk])
    assert action in page and "转为需求" in page
    assert (
        action
        not in client_for(personas.other_enterprise_secretary)
        .get(url("meeting_detail", past_meeting.pk))
        .content.decode()
    )
