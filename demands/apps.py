from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "demands"
    verbose_name = _("三张清单")
    default_auto_field = "django.db.models.BigAutoField"
