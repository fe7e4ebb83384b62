"""Personal API tokens, stored hashed.

A token is `cp_<prefix>_<secret>`: 8 characters shown to tell tokens apart and 40 characters of
secret, 286 bits of randomness in all. The database keeps only its SHA-256: a leaked table or
backup gives nobody a usable token. Hashing without a salt is enough for a random token of this
length (nothing to guess from a dictionary) and lets a presented token be found by one indexed
equality.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit
from chainparty.models import ApiToken

PREFIX = "cp_"
MAX_DAYS = 365
#: How stale `last_used_at` may get before a request writes it again (one write a minute at most).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def default_days() -> int:
    return int(getattr(settings, "CHAINPARTY_API_TOKEN_DAYS", 90))


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_raw() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{PREFIX}{prefix}_{secrets.token_urlsafe(30)}"


@transaction.atomic
def token_issue(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`: the row and the token itself, which is never stored and must be
    shown to its owner now."""
    days = default_days() if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError({"days": _("有效期应为 1 至 %(max)s 天。") % {"max": MAX_DAYS}})
    if not user.is_active:
        raise ValidationError(_("账号已停用，不能签发令牌。"))
    prefix, raw = _new_raw()
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=prefix,
        token_hash=token_hash(raw),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit.record(
        action=audit.Action.TOKEN_ISSUE,
        target=user,
        region_path=audit.person_region_path(user),
        data={"object": f"{token.name} ({prefix})", "expires_at": token.expires_at},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Only the owner revokes a token (platform administrators too, for an account they stop)."""
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied(_("只能吊销自己的令牌。"))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action=audit.Action.TOKEN_REVOKE,
        target=token.user,
        region_path=audit.person_region_path(token.user),
        data={"object": f"{token.name} ({token.prefix})"},
    )
    return token


def token_authenticate(raw: str):
    """The (user, token) a presented token stands for, or None when it is unknown, revoked,
    expired or its owner is deactivated."""
    if not raw.startswith(PREFIX):
        return None
    now = timezone.now()
    token = ApiToken.objects.usable(now).select_related("user").filter(token_hash=token_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token
