import socket

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from . import notifications
from .models import TaskHeartbeat


@shared_task(acks_late=True)
def heartbeat():
    """Records that the worker and beat run; shown on the status page."""
    now = timezone.now()
    updated = TaskHeartbeat.objects.filter(name="heartbeat").update(
        last_run_at=now, runs=F("runs") + 1, hostname=socket.gethostname()
    )
    if not updated:
        TaskHeartbeat.objects.get_or_create(
            name="heartbeat", defaults={"last_run_at": now, "runs": 1, "hostname": socket.gethostname()}
        )
    return now.isoformat()


@shared_task(acks_late=True)
def deliver_notification(delivery_id):
    return notifications.deliver(delivery_id)


@shared_task(acks_late=True)
def deliver_pending_notifications():
    sent = 0
    for delivery_id in notifications.pending_delivery_ids():
        sent += bool(notifications.deliver(delivery_id))
    return sent
