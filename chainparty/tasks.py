import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from . import audit, exporters, holidays, notifications, sweeps, workdays
from .models import TaskHeartbeat


def record_heartbeat(name: str):
    """Count one run of the periodic task `name` (shown on the status page); returns when it ran."""
    now = timezone.now()
    updated = TaskHeartbeat.objects.filter(name=name).update(
        last_run_at=now, runs=F("runs") + 1, hostname=socket.gethostname()
    )
    if not updated:
        TaskHeartbeat.objects.get_or_create(
            name=name, defaults={"last_run_at": now, "runs": 1, "hostname": socket.gethostname()}
        )
    return now


@shared_task(acks_late=True)
def heartbeat():
    """Records that the worker and beat run; shown on the status page."""
    return record_heartbeat("heartbeat").isoformat()


@shared_task(acks_late=True)
def deliver_notifications(delivery_ids):
    """Send one small batch. Cut off by the time limit, it leaves the rest pending and the row it
    was sending "sending": the retry sweep takes both up later."""
    return sum(bool(notifications.deliver(delivery_id)) for delivery_id in delivery_ids)


@shared_task(acks_late=True)
def queue_delivery_batches(delivery_ids):
    """The deliveries one commit stored, queued as small batches from the worker (one message from
    the committing process however many there are; see notifications._enqueue_deliveries)."""
    notifications.queue_delivery_batches_now(delivery_ids)
    return len(delivery_ids)


@shared_task(acks_late=True)
def deliver_pending_notifications():
    """Retry sweep: queues what is due again as small batches of its own, so no task sends many."""
    return notifications.deliver_pending()


@shared_task(acks_late=True)
def sweep_due_items():
    """Send the reminders that are due (chainparty.sweeps); run every minute by beat."""
    record_heartbeat("chainparty.tasks.sweep_due_items")
    return sweeps.sweep_due()


@shared_task(acks_late=True)
def warn_missing_holidays():
    """Daily from 1 November: tell platform staff that next year's holidays are not entered yet
    (once per person and year; nothing once they are)."""
    return holidays.notify_missing_next_year(today=workdays.local_today())


@shared_task(acks_late=True)
def sweep_export_jobs():
    """Every few minutes: queue again background exports left waiting (broker down, worker killed)
    and fail those out of chances, so every job ends written or failed with a reason."""
    record_heartbeat("chainparty.tasks.sweep_export_jobs")
    return exporters.export_jobs_sweep()


@shared_task(acks_late=True)
def prune_audit_log():
    """Nightly: delete audit records past the retention period (CHAINPARTY_AUDIT_RETENTION_DAYS,
    at least 180 days). Idempotent: a second run finds nothing older."""
    record_heartbeat("chainparty.tasks.prune_audit_log")
    return audit.prune()
