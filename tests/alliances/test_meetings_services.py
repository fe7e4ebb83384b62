"""Meeting services: each one's happy path and its refusals (nothing saved on a refusal)."""

import datetime as dt
import io
import threading
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from alliances import services as org_services
from alliances.meetings import selectors, services
from alliances.meetings.services import DecisionDraft
from alliances.models import AgendaItem, CommitteeSeat, Decision, Invitation, Meeting, MeetingAttachment, MeetingKind
from chainparty.errors import StateError
from chainparty.models import AuditLog, DueItem, Notification
from tests import factories
from tests.conftest import need_service

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


BEFORE = local(2026, 9, 20, 10, 0)  # ten days before the meeting
STARTS = local(2026, 9, 30, 9, 0)  # a Wednesday; 1-7 October are the National Day holidays
AFTER = local(2026, 9, 30, 12, 0)


@pytest.fixture
def clock():
    with time_machine.travel(BEFORE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def city_department(world):
    """A city department, not a member of the county's alliance: invited, its handler is too."""
    department = factories.DepartmentFactory(name="济宁市工业和信息化局", region=world.city)
    handler = factories.UserFactory(username="city_handler", real_name="市工信局钱科长")
    org_services.department_add_handler(department=department, user=handler, system=True)
    return department, handler


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
def meeting(world, personas, clock, city_department, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return schedule(world, personas, invited_departments=[city_department[0]], chosen_names=["特邀专家周教授"])


def invitees(meeting):
    return {i.person_name: i for i in meeting.invitations.all()}


# -- scheduling ----------------------------------------------------------------------------------
def test_schedule_invites_seats_member_secretaries_invited_departments_and_chosen(meeting, personas, city_department):
    _department, city_handler = city_department
    by_user = {i.user_id: i for i in meeting.invitations.exclude(user=None)}
    S = Invitation.Source
    assert by_user[personas.secretary.pk].source == S.SEAT
    assert by_user[personas.enterprise_secretary.pk].source == S.ENTERPRISE_SECRETARY
    assert by_user[personas.other_enterprise_secretary.pk].source == S.ENTERPRISE_SECRETARY
    assert by_user[city_handler.pk].source == S.DEPARTMENT
    # The member department's handler is invited only when the department is.
    assert personas.handler.pk not in by_user
    assert personas.outsider.pk not in by_user
    guest = meeting.invitations.get(user=None)
    assert (guest.person_name, guest.source) == ("特邀专家周教授", S.CHOSEN)
    assert [a.title for a in meeting.agenda_items.all()] == ["产能对接", "技能人才招聘"]
    assert meeting.state == Meeting.State.SCHEDULED and meeting.version == 1


def test_schedule_notifies_invitees_and_is_audited(meeting, personas, city_department):
    notified = set(Notification.objects.filter(title="会议通知：9月党委会议").values_list("recipient_id", flat=True))
    assert notified == {
        personas.secretary.pk,
        personas.enterprise_secretary.pk,
        personas.other_enterprise_secretary.pk,
        city_department[1].pk,
    }
    record = AuditLog.objects.get(action=AuditLog.Action.MEETING_SCHEDULE)
    assert record.target_id == meeting.pk and record.actor_id == personas.secretary.pk


def test_schedule_invites_only_seats_in_force_on_the_meeting_day(world, personas, clock):
    former = factories.UserFactory(username="former", real_name="前任副书记")
    org_services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.DEPUTY,
        person_name="前任副书记",
        user=former,
        term_start=dt.date(2023, 9, 1),
        term_end=dt.date(2026, 6, 30),
        system=True,
    )
    org_services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="无账号委员",
        term_start=dt.date(2024, 1, 1),
        system=True,
    )
    meeting = schedule(world, personas)
    names = invitees(meeting)
    assert "前任副书记" not in names
    assert names["无账号委员"].user is None and names["无账号委员"].source == Invitation.Source.SEAT


def test_schedule_refuses_a_meeting_ending_before_it_starts(world, personas, clock):
    with pytest.raises(ValidationError) as error:
        schedule(world, personas, ends_at=STARTS - dt.timedelta(minutes=30))
    assert error.value.message_dict["ends_at"] == ["结束时间必须晚于开始时间。"]
    assert not Meeting.objects.exists() and not Invitation.objects.exists()


def test_schedule_refuses_a_member_who_does_not_manage_the_alliance(world, personas, clock):
    with pytest.raises(PermissionDenied):
        schedule(world, personas, actor=personas.enterprise_secretary)
    assert not Meeting.objects.exists()


def test_schedule_refuses_a_host_that_is_not_a_member(world, personas, clock):
    with pytest.raises(ValidationError) as error:
        schedule(world, personas, host_enterprise=world.outsider_enterprise)
    assert "host_enterprise" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_a_meeting_recorded_after_the_fact_notifies_nobody(world, personas, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(AFTER + dt.timedelta(days=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        schedule(world, personas)
    assert not Notification.objects.exists()


# -- moving and cancelling -----------------------------------------------------------------------
def test_move_bumps_the_version_keeps_the_old_start_and_notifies_each_move(
    meeting, personas, django_capture_on_commit_callbacks
):
    later = STARTS + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(
            actor=personas.secretary, meeting=meeting, starts_at=later, ends_at=later + dt.timedelta(hours=2)
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(
            actor=personas.secretary,
            meeting=meeting,
            starts_at=later + dt.timedelta(hours=5),
            ends_at=later + dt.timedelta(hours=6),
            expected_version=2,
        )
    meeting.refresh_from_db()
    assert meeting.version == 3 and meeting.moved_count == 2
    assert meeting.moved_from == later and meeting.starts_at == later + dt.timedelta(hours=5)
    moved = Notification.objects.filter(recipient=personas.enterprise_secretary, title__startswith="会议时间变更")
    assert moved.count() == 2
    assert AuditLog.objects.filter(action=AuditLog.Action.MEETING_MOVE).count() == 2


def test_move_refuses_a_stale_version_and_a_cancelled_meeting(meeting, personas):
    later = STARTS + dt.timedelta(days=1)
    with pytest.raises(StateError):
        services.meeting_move(
            actor=personas.secretary,
            meeting=meeting,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=1),
            expected_version=7,
        )
    services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="书记外出学习")
    with pytest.raises(StateError):
        services.meeting_move(
            actor=personas.secretary, meeting=meeting, starts_at=later, ends_at=later + dt.timedelta(hours=1)
        )
    meeting.refresh_from_db()
    assert meeting.starts_at == STARTS and meeting.version == 1


def test_cancel_needs_a_reason_then_tells_the_invitees(meeting, personas, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError) as error:
        services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="  ")
    assert error.value.message_dict["reason"] == ["请填写取消原因。"]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="与县委全会时间冲突")
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.CANCELLED and meeting.cancel_reason == "与县委全会时间冲突"
    assert Notification.objects.filter(recipient=personas.other_enterprise_secretary, title="会议取消：9月党委会议")
    assert AuditLog.objects.filter(action=AuditLog.Action.MEETING_CANCEL, target_id=meeting.pk).exists()


# -- who a meeting may involve -------------------------------------------------------------------
@pytest.fixture
def far_handler(world):
    """A handler of another county's department: not someone this county's alliance may involve."""
    handler = factories.UserFactory(username="far_handler", real_name="兖州区自然资源局孙科长")
    org_services.department_add_handler(department=world.other_department, user=handler, system=True)
    return handler


@pytest.mark.parametrize("field", ["chair", "recorder", "chosen_users"])
def test_schedule_refuses_people_the_alliance_may_not_involve(
    world, personas, clock, far_handler, field, django_capture_on_commit_callbacks
):
    for stranger in (personas.outsider, far_handler):
        value = [personas.handler, stranger] if field == "chosen_users" else stranger
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
            schedule(world, personas, **{field: value})
        assert list(error.value.message_dict) == [field]
        # The refusal names nobody: the secretary learns no one's name from it.
        assert stranger.display_name not in str(error.value.message_dict)
    assert not Meeting.objects.exists() and not Invitation.objects.exists()
    assert not Notification.objects.exists()


def test_schedule_accepts_seat_candidates_and_handlers_of_departments_in_reach(world, personas, clock, city_department):
    _department, city_handler = city_department
    meeting = schedule(
        world,
        personas,
        chair=personas.org_staff,
        recorder=city_handler,
        chosen_users=[personas.handler, personas.leader],
    )
    invited = set(meeting.invitations.values_list("user_id", flat=True))
    assert {personas.org_staff.pk, city_handler.pk, personas.handler.pk, personas.leader.pk} <= invited
    assert (meeting.chair_name, meeting.recorder_name) == ("组织部张科长", "市工信局钱科长")


# -- answers -------------------------------------------------------------------------------------
def test_invitee_answers_attend_substitute_or_leave(meeting, personas):
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    services.invitation_answer(actor=personas.enterprise_secretary, invitation=invitation, answer="attend")
    with pytest.raises(ValidationError) as error:
        services.invitation_answer(actor=personas.enterprise_secretary, invitation=invitation, answer="substitute")
    assert "substitute_name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.invitation_answer(actor=personas.enterprise_secretary, invitation=invitation, answer="leave")
    assert "leave_reason" in error.value.message_dict
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.ATTEND
    services.invitation_answer(
        actor=personas.enterprise_secretary, invitation=invitation, answer="substitute", substitute_name="副总 陈某"
    )
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.substitute_name) == ("substitute", "副总 陈某")
    assert invitation.answered_at == BEFORE


def test_only_the_invitee_answers(meeting, personas):
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    with pytest.raises(PermissionDenied):
        services.invitation_answer(actor=personas.secretary, invitation=invitation, answer="attend")
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.PENDING


def test_answering_a_cancelled_or_started_meeting_is_refused(meeting, personas):
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="改期另行通知")
    with pytest.raises(StateError, match="会议已取消"):
        services.invitation_answer(actor=personas.enterprise_secretary, invitation=invitation, answer="attend")
    other = schedule_after(meeting, personas)
    with time_machine.travel(AFTER, tick=False), pytest.raises(StateError, match="已经开始"):
        services.invitation_answer(
            actor=personas.enterprise_secretary,
            invitation=other.invitations.get(user=personas.enterprise_secretary),
            answer="attend",
        )
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.PENDING


def _meeting_lock_probe(meeting_id, probes):
    """From another connection: may the meeting's row be locked right now (FOR UPDATE NOWAIT)?"""
    try:
        with transaction.atomic():
            list(Meeting.objects.select_for_update(nowait=True).filter(pk=meeting_id))
        probes.append("free")
    except DatabaseError:
        probes.append("locked")
    finally:
        connection.close()


def _in_thread(call):
    def run():
        try:
            call()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_answer_locks_the_meeting_before_its_invitation(world, personas, clock):
    """The answer takes the meeting's row first, then the invitation's, as cancel, move and
    attendance do: with the invitation's row held elsewhere, the waiting answer already holds the
    meeting (so a cancel or move waits for it, and the two orders never deadlock). A guard: the
    earlier joined `select_for_update().select_related("meeting")` also locked the meeting on
    PostgreSQL, in the order its plan chose."""
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for row locks between concurrent transactions")
    meeting = schedule(world, personas)
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    holding, release = threading.Event(), threading.Event()

    def hold_the_invitation():
        with transaction.atomic():
            list(Invitation.objects.select_for_update().filter(pk=invitation.pk))
            holding.set()
            release.wait(timeout=30)

    holder = _in_thread(hold_the_invitation)
    assert holding.wait(timeout=10)
    answer = _in_thread(
        lambda: services.invitation_answer(actor=personas.enterprise_secretary, invitation=invitation, answer="attend")
    )
    try:
        with connection.cursor() as cursor:
            for _attempt in range(100):  # until the answer waits for the invitation's row
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
        probes = []
        _meeting_lock_probe(meeting.pk, probes)
    finally:
        release.set()
        holder.join(timeout=30)
        answer.join(timeout=30)
    assert probes == ["locked"]
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.ATTEND
    _meeting_lock_probe(meeting.pk, probes)  # and free once the answer is committed
    assert probes == ["locked", "free"]


def schedule_after(meeting, personas):
    return services.meeting_schedule(
        actor=personas.secretary,
        alliance=meeting.alliance,
        kind=MeetingKind.SALON,
        title="红色沙龙",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=1),
        place_address="鸿瑞轩服饰有限公司会议室",
    )


# -- attendance ----------------------------------------------------------------------------------
def test_attendance_only_after_the_start(meeting, personas):
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    with pytest.raises(StateError, match="尚未开始"):
        services.attendance_record(actor=personas.secretary, meeting=meeting, attendance={invitation.pk: "present"})
    invitation.refresh_from_db()
    assert invitation.attendance == Invitation.Attendance.UNRECORDED


def test_attendance_is_recorded_and_counted(meeting, personas):
    present = meeting.invitations.get(user=personas.enterprise_secretary)
    absent = meeting.invitations.get(user=personas.other_enterprise_secretary)
    substitute = meeting.invitations.get(user=personas.secretary)
    with time_machine.travel(AFTER, tick=False):
        services.attendance_record(
            actor=personas.secretary,
            meeting=meeting,
            attendance={present.pk: "present", absent.pk: "absent", substitute.pk: "substitute"},
        )
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD
    listed = selectors.alliance_meetings_in_month(alliance=meeting.alliance, year=2026, month=9).get()
    assert (listed.expected_count, listed.attended_count) == (meeting.invitations.count(), 2)


def test_attendance_for_someone_not_invited_is_refused(meeting, personas, world):
    other_meeting = factories.MeetingFactory(alliance=world.alliance, starts_at=STARTS)
    stranger = factories.InvitationFactory(meeting=other_meeting, user=personas.outsider)
    invited = meeting.invitations.get(user=personas.enterprise_secretary)
    with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError) as error:
        services.attendance_record(
            actor=personas.secretary, meeting=meeting, attendance={invited.pk: "present", stranger.pk: "present"}
        )
    assert error.value.message_dict["attendance"] == ["所登记的人员不在本次会议的邀请名单中。"]
    invited.refresh_from_db()
    meeting.refresh_from_db()
    assert invited.attendance == Invitation.Attendance.UNRECORDED and meeting.state == Meeting.State.SCHEDULED


# -- minutes and decisions -----------------------------------------------------------------------
def test_minutes_are_filed_with_decisions_due_in_working_days(meeting, personas, world):
    first, second = meeting.agenda_items.all()
    with time_machine.travel(AFTER, tick=False):
        services.meeting_minutes_file(
            actor=personas.secretary,
            meeting=meeting,
            minutes={first.pk: "五征山拖承接 300 台订单。", second.pk: "人社局对接技师学院。"},
            summary="研究产能对接与用工问题。",
            decisions=[
                DecisionDraft(text="人社局对接技师学院招聘技工", due_workdays=1, department=world.department),
                DecisionDraft(text="鸿瑞轩落实订单分包协议", due_workdays=3, enterprise=world.lead),
            ],
        )
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.MINUTES_FILED and meeting.minutes_filed_at == AFTER
    assert meeting.minutes_filed_by == personas.secretary
    assert AgendaItem.objects.get(pk=first.pk).minutes == "五征山拖承接 300 台订单。"
    decisions = list(meeting.decisions.order_by("position"))
    # 1-7 October are holidays; Saturday 10 October is a make-up working day.
    assert [(d.position, d.due_date) for d in decisions] == [(1, dt.date(2026, 10, 8)), (2, dt.date(2026, 10, 10))]
    assert decisions[0].owner_label == world.department.name and decisions[1].owner == world.lead
    assert AuditLog.objects.filter(action=AuditLog.Action.MINUTES_FILE, target_id=meeting.pk).exists()


def test_minutes_on_a_cancelled_meeting_are_refused(meeting, personas):
    item = meeting.agenda_items.first()
    services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="改期")
    with time_machine.travel(AFTER, tick=False), pytest.raises(StateError, match="会议已取消"):
        services.meeting_minutes_file(actor=personas.secretary, meeting=meeting, minutes={item.pk: "纪要"})
    item.refresh_from_db()
    assert item.minutes == ""


def test_a_decision_with_no_owner_or_two_owners_is_refused_and_nothing_is_filed(meeting, personas, world):
    item = meeting.agenda_items.first()
    for draft in (
        DecisionDraft(text="无人负责的事项", due_workdays=5),
        DecisionDraft(text="两个责任方", due_workdays=5, department=world.department, enterprise=world.lead),
    ):
        with time_machine.travel(AFTER, tick=False), pytest.raises(ValidationError) as error:
            services.meeting_minutes_file(
                actor=personas.secretary, meeting=meeting, minutes={item.pk: "讨论了"}, decisions=[draft]
            )
        assert error.value.message_dict["owner"] == ["议定事项须有且只有一个责任方：部门、企业或个人。"]
    assert not Decision.objects.exists()
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert meeting.state == Meeting.State.SCHEDULED and item.minutes == ""


def test_a_decision_owner_outside_the_alliances_reach_is_refused(meeting, personas, world, far_handler):
    item = meeting.agenda_items.first()
    refused = [
        ({"department": world.other_department}, "department", "责任部门不在本联盟所在区域。"),
        ({"enterprise": world.outsider_enterprise}, "enterprise", "责任企业须是本联盟的在册成员企业。"),
        ({"user": far_handler}, "user", "责任人不在本联盟可邀请的人员范围内。"),
        ({"user": personas.outsider}, "user", "责任人不在本联盟可邀请的人员范围内。"),
    ]
    with time_machine.travel(AFTER, tick=False):
        for owner, field, message in refused:
            with pytest.raises(ValidationError) as error:
                services.decision_add(
                    actor=personas.secretary, meeting=meeting, text="督办事项", due_workdays=5, **owner
                )
            assert error.value.message_dict == {field: [message]}
            with pytest.raises(ValidationError) as error:
                services.meeting_minutes_file(
                    actor=personas.secretary,
                    meeting=meeting,
                    minutes={item.pk: "讨论了"},
                    decisions=[DecisionDraft(text="督办事项", due_workdays=5, **owner)],
                )
            assert error.value.message_dict == {field: [message]}
    assert not Decision.objects.exists() and not DueItem.objects.filter(source_key__startswith="decision:").exists()
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.SCHEDULED


def test_a_decision_may_be_owned_by_a_department_above_the_alliance_and_its_handler(meeting, personas, city_department):
    department, city_handler = city_department
    with time_machine.travel(AFTER, tick=False):
        for owner in ({"department": department}, {"user": city_handler}):
            services.decision_add(actor=personas.secretary, meeting=meeting, text="市局协调", due_workdays=5, **owner)
    assert meeting.decisions.count() == 2


def test_decision_add_and_status(meeting, personas, world):
    with time_machine.travel(AFTER, tick=False):
        decision = services.decision_add(
            actor=personas.secretary, meeting=meeting, text="落实用地指标", due_workdays=2, user=personas.handler
        )
        assert decision.owner_label == "人社局刘科员" and decision.due_date == dt.date(2026, 10, 9)
        services.decision_update_status(actor=personas.secretary, decision=decision, status="done")
        decision.refresh_from_db()
        assert decision.status == Decision.Status.DONE and decision.done_at == AFTER
        with pytest.raises(StateError):
            services.decision_update_status(actor=personas.secretary, decision=decision, status="done")
        with pytest.raises(PermissionDenied):
            services.decision_update_status(actor=personas.enterprise_secretary, decision=decision, status="open")


def test_decisions_wait_for_the_meeting(meeting, personas, world):
    with pytest.raises(StateError, match="尚未开始"):
        services.decision_add(
            actor=personas.secretary, meeting=meeting, text="提前写的事项", due_workdays=2, department=world.department
        )
    assert not Decision.objects.exists()


# -- attachments ---------------------------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_photos_and_the_sign_in_sheet_are_attached(meeting, personas):
    photos = services.meeting_attach(
        actor=personas.secretary,
        meeting=meeting,
        files=[SimpleUploadedFile("会场.png", PNG, content_type="image/png")],
        kind=MeetingAttachment.Kind.PHOTO,
    )
    sheet = services.meeting_attach(
        actor=personas.secretary,
        meeting=meeting,
        files=[SimpleUploadedFile("签到表.pdf", PDF, content_type="application/pdf")],
        kind=MeetingAttachment.Kind.SIGN_IN,
    )
    assert [a.name for a in meeting.attachments.order_by("pk")] == ["会场.png", "签到表.pdf"]
    assert photos[0].file.name.startswith("meetings/") and photos[0].content_type == "image/png"
    assert sheet[0].file.read().startswith(b"%PDF-")


def test_a_pdf_is_not_a_photo(meeting, personas):
    with pytest.raises(ValidationError) as error:
        services.meeting_attach(
            actor=personas.secretary,
            meeting=meeting,
            files=[io.BytesIO(PDF)],
            kind=MeetingAttachment.Kind.PHOTO,
        )
    assert "files" in error.value.message_dict
    assert not MeetingAttachment.objects.exists()
