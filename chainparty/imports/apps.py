from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Excel import (issue 11): its own app for its model and migrations, as chainparty.security is;
    import kinds still come from the apps above through the registry."""

    name = "chainparty.imports"
    label = "imports"
    verbose_name = _("数据导入")
    default_auto_field = "django.db.models.BigAutoField"
