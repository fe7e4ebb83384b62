"""Periodic work on needs. Beat runs `demands.tasks.sweep_deadlines` on a static schedule; what is
due lives in the database, so a missed or doubled run changes nothing."""

from celery import shared_task

from chainparty.tasks import record_heartbeat

from ..services.escalation import escalation_sweep

__all__ = ["sweep_deadlines"]

SWEEP_NAME = "demands.tasks.sweep_deadlines"


@shared_task(name=SWEEP_NAME, acks_late=True)
def sweep_deadlines():
    """Warn, then escalate twice, every overdue assignment; idempotent and safe to run concurrently."""
    counts = escalation_sweep()
    record_heartbeat(SWEEP_NAME)
    return counts
