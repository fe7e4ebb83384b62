from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainPartyConfig(AppConfig):
    name = "chainparty"
    verbose_name = _("平台基础")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import signals

        from . import audit

        signals.user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="chainparty_audit_login")
        signals.user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="chainparty_audit_logout")
        signals.user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="chainparty_audit_login_failed")
