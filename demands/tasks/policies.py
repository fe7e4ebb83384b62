"""Pushing a published policy to the enterprises it reached."""

from celery import shared_task

from ..services import policies as services


@shared_task(name="demands.tasks.push_policy", acks_late=True)
def push_policy(policy_id):
    """Notify the secretaries of every enterprise a policy reached. Running it twice sends nothing twice."""
    return services.policy_notify_deliveries(policy_id=policy_id)


@shared_task(name="demands.tasks.tell_new_secretary_of_policies", acks_late=True)
def tell_new_secretary_of_policies(enterprise_id):
    """Tell a newly appointed secretary of the policies their enterprise received and has not read."""
    return services.policy_notify_enterprise(enterprise_id=enterprise_id)
