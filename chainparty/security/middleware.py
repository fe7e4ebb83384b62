"""Per-request checks on signed-in browser sessions (issue 10 §2.3, §2.1 expiry, §2.4)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import UserSession
from .receivers import LAST_SEEN, LOGIN_AT, OTP_REQUIRED, PASSWORD_DUE

# How often the last-seen stamp is written (seconds): idle time is measured to within this.
TOUCH_INTERVAL = 60
# Views a person who must first change their password or enrol a second factor may still reach.
ALWAYS_ALLOWED = {
    "logout",
    "login",
    "password_change",
    "password_change_done",
    "security:otp_setup",
    "api_token_login",  # checks the same itself, and sends no session
}


def _url_name(request) -> str:
    try:
        match = resolve(request.path_info)
    except Exception:  # unknown paths are not ours to allow
        return ""
    return match.view_name


def _login_redirect(request, reason):
    query = {"reason": reason}
    if request.method == "GET" and not request.path.startswith("/api/"):
        query["next"] = request.get_full_path()
    return redirect(f"{reverse('login')}?{urlencode(query)}")


class SessionSecurityMiddleware:
    """Signs a session out after CHAINPARTY_SESSION_IDLE_MINUTES without a request and
    CHAINPARTY_SESSION_ABSOLUTE_HOURS after its login, whichever comes first (the login page says
    why); keeps UserSession.last_seen_at; and holds a person at the password change page (a
    temporary or expired password) or at the second-factor setup page (required and not yet
    enrolled) until that is done. Must come after AuthenticationMiddleware and OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        now = timezone.now().timestamp()
        login_at = session.get(LOGIN_AT)
        last_seen = session.get(LAST_SEEN)
        if login_at is None or last_seen is None:
            # A session from before these rules: its clocks start now.
            session[LOGIN_AT] = login_at = now
            session[LAST_SEEN] = last_seen = now
        reason = ""
        if now - login_at > settings.CHAINPARTY_SESSION_ABSOLUTE_HOURS * 3600:
            reason = "expired"
        elif now - last_seen > settings.CHAINPARTY_SESSION_IDLE_MINUTES * 60:
            reason = "idle"
        if reason:
            logout(request)
            if request.path.startswith("/api/"):
                return None  # the API answers an anonymous request itself
            return _login_redirect(request, reason)
        if now - last_seen >= TOUCH_INTERVAL:
            session[LAST_SEEN] = now
            UserSession.objects.filter(session_key=session.session_key).update(last_seen_at=timezone.now())
        return self._hold(request)

    def _hold(self, request):
        session = request.session
        target = ""
        if session.get(PASSWORD_DUE):
            target = "password_change"
        elif session.get(OTP_REQUIRED) and not request.user.is_verified():
            target = "security:otp_setup"
        if not target or request.path.startswith(settings.STATIC_URL) or _url_name(request) in ALWAYS_ALLOWED:
            return None
        if request.path.startswith("/api/"):
            # The session is held for the API too: otherwise the cookie the password step gave
            # reaches every endpoint without the second factor or the password change.
            return JsonResponse({"detail": _hold_message(target), "code": "held"}, status=403)
        try:
            url = reverse(target)
        except NoReverseMatch:
            return None
        return redirect(url)


def _hold_message(target: str) -> str:
    if target == "password_change":
        return _("请先登录网页修改密码（临时密码或已过期的密码），再使用接口。")
    return _("您的岗位须启用双因素认证，请先登录网页完成设置，再使用接口。")
