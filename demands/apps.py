from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("三张清单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliances.signals import enterprise_secretary_granted

        from . import receivers

        enterprise_secretary_granted.connect(
            receivers.tell_new_secretary_of_policies, dispatch_uid="demands.tell_new_secretary_of_policies"
        )
