"""Who may see and change policies.

A published or withdrawn policy is public information: every user with a role sees it. Drafts are
seen by the publishing department's handlers and by organisation staff of the policy's region, who
are also the ones who edit, publish and withdraw. Who read a policy is shown in full to those same
people and to leaders of the region; anyone else sees only the enterprises they can see anyway.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Department

from ..models import Policy
from ._common import MANAGE, VIEW, _not_found

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
    """Enterprise secretaries whose enterprise received the policy: they record 知晓 with "我已阅读"."""
    scope = scope_for(user)
    return bool(scope.enterprise_ids) and policy.deliveries.filter(enterprise__in=scope.enterprise_ids).exists()


def require_read_as_enterprise(user, policy):
    if not can_read_as_enterprise(user, policy):
        raise PermissionDenied(_("只有收到该政策推送的企业党组织书记可以标记已读。"))
