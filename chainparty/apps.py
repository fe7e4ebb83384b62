from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainPartyConfig(AppConfig):
    name = "chainparty"
    verbose_name = _("平台基础")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import signals
        from django.db.models.signals import m2m_changed, post_migrate, post_save, pre_save

        from . import audit, receivers, roles
        from .models import User

        signals.user_logged_in.connect(audit.on_user_logged_in, dispatch_uid="chainparty_audit_login")
        signals.user_logged_out.connect(audit.on_user_logged_out, dispatch_uid="chainparty_audit_logout")
        signals.user_login_failed.connect(audit.on_user_login_failed, dispatch_uid="chainparty_audit_login_failed")
        pre_save.connect(receivers.user_pre_save, sender=User, dispatch_uid="chainparty_audit_user_pre_save")
        post_save.connect(receivers.user_post_save, sender=User, dispatch_uid="chainparty_audit_user_post_save")
        for through in (User.groups.through, User.user_permissions.through):
            m2m_changed.connect(
                receivers.global_roles_changed, sender=through, dispatch_uid=f"chainparty_audit_{through.__name__}"
            )
        post_migrate.connect(roles.ensure_global_groups, sender=self, dispatch_uid="chainparty_global_role_groups")
