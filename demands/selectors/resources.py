"""Reads of resources, scoped to a user, joins decided here."""

from django.db.models import Q
from django.utils import timezone

from alliances.models import WorkZone

from ..models import Resource
from ..permissions.resources import resource_active_q, visible_resources

STATUS_EXPIRED = Resource.Status.EXPIRED


# -- resources ---------------------------------------------------------------------------
def resource_list(*, user, category="", status="", zone=None, q="", enterprise=None, department=None, owner=""):
    qs = visible_resources(user).select_related("enterprise", "department", "zone", "region")
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = filter_resource_status(qs, status)
    if zone is not None:
        qs = qs.filter(zone=zone)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if department is not None:
        qs = qs.filter(department=department)
    if owner:
        qs = qs.filter(Q(enterprise__name__icontains=owner) | Q(department__name__icontains=owner))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-updated_at", "-id")


def filter_resource_status(qs, status):
    """Filter by the status users see: an active resource past its date counts as expired."""
    if status == Resource.Status.ACTIVE:
        return qs.filter(resource_active_q())
    if status == STATUS_EXPIRED:
        return qs.filter(
            Q(status=STATUS_EXPIRED) | Q(status=Resource.Status.ACTIVE, valid_until__lt=timezone.localdate())
        )
    return qs.filter(status=status)


def resource_zones(*, user):
    """Zones worth offering as a filter: the ones the user's visible resources sit in."""
    return WorkZone.objects.filter(pk__in=visible_resources(user).values("zone_id")).order_by("name")
