"""Real concurrency on PostgreSQL (row locks between threads) and the sweep through a real Celery
worker on Redis. Locally without those services these skip with a reason; in CI they must run."""

import os
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection

from chainparty.celery import app
from chainparty.errors import StateError
from chainparty.models import Notification, NotificationDelivery, TaskHeartbeat
from demands.models import Assignment, Need, NeedEvent
from demands.services import escalation, workflow
from demands.tasks import sweep_deadlines
from tests.conftest import need_service
from tests.demands.conftest import at

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _require_postgres():
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for row locks between concurrent transactions")


def _run_together(*calls):
    """Run the calls in threads started at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # collected and asserted by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _slow(monkeypatch, module, name, seconds=0.4):
    """Make a step of the service hold its locks a little longer, so the threads really overlap."""
    original = getattr(module, name)

    def slowed(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(module, name, slowed)


def test_two_secretaries_dispatch_at_once_one_wins(world, personas, file_need, co_department, monkeypatch):
    _require_postgres()
    need = workflow.need_accept(need=file_need(), actor=personas.secretary)
    seen = need.version
    _slow(monkeypatch, workflow, "_advance")

    def dispatch(actor, department):
        return lambda: workflow.need_dispatch(
            need=Need.objects.get(pk=need.pk), actor=actor, lead_department=department, expected_version=seen
        )

    results = _run_together(dispatch(personas.secretary, world.department), dispatch(personas.org_staff, co_department))
    winners = [r for r in results if isinstance(r, Need)]
    losers = [r for r in results if isinstance(r, StateError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "已被他人处理" in losers[0].messages[0]
    assert Assignment.objects.filter(need=need).count() == 1
    assert NeedEvent.objects.filter(need=need, action="dispatch").count() == 1


def test_two_sweeps_at_once_send_nothing_twice(world, personas, dispatched_need, monkeypatch):
    _require_postgres()
    with time_machine.travel(at(2026, 6, 1), tick=False):
        needs = [dispatched_need(urgency=Need.Urgency.URGENT) for _ in range(12)]
    _slow(monkeypatch, escalation, "_claim", 0.3)
    with time_machine.travel(at(2026, 6, 11, hour=9), tick=False):
        results = _run_together(
            lambda: escalation.escalation_sweep(batch_size=5), lambda: escalation.escalation_sweep(batch_size=5)
        )
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["level1"] for r in results) == len(needs)
    assert sum(r["level2"] for r in results) == len(needs)
    for user in (personas.secretary, personas.org_staff):
        text = "\n".join(
            Notification.objects.filter(recipient=user, kind="need_escalation").values_list("body", flat=True)
        )
        assert all(text.count(need.number) == 1 for need in needs), "each need in exactly one digest"
    # Three working days late when first seen: both levels at once, one timeline entry per need.
    for need in needs:
        assert list(NeedEvent.objects.filter(need=need, action="supervise").values_list("data__levels", flat=True)) == [
            [1, 2]
        ]


def test_the_sweep_runs_on_a_real_worker_over_redis(world, personas, dispatched_need):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        need_service("Redis (REDIS_URL) for a real Celery worker")
    from celery.contrib.testing.worker import start_worker

    with time_machine.travel(at(2026, 6, 1), tick=False):
        need = dispatched_need(urgency=Need.Urgency.URGENT)
    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=redis_url)
    app.control.purge()  # nothing left over from another run reaches this test's worker
    mail.outbox = []
    runs = TaskHeartbeat.objects.filter(name="demands.tasks.sweep_deadlines")
    sent = NotificationDelivery.objects.filter(status=NotificationDelivery.Status.SENT)
    try:
        with (
            time_machine.travel(at(2026, 6, 9, hour=9), tick=True),
            start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"),
        ):
            sweep_deadlines.delay()
            _wait_until(lambda: runs.filter(runs__gte=1).exists() and sent.exists())
            sweep_deadlines.delay()
            _wait_until(lambda: runs.filter(runs__gte=2).exists())
            time.sleep(0.5)  # anything a second run wrongly queued would be delivered by now
    finally:
        app.conf.update(**previous)
    assert Assignment.objects.get(need=need).escalation_level == Assignment.Escalation.ALLIANCE
    assert Notification.objects.filter(recipient=personas.secretary, kind="need_escalation").count() == 1
    assert [m.to for m in mail.outbox] == [[personas.secretary.email]], "the worker e-mailed the reminder once"
    assert NeedEvent.objects.filter(need=need, action="supervise").count() == 1


def _wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)
