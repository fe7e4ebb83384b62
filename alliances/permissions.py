"""One access helper per model: 404 when the user may not see it, 403 when they may not act."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .access import scope_for
from .models import Alliance, Department, Enterprise, PartyOrganization, WorkZone

VIEW = "view"
MANAGE = "manage"


def _get(model, *, user, pk, action, visible_q, managed_q, queryset=None):
    qs = (queryset if queryset is not None else model.objects).filter(visible_q)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(_("未找到，或您无权查看。"))
    if action == MANAGE and not model.objects.filter(managed_q, pk=pk).exists():
        raise PermissionDenied(_("您可以查看，但无权修改。"))
    return obj


def alliance_get_for_user(*, user, alliance_id, action=VIEW, queryset=None):
    scope = scope_for(user)
    return _get(
        Alliance,
        user=user,
        pk=alliance_id,
        action=action,
        visible_q=scope.alliances_q(),
        managed_q=scope.managed_alliances_q(),
        queryset=queryset,
    )


def enterprise_get_for_user(*, user, enterprise_id, action=VIEW, queryset=None):
    scope = scope_for(user)
    return _get(
        Enterprise,
        user=user,
        pk=enterprise_id,
        action=action,
        visible_q=scope.enterprises_q(),
        managed_q=scope.managed_enterprises_q(),
        queryset=queryset,
    )


def department_get_for_user(*, user, department_id, action=VIEW, queryset=None):
    scope = scope_for(user)
    return _get(
        Department,
        user=user,
        pk=department_id,
        action=action,
        visible_q=scope.departments_q(),
        managed_q=scope.in_managed_region(),
        queryset=queryset,
    )


def zone_get_for_user(*, user, zone_id, action=VIEW, queryset=None):
    scope = scope_for(user)
    return _get(
        WorkZone,
        user=user,
        pk=zone_id,
        action=action,
        visible_q=scope.zones_q(),
        managed_q=scope.in_managed_region(),
        queryset=queryset,
    )


def party_organization_get_for_user(*, user, organization_id, action=VIEW, queryset=None):
    scope = scope_for(user)
    return _get(
        PartyOrganization,
        user=user,
        pk=organization_id,
        action=action,
        visible_q=scope.party_organizations_q(),
        managed_q=scope.managed_party_organizations_q(),
        queryset=queryset,
    )


def require_org_staff(user):
    """Creating containers (alliances, enterprises, departments, zones) is organisation work."""
    if not scope_for(user).is_org_staff:
        raise PermissionDenied(_("只有组织部工作人员可以执行此操作。"))
