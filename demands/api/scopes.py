"""What an id in the demands' write APIs (needs, resources, policies) may name, for
chainparty.api.ScopedPrimaryKeyRelatedField: the caller's reach, as the services and access helpers
check it, so an id outside it is answered exactly as an id that does not exist (no existence
oracle). The services keep their own, narrower checks (a department of the need's region, a target
within the chosen department's region); an id those refuse is one the caller may already see.

Each function takes the serializer's context: the request, and for dispatching the need the view
put there (`context["need"]`). Without them no id is valid."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from alliances.access import scope_for
from alliances.models import (
    Alliance,
    Department,
    DepartmentUserObjectPermission,
    Enterprise,
    Membership,
    Region,
    WorkZone,
    within_regions_q,
)
from chainparty import roles

from ..models import Resource
from ..permissions import needs as need_access
from ..permissions import policies as policy_access


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


# -- needs ------------------------------------------------------------------------------------
def filing_alliances(context):
    """Alliances an enterprise the caller may file for is a current member of (filing.need_file then
    checks the chosen enterprise's membership)."""
    user = _user(context)
    if user is None:
        return Alliance.objects.none()
    members = Membership.objects.filter(
        left_on__isnull=True, enterprise__in=need_access.enterprises_for_filing(user)
    ).values("alliance_id")
    return Alliance.objects.filter(pk__in=members)


def _need(context):
    return context.get("need")


def dispatch_departments(context):
    """Departments of the need's region and the regions above it (workflow._check_department)."""
    need = _need(context)
    if need is None:
        return Department.objects.none()
    return Department.objects.filter(region_id__in=need.region.ancestor_ids())


def dispatch_resources(context):
    """Resources of the alliance's current member enterprises, or of departments in reach
    (workflow._resource_part)."""
    need = _need(context)
    if need is None:
        return Resource.objects.none()
    members = Membership.objects.filter(
        alliance_id=need.alliance_id, left_on__isnull=True, enterprise__isnull=False
    ).values("enterprise_id")
    return Resource.objects.filter(
        Q(enterprise_id__in=members) | Q(department__region_id__in=need.region.ancestor_ids())
    )


def dispatch_handlers(context):
    """Handlers of departments in reach (workflow._check_handler narrows to the lead department's)."""
    need = _need(context)
    if need is None:
        return get_user_model().objects.none()
    handlers = DepartmentUserObjectPermission.objects.filter(
        permission__codename=roles.HANDLE_DEPARTMENT, content_object__in=dispatch_departments(context)
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=handlers)


# -- resources --------------------------------------------------------------------------------
def resource_enterprises(context):
    """The enterprises the caller may offer resources for (permissions.resources.require_resource_owner)."""
    user = _user(context)
    if user is None:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(pk__in=scope_for(user).enterprise_ids)


def resource_departments(context):
    user = _user(context)
    if user is None:
        return Department.objects.none()
    return Department.objects.filter(pk__in=scope_for(user).department_ids)


def resource_zones(context):
    """Work zones in the regions of the enterprises and departments the caller offers resources for."""
    user = _user(context)
    if user is None:
        return WorkZone.objects.none()
    regions = Region.objects.filter(
        Q(pk__in=resource_enterprises(context).values("region_id"))
        | Q(pk__in=resource_departments(context).values("region_id"))
    )
    return WorkZone.objects.filter(within_regions_q(regions))


# -- policies ---------------------------------------------------------------------------------
def policy_departments(context):
    """Departments the caller may publish policies for (permissions.policies.policy_departments_for)."""
    user = _user(context)
    return Department.objects.none() if user is None else policy_access.policy_departments_for(user).order_by()


def _publishing_regions(context):
    return Region.objects.filter(pk__in=policy_departments(context).values("region_id"))


def policy_regions(context):
    """Regions within a region the caller publishes for (the service narrows to the chosen
    department's region)."""
    return Region.objects.filter(within_regions_q(_publishing_regions(context), field=""))


def policy_zones(context):
    return WorkZone.objects.filter(within_regions_q(_publishing_regions(context)))


def policy_alliances(context):
    return Alliance.objects.filter(within_regions_q(_publishing_regions(context)))
