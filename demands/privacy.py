"""The counterpart on a need (chainparty.privacy): people who share a need read each other's
numbers in full — the enterprise's secretaries, whoever filed it, the managers of the alliance
that took it, and the handlers of the departments (or the secretaries of the providing members)
given a part of it. A need's contact number: the same people and the staff of its region."""

from django.db.models import Q

from alliances.access import scope_for, seats_in_force
from alliances.models import CommitteeSeat, DepartmentUserObjectPermission, EnterpriseUserObjectPermission
from chainparty import privacy, roles

from .models import Assignment, Need


def _needs_of(user):
    """The needs `user` is a party to, as a subquery of ids."""
    scope = scope_for(user)
    parts = Q(filed_by=user) | Q(enterprise__in=scope.enterprise_ids) | Q(alliance__in=scope.managed_alliance_ids)
    assigned = Assignment.objects.filter(
        Q(department__in=scope.department_ids) | Q(provider_enterprise__in=scope.enterprise_ids)
    ).values("need_id")
    return Need.objects.filter(parts | Q(pk__in=assigned)).values("pk")


@privacy.need_to_know.register
def need_counterparts(viewer, person_ids):
    needs = _needs_of(viewer)
    assignments = Assignment.objects.filter(need__in=needs)
    querysets = [
        Need.objects.filter(pk__in=needs, filed_by__in=person_ids).values_list("filed_by_id", flat=True),
        EnterpriseUserObjectPermission.objects.filter(
            Q(content_object__needs__in=needs)
            | Q(content_object__in=assignments.exclude(provider_enterprise=None).values("provider_enterprise_id")),
            user__in=person_ids,
            permission__codename=roles.MANAGE_ENTERPRISE,
        ).values_list("user_id", flat=True),
        DepartmentUserObjectPermission.objects.filter(
            user__in=person_ids,
            permission__codename=roles.HANDLE_DEPARTMENT,
            content_object__in=assignments.exclude(department=None).values("department_id"),
        ).values_list("user_id", flat=True),
        seats_in_force()
        .filter(user__in=person_ids, role__in=CommitteeSeat.MANAGING_ROLES, alliance__needs__in=needs)
        .values_list("user_id", flat=True),
    ]
    first, *rest = [queryset.order_by() for queryset in querysets]
    return set(first.union(*rest, all=True))


@privacy.contacts.register(Need)
def need_contact(viewer, need):
    if Need.objects.filter(pk=need.pk, pk__in=_needs_of(viewer)).exists():
        return True
    scope = scope_for(viewer)
    return bool(scope.managed_region_ids) and Need.objects.filter(scope.in_managed_region(), pk=need.pk).exists()
