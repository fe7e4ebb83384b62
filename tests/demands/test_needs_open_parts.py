"""A need that ends (rejected, merged, closed) leaves no open part behind (issue 7 defect 2.4).

A need returned from dispatch keeps its parts while the enterprise adds what was asked for, so
rejecting or merging it afterwards used to leave them 待办理/办理中 for good: on the need page, out
of the handlers' 待办 (the need no longer answerable) and out of their 已办理 list too."""

import pytest
from django.urls import reverse

from chainparty.models import Notification
from demands.models import Assignment, Need, NeedEvent
from demands.services import workflow

S = Need.State


@pytest.fixture
def returned_with_parts(personas, dispatched_need, co_department):
    """Dispatched to a lead (started: 办理中) and a co-handler (待办理), then returned for more
    information: both parts are still open."""
    need = dispatched_need(co_departments=[co_department])
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    workflow.need_start(need=need, assignment=lead, actor=personas.handler)
    need = workflow.need_return(need=need, actor=personas.secretary, reason="请补充岗位工种和薪酬")
    states = dict(need.assignments.values_list("role", "state"))
    assert states == {Assignment.Role.LEAD: Assignment.State.IN_PROGRESS, Assignment.Role.CO: Assignment.State.PENDING}
    return need


def _assert_every_part_withdrawn(need, *, trigger, handlers, client_for):
    parts = list(need.assignments.order_by("pk"))
    assert parts and all(part.state == Assignment.State.WITHDRAWN for part in parts)
    events = NeedEvent.objects.filter(need=need, action=NeedEvent.Action.WITHDRAW).order_by("assignment_id")
    assert [(e.assignment_id, e.data["trigger"], e.data["assignee"]) for e in events] == [
        (part.pk, trigger, str(part.assignee)) for part in parts
    ]
    for handler in handlers:
        assert Notification.objects.filter(recipient=handler, title=f"{need.number} 派单已撤销").exists()
        client = client_for(handler)
        todo = client.get(reverse("demands:assignment_list")).content.decode()
        assert need.number not in todo
        done = client.get(reverse("demands:assignment_list") + "?tab=done").content.decode()
        assert need.number in done and "已撤销" in done


def test_reject_after_return_withdraws_the_open_parts(personas, returned_with_parts, co_department, client_for):
    need = workflow.need_reject(need=returned_with_parts, actor=personas.secretary, reason="不属于联盟职责")
    assert need.state == S.REJECTED
    # The timeline keeps what each part was when it was withdrawn.
    withdrawn_from = {e.data["part_state"] for e in need.events.filter(action=NeedEvent.Action.WITHDRAW)}
    assert withdrawn_from == {Assignment.State.IN_PROGRESS, Assignment.State.PENDING}
    _assert_every_part_withdrawn(
        need, trigger="reject", handlers=[personas.handler, co_department.test_handler], client_for=client_for
    )


def test_merge_after_return_withdraws_the_open_parts(
    personas, returned_with_parts, co_department, file_need, client_for
):
    kept = file_need(title="同一问题，保留这条")
    need = workflow.need_merge(need=returned_with_parts, actor=personas.secretary, into=kept)
    assert need.state == S.MERGED
    _assert_every_part_withdrawn(
        need, trigger="merge", handlers=[personas.handler, co_department.test_handler], client_for=client_for
    )
    assert not kept.assignments.exists()


def test_close_withdraws_a_co_part_that_never_answered(personas, dispatched_need, co_department, client_for):
    need = dispatched_need(co_departments=[co_department])
    lead = need.assignments.get(role=Assignment.Role.LEAD)
    need = workflow.need_answer(need=need, assignment=lead, actor=personas.handler, answer="已对接技工学校")
    need = workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating=Need.Rating.SATISFIED)
    need = workflow.need_close(need=need, actor=personas.secretary)
    assert need.state == S.CLOSED
    co = need.assignments.get(role=Assignment.Role.CO)
    assert co.state == Assignment.State.WITHDRAWN
    assert need.assignments.get(role=Assignment.Role.LEAD).state == Assignment.State.ANSWERED
    event = need.events.get(action=NeedEvent.Action.WITHDRAW)
    assert (event.assignment_id, event.data["trigger"], event.data["part_state"]) == (co.pk, "close", "pending")
    client = client_for(co_department.test_handler)
    assert need.number not in client.get(reverse("demands:assignment_list")).content.decode()
    assert need.number in client.get(reverse("demands:assignment_list") + "?tab=done").content.decode()
    # The lead answered: nothing of theirs was withdrawn, so nothing to tell them.
    assert not Notification.objects.filter(recipient=personas.handler, title__contains="派单已撤销").exists()


def test_a_need_ended_without_parts_records_no_withdrawal(personas, file_need):
    need = workflow.need_reject(need=file_need(), actor=personas.secretary, reason="不属于联盟职责")
    assert not need.events.filter(action=NeedEvent.Action.WITHDRAW).exists()
