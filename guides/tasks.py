"""Celery tasks of guides: small, idempotent, each calling a service."""

import datetime as dt

from celery import shared_task

from chainparty.tasks import record_heartbeat
from chainparty.workdays import local_today

from . import reminders


@shared_task(acks_late=True)
def remind_unvisited(today: str | None = None):
    """Daily (beat): five working days before a month ends, each guide's enterprises still unvisited;
    when it has ended, each sending unit's guides' overdue enterprises. Rows of the shared sweep,
    made once per guide (and unit) per period; `chainparty.tasks.sweep_due_items` sends them.
    `today` (ISO date) runs a day that was missed, as `manage.py shell` or a test may ask."""
    record_heartbeat("guides.tasks.remind_unvisited")
    day = dt.date.fromisoformat(today) if today else local_today()
    return reminders.remind_unvisited(today=day)
