"""Who may read a person's number in full (chainparty.privacy): people of the same enterprise or
department, and organisation staff of a region the person works in; an enterprise's contact number:
its secretaries, the staff of its region and the managers of an alliance it belongs to."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from chainparty import privacy, roles

from .access import scope_for, seats_in_force
from .models import (
    Department,
    DepartmentUserObjectPermission,
    Enterprise,
    EnterpriseUserObjectPermission,
    Membership,
    Region,
    RegionUserObjectPermission,
)


def _ids(querysets):
    first, *rest = [queryset.order_by() for queryset in querysets]
    return set(first.union(*rest, all=True)) if rest else set(first)


def _affiliated(person_ids, **units):
    """People among `person_ids` who work in the given units (model=ids or a subquery)."""
    where = Q(pk__in=[])
    for model, ids in units.items():
        model_class = {"enterprise": Enterprise, "department": Department, "region": Region}[model]
        where |= Q(affiliation_type=ContentType.objects.get_for_model(model_class), affiliation_id__in=ids)
    return get_user_model().objects.filter(where, pk__in=person_ids).values_list("pk", flat=True)


@privacy.need_to_know.register
def same_organisation(viewer, person_ids):
    scope = scope_for(viewer)
    if not (scope.enterprise_ids or scope.department_ids):
        return set()
    return _ids(
        [
            EnterpriseUserObjectPermission.objects.filter(
                user__in=person_ids,
                permission__codename=roles.MANAGE_ENTERPRISE,
                content_object__in=scope.enterprise_ids,
            ).values_list("user_id", flat=True),
            DepartmentUserObjectPermission.objects.filter(
                user__in=person_ids,
                permission__codename=roles.HANDLE_DEPARTMENT,
                content_object__in=scope.department_ids,
            ).values_list("user_id", flat=True),
            _affiliated(person_ids, enterprise=scope.enterprise_ids, department=scope.department_ids),
        ]
    )


@privacy.need_to_know.register
def staff_of_their_region(viewer, person_ids):
    """Organisation staff see the numbers of people holding a role in a region they manage (or
    below it), and of people working there who hold none yet. Guides are not read here: their
    zones and enterprises are assignments (guides migration 0002 retired the guide grant on work
    zones), so guides.privacy registers the same rule for them from guides.serving."""
    scope = scope_for(viewer)
    if not scope.managed_region_ids:
        return set()
    regions = scope.managed_regions()
    return _ids(
        [
            RegionUserObjectPermission.objects.filter(
                user__in=person_ids,
                permission__codename__in=[roles.MANAGE_REGION, roles.VIEW_REGION],
                content_object__in=regions,
            ).values_list("user_id", flat=True),
            EnterpriseUserObjectPermission.objects.filter(
                user__in=person_ids, permission__codename=roles.MANAGE_ENTERPRISE, content_object__region__in=regions
            ).values_list("user_id", flat=True),
            DepartmentUserObjectPermission.objects.filter(
                user__in=person_ids, permission__codename=roles.HANDLE_DEPARTMENT, content_object__region__in=regions
            ).values_list("user_id", flat=True),
            seats_in_force()
            .filter(user__in=person_ids, alliance__region__in=regions)
            .values_list("user_id", flat=True),
            _affiliated(
                person_ids,
                enterprise=Enterprise.objects.filter(region__in=regions).values("pk"),
                department=Department.objects.filter(region__in=regions).values("pk"),
                region=regions,
            ),
        ]
    )


def _contact_reach(viewer):
    """(region ids the viewer manages, with everything below them; enterprises currently members of
    an alliance the viewer manages), worked out once per request."""
    scope = scope_for(viewer)
    regions = set(scope.managed_regions().values_list("pk", flat=True)) if scope.managed_region_ids else set()
    members = set()
    if scope.managed_alliance_ids:
        members = set(
            Membership.objects.filter(
                alliance__in=scope.managed_alliance_ids, enterprise__isnull=False, left_on__isnull=True
            ).values_list("enterprise_id", flat=True)
        )
    return regions, members


@privacy.contacts.register(Enterprise)
def enterprise_contact(viewer, enterprise):
    """Its own secretaries, the staff of its region, the managers of an alliance it belongs to."""
    if enterprise.pk in scope_for(viewer).enterprise_ids:
        return True
    regions, members = privacy.remembered(viewer, "enterprise_contact", lambda: _contact_reach(viewer))
    return enterprise.region_id in regions or enterprise.pk in members
