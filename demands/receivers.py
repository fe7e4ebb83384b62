"""Reactions to signals of the apps below demands (connected in DemandsConfig.ready)."""


def tell_new_secretary_of_policies(sender, *, enterprise_id, user_id, **kwargs):
    """alliances.signals.enterprise_secretary_granted: the newcomer hears of the enterprise's unread policies."""
    from .tasks.policies import tell_new_secretary_of_policies as task  # tasks import the models

    task.delay(enterprise_id)
