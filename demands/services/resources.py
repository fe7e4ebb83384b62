"""Every write to resources (资源清单). Access is checked by the caller through demands.permissions.resources."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Department, Enterprise, WorkZone
from chainparty.errors import StateError

from ..models import Resource
from ..text import token_string
from ._common import _save_new

# -- resources ---------------------------------------------------------------------------
RESOURCE_FIELDS = ("category", "title", "description", "quantity", "zone", "valid_until", "status", "contact")


def _resource_tokens(resource):
    return token_string(resource.title, resource.description, resource.quantity)


@transaction.atomic
def resource_create(
    *,
    user,
    category: str,
    title: str,
    enterprise: Enterprise | None = None,
    department: Department | None = None,
    description: str = "",
    quantity: str = "",
    zone: WorkZone | None = None,
    valid_until: dt.date | None = None,
    contact: str = "",
) -> Resource:
    owner = enterprise or department
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("有效期不能早于今天。")})
    if zone is None and enterprise is not None:
        zone = enterprise.zone
    resource = Resource(
        enterprise=enterprise,
        department=department,
        region_id=owner.region_id if owner is not None else None,
        category=category,
        title=title,
        description=description,
        quantity=quantity,
        zone=zone,
        valid_until=valid_until,
        contact=contact,
        created_by=user,
    )
    resource.tokens = _resource_tokens(resource)
    return _save_new(resource)


@transaction.atomic
def resource_update(*, resource: Resource, **fields) -> Resource:
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%s") % "、".join(sorted(unknown)))
    valid_until = fields.get("valid_until", resource.valid_until)
    status = fields.get("status", resource.status)
    if status == Resource.Status.ACTIVE and valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("有效期已过，请先延长有效期再设为有效。")})
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.tokens = _resource_tokens(resource)
    resource.full_clean()
    resource.save(update_fields=[*fields, "tokens", "updated_at"])
    return resource


@transaction.atomic
def resource_set_status(*, resource: Resource, status: str) -> Resource:
    if status == Resource.Status.EXPIRED:
        raise StateError(_("资源到期后自动过期，不能手工设为已过期。"))
    if resource.status == status:
        raise StateError(_("资源已经是“%s”状态。") % resource.get_status_display())
    return resource_update(resource=resource, status=status)


def resource_expire_due(*, today: dt.date | None = None) -> int:
    """Mark active resources past their date as expired. Safe to run any number of times."""
    today = today or timezone.localdate()
    return Resource.objects.filter(status=Resource.Status.ACTIVE, valid_until__lt=today).update(
        status=Resource.Status.EXPIRED, updated_at=timezone.now()
    )
