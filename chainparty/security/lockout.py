"""Locking out repeated failed logins, with django-axes and its database handler.

Why django-axes: maintained (Jazzband; releases through 2026), supports Django 5.2, keeps its
attempts in the database (AccessAttempt), locks per login name and per address through
AXES_LOCKOUT_PARAMETERS, and works behind `django.contrib.auth.authenticate(request, ...)`, so the
login page, the admin and the API's token login share one rule.

Two rules over the same attempts (AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]):
- a login name, existing or not, is locked after AXES_FAILURE_LIMIT failures from anywhere;
- an address is throttled after CHAINPARTY_LOGIN_IP_FAILURE_LIMIT failures across any names, so
  one address cannot try a few passwords on every account.
Both last AXES_COOLOFF_TIME from the failure that tripped them. The message never says which rule
applied or whether the login exists.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from chainparty import audit


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "登录失败次数过多，账号或当前网络地址已被暂时锁定，请%(minutes)d分钟后再试，或联系组织部工作人员解锁。"
    ) % {"minutes": minutes}


#: The message as a lazy string (translated and with the configured minutes when shown).
LOCKOUT_MESSAGE = lazy(lockout_message, str)()


def client_ip(request):
    """The address axes counts, by the audit log's rule for trusted proxies."""
    return audit.client_ip(request)


def client_username(request, credentials):
    """The login name as tried, stripped and case-folded (Django's login names are matched as
    typed, but `Staff` and `staff` are one target for an attacker)."""
    name = credentials.get("username") if credentials else getattr(request, "data", request.POST).get("username")
    return (name or "").strip().lower() or None


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for the per-address rule (axes compares
    every parameter with one limit), and a success that resets only the account's count."""

    def get_failures(self, request, credentials=None) -> int:
        by_name, by_address = self.get_user_attempts(request, credentials)
        failures = _failures(by_name) if client_username(request, credentials) else 0
        if _failures(by_address) >= settings.CHAINPARTY_LOGIN_IP_FAILURE_LIMIT:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A good password for one account says nothing about the other names tried from the same
        # address: keep those counting.
        username = client_username(request, credentials)
        if not username:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return count


def locked_usernames(now=None) -> list[str]:
    """Login names locked now (by the per-name rule)."""
    now = now or timezone.now()
    threshold = now - settings.AXES_COOLOFF_TIME
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=threshold, username__isnull=False)
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username")
        .values_list("username", flat=True)
    )


def name_locked(username: str, now=None) -> bool:
    threshold = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username.strip().lower(), attempt_time__gte=threshold)
    return _failures(attempts) >= settings.AXES_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets: the login page (or JSON for the API) with the one message,
    429 Too Many Requests."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked"}, status=429)
    from .views import login_page_context

    return render(request, "registration/login.html", login_page_context(request, locked_message=message), status=429)


def on_user_locked_out(sender, request, username, ip_address, **kwargs):
    """Audit the moment a lock starts. Axes sends this signal again for every attempt refused
    while locked, without counting it (axes_failures_since_start stays unset): those are already
    audited as failed logins."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username__iexact=username).first() if username else None
    audit.record(
        action=audit.Action.LOCKOUT,
        request=request,
        target=user,
        region_path=audit.person_region_path(user),
        data={"username": (username or "")[: audit.NAME_LENGTH]},
    )
