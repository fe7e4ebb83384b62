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


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker_over_redis(settings):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        need_service("Redis (REDIS_URL) for a real Celery worker")
    from celery.contrib.testing.worker import start_worker

    app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url, task_ignore_result=False)
    try:
        app.control.purge()  # messages another run left on this Redis database are not this test's
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = heartbeat.delay()
            result.get(timeout=20)
    finally:
        app.conf.update(task_always_eager=True, task_ignore_result=True)
    assert TaskHeartbeat.objects.get(name="heartbeat").runs == 1
