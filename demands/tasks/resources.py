"""Expiring resources past their valid-until date."""

from celery import shared_task

from ..services import resources as services


@shared_task(name="demands.tasks.expire_resources", acks_late=True)
def expire_resources():
    """Daily: resources past their valid-until date become expired."""
    return services.resource_expire_due()
