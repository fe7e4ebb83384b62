"""What an id in the meetings' and schedules' write APIs may name, for the alliance the view puts in
the serializer's context (`context["alliance"]`): the same reach the services check
(`alliances.meetings.services.reach`), as querysets for chainparty.api.ScopedPrimaryKeyRelatedField.
An id outside them is answered as an id that does not exist (no existence oracle); without an
alliance in the context, no id is valid."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from chainparty import roles

from ..models import Department, DepartmentUserObjectPermission, Enterprise, WorkZone, within_regions_q
from ..selectors import seat_candidates


def _alliance(context):
    return context.get("alliance")


def reachable_departments(alliance):
    """Departments of the alliance's region, of regions under it and of those above it."""
    return Department.objects.filter(
        Q(region_id__in=alliance.region.ancestor_ids()) | within_regions_q(alliance.region)
    )


def accounts(context):
    """Seat candidates and active handlers of departments in reach (services.reach.outside_reach)."""
    alliance = _alliance(context)
    if alliance is None:
        return get_user_model().objects.none()
    handlers = DepartmentUserObjectPermission.objects.filter(
        permission__codename=roles.HANDLE_DEPARTMENT, content_object__in=reachable_departments(alliance)
    ).values("user_id")
    candidates = seat_candidates(alliance=alliance).order_by().values("pk")
    return get_user_model().objects.filter(Q(pk__in=candidates) | Q(pk__in=handlers), is_active=True)


def member_enterprises(context):
    """The alliance's current member enterprises."""
    alliance = _alliance(context)
    if alliance is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(
        pk__in=alliance.memberships.filter(left_on__isnull=True, enterprise__isnull=False).values("enterprise_id")
    )


def departments(context):
    alliance = _alliance(context)
    return Department.objects.none() if alliance is None else reachable_departments(alliance)


def zones(context):
    """Work zones in the alliance's region or under it."""
    alliance = _alliance(context)
    return WorkZone.objects.none() if alliance is None else WorkZone.objects.filter(within_regions_q(alliance.region))
