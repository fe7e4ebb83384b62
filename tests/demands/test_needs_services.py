"""The need workflow through its services: filing, every transition, guards, deadlines, stories 2 and 3."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from chainparty.errors import StateError
from chainparty.models import Notification
from demands.models import Assignment, DeadlineRule, Need, NeedCounter, NeedEvent, Resource
from demands.services import deadlines, filing, transitions, workflow
from tests import factories
from tests.demands.conftest import at

S = Need.State


# -- filing -----------------------------------------------------------------------------------------
def test_filing_numbers_needs_per_year_and_tells_the_alliance(world, personas, file_need):
    with time_machine.travel(at(2026, 5, 6), tick=False):
        first = file_need()
        second = file_need(title="融资需求", category=Need.Category.FINANCING, funding_wan=Decimal("500"))
    assert first.number == "XQ-2026-000001"
    assert second.number == "XQ-2026-000002"
    assert first.region == world.county
    assert first.alliance == world.alliance
    assert first.source == Need.Source.SELF_REPORTED
    assert first.state == S.SUBMITTED
    assert list(first.events.values_list("action", "to_state")) == [("file", S.SUBMITTED)]
    assert Notification.objects.filter(recipient=personas.secretary, title__contains=first.number).exists()
    with time_machine.travel(at(2027, 1, 4), tick=False):
        assert file_need().number == "XQ-2027-000001"


def test_bad_input_saves_nothing_and_uses_no_number(world, personas, file_need):
    with pytest.raises(ValidationError) as error:
        file_need(title="", category="nonsense", funding_wan=Decimal("-1"))
    messages = error.value.message_dict
    assert "title" in messages and "category" in messages
    assert any("不能" in m or "必" in m for m in messages["title"])
    assert Need.objects.count() == 0
    assert not NeedCounter.objects.filter(last_number__gt=0).exists()


def test_who_may_file_for_whom(world, personas, file_need):
    with pytest.raises(PermissionDenied):
        file_need(actor=personas.other_enterprise_secretary)
    with pytest.raises(PermissionDenied):
        file_need(actor=personas.handler)
    with pytest.raises(PermissionDenied):
        file_need(actor=personas.outsider)
    by_guide = file_need(actor=personas.guide)
    assert by_guide.source == Need.Source.VISIT
    by_secretary = file_need(actor=personas.secretary, source=Need.Source.MEETING)
    assert by_secretary.source == Need.Source.MEETING
    with pytest.raises(ValidationError) as error:
        file_need(source=Need.Source.HOTLINE)
    assert "source" in error.value.message_dict


def test_alliance_must_be_an_active_membership(world, personas, file_need):
    other = factories.AllianceFactory(region=world.county)
    with pytest.raises(ValidationError) as error:
        file_need(alliance=other)
    assert "在册成员" in error.value.message_dict["alliance"][0]


# -- the transition table ------------------------------------------------------------------------------
def _drive(state, *, world, personas, dispatched_need, file_need):
    """A need in `state`, reached through the services."""
    if state in (S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.REJECTED, S.MERGED):
        need = file_need()
        if state == S.ACCEPTED:
            need = workflow.need_accept(need=need, actor=personas.secretary)
        elif state == S.RETURNED:
            need = workflow.need_return(need=need, actor=personas.secretary, reason="请补充岗位要求")
        elif state == S.REJECTED:
            need = workflow.need_reject(need=need, actor=personas.secretary, reason="不属于联盟职责")
        elif state == S.MERGED:
            need = workflow.need_merge(need=need, actor=personas.secretary, into=file_need(title="同一问题"))
        return need
    need = dispatched_need()
    lead = need.assignments.get()
    if state == S.DISPATCHED:
        return need
    workflow.need_start(need=need, assignment=lead, actor=personas.handler)
    if state == S.IN_PROGRESS:
        return Need.objects.get(pk=need.pk)
    need = workflow.need_answer(need=need, assignment=lead, actor=personas.handler, answer="已对接技校")
    if state == S.ANSWERED:
        return need
    need = workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating=Need.Rating.SATISFIED)
    if state == S.RATED:
        return need
    return workflow.need_close(need=need, actor=personas.secretary)


def _attempt(action, need, *, world, personas, file_need):
    lead = need.assignments.filter(role=Assignment.Role.LEAD).first()
    calls = {
        "accept": lambda: workflow.need_accept(need=need, actor=personas.secretary),
        "return": lambda: workflow.need_return(need=need, actor=personas.secretary, reason="补充"),
        "resubmit": lambda: workflow.need_resubmit(need=need, actor=personas.enterprise_secretary, supplement="已补充"),
        "reject": lambda: workflow.need_reject(need=need, actor=personas.secretary, reason="不予受理"),
        "merge": lambda: workflow.need_merge(need=need, actor=personas.secretary, into=file_need(title="另一条")),
        "dispatch": lambda: workflow.need_dispatch(
            need=need, actor=personas.secretary, lead_department=world.department
        ),
        "rate": lambda: workflow.need_rate(
            need=need, actor=personas.enterprise_secretary, rating=Need.Rating.SATISFIED
        ),
        "reopen": lambda: workflow.need_reopen(need=need, actor=personas.secretary, reason="答复不完整"),
        "close": lambda: workflow.need_close(need=need, actor=personas.secretary),
    }
    if lead is not None:
        calls["start"] = lambda: workflow.need_start(need=need, assignment=lead, actor=personas.handler)
        calls["answer"] = lambda: workflow.need_answer(
            need=need, assignment=lead, actor=personas.handler, answer="答复"
        )
    return calls.get(action)


ALL_STATES = [s.value for s in S]


def _expected_state(action):
    """Where an allowed action leads: the table's target, or what the service decides where the
    table has none, for the needs `_drive` builds and the calls `_attempt` makes."""
    target = transitions.TRANSITIONS[action].target
    if target is not None:
        return target
    return {
        "resubmit": S.SUBMITTED,  # returned before it was accepted: back to 已提交
        "answer": S.ANSWERED,  # the lead part answers: the need is 已办结
        "rate": S.RATED,  # 满意 (不满意 would reopen the lead)
    }[action]


ACTIONS = ["accept", "return", "resubmit", "reject", "merge", "dispatch", "start", "answer", "rate", "reopen", "close"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", ALL_STATES)
def test_transition_table(state, action, world, personas, dispatched_need, file_need):
    """Every (state, action) pair: allowed ones reach their state with one version bump and one
    timeline entry; refused ones raise StateError and change nothing."""
    need = _drive(state, world=world, personas=personas, dispatched_need=dispatched_need, file_need=file_need)
    assert need.state == state
    need = Need.objects.get(pk=need.pk)
    call = _attempt(action, need, world=world, personas=personas, file_need=file_need)
    if call is None:
        assert state in (S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.REJECTED, S.MERGED), "parts exist once dispatched"
        return
    allowed = state in transitions.TRANSITIONS[action].sources
    if action in ("start", "answer") and state in (S.ANSWERED, S.RATED, S.IN_PROGRESS):
        # The lead part is answered (or, for start, already started): its own state refuses.
        allowed = action == "answer" and state == S.IN_PROGRESS
    before = (need.state, need.version, NeedEvent.objects.filter(need=need).count())
    if allowed:
        call()
        fresh = Need.objects.get(pk=need.pk)
        expected = _expected_state(action)
        assert fresh.state == expected
        assert fresh.version == need.version + 1
        last = NeedEvent.objects.filter(need=need).order_by("-id").first()
        assert (last.action, last.from_state, last.to_state) == (action, state, expected)
        return
    with pytest.raises(StateError) as error:
        call()
    assert "不能" in error.value.messages[0]
    fresh = Need.objects.get(pk=need.pk)
    assert (fresh.state, fresh.version, NeedEvent.objects.filter(need=need).count()) == before


def test_stale_version_is_refused_with_a_conflict_message(world, personas, file_need):
    need = file_need()
    seen = need.version
    workflow.need_accept(need=need, actor=personas.secretary, expected_version=seen)
    with pytest.raises(StateError) as error:
        workflow.need_return(need=need, actor=personas.secretary, reason="补充", expected_version=seen)
    assert error.value.code == "stale"
    assert "已被他人处理" in error.value.messages[0]
    assert Need.objects.get(pk=need.pk).state == S.ACCEPTED


def test_second_dispatch_with_the_same_view_loses(world, personas, file_need, co_department):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    seen = need.version
    workflow.need_dispatch(need=need, actor=personas.secretary, lead_department=world.department, expected_version=seen)
    with pytest.raises(StateError) as error:
        workflow.need_dispatch(
            need=need, actor=personas.org_staff, lead_department=co_department, expected_version=seen
        )
    assert "已被他人处理" in error.value.messages[0]
    assert list(Assignment.objects.filter(need=need).values_list("department", flat=True)) == [world.department.pk]


# -- role guards -----------------------------------------------------------------------------------
def test_role_guards(world, personas, file_need, dispatched_need):
    need = file_need()
    for outsider in (personas.handler, personas.enterprise_secretary, personas.leader, personas.guide):
        with pytest.raises(PermissionDenied):
            workflow.need_accept(need=need, actor=outsider)
    workflow.need_accept(need=need, actor=personas.org_staff)  # organisation staff of the region may
    other_handler = factories.UserFactory(username="other_handler")
    from alliances import services as org

    org.department_add_handler(department=world.other_department, user=other_handler, system=True)
    dispatched = dispatched_need()
    lead = dispatched.assignments.get()
    with pytest.raises(PermissionDenied):
        workflow.need_answer(need=dispatched, assignment=lead, actor=other_handler, answer="越权答复")
    with pytest.raises(PermissionDenied):
        workflow.need_answer(need=dispatched, assignment=lead, actor=personas.secretary, answer="书记代答")
    answered = workflow.need_answer(need=dispatched, assignment=lead, actor=personas.handler, answer="已解决")
    with pytest.raises(PermissionDenied):
        workflow.need_rate(need=answered, actor=personas.other_enterprise_secretary, rating=Need.Rating.SATISFIED)
    with pytest.raises(PermissionDenied):
        workflow.need_rate(need=answered, actor=personas.secretary, rating=Need.Rating.SATISFIED)


def test_reasons_are_required(world, personas, file_need):
    need = file_need()
    for call, field in (
        (lambda: workflow.need_return(need=need, actor=personas.secretary, reason=" "), "reason"),
        (lambda: workflow.need_reject(need=need, actor=personas.secretary, reason=""), "reason"),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert field in error.value.message_dict
    assert Need.objects.get(pk=need.pk).state == S.SUBMITTED


# -- dispatch -------------------------------------------------------------------------------------
def test_dispatch_checks_departments_and_handlers(world, personas, file_need, co_department):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    with pytest.raises(ValidationError) as error:
        workflow.need_dispatch(need=need, actor=personas.secretary, lead_department=world.other_department)
    assert "不属于" in str(error.value)
    with pytest.raises(ValidationError):
        workflow.need_dispatch(
            need=need, actor=personas.secretary, lead_department=world.department, co_departments=[world.department]
        )
    with pytest.raises(ValidationError) as error:
        workflow.need_dispatch(
            need=need,
            actor=personas.secretary,
            lead_department=world.department,
            handlers={world.department.pk: co_department.test_handler},
        )
    assert "办理人" in str(error.value)
    with pytest.raises(ValidationError):
        workflow.need_dispatch(need=need, actor=personas.secretary)
    assert Need.objects.get(pk=need.pk).state == S.ACCEPTED
    assert not Assignment.objects.filter(need=need).exists()
    need = workflow.need_dispatch(
        need=need,
        actor=personas.secretary,
        lead_department=world.department,
        co_departments=[co_department],
        handlers={world.department.pk: personas.handler},
        instruction="请人社局牵头",
    )
    parts = list(need.assignments.order_by("-role"))
    assert [(a.role, a.department, a.handler) for a in parts] == [
        (Assignment.Role.LEAD, world.department, personas.handler),
        (Assignment.Role.CO, co_department, None),
    ]
    assert Notification.objects.filter(recipient=personas.handler, title__contains="新派单").exists()
    assert Notification.objects.filter(recipient=co_department.test_handler, title__contains="协办").exists()


def test_matching_a_member_resource_lets_the_provider_answer(world, personas, file_need):
    resource = Resource.objects.create(
        enterprise=world.member,
        category=Resource.Category.TRAINING,
        title="熟练工短期培训",
        region=world.county,
    )
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    need = workflow.need_dispatch(need=need, actor=personas.secretary, lead_resource=resource)
    part = need.assignments.get()
    assert (part.provider_enterprise, part.department, part.resource) == (world.member, None, resource)
    assert Notification.objects.filter(recipient=personas.other_enterprise_secretary, title__contains="新派单").exists()
    with pytest.raises(PermissionDenied):
        workflow.need_answer(need=need, assignment=part, actor=personas.handler, answer="部门越权")
    need = workflow.need_answer(
        need=need, assignment=part, actor=personas.other_enterprise_secretary, answer="已安排培训"
    )
    assert need.state == S.ANSWERED


def test_own_resource_cannot_serve_own_need(world, personas, file_need):
    resource = Resource.objects.create(
        enterprise=world.lead, category=Resource.Category.CAPACITY, title="自有产能", region=world.county
    )
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    with pytest.raises(ValidationError):
        workflow.need_dispatch(need=need, actor=personas.secretary, lead_resource=resource)


# -- deadlines in working days ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("urgency", "expected"),
    [
        # Dispatched Wed 30 Sep 2026: 1–7 Oct are off, Sat 10 Oct is a make-up working day.
        (Need.Urgency.CRITICAL, dt.date(2026, 10, 9)),  # 8, 9
        (Need.Urgency.URGENT, dt.date(2026, 10, 13)),  # 8, 9, 10 (Sat), 12, 13
        (Need.Urgency.NORMAL, dt.date(2026, 10, 27)),
    ],
)
def test_deadline_counts_working_days_across_national_day(urgency, expected, world, personas, dispatched_need):
    with time_machine.travel(at(2026, 9, 30), tick=False):
        need = dispatched_need(urgency=urgency)
    assert need.deadline == expected
    assert need.assignments.get().deadline == expected


def test_most_specific_deadline_rule_wins(world, personas, dispatched_need):
    deadlines.deadline_rules_ensure_defaults()
    DeadlineRule.objects.filter(region=None, urgency=Need.Urgency.NORMAL, category="").update(workdays=10)
    deadlines.deadline_rule_save(
        actor=personas.org_staff, region=world.county, urgency=Need.Urgency.NORMAL, category="labor", workdays=3
    )
    with time_machine.travel(at(2026, 6, 1), tick=False):  # a Monday
        labor = dispatched_need()
        finance = dispatched_need(category=Need.Category.FINANCING)
    assert labor.deadline == dt.date(2026, 6, 4)
    assert finance.deadline == dt.date(2026, 6, 15)


def test_deadline_rules_are_edited_only_by_their_staff(world, personas):
    with pytest.raises(PermissionDenied):
        deadlines.deadline_rule_save(actor=personas.org_staff, region=None, urgency="normal", workdays=9)
    with pytest.raises(PermissionDenied):
        deadlines.deadline_rule_save(actor=personas.secretary, region=world.county, urgency="normal", workdays=9)
    with pytest.raises(ValidationError):
        deadlines.deadline_rule_save(actor=personas.org_staff, region=world.county, urgency="normal", workdays=0)
    rule = deadlines.deadline_rule_save(actor=personas.org_staff, region=world.county, urgency="normal", workdays=9)
    again = deadlines.deadline_rule_save(actor=personas.org_staff, region=world.county, urgency="normal", workdays=8)
    assert rule.pk == again.pk and again.workdays == 8


def test_return_pauses_the_clock_and_resubmit_extends_deadlines(world, personas, dispatched_need):
    with time_machine.travel(at(2026, 6, 1), tick=False):  # Monday
        need = dispatched_need(urgency=Need.Urgency.URGENT)  # 5 working days: Mon 8 June
        assert need.deadline == dt.date(2026, 6, 8)
    with time_machine.travel(at(2026, 6, 2), tick=False):
        need = workflow.need_return(need=need, actor=personas.secretary, reason="请补充岗位工种和薪酬")
        assert need.state == S.RETURNED and need.is_overdue is False
    with time_machine.travel(at(2026, 6, 5), tick=False):  # Friday: 3 working days waited
        need = workflow.need_resubmit(
            need=need, actor=personas.enterprise_secretary, supplement="车缝工20名，月薪6000元"
        )
    assert need.state == S.DISPATCHED
    assert need.deadline == dt.date(2026, 6, 11)
    assert need.assignments.get().deadline == dt.date(2026, 6, 11)
    assert "车缝工20名" in need.description
    event = need.events.get(action=NeedEvent.Action.RESUBMIT)
    assert event.data["paused_workdays"] == 3


def test_return_before_dispatch_goes_back_to_submitted(world, personas, file_need):
    need = workflow.need_return(need=file_need(), actor=personas.secretary, reason="请补充")
    with pytest.raises(PermissionDenied):
        workflow.need_resubmit(need=need, actor=personas.secretary, supplement="代为补充")
    need = workflow.need_resubmit(need=need, actor=personas.enterprise_secretary, supplement="补充了联系人")
    assert need.state == S.SUBMITTED and need.deadline is None


# -- merge -----------------------------------------------------------------------------------------------
def test_merge_marks_a_duplicate(world, personas, file_need):
    original = file_need(title="缺熟练工")
    duplicate = file_need(actor=personas.guide, title="走访发现缺熟练工")
    with pytest.raises(ValidationError):
        workflow.need_merge(need=duplicate, actor=personas.secretary, into=duplicate)
    merged = workflow.need_merge(need=duplicate, actor=personas.secretary, into=original, note="与上一条重复")
    assert merged.state == S.MERGED and merged.merged_into == original
    assert original.events.filter(action=NeedEvent.Action.MERGE, data__merged=merged.number).exists()


# -- the timeline is append-only ----------------------------------------------------------------------------
def test_events_are_never_edited_or_deleted(world, personas, file_need):
    need = file_need()
    event = need.events.get()
    event.note = "篡改"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        NeedEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(ValidationError):
        NeedEvent.objects.filter(pk=event.pk).delete()
    assert NeedEvent.objects.get(pk=event.pk).note == ""


# -- stories ------------------------------------------------------------------------------------------------
def test_story_2_skilled_workers_hired_rated_and_closed(world, personas, file_need, django_capture_on_commit_callbacks):
    """Story 2: a lack of skilled workers, dispatched to human resources, 19 hired, satisfied, closed."""
    with time_machine.travel(at(2026, 4, 20), tick=False), django_capture_on_commit_callbacks(execute=True):
        need = file_need(title="缺少数控熟练技工", people=30, urgency=Need.Urgency.URGENT)
        need = workflow.need_accept(need=need, actor=personas.secretary, note="提交联盟联席会议")
        need = workflow.need_dispatch(
            need=need, actor=personas.secretary, lead_department=world.department, instruction="请对接技工学校"
        )
    lead = need.assignments.get()
    with time_machine.travel(at(2026, 4, 21), tick=False):
        workflow.need_start(need=need, assignment=lead, actor=personas.handler)
    with time_machine.travel(at(2026, 4, 24), tick=False), django_capture_on_commit_callbacks(execute=True):
        need = workflow.need_answer(
            need=need,
            assignment=lead,
            actor=personas.handler,
            answer="已对接县技工学校，5月招聘19名毕业生入职。",
            people_solved=19,
        )
    assert need.state == S.ANSWERED and need.answered_on_time is True and need.people_solved == 19
    assert Notification.objects.filter(recipient=personas.enterprise_secretary, title__contains="请回访评价").exists()
    with time_machine.travel(at(2026, 5, 20), tick=False):
        need = workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating=Need.Rating.SATISFIED)
        need = workflow.need_close(need=need, actor=personas.secretary, note="已回访，销号")
    assert need.state == S.CLOSED
    assert list(need.events.values_list("action", flat=True)) == [
        "file",
        "accept",
        "dispatch",
        "start",
        "answer",
        "rate",
        "close",
    ]
    assert any(personas.enterprise_secretary.email in m.to and "请回访评价" in m.subject for m in mail.outbox)
    assert any(personas.handler.email in m.to and "新派单" in m.subject for m in mail.outbox)


def test_story_3_one_need_two_departments_each_answers_its_part(world, personas, file_need, co_department):
    """Story 3: 20 mu of land and 3000万元, natural resources leads, the other department co-handles."""
    need = file_need(
        title="新建物流配送中心需用地20亩、资金3000万元",
        category=Need.Category.LAND,
        land_mu=Decimal("20"),
        funding_wan=Decimal("3000"),
    )
    need = workflow.need_accept(need=need, actor=personas.secretary)
    need = workflow.need_dispatch(
        need=need, actor=personas.secretary, lead_department=co_department, co_departments=[world.department]
    )
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    co = need.assignments.get(role=Assignment.Role.CO)
    need = workflow.need_answer(
        need=need, assignment=co, actor=personas.handler, answer="已协调银行授信3000万元", funding_wan_solved=3000
    )
    assert need.state == S.DISPATCHED, "a co-handler's answer does not finish the need"
    assert need.funding_wan_solved == Decimal("3000")
    need = workflow.need_answer(
        need=need, assignment=lead, actor=co_department.test_handler, answer="已落实工业用地20亩", land_mu_solved=20
    )
    assert need.state == S.ANSWERED
    assert (need.land_mu_solved, need.funding_wan_solved) == (Decimal("20"), Decimal("3000"))
    answers = need.events.filter(action=NeedEvent.Action.ANSWER)
    assert {e.assignment_id for e in answers} == {lead.pk, co.pk}


def test_co_handler_may_answer_after_the_lead_and_is_withdrawn_at_close(world, personas, file_need, co_department):
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    need = workflow.need_dispatch(
        need=need, actor=personas.secretary, lead_department=world.department, co_departments=[co_department]
    )
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    need = workflow.need_answer(need=need, assignment=lead, actor=personas.handler, answer="牵头答复")
    need = workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating=Need.Rating.BASICALLY_SATISFIED)
    need = workflow.need_close(need=need, actor=personas.secretary)
    co = need.assignments.get(role=Assignment.Role.CO)
    assert co.state == Assignment.State.WITHDRAWN
    with pytest.raises(StateError):
        workflow.need_answer(need=need, assignment=co, actor=co_department.test_handler, answer="迟到的答复")


def test_unsatisfied_rating_reopens_the_lead_as_a_redo(world, personas, dispatched_need):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        need = dispatched_need()
        lead = need.assignments.get()
        need = workflow.need_answer(need=need, assignment=lead, actor=personas.handler, answer="已推荐招聘会")
    with time_machine.travel(at(2026, 6, 10), tick=False):
        with pytest.raises(ValidationError) as error:
            workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating=Need.Rating.UNSATISFIED)
        assert "comment" in error.value.message_dict
        need = workflow.need_rate(
            need=need, actor=personas.enterprise_secretary, rating=Need.Rating.UNSATISFIED, comment="没有招到人"
        )
    assert need.state == S.IN_PROGRESS and need.redo_count == 1 and need.rating == Need.Rating.UNSATISFIED
    lead.refresh_from_db()
    assert lead.state == Assignment.State.IN_PROGRESS and lead.redo_count == 1 and lead.answer == ""
    assert lead.deadline == dt.date(2026, 7, 2)  # a fresh 15 working days from 10 June; 19 June is off
    assert need.deadline == lead.deadline
    assert [e.action for e in need.events.order_by("id")][-2:] == ["rate", "reopen"]
    assert Notification.objects.filter(recipient=personas.handler, title__contains="重办").exists()
    need = workflow.need_answer(
        need=need, assignment=lead, actor=personas.handler, answer="已招到12人", people_solved=12
    )
    need = workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating=Need.Rating.SATISFIED)
    assert need.state == S.RATED and need.people_solved == 12


def test_reopen_by_the_alliance_counts_a_redo(world, personas, dispatched_need):
    need = dispatched_need()
    lead = need.assignments.get()
    need = workflow.need_answer(need=need, assignment=lead, actor=personas.handler, answer="答复")
    with pytest.raises(PermissionDenied):
        workflow.need_reopen(need=need, actor=personas.enterprise_secretary, reason="想重办")
    need = workflow.need_reopen(need=need, actor=personas.secretary, reason="答复未解决实际问题")
    lead.refresh_from_db()
    assert need.state == S.IN_PROGRESS and lead.redo_count == 1


def test_attachments_on_filing_and_later(world, personas, file_need):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("岗位需求表.pdf", b"%PDF-1.7\n%test\n", content_type="application/pdf")
    need = file_need(attachments=[pdf])
    stored = need.attachments.get()
    assert (stored.name, stored.kind) == ("岗位需求表.pdf", "pdf")
    assert not stored.file.name.endswith("岗位需求表.pdf"), "the stored name is random"
    fake = SimpleUploadedFile("照片.png", b"MZ\x90\x00not an image", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        filing.need_attach(need=need, actor=personas.enterprise_secretary, files=[fake])
    assert "attachments" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        filing.need_attach(need=need, actor=personas.handler, files=[pdf])
    assert need.attachments.count() == 1
