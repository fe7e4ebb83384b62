"""Issue 8 §2 through real Celery workers on Redis and PostgreSQL: a worker killed (SIGKILL) inside
a reminder sweep's batch, another killed while sending to an outside channel, then a fresh worker
that sweeps again and gets the killed tasks redelivered.

What it proves: in the portal every reminder reaches its recipient exactly once (the killed
batch's delivery transaction rolled back, its claim was taken up by age and sent once); through an
outside channel every reminder is sent at least once, and twice only when the send was cut off by
the kill: the channel cannot say whether that message left, so it is sent again rather than lost.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection
from django.db.models import F
from django.utils import timezone

from chainparty import sweeps
from chainparty.models import DueItem, Notification, NotificationDelivery, TaskHeartbeat
from chainparty.notifications import Message
from tests import factories, worker_settings
from tests.conftest import need_service

BASE_DIR = Path(__file__).resolve().parents[2]
QUEUE = worker_settings.QUEUE
BATCH = worker_settings.DUE_ITEM_SWEEP_BATCH
CLAIM_TIMEOUT = worker_settings.CLAIM_TIMEOUT_SECONDS
USERS = 4
MEETINGS = 10  # 40 reminders; each batch of 8 is two meetings for the same four people
WORKER = [sys.executable, "-m", "celery", "-A", "chainparty", "worker", "--pool=solo", "-Q", QUEUE]
WORKER += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
Status = DueItem.Status
Sending = NotificationDelivery.Status


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


class Worker:
    """`celery worker --pool=solo` on the test's queue, as a process of its own."""

    def __init__(self, name, *, env, log_dir, visibility_timeout=3600):
        self.log = log_dir / f"{name}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [*WORKER, "-n", f"{name}@%h"],
                cwd=BASE_DIR,
                env={**env, "SWEEP_TEST_VISIBILITY_TIMEOUT": str(visibility_timeout)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the task under way finishes and is acked
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_for(condition, what, workers, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.log.name}\n{w.log.read_text(errors='replace')[-3000:]}" for w in workers)
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.02)


def _channel_steps(log, step):
    if not log.exists():
        return []
    return [int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith(f"{step} ")]


def _reminders_in_app():
    """(recipient, reminder title) -> how many in-app notifications carried it: a digest of one
    reminder is titled as the reminder, a digest of several lists their titles in its body."""
    carried = Counter()
    for note in Notification.objects.filter(dedupe_key__startswith=sweeps.DUE_KEY_PREFIX):
        titles = [note.title] if note.title.startswith("会议") else note.body.splitlines()
        carried.update((note.recipient_id, title) for title in titles)
    return carried


def _once_each(items):
    return Counter({(item.recipient_id, item.title): 1 for item in items})


def _forget_queue(sender, broker):
    """Drop what is left on the test's queue, and the messages a killed worker held unacked that no
    worker redelivered, so no later run receives them."""
    with sender.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    for tag, payload in broker.hgetall("unacked").items():
        if json.loads(payload)[2] == QUEUE:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_batch_and_mid_send_neither_lose_nor_duplicate_a_reminder(tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        need_service("Redis (REDIS_URL) for real Celery workers")
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL): the workers share the test database")
    broker = redis.Redis.from_url(redis_url)
    try:
        broker.ping()
    except redis.ConnectionError:
        need_service(f"Redis at {redis_url} for real Celery workers")

    users = factories.UserFactory.create_batch(USERS)
    now = timezone.now()
    for meeting in range(1, MEETINGS + 1):
        sweeps.schedule(
            kind="meeting_reminder",
            source_key=f"meeting:{meeting}",
            version=now + timezone.timedelta(hours=1),
            recipients=users,
            due_at=now - timezone.timedelta(minutes=1),
            message=Message(title=f"会议{meeting:02d}一小时后召开", url=f"/alliances/meetings/{meeting}/"),
        )
    reminders = list(DueItem.objects.all())
    assert len(reminders) == USERS * MEETINGS

    channel_log = tmp_path / "channel.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(BASE_DIR),
        "SWEEP_TEST_CHANNEL_LOG": str(channel_log),
    }
    sender = Celery("sweeps-worker-test", broker=redis_url, set_as_current=False)  # publishes only
    workers = []
    _forget_queue(sender, broker)
    try:
        # 1. Killed inside a batch: the third batch's delivery transaction is under way.
        sender.send_task("chainparty.tasks.sweep_due_items", queue=QUEUE)
        workers.append(Worker("killed-sweeping", env=env, log_dir=tmp_path))
        _wait_for(lambda: len(_channel_steps(channel_log, "reach")) > 2 * USERS, "a third batch", workers)
        workers[-1].kill()
        statuses = Counter(DueItem.objects.values_list("status", flat=True))
        assert statuses == {Status.DELIVERED: 2 * BATCH, Status.CLAIMED: BATCH, Status.PENDING: 2 * BATCH}
        # What was delivered is in the portal once; the claimed batch's notifications rolled back.
        assert _reminders_in_app() == _once_each(DueItem.objects.filter(status=Status.DELIVERED))
        assert _channel_steps(channel_log, "send") == []  # sends queue behind the sweep

        # 2. Killed while sending the first two batches' notifications to the outside channel.
        workers.append(Worker("killed-sending", env=env, log_dir=tmp_path))
        _wait_for(lambda: len(_channel_steps(channel_log, "send")) >= 4, "four sends", workers)
        workers[-1].kill()
        cut_off = set(
            NotificationDelivery.objects.filter(status=Sending.SENDING).values_list("notification_id", flat=True)
        )
        assert len(cut_off) <= 1  # one task at a time, one send at a time

        # 3. After the claim timeouts a fresh worker: the killed tasks come back (the broker's
        # visibility timeout), beat's next sweeps run, and the retry sweep takes up the cut-off
        # send. It leaves notifications younger than two minutes to their own task: age them.
        time.sleep(CLAIM_TIMEOUT + 0.2)
        Notification.objects.update(created_at=F("created_at") - timezone.timedelta(minutes=3))
        sender.send_task("chainparty.tasks.deliver_pending_notifications", queue=QUEUE)
        sender.send_task("chainparty.tasks.sweep_due_items", queue=QUEUE)
        workers.append(Worker("fresh", env=env, log_dir=tmp_path, visibility_timeout=CLAIM_TIMEOUT + 2))

        def settled():
            return (
                not DueItem.objects.exclude(status=Status.DELIVERED).exists()
                and not NotificationDelivery.objects.exclude(status=Sending.SENT).exists()
                and broker.llen(QUEUE) == 0
                and broker.hlen("unacked") == 0  # the killed workers' tasks were redelivered and ran
            )

        _wait_for(settled, "every reminder delivered and every task done", workers)
    finally:
        for worker in workers:
            worker.stop()
        _forget_queue(sender, broker)

    # The killed sweep ran again (redelivered) besides the first run and beat's next one.
    assert TaskHeartbeat.objects.get(name="chainparty.tasks.sweep_due_items").runs >= 3
    # The killed batch was claimed a second time; nothing else was.
    assert Counter(DueItem.objects.values_list("attempts", flat=True)) == {1: 4 * BATCH, 2: BATCH}
    assert _reminders_in_app() == _once_each(reminders)
    notes = set(Notification.objects.values_list("pk", flat=True))
    assert set(_channel_steps(channel_log, "sent")) == notes, "every notification arrived through the outside channel"
    left = Counter(_channel_steps(channel_log, "send"))
    assert {pk: times for pk, times in left.items() if times > 1}.keys() <= cut_off
    assert max(left.values()) <= 2
