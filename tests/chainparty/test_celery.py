import contextlib
import os

import pytest
from django.conf import settings
from django.urls import reverse

from chainparty.celery import app
from chainparty.models import TaskHeartbeat
from chainparty.tasks import heartbeat
from tests import factories
from tests.conftest import need_service


@pytest.mark.django_db
def test_heartbeat_records_each_run():
    heartbeat.delay()
    heartbeat.delay()
    assert TaskHeartbeat.objects.get(name="heartbeat").runs == 2


def test_beat_schedule_is_static_and_names_real_tasks():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db
def test_status_page_for_staff_only(client):
    TaskHeartbeat.objects.create(name="heartbeat", last_run_at="2026-11-21T08:00:00+08:00", runs=3)
    client.force_login(factories.UserFactory(is_staff=True))
    assert "heartbeat" in client.get(reverse("system_status")).content.decode()
    client.force_login(factories.UserFactory())
    assert client.get(reverse("system_status")).status_code == 302


@contextlib.contextmanager
def _switched_to(broker_url):
    """The global Celery app on a real broker for one test, put back as it was whatever happens,
    so later tests still run their tasks eagerly."""
    keys = ("task_always_eager", "broker_url", "result_backend", "task_ignore_result")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(task_always_eager=False, broker_url=broker_url, result_backend=broker_url, task_ignore_result=False)
    try:
        yield app
    finally:
        app.conf.update(saved)


@pytest.mark.django_db
def test_switching_to_a_real_broker_is_undone_even_when_the_test_fails():
    before = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    with pytest.raises(RuntimeError), _switched_to("redis://127.0.0.1:1/15"):
        assert app.conf.task_always_eager is False
        raise RuntimeError("the worker never answered")
    assert {key: app.conf[key] for key in before} == before
    assert heartbeat.delay().successful()  # eager again: ran in this process


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker_over_redis():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        need_service("Redis (REDIS_URL) for a real Celery worker")
    from celery.contrib.testing.worker import start_worker

    with _switched_to(redis_url):
        app.control.purge()  # messages another run left on this Redis database are not this test's
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            heartbeat.delay().get(timeout=20)
    assert TaskHeartbeat.objects.get(name="heartbeat").runs == 1
