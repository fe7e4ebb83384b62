from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = _("产业链党委与成员")
    default_auto_field = "django.db.models.BigAutoField"
