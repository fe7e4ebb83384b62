"""One login rule for every way in: the login page, the admin and the API's token login."""

from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from . import otp, scope


@dataclass(frozen=True)
class LoginResult:
    user: object | None
    locked: bool = False
    needs_second_factor: bool = False
    #: Staff under CHAINPARTY_REQUIRE_2FA without a device yet: they enrol in the browser first.
    must_enrol: bool = False


def _http_request(request) -> HttpRequest:
    # A DRF Request wraps the HttpRequest that AxesMiddleware sees on the way out.
    return getattr(request, "_request", request)


def is_locked_out(request, username) -> bool:
    request = _http_request(request)
    AxesProxyHandler.update_request(request)
    return not AxesProxyHandler.is_allowed(request, get_credentials(username))


def authenticate_with_lockout(request, username, password) -> LoginResult:
    """Check a login name and password under the lockout rules (django-axes counts the failure,
    or refuses a locked name or address without checking the password)."""
    request = _http_request(request)
    user = authenticate(request, username=username, password=password)
    if user is None:
        return LoginResult(None, locked=bool(getattr(request, "axes_locked_out", False)))
    if otp.has_second_factor(user):
        return LoginResult(user, needs_second_factor=True)
    return LoginResult(user, must_enrol=settings.CHAINPARTY_REQUIRE_2FA and scope.is_staff_member(user))


def record_failed_second_factor(request, user) -> bool:
    """A wrong second-factor code counts as a failed login for the account (and is audited);
    returns whether the account is now locked."""
    request = _http_request(request)
    AxesProxyHandler.update_request(request)
    username = user.get_username()
    user_login_failed.send(
        sender=get_user_model(), credentials={"username": username, "otp_token": "********"}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))
