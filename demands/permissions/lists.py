"""Who may see and change resources, policies, matches and cooperations.

The rules (each helper raises Http404 when the user may not see the row, PermissionDenied when
they may see it but not do what they asked):

* Resources. Organisation staff and leaders see every resource in their region; an alliance's
  seat holders see all resources of its active members; an enterprise secretary or department
  handler sees their own resources in any status and the *active* resources of everyone in the
  alliances they belong to; a guide sees the active resources of enterprises in their zones.
  Only the owner (the enterprise's secretary, the department's handler) creates and edits them.
* Policies. A published or withdrawn policy is public information: every user with a role sees
  it. Drafts are seen by the publishing department's handlers and by organisation staff of the
  policy's region, who are also the ones who edit, publish and withdraw. Who read a policy is
  shown in full to those same people and to leaders of the region; anyone else sees only the
  enterprises they can see anyway.
* Cooperations. Seen by the alliance's seat holders, the region's staff and leaders and both
  parties; recorded by the alliance's secretaries and the region's staff.
* Matches. Seen by whoever sees the need and by the provider side; the need side is confirmed by
  the need's enterprise secretary, the provider side by the resource owner's secretary or handler
  (the publishing department's handler for a policy).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Alliance, Department, Enterprise, Membership

from ..models.lists import Cooperation, Match, Policy, Resource
from .needs import can_manage_need, can_own_need, visible_needs

VIEW = "view"
MANAGE = "manage"

NEED_SIDE = "need"
PROVIDER_SIDE = "provider"


def _not_found():
    return Http404(_("未找到，或您无权查看。"))


def _active_members_of(alliances):
    return Membership.objects.filter(alliance__in=alliances, left_on__isnull=True)


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
    if scope.zone_ids:
        q |= resource_active_q() & Q(enterprise__zone__in=scope.zone_ids)
    return q


def resource_managed_q(user):
    scope = scope_for(user)
    return Q(enterprise__in=scope.enterprise_ids) | Q(department__in=scope.department_ids)


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


# -- policies ----------------------------------------------------------------------------
PUBLIC_POLICY_STATES = (Policy.State.PUBLISHED, Policy.State.WITHDRAWN)


def policy_managed_q(user):
    scope = scope_for(user)
    return Q(department__in=scope.department_ids) | scope.in_managed_region()


def policies_q(user):
    scope = scope_for(user)
    if scope.sees_everything:
        return Q()
    if scope.is_empty:
        return Q(pk__in=[])
    return Q(state__in=PUBLIC_POLICY_STATES) | policy_managed_q(user)


def visible_policies(user):
    return Policy.objects.filter(policies_q(user))


def policy_get_for_user(*, user, policy_id, action=VIEW, queryset=None):
    qs = queryset if queryset is not None else Policy.objects.select_related("department", "region")
    policy = qs.filter(policies_q(user), pk=policy_id).first()
    if policy is None:
        raise _not_found()
    if action == MANAGE and not Policy.objects.filter(policy_managed_q(user), pk=policy_id).exists():
        raise PermissionDenied(_("只有发布部门的办理人或组织部工作人员可以修改该政策。"))
    return policy


def policy_departments_for(user):
    """Departments this user may publish policies for: their own, and for staff those of their region."""
    scope = scope_for(user)
    return Department.objects.filter(Q(pk__in=scope.department_ids) | scope.in_managed_region()).order_by(
        "region__code", "name"
    )


def may_publish_policies(user) -> bool:
    scope = scope_for(user)
    return bool(scope.department_ids or scope.is_org_staff)


def require_policy_publisher(user):
    if not may_publish_policies(user):
        raise PermissionDenied(_("只有部门办理人和组织部工作人员可以录入政策。"))


def sees_all_readers(user, policy):
    """Publishers and the region's staff and leaders see every enterprise a policy reached."""
    scope = scope_for(user)
    if scope.sees_everything or policy.department_id in scope.department_ids:
        return True
    return Policy.objects.filter(scope.in_viewed_region(), pk=policy.pk).exists()


def can_read_as_enterprise(user, policy):
    """Enterprise secretaries whose enterprise received the policy: opening it counts as reading."""
    scope = scope_for(user)
    return bool(scope.enterprise_ids) and policy.deliveries.filter(enterprise__in=scope.enterprise_ids).exists()


# -- cooperations -------------------------------------------------------------------------
def cooperations_q(user):
    scope = scope_for(user)
    if scope.sees_everything:
        return Q()
    return (
        scope.in_viewed_region(prefix="alliance__")
        | Q(alliance__in=scope.seat_alliance_ids)
        | Q(provider_enterprise__in=scope.enterprise_ids)
        | Q(receiver_enterprise__in=scope.enterprise_ids)
        | Q(provider_department__in=scope.department_ids)
    )


def visible_cooperations(user):
    return Cooperation.objects.filter(cooperations_q(user))


def cooperation_alliances_for(user):
    """Alliances in which this user records cooperations: the ones they run, or their region's."""
    return Alliance.objects.filter(scope_for(user).managed_alliances_q()).order_by("region__code", "name")


def require_cooperation_recorder(user, alliance=None):
    alliances = cooperation_alliances_for(user)
    allowed = alliances.filter(pk=alliance.pk).exists() if alliance is not None else alliances.exists()
    if not allowed:
        raise PermissionDenied(_("只有联盟书记、联络员或组织部工作人员可以登记促成合作。"))


def cooperation_get_for_user(*, user, cooperation_id, queryset=None):
    qs = queryset if queryset is not None else Cooperation.objects.all()
    cooperation = qs.filter(cooperations_q(user), pk=cooperation_id).first()
    if cooperation is None:
        raise _not_found()
    return cooperation


# -- matches ------------------------------------------------------------------------------
def provider_side_q(user):
    """Matches whose offer belongs to this user: their enterprise's or department's resource, or policy."""
    scope = scope_for(user)
    return (
        Q(resource__enterprise__in=scope.enterprise_ids)
        | Q(resource__department__in=scope.department_ids)
        | Q(policy__department__in=scope.department_ids)
    )


def match_sides_for(user, match):
    """The sides of `match` this user may confirm."""
    scope = scope_for(user)
    sides = set()
    if match.need.enterprise_id in scope.enterprise_ids:
        sides.add(NEED_SIDE)
    offer_owner = (
        (match.resource.enterprise_id, match.resource.department_id)
        if match.resource_id
        else (None, match.policy.department_id)
    )
    if offer_owner[0] in scope.enterprise_ids or offer_owner[1] in scope.department_ids:
        sides.add(PROVIDER_SIDE)
    return sides


def can_propose_match(user, need):
    """The need's enterprise secretary and whoever runs the need's alliance may propose a match."""
    return can_own_need(user, need) or can_manage_need(user, need)


def require_can_propose(user, need):
    if not can_propose_match(user, need):
        raise PermissionDenied(_("只有需求企业的党组织书记或联盟书记可以发起对接。"))


def match_get_for_user(*, user, match_id, queryset=None):

    qs = (
        queryset
        if queryset is not None
        else Match.objects.select_related(
            "need__enterprise", "resource__enterprise", "resource__department", "policy__department"
        )
    )
    match = qs.filter(Q(need__in=visible_needs(user).values("pk")) | provider_side_q(user), pk=match_id).first()
    if match is None:
        raise _not_found()
    return match
