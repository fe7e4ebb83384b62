"""Signal receivers, connected in SecurityConfig.ready()."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model, signals
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit

from . import lockout, scope, services

# Session keys kept by the middleware and the login.
LOGIN_AT = "_security_login_at"
LAST_SEEN = "_security_last_seen"
PASSWORD_DUE = "_security_password_due"
OTP_REQUIRED = "_security_otp_required"


def on_user_logged_in(sender, request, user, **kwargs):
    """Start the session's clocks, remember it for the sessions page, and note whether the
    password must be changed before anything else."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now()
    session[LOGIN_AT] = now.timestamp()
    session[LAST_SEEN] = now.timestamp()
    session[PASSWORD_DUE] = services.password_change_due(user, now)
    session[OTP_REQUIRED] = settings.CHAINPARTY_REQUIRE_2FA and scope.is_staff_member(user)
    if session.session_key is None:
        session.save()
    services.user_session_start(
        user=user,
        session_key=session.session_key,
        ip_address=audit.client_ip(request) if hasattr(request, "META") else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "") if hasattr(request, "META") else "",
        now=now,
    )


def on_user_logged_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        from .models import UserSession

        UserSession.objects.filter(session_key=session.session_key).delete()


def on_user_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """A deactivated account is signed out everywhere at once."""
    if raw or created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    services.user_sessions_end(user=instance)


def on_password_changed(user):
    """A new password signs the person out everywhere else: every session but the one making the
    change (when the person changes their own password in the portal)."""
    request = audit.current_request()
    keep = None
    if request is not None and getattr(request, "user", None) is not None and request.user.pk == user.pk:
        session = getattr(request, "session", None)
        keep = session.session_key if session is not None else None
        if session is not None:
            session[PASSWORD_DUE] = ""
    services.user_sessions_end(user=user, keep_session_key=keep)
    _revoke_api_tokens(user)


def _revoke_api_tokens(user):
    """A new password stops the person's API tokens too: a token taken along with the old password
    (the reason staff reset one) must not outlive it. The owner issues new ones from the profile."""
    from chainparty.models import ApiToken

    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        audit.record(
            action=audit.Action.TOKEN_REVOKE,
            target=user,
            region_path=audit.person_region_path(user),
            data={"object": _("口令更改，全部令牌（%(count)d 个）") % {"count": revoked}},
        )


def connect():
    signals.user_logged_in.connect(on_user_logged_in, dispatch_uid="security_login")
    signals.user_logged_out.connect(on_user_logged_out, dispatch_uid="security_logout")
    user_locked_out.connect(lockout.on_user_locked_out, dispatch_uid="security_locked_out")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="security_user_saved")
