"""The escalation sweep (督办): warns, escalates twice, never duplicates; eagerly under a frozen clock."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chainparty.models import Notification, NotificationDelivery, TaskHeartbeat
from demands.models import Assignment, Need, NeedEvent
from demands.services import escalation, workflow
from demands.tasks import sweep_deadlines
from tests.demands.conftest import at


def _sweep(day, capture):
    with time_machine.travel(at(*day, hour=9), tick=False), capture(execute=True):
        return sweep_deadlines.delay().get()


@pytest.fixture
def urgent_need(world, personas, dispatched_need):
    # Dispatched Monday 1 June 2026, urgent: 5 working days, due Monday 8 June.
    with time_machine.travel(at(2026, 6, 1), tick=False):
        need = dispatched_need(urgency=Need.Urgency.URGENT)
    assert need.deadline == dt.date(2026, 6, 8)
    return need


def _notes(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def test_sweep_warns_then_escalates_twice_and_never_repeats(
    world, personas, urgent_need, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert _sweep((2026, 6, 4), capture) == {"warned": 0, "level1": 0, "level2": 0}

    # Friday: due on the next working day (Monday) -> the handler is warned, once.
    assert _sweep((2026, 6, 5), capture)["warned"] == 1
    assert _sweep((2026, 6, 5), capture)["warned"] == 0
    assert _notes(personas.handler, "need_warning").count() == 1
    assert [m.to for m in mail.outbox] == [[personas.handler.email]]

    # Due day itself: nothing new.
    assert _sweep((2026, 6, 8), capture) == {"warned": 0, "level1": 0, "level2": 0}

    # Tuesday: one working day late -> level 1 to the alliance secretary.
    assert _sweep((2026, 6, 9), capture)["level1"] == 1
    assert _sweep((2026, 6, 9), capture)["level1"] == 0
    assert _notes(personas.secretary, "need_escalation").count() == 1
    assert not _notes(personas.org_staff, "need_escalation").exists()

    # Two working days late: not yet level 2.
    assert _sweep((2026, 6, 10), capture) == {"warned": 0, "level1": 0, "level2": 0}

    # Three working days late -> level 2 to the organisation department of the region.
    assert _sweep((2026, 6, 11), capture)["level2"] == 1
    assert _sweep((2026, 6, 12), capture)["level2"] == 0
    assert _notes(personas.org_staff, "need_escalation").count() == 1

    lead = Assignment.objects.get(need=urgent_need)
    assert lead.escalation_level == Assignment.Escalation.ORGANIZATION
    events = list(NeedEvent.objects.filter(need=urgent_need, action__in=["remind", "supervise"]).order_by("id"))
    assert [(e.action, e.data.get("level")) for e in events] == [("remind", None), ("supervise", 1), ("supervise", 2)]
    assert "已报组织部" in events[-1].note
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == sorted(
        [(personas.handler.email,), (personas.secretary.email,), (personas.org_staff.email,)]
    ), "each reminder is e-mailed exactly once"
    assert NotificationDelivery.objects.filter(status=NotificationDelivery.Status.SENT).count() == 3
    assert TaskHeartbeat.objects.get(name="demands.tasks.sweep_deadlines").runs >= 9


def test_answered_returned_and_closed_needs_are_not_chased(
    world, personas, urgent_need, dispatched_need, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        returned = dispatched_need(urgency=Need.Urgency.URGENT)
        workflow.need_return(need=returned, actor=personas.secretary, reason="请补充")
        answered = dispatched_need(urgency=Need.Urgency.URGENT)
        workflow.need_answer(
            need=answered, assignment=answered.assignments.get(), actor=personas.handler, answer="已办"
        )
    counts = _sweep((2026, 6, 15), django_capture_on_commit_callbacks)
    assert counts == {"warned": 0, "level1": 1, "level2": 1}
    chased = set(NeedEvent.objects.filter(action="supervise").values_list("need_id", flat=True))
    assert chased == {urgent_need.pk}


def test_a_redo_is_chased_again_with_a_fresh_deadline(world, personas, urgent_need, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    _sweep((2026, 6, 9), capture)
    lead = urgent_need.assignments.get()
    with time_machine.travel(at(2026, 6, 10), tick=False):
        need = workflow.need_answer(need=urgent_need, assignment=lead, actor=personas.handler, answer="迟到的答复")
        workflow.need_rate(need=need, actor=personas.enterprise_secretary, rating="unsatisfied", comment="没解决")
    lead.refresh_from_db()
    assert lead.escalation_level == 0 and lead.deadline == dt.date(2026, 6, 17)
    assert _sweep((2026, 6, 18), capture)["level1"] == 1
    assert _notes(personas.secretary, "need_escalation").count() == 2, "the redo round escalates anew"


def _overdue_needs(n, dispatched_need):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        for _ in range(n):
            dispatched_need(urgency=Need.Urgency.URGENT)


def test_sweep_queries_do_not_grow_with_the_number_due(world, personas, dispatched_need):
    def queries_for(n, day):
        _overdue_needs(n, dispatched_need)
        with time_machine.travel(at(*day, hour=9), tick=False), CaptureQueriesContext(connection) as ctx:
            counts = escalation.escalation_sweep()
        assert counts["level1"] == n
        return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])

    few = queries_for(3, (2026, 6, 9))
    many = queries_for(30, (2026, 6, 9))  # the 3 earlier ones are already escalated
    assert many == few, "no per-need queries"
    with time_machine.travel(at(2026, 6, 9, hour=10), tick=False), CaptureQueriesContext(connection) as ctx:
        assert escalation.escalation_sweep() == {"warned": 0, "level1": 0, "level2": 0}
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, "one indexed SELECT to warn, one to escalate, when nothing is due"


def _mentions(user, kind):
    """How often each need number is mentioned in the user's notifications of `kind`."""
    text = "\n".join(Notification.objects.filter(recipient=user, kind=kind).values_list("body", flat=True))
    return {number: text.count(number) for number in Need.objects.values_list("number", flat=True)}


def test_sweep_works_in_batches_and_sends_one_digest_per_batch(world, personas, dispatched_need, settings):
    settings.NEEDS_SWEEP_BATCH = 4
    _overdue_needs(10, dispatched_need)
    with time_machine.travel(at(2026, 6, 9, hour=9), tick=False):
        assert escalation.escalation_sweep()["level1"] == 10
        assert escalation.escalation_sweep()["level1"] == 0
    digests = Notification.objects.filter(recipient=personas.secretary, kind="need_escalation")
    assert sorted(digests.values_list("title", flat=True)) == ["2 项需求超期，请督办", *["4 项需求超期，请督办"] * 2]
    assert set(_mentions(personas.secretary, "need_escalation").values()) == {1}, "every need, once"
    assert digests.first().url == reverse("demands:need_overdue")


def test_level_two_setting_is_read(world, personas, urgent_need, settings, django_capture_on_commit_callbacks):
    settings.NEEDS_ESCALATION_LEVEL2_WORKDAYS = 1
    counts = _sweep((2026, 6, 9), django_capture_on_commit_callbacks)
    assert counts == {"warned": 0, "level1": 1, "level2": 1}


def test_need_page_timeline_shows_each_escalation_level(
    world, personas, urgent_need, client_for, django_capture_on_commit_callbacks
):
    _sweep((2026, 6, 9), django_capture_on_commit_callbacks)  # one working day late: level 1
    _sweep((2026, 6, 11), django_capture_on_commit_callbacks)  # three: level 2
    with time_machine.travel(at(2026, 6, 11, hour=11), tick=False):
        timeline = client_for(personas.org_staff).get(urgent_need.get_absolute_url()).content.decode()
    timeline = timeline.split('id="need-timeline"', 1)[1]
    assert "<strong>督办</strong>（一级）" in timeline and "<strong>督办</strong>（二级）" in timeline
    assert "2026-06-09 09:00" in timeline and f"· {world.department.name}" in timeline


def _sweep_key(step, parts, user):
    fingerprint = ",".join(f"{part.pk}.{part.redo_count}.{part.deadline:%Y%m%d}" for part in parts)
    return f"need-sweep:{step}:{hashlib.sha1(fingerprint.encode()).hexdigest()}:u{user.pk}"


def test_sweep_dedupe_keys_are_made_of_the_parts_redo_round_and_deadline(world, personas, dispatched_need):
    """The keys stay what notifications already sent were stored under: a changed key would send
    an already-sent warning or escalation again after a deploy."""
    with time_machine.travel(at(2026, 6, 1), tick=False):
        needs = [dispatched_need(urgency=Need.Urgency.URGENT) for _ in range(2)]
    parts = sorted(Assignment.objects.filter(need__in=needs), key=lambda part: part.need.number)
    with time_machine.travel(at(2026, 6, 5, hour=9), tick=False):
        assert escalation.escalation_sweep()["warned"] == 2
    with time_machine.travel(at(2026, 6, 9, hour=9), tick=False):
        assert escalation.escalation_sweep()["level1"] == 2
    [warning] = _notes(personas.handler, "need_warning")
    [digest] = _notes(personas.secretary, "need_escalation")
    assert warning.dedupe_key == _sweep_key("warn", parts, personas.handler)
    assert digest.dedupe_key == _sweep_key("l1", parts, personas.secretary)
