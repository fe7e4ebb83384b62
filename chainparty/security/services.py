"""Writes for login security: password history, sessions, unlocking, second-factor devices."""

import datetime as dt
from importlib import import_module

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit

from . import scope
from .models import PasswordHistory, UserSession


# -- passwords -------------------------------------------------------------------------------
def password_history_record(*, user, keep: int) -> PasswordHistory:
    """Keep the hash of the password just saved; drop what the history rule no longer needs."""
    entry = PasswordHistory.objects.create(user=user, password=user.password, created_at=timezone.now())
    stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    return entry


@transaction.atomic
def password_require_change(*, user) -> None:
    """The password just set is temporary (a reset by staff): the next login must change it."""
    latest = PasswordHistory.objects.filter(user=user).first()
    if latest is None:
        latest = PasswordHistory.objects.create(user=user, password=user.password, created_at=timezone.now())
    latest.temporary = True
    latest.save(update_fields=["temporary"])


def password_change_due(user, now=None) -> str:
    """Why the user must change their password before going on: "temporary", "expired" or ""."""
    latest = PasswordHistory.objects.filter(user=user).only("created_at", "temporary").first()
    if latest is not None and latest.temporary:
        return "temporary"
    max_age = settings.CHAINPARTY_PASSWORD_MAX_AGE_DAYS
    if max_age and latest is not None and (now or timezone.now()) - latest.created_at > dt.timedelta(days=max_age):
        return "expired"
    return ""


# -- sessions --------------------------------------------------------------------------------
def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_session_start(*, user, session_key, ip_address, user_agent, now=None) -> UserSession:
    now = now or timezone.now()
    row, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip_address": ip_address,
            "user_agent": user_agent[: UserSession._meta.get_field("user_agent").max_length],
        },
    )
    return row


def session_rekey(*, old_key, new_key) -> None:
    """This browser's session went on under a new key (Django cycles it when the person changes
    their password, update_session_auth_hash): its row follows, so it is still listed, revocable
    and kept fresh by the middleware."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def user_sessions_end(*, user, keep_session_key=None) -> int:
    """End every session of `user` (but `keep_session_key`), in the session store and here."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def user_session_revoke(*, actor, user_session) -> None:
    """End one session: its owner may, and a platform administrator."""
    if actor.pk != user_session.user_id and not scope.is_platform_admin(actor):
        raise PermissionDenied(_("只能结束自己的登录会话。"))
    _session_store()(session_key=user_session.session_key).delete()
    user = user_session.user
    user_session.delete()
    audit.record(
        action=audit.Action.LOGOUT,
        actor=actor,
        target=user,
        region_path=audit.person_region_path(user),
        data={"revoked": True},
    )


# -- lockout ---------------------------------------------------------------------------------
@transaction.atomic
def account_unlock(*, actor, user) -> int:
    """Lift the lock on `user`'s login name (org staff for the people of their regions they stand
    above, platform administrators for everyone: `scope.may_recover`); returns how many attempt
    records were cleared."""
    if not scope.may_recover(actor, user):
        raise PermissionDenied(_("您无权解锁此账号。"))
    count, _deleted = AccessAttempt.objects.filter(username=user.get_username().strip().lower()).delete()
    audit.record(action=audit.Action.UNLOCK, actor=actor, target=user, region_path=audit.person_region_path(user))
    return count
