"""Who may see and change cooperations and matches.

* Cooperations. Seen by the alliance's seat holders, the region's staff and leaders and both
  parties; recorded by the alliance's secretaries and the region's staff.
* Matches. Seen by whoever sees the need and by the provider side; the need side is confirmed by
  the need's enterprise secretary, the provider side by the resource owner's secretary or handler
  (the publishing department's handler for a policy).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Alliance

from ..models import Cooperation, Match
from ._common import _not_found
from .needs import can_manage_need, can_own_need, visible_needs

NEED_SIDE = "need"
PROVIDER_SIDE = "provider"


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
