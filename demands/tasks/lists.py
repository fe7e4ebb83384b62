"""Background work for the lists: pushing a published policy, expiring resources."""

from celery import shared_task

from ..services import lists as services

__all__ = ["expire_resources", "push_policy"]


@shared_task(name="demands.tasks.push_policy", acks_late=True)
def push_policy(policy_id):
    """Notify the secretaries of every enterprise a policy reached. Running it twice sends nothing twice."""
    return services.policy_notify_deliveries(policy_id=policy_id)


@shared_task(name="demands.tasks.expire_resources", acks_late=True)
def expire_resources():
    """Daily: resources past their valid-until date become expired."""
    return services.resource_expire_due()
