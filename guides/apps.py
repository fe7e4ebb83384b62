from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = _("党建指导员")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from alliances.access import register_grant_source

        from . import receivers  # noqa: F401  (a building goal ends when its organisation is recorded)
        from .reach import GUIDE_ASSIGNMENTS

        # A guide's reach follows their assignments' dates (guides/reach.py).
        register_grant_source(GUIDE_ASSIGNMENTS)
