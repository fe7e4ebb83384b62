"""What the guides services share: saving, the organisation-staff guard and auditing."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from alliances.access import forget_scope
from chainparty import audit
from chainparty.models import AuditLog

from ..permissions import manages_region

Action = AuditLog.Action


def save_new(instance):
    instance.full_clean()
    instance.save()
    return instance


def apply(instance, fields: dict):
    """Set `fields`, validate the whole row, save only what changed."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    update = [*fields, *(["updated_at"] if hasattr(instance, "updated_at") else [])]
    instance.save(update_fields=update)
    return instance


def require_staff(actor, region, message=None) -> None:
    """Setting up guides, teams, assignments and evaluations belongs to the organisation staff of
    the region (and platform admins). `actor=None` is the system (load_demo, migrations, imports)."""
    if actor is not None and not manages_region(actor, region):
        raise PermissionDenied(message or _("只有本区域组织部工作人员可以执行此操作。"))


def forget_reach(*users) -> None:
    """A user object already used in this request re-reads its reach after an assignment changed."""
    for user in users:
        if user is not None:
            forget_scope(user)


def record(action, *, actor, target, region=None, **data):
    """One audit record (chainparty.audit) of a guides write, in the target's region."""
    return audit.record(action=action, actor=actor, target=target, region=region, data=data)
