"""Issue 10 §2.5: the audit log is kept CHAINPARTY_AUDIT_RETENTION_DAYS (at least 184 days: the
Cybersecurity Law's six calendar months at the longest) and pruned nightly by a beat task, the one path that deletes
audit records; nothing else can change or remove one."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from chainparty import audit, tasks
from chainparty.models import AuditLog, AuditLogImmutableError, TaskHeartbeat

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 7, 1, 3, 10))


def _record(days_ago, **data):
    entry = AuditLog(action=AuditLog.Action.EXPORT, at=NOW - dt.timedelta(days=days_ago), data=data)
    entry.save(force_insert=True)
    return entry


def test_the_default_is_the_legal_minimum():
    assert django_settings.CHAINPARTY_AUDIT_RETENTION_DAYS == 184
    assert audit.retention_days() == 184


def test_records_past_the_period_are_pruned_the_rest_kept():
    old = [_record(days) for days in (185, 200, 400)]
    kept = [_record(days) for days in (183, 181, 30, 0)]
    edge = _record(184)  # exactly 184 days old: still within the period
    assert audit.prune(now=NOW, batch_size=2) == 3  # in batches
    remaining = set(AuditLog.objects.values_list("pk", flat=True))
    assert remaining >= {entry.pk for entry in [*kept, edge]}
    assert not remaining & {entry.pk for entry in old}
    assert audit.prune(now=NOW) == 0  # idempotent


def test_a_longer_period_keeps_more(settings):
    settings.CHAINPARTY_AUDIT_RETENTION_DAYS = 365
    kept, gone = _record(300), _record(366)
    assert audit.prune(now=NOW) == 1
    assert AuditLog.objects.filter(pk=kept.pk).exists() and not AuditLog.objects.filter(pk=gone.pk).exists()


def test_a_period_below_the_minimum_is_refused(settings):
    settings.CHAINPARTY_AUDIT_RETENTION_DAYS = 90
    _record(100)
    with pytest.raises(ImproperlyConfigured):
        audit.prune(now=NOW)
    assert AuditLog.objects.count() >= 1


def test_settings_below_the_minimum_refuse_to_start():
    env = {**os.environ, "CHAINPARTY_AUDIT_RETENTION_DAYS": "183", "DJANGO_SETTINGS_MODULE": "chainparty.settings.dev"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "184" in result.stderr


def test_every_other_path_is_still_refused():
    entry = _record(400)
    with pytest.raises(AuditLogImmutableError):
        entry.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.filter(pk=entry.pk).update(actor_name="x")
    entry.actor_name = "x"
    with pytest.raises(AuditLogImmutableError):
        entry.save()


def test_the_beat_task_prunes_nightly(time_machine):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["audit-retention"]
    assert schedule["task"] == "chainparty.tasks.prune_audit_log"
    time_machine.move_to(NOW, tick=False)
    gone, kept = _record(365), _record(10)
    assert tasks.prune_audit_log.delay().get() == 1
    assert list(AuditLog.objects.filter(pk__in=[gone.pk, kept.pk]).values_list("pk", flat=True)) == [kept.pk]
    assert TaskHeartbeat.objects.get(name="chainparty.tasks.prune_audit_log").runs == 1
