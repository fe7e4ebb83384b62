"""Issue 9 §2 through a real Celery worker on Redis and PostgreSQL: beat's daily guides task runs in
the worker (twice, as a duplicated beat or a redelivered message would), then the due-items sweep
sends what it made; the guide receives one reminder, the department one notice, exactly once.

Fails, rather than skips, under CHAINPARTY_REQUIRE_SERVICES=1 (CI) when Redis or PostgreSQL is missing.
"""

import datetime as dt
import os
from collections import Counter

import pytest
import redis
import time_machine
from celery import Celery
from django.db import connection
from django.utils import timezone

from chainparty.models import DueItem, Notification, TaskHeartbeat
from guides import reminders, services
from tests import factories
from tests.chainparty.test_sweeps_worker import BASE_DIR, QUEUE, Worker, _database_url, _forget_queue, _wait_for
from tests.conftest import need_service


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_guides_reminder_runs_once_through_a_real_worker(tmp_path, world, personas):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        need_service("Redis (REDIS_URL) for a real Celery worker")
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL): the worker shares the test database")
    broker = redis.Redis.from_url(redis_url)
    try:
        broker.ping()
    except redis.ConnectionError:
        need_service(f"Redis at {redis_url} for a real Celery worker")

    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 4, 1, 9, 0)), tick=False):
        user = factories.UserFactory(username="guide_qian", real_name="钱指导")
        guide = services.guide_create(
            actor=None, user=user, department=world.department, term_start=dt.date(2025, 1, 1)
        )
        services.assignment_create(
            actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1), cadence="monthly"
        )

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(BASE_DIR),
        "SWEEP_TEST_CHANNEL_LOG": str(tmp_path / "channel.log"),
    }
    sender = Celery("guides-reminder-test", broker=redis_url, set_as_current=False)  # publishes only
    worker = None
    _forget_queue(sender, broker)
    try:
        # May's reminder day, then the first day of June (the department's notice), each sent twice.
        for day in ("2026-05-25", "2026-05-25", "2026-06-01", "2026-06-01"):
            sender.send_task("guides.tasks.remind_unvisited", kwargs={"today": day}, queue=QUEUE)
        sender.send_task("chainparty.tasks.sweep_due_items", queue=QUEUE)
        worker = Worker("guides-reminders", env=env, log_dir=tmp_path)

        def settled():
            return (
                TaskHeartbeat.objects.filter(name="guides.tasks.remind_unvisited", runs=4).exists()
                and DueItem.objects.count() == 2
                and not DueItem.objects.exclude(status=DueItem.Status.DELIVERED).exists()
                and broker.llen(QUEUE) == 0
            )

        _wait_for(settled, "both reminders made and delivered", [worker], timeout=60)
    finally:
        if worker is not None:
            worker.stop()
        _forget_queue(sender, broker)

    kinds = Counter(DueItem.objects.values_list("kind", "recipient_id"))
    assert kinds == {(reminders.GUIDE_REMINDER, user.pk): 1, (reminders.SENDER_REPORT, personas.handler.pk): 1}
    [note] = Notification.objects.filter(recipient=user)
    assert note.title == "走访提醒：本期还有 1 家企业未走访" and world.member.name in note.body
    [notice] = Notification.objects.filter(recipient=personas.handler)
    assert notice.title == f"{world.department.name}选派的指导员上期有 1 家企业逾期未走访"
