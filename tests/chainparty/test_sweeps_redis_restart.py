"""Issue 8 §2: "a restarted Redis never duplicates or loses a reminder", through a real Celery worker.

The test starts a redis-server of its own on a free port, keeping nothing on disk (``--save ""
--appendonly no``), and a `celery worker` (tests/worker_settings.py: small batches, a slow outside
channel that writes down each step, claim timeouts of a few seconds) on it and on the test's
PostgreSQL database. A sweep is queued; while its third batch is being delivered that Redis is killed
(SIGKILL) and started again empty: the sweep's message, the worker's unacknowledged task and the
notification tasks it queued are gone. Beat's next sweep is then queued on the fresh Redis. Every
reminder must reach its recipient in the portal exactly once: what was delivered before the crash
is not sent again, and what the lost sweep had not sent (or had claimed and dropped) is sent by the
next one.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db import connection
from django.utils import timezone

from chainparty import sweeps
from chainparty.models import DueItem, TaskHeartbeat
from chainparty.notifications import Message
from tests import factories, worker_settings
from tests.chainparty.test_sweeps_worker import _channel_steps, _database_url, _once_each, _reminders_in_app
from tests.conftest import need_service

BASE_DIR = Path(__file__).resolve().parents[2]
QUEUE = worker_settings.QUEUE
BATCH = worker_settings.DUE_ITEM_SWEEP_BATCH
CLAIM_TIMEOUT = worker_settings.CLAIM_TIMEOUT_SECONDS
USERS = 4
MEETINGS = 10  # 40 reminders: five batches of 8, each two meetings for the same four people
Status = DueItem.Status
WORKER = [sys.executable, "-m", "celery", "-A", "chainparty", "worker", "--pool=solo", "-Q", QUEUE]
WORKER += ["--without-heartbeat", "--without-gossip", "--without-mingle"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server process of the test's own that keeps nothing on disk."""

    def __init__(self, binary, port, log_dir):
        self.binary, self.port, self.log_dir = binary, port, log_dir
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = self.log_dir / f"redis-{self.starts}.log"
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.log_dir), "--logfile", str(log)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {self.port}: {log.read_text(errors='replace')}")
                time.sleep(0.05)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


def _log_summary(log):
    """A log's warnings and errors (a traceback can hide them in its tail), then its last lines."""
    lines = log.read_text(errors="replace").splitlines()
    marked = [line for line in lines if any(f"{level}/" in line for level in ("WARNING", "ERROR", "CRITICAL"))]
    return "\n".join([f"--- {log.name}", *marked[-30:], "...", *lines[-15:]])


def _wait_for(condition, what, logs, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            text = "\n".join(_log_summary(log) for log in logs if log.exists())
            statuses = Counter(DueItem.objects.values_list("status", flat=True))
            pytest.fail(f"timed out waiting for {what}; reminders {dict(statuses)}\n{text}")
        time.sleep(0.05)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_redis_restarted_mid_sweep_neither_loses_nor_duplicates_a_reminder(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        need_service("redis-server (apt-get install redis-server) for a Redis the test can restart")
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL): the worker shares the test database")

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

    server = RedisServer(binary, _free_port(), tmp_path)
    channel_log, worker_log = tmp_path / "channel.log", tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": server.url,
        "PYTHONPATH": str(BASE_DIR),
        "SWEEP_TEST_CHANNEL_LOG": str(channel_log),
    }
    workers = []
    try:
        broker = server.start()
        sender = Celery("sweeps-redis-restart-test", broker=server.url, set_as_current=False)  # beat's part
        sender.send_task("chainparty.tasks.sweep_due_items", queue=QUEUE)

        def start_worker():
            """Start a worker, or start it again when it exited, as the compose file's `restart:
            unless-stopped` does (kombu can end a worker whose broker vanished mid-reconnect)."""
            if workers and workers[-1].poll() is None:
                return
            with open(worker_log, "ab") as out:
                workers.append(
                    subprocess.Popen(
                        [*WORKER, "-n", f"redis-restart-{len(workers)}@%h"],
                        cwd=BASE_DIR,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )

        start_worker()
        logs = [worker_log, channel_log]

        # Redis dies while the sweep delivers its third batch, and comes back with nothing in it.
        _wait_for(lambda: len(_channel_steps(channel_log, "reach")) > 2 * USERS, "the sweep's third batch", logs)
        server.kill()
        # The sweep cannot queue its notifications' deliveries any more and fails; what it had
        # delivered stays delivered, the rest waits for the next sweep.
        _wait_for(
            lambda: (
                "sweep_due_items" in worker_log.read_text(errors="replace")
                and "raised unexpected" in worker_log.read_text(errors="replace")
            ),
            "the sweep to fail without its broker",
            logs,
        )
        delivered_before = set(DueItem.objects.filter(status=Status.DELIVERED).values_list("pk", flat=True))
        assert 2 * BATCH <= len(delivered_before) < len(reminders), "Redis must go down mid-sweep"
        assert _reminders_in_app() == _once_each(DueItem.objects.filter(status=Status.DELIVERED))

        broker = server.start()
        assert broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0  # every message was lost
        # Beat's next sweep, once a claim the lost sweep may have left is old enough to take up.
        time.sleep(CLAIM_TIMEOUT + 0.2)
        sender.send_task("chainparty.tasks.sweep_due_items", queue=QUEUE)

        def all_delivered():
            start_worker()
            return not DueItem.objects.exclude(status=Status.DELIVERED).exists() and broker.llen(QUEUE) == 0

        _wait_for(all_delivered, "every reminder delivered after the restart", logs, timeout=120)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        server.kill()

    assert TaskHeartbeat.objects.get(name="chainparty.tasks.sweep_due_items").runs == 2  # the lost one ran once
    assert _reminders_in_app() == _once_each(reminders)
    assert set(DueItem.objects.filter(status=Status.DELIVERED).values_list("pk", flat=True)) >= delivered_before
    assert Counter(DueItem.objects.values_list("attempts", flat=True)).keys() <= {1, 2}
