"""Periodic work on needs. Beat runs `demands.tasks.sweep_deadlines` on a static schedule; what is
due lives in the database, so a missed or doubled run changes nothing."""

import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from chainparty.models import TaskHeartbeat

from ..services.needs import escalation_sweep

__all__ = ["sweep_deadlines"]

SWEEP_NAME = "demands.tasks.sweep_deadlines"


@shared_task(name=SWEEP_NAME, acks_late=True)
def sweep_deadlines():
    """Warn, then escalate twice, every overdue assignment; idempotent and safe to run concurrently."""
    counts = escalation_sweep()
    _beat()
    return counts


def _beat():
    now = timezone.now()
    updated = TaskHeartbeat.objects.filter(name=SWEEP_NAME).update(
        last_run_at=now, runs=F("runs") + 1, hostname=socket.gethostname()
    )
    if not updated:
        TaskHeartbeat.objects.get_or_create(
            name=SWEEP_NAME, defaults={"last_run_at": now, "runs": 1, "hostname": socket.gethostname()}
        )
