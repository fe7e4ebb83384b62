"""Who may see and change resources.

Organisation staff and leaders see every resource in their region; an alliance's seat holders see
all resources of its active members; an enterprise secretary or department handler sees their own
resources in any status and the *active* resources of everyone in the alliances they belong to; a
guide sees the active resources of the enterprises they serve. Only the owner (the enterprise's
secretary, the department's handler) creates and edits them.

Each helper raises Http404 when the user may not see the row, PermissionDenied when they may see it
but not do what they asked.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Department, Enterprise, Membership

from ..models import Resource
from ._common import MANAGE, VIEW, _active_members_of, _not_found


# -- resources ---------------------------------------------------------------------------
def resource_active_q(prefix=""):
    today = timezone.localdate()
    return Q(**{f"{prefix}status": Resource.Status.ACTIVE}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": today})
    )


def resources_q(user):
    scope = scope_for(user)
    if scope.sees_everything:
        return Q()
    q = scope.in_viewed_region() | Q(enterprise__in=scope.enterprise_ids) | Q(department__in=scope.department_ids)
    if scope.seat_alliance_ids:
        members = _active_members_of(scope.seat_alliance_ids)
        q |= Q(enterprise__in=members.filter(enterprise__isnull=False).values("enterprise_id"))
        q |= Q(department__in=members.filter(department__isnull=False).values("department_id"))
    if scope.enterprise_ids or scope.department_ids:
        own = Membership.objects.filter(
            Q(enterprise__in=scope.enterprise_ids) | Q(department__in=scope.department_ids), left_on__isnull=True
        )
        fellows = _active_members_of(own.values("alliance_id"))
        q |= resource_active_q() & (
            Q(enterprise__in=fellows.filter(enterprise__isnull=False).values("enterprise_id"))
            | Q(department__in=fellows.filter(department__isnull=False).values("department_id"))
        )
    if scope.is_guide:
        q |= resource_active_q() & scope.guides_enterprise_q(prefix="enterprise__")
    return q


def visible_resources(user):
    return Resource.objects.filter(resources_q(user))


def resource_get_for_user(*, user, resource_id, action=VIEW, queryset=None):
    qs = queryset if queryset is not None else Resource.objects.select_related("enterprise", "department", "zone")
    resource = qs.filter(resources_q(user), pk=resource_id).first()
    if resource is None:
        raise _not_found()
    if action == MANAGE and not can_manage_resource(user, resource):
        raise PermissionDenied(_("只有资源提供方（企业党组织书记或部门办理人）可以修改该资源。"))
    return resource


def can_manage_resource(user, resource):
    scope = scope_for(user)
    return resource.enterprise_id in scope.enterprise_ids or resource.department_id in scope.department_ids


def resource_owner_choices(user):
    """The enterprises and departments this user may offer resources for."""
    scope = scope_for(user)
    return (
        Enterprise.objects.filter(pk__in=scope.enterprise_ids).order_by("name"),
        Department.objects.filter(pk__in=scope.department_ids).order_by("name"),
    )


def require_resource_owner(user, *, enterprise=None, department=None):
    scope = scope_for(user)
    if enterprise is not None and enterprise.pk in scope.enterprise_ids:
        return
    if department is not None and department.pk in scope.department_ids:
        return
    raise PermissionDenied(_("只能以本人所在企业或部门的名义发布资源。"))


def may_create_resources(user) -> bool:
    scope = scope_for(user)
    return bool(scope.enterprise_ids or scope.department_ids)


def require_resource_creator(user):
    if not may_create_resources(user):
        raise PermissionDenied(_("只有企业党组织书记和部门办理人可以发布资源。"))
