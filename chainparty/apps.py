from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainPartyConfig(AppConfig):
    name = "chainparty"
    verbose_name = _("平台基础")
    default_auto_field = "django.db.models.BigAutoField"
