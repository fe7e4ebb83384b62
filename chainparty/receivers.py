"""Account changes go into the audit log wherever they are made (the admin, a shell, a management
command, future account pages), so they are recorded from the User model's signals rather than
from one form. Connected in ChainPartyConfig.ready().

Cost: a save that may change something audited reads the stored row once (pre_save), to compare
the stored password hash and flags; a new account and a save limited to other fields (the login's
`last_login` stamp) read nothing. `User.save` runs in a transaction, so the records are written
with the row or not at all. The password and its hash are never recorded, only that it changed.
"""

from django.contrib.auth.models import Permission

from . import audit
from .models import User

Action = audit.Action

# Changes recorded as 修改账号, by field name; the values are never recorded, only which changed.
PROFILE_FIELDS = (
    "username",
    "real_name",
    "first_name",
    "last_name",
    "email",
    "mobile",
    "wecom_userid",
    "affiliation",
    "is_staff",
    "is_superuser",
)
AUDITED_FIELDS = frozenset({"password", "is_active", *PROFILE_FIELDS})

_BEFORE = "_audit_before"
_CLEARED = "_audit_cleared"


def user_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    setattr(instance, _BEFORE, None)
    # A fixture replays rows, not events; a new account has no stored row to compare.
    if raw or instance._state.adding:
        return
    fields = AUDITED_FIELDS if update_fields is None else AUDITED_FIELDS & set(update_fields)
    # check_password() upgrading the hash of an unchanged password saves only the password with
    # no new raw password pending (set_password leaves one until the save): not a change.
    if not fields or (update_fields is not None and fields == {"password"} and instance._password is None):
        return
    setattr(instance, _BEFORE, sender._base_manager.filter(pk=instance.pk).values(*fields).first())


def user_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        # A new account holds no role yet, so it has no region: platform administrators read it.
        audit.record(action=Action.ACCOUNT_CREATE, target=instance)
        return
    before = getattr(instance, _BEFORE, None)
    setattr(instance, _BEFORE, None)
    if not before:
        return
    changes = _changes(before, instance)
    if changes:
        region_path = audit.person_region_path(instance)
        for action, data in changes:
            audit.record(action=action, target=instance, region_path=region_path, data=data)


def _changes(before: dict, user) -> list[tuple[str, dict]]:
    changes = []
    if "is_active" in before and before["is_active"] != user.is_active:
        changes.append((Action.ACCOUNT_ACTIVATE if user.is_active else Action.ACCOUNT_DEACTIVATE, {}))
    if "password" in before and before["password"] != user.password:
        changes.append((Action.PASSWORD_CHANGE, {}))
    changed = [name for name in PROFILE_FIELDS if name in before and before[name] != getattr(user, name)]
    if changed:
        labels = "、".join(str(User._meta.get_field(name).verbose_name) for name in changed)
        changes.append((Action.ACCOUNT_UPDATE, {"changed": labels}))
    return changes


def global_roles_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """User.groups (platform-wide roles: 平台管理员, 全局只读) and User.user_permissions changed
    from either side: one grant or revoke record per person and role."""
    role_field = "group" if sender is User.groups.through else "permission"
    if action == "pre_clear":
        # clear() names no ids: remember what is about to go.
        mine, other = (role_field, "user_id") if reverse else ("user", f"{role_field}_id")
        setattr(instance, _CLEARED, set(sender.objects.filter(**{mine: instance}).values_list(other, flat=True)))
        return
    if action == "post_clear":
        pk_set = getattr(instance, _CLEARED, set())
        setattr(instance, _CLEARED, set())
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    revoke = action != "post_add"
    if reverse:
        for user in User.objects.filter(pk__in=pk_set).order_by("pk"):
            audit.record_global_role(user=user, role=instance, revoke=revoke)
    else:
        related = model.objects.filter(pk__in=pk_set).order_by("pk")
        if model is Permission:
            related = related.select_related("content_type")
        region_path = audit.person_region_path(instance)
        for role in related:
            audit.record_global_role(user=instance, role=role, revoke=revoke, region_path=region_path)
