"""Reads for login security."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils import timezone

from . import lockout, scope
from .models import UserSession


def session_alive_since(now=None):
    """(idle_since, login_since): sessions last seen before the first or started before the
    second are over."""
    now = now or timezone.now()
    return (
        now - dt.timedelta(minutes=settings.CHAINPARTY_SESSION_IDLE_MINUTES),
        now - dt.timedelta(hours=settings.CHAINPARTY_SESSION_ABSOLUTE_HOURS),
    )


def user_sessions(*, user, now=None):
    """The user's sessions still alive, most recently used first."""
    idle_since, login_since = session_alive_since(now)
    return UserSession.objects.filter(user=user, last_seen_at__gte=idle_since, created_at__gte=login_since).order_by(
        "-last_seen_at", "-id"
    )


def locked_accounts(*, actor, now=None):
    """Accounts locked now that `actor` looks after (existing accounts only: a lock on a name that
    does not exist has nobody to unlock it for), by login name."""
    names = lockout.locked_usernames(now)
    if not names:
        return []
    users = list(
        get_user_model().objects.annotate(folded=Lower("username")).filter(folded__in=names).order_by("username")
    )
    paths = scope.staff_region_paths(actor)
    found = [user for user in users if scope.looks_after(actor, user, actor_paths=paths)]
    for user in found:  # a fellow staff member is unlocked from a region above (scope.may_recover)
        user.may_unlock = scope.stands_above(actor, user, actor_paths=paths)
    return found


def is_locked(user, now=None) -> bool:
    """Whether the user's login name is locked now (one query)."""
    return lockout.name_locked(user.get_username(), now)
