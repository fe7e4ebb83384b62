"""Who may see and act on needs and their assignments: the one place that answers it.

Roles on a need (decided from `alliances.access.scope_for`, never ad hoc):
- OWN: the enterprise's Party secretary (resubmit after a return, rate, add attachments);
- MANAGE: a secretary or liaison of the alliance handling it, organisation staff of its region
  (accept, return, reject, merge, dispatch, reopen, close);
- HANDLE (on an assignment): a handler of the assigned department, or the secretary of the
  enterprise whose resource was matched (start, answer);
- VIEW: all of the above, committee members of the alliance, leaders of the region, guides
  serving the enterprise today (its zone or the enterprise assigned, directly or through an
  alliance or a team: guides.Assignment), and departments or providers with a part in it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from alliances.access import scope_for
from alliances.models import Alliance, Enterprise, Membership

from ..models import Assignment, Need

VIEW = "view"
OWN = "own"
MANAGE = "manage"
HANDLE = "handle"

_NOT_FOUND = _("未找到，或您无权查看。")


def needs_visible_q(scope) -> Q:
    """Needs a scope may see, as one Q built only from the clauses that apply to it.

    A clause that needs a subquery (regions, zones, assignments) stays a subquery when it is the
    scope's only one. Combined with others it is read first into a list of ids: PostgreSQL can OR
    index scans on plain lists, while an OR with a subquery scans the whole table.
    """
    if scope.sees_everything:
        return Q()
    direct, indirect = [], []
    if scope.seat_alliance_ids:
        direct.append(Q(alliance__in=scope.seat_alliance_ids))
    if scope.enterprise_ids or scope.guided_enterprise_ids:
        direct.append(Q(enterprise__in=scope.enterprise_ids | scope.guided_enterprise_ids))
    if scope.enterprise_ids:
        provided = Assignment.objects.filter(provider_enterprise__in=scope.enterprise_ids)
        indirect.append(("pk", provided.values_list("need_id", flat=True)))
    if scope.viewed_region_ids:
        indirect.append(("region", scope.viewed_regions().values_list("pk", flat=True)))
    if scope.zone_ids:
        indirect.append(("enterprise", Enterprise.objects.filter(zone__in=scope.zone_ids).values_list("pk", flat=True)))
    if scope.department_ids:
        handled = Assignment.objects.filter(department__in=scope.department_ids)
        indirect.append(("pk", handled.values_list("need_id", flat=True)))
    alone = len(direct) + len(indirect) == 1
    q = Q(pk__in=[])
    for condition in direct:
        q |= condition
    for field, ids in indirect:
        q |= Q(**{f"{field}__in": ids if alone else sorted(set(ids))})
    return q


def visible_needs(user):
    return Need.objects.filter(needs_visible_q(scope_for(user)))


def _region_managed(scope, region) -> bool:
    if scope.is_global_admin:
        return True
    return region.is_within(*scope.managed_region_ids)


def manages_alliance(user, alliance: Alliance) -> bool:
    """Secretaries and liaisons of the alliance, and organisation staff of its region."""
    scope = scope_for(user)
    return alliance.pk in scope.managed_alliance_ids or _region_managed(scope, alliance.region)


def can_manage_need(user, need: Need) -> bool:
    scope = scope_for(user)
    return need.alliance_id in scope.managed_alliance_ids or _region_managed(scope, need.region)


def can_own_need(user, need: Need) -> bool:
    return need.enterprise_id in scope_for(user).enterprise_ids


def can_handle_assignment(user, assignment: Assignment) -> bool:
    scope = scope_for(user)
    if assignment.department_id:
        return assignment.department_id in scope.department_ids
    return assignment.provider_enterprise_id in scope.enterprise_ids


_ROLE_CHECKS = {OWN: can_own_need, MANAGE: can_manage_need}
_ROLE_REFUSALS = {
    OWN: _("只有提出需求的企业党组织书记可以执行此操作。"),
    MANAGE: _("只有受理联盟的书记、联络员或本区域组织部工作人员可以执行此操作。"),
    HANDLE: _("只有承办部门的办理人或资源提供企业可以执行此操作。"),
}


def require_need_role(*, user, need: Need, role: str) -> None:
    """The services' role guard: PermissionDenied with a Chinese message when `user` lacks `role`."""
    if role == VIEW:
        if not visible_needs(user).filter(pk=need.pk).exists():
            raise PermissionDenied(str(_NOT_FOUND))
        return
    if not _ROLE_CHECKS[role](user, need):
        raise PermissionDenied(str(_ROLE_REFUSALS[role]))


def require_assignment_role(*, user, assignment: Assignment) -> None:
    if not can_handle_assignment(user, assignment):
        raise PermissionDenied(str(_ROLE_REFUSALS[HANDLE]))


def need_get_for_user(*, user, need_id, action=VIEW, queryset=None) -> Need:
    """The need if `user` may see it (else 404) and may act as `action` (else 403)."""
    qs = queryset if queryset is not None else Need.objects.select_related("region", "alliance", "enterprise")
    # One row by its key: no ordering (first() would sort by the model's -filed_at).
    need = next(iter(qs.filter(needs_visible_q(scope_for(user)), pk=need_id).order_by()[:1]), None)
    if need is None:
        raise Http404(str(_NOT_FOUND))
    if action != VIEW:
        require_need_role(user=user, need=need, role=action)
    return need


def assignment_get_for_user(*, user, assignment_id, action=VIEW, queryset=None) -> Assignment:
    """An assignment of a need the user may see (else 404); HANDLE also requires the part (else 403)."""
    qs = queryset if queryset is not None else Assignment.objects.all()
    assignment = (
        qs.select_related("need__region", "need__alliance", "need__enterprise", "department", "provider_enterprise")
        .filter(need__in=visible_needs(user).values("pk"), pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404(str(_NOT_FOUND))
    if action == HANDLE:
        require_assignment_role(user=user, assignment=assignment)
    return assignment


def need_abilities(user, need: Need) -> dict:
    """What the page may offer `user` on `need` (the services check again when it is used)."""
    return {"manage": can_manage_need(user, need), "own": can_own_need(user, need)}


# -- filing --------------------------------------------------------------------------------
def filing_sources(*, user, enterprise: Enterprise, alliance: Alliance | None = None) -> list[str]:
    """Sources under which `user` may file a need for `enterprise` (empty: may not file).

    The enterprise's secretary reports it themselves; a guide serving it files from a visit;
    whoever manages the handling alliance (or the region) files from a meeting, the hotline or a visit.
    """
    scope = scope_for(user)
    sources = []
    if enterprise.pk in scope.enterprise_ids:
        sources.append(Need.Source.SELF_REPORTED)
    if scope.guides_enterprise(enterprise):
        sources.append(Need.Source.VISIT)
    managed = manages_alliance(user, alliance) if alliance is not None else _region_managed(scope, enterprise.region)
    if managed:
        sources.extend(s for s in (Need.Source.MEETING, Need.Source.HOTLINE, Need.Source.VISIT) if s not in sources)
    return sources


def enterprises_for_filing(user):
    """Enterprises `user` may file needs for (before the alliance is chosen)."""
    scope = scope_for(user)
    q = Q(pk__in=scope.enterprise_ids) | scope.guides_enterprise_q()
    if scope.managed_alliance_ids:
        q |= Q(
            pk__in=Membership.objects.filter(
                alliance__in=scope.managed_alliance_ids, left_on__isnull=True, enterprise__isnull=False
            ).values("enterprise_id")
        )
    if scope.managed_region_ids or scope.is_global_admin:
        q |= scope.in_managed_region()
    return Enterprise.objects.filter(q)


def may_file_needs(user) -> bool:
    scope = scope_for(user)
    return bool(
        scope.enterprise_ids
        or scope.is_guide
        or scope.managed_alliance_ids
        or scope.managed_region_ids
        or scope.is_global_admin
    )


# -- deadline rules ---------------------------------------------------------------------------
def can_edit_deadline_rule(user, region) -> bool:
    """Platform defaults (no region) belong to platform admins; a region's rules to its staff."""
    scope = scope_for(user)
    if region is None:
        return scope.is_global_admin
    return _region_managed(scope, region)
