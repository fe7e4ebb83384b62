"""Whose accounts a person may manage, and where they may give roles (issue 10 §1).

Roles live here (region staff, enterprise secretaries, department handlers, guides, seats), so
the rules that read them live here too; the people pages (this package's views, services and
forms) and the grant services both ask these functions.

- Platform administrators reach everyone.
- Organisation staff reach the people who work in their regions' subtree (affiliated to an
  enterprise, a department or the organisation department of a region there) or hold a role
  there. They may manage a person only when every role that person holds lies in that subtree
  and the person holds no platform-wide role.
- An alliance secretary (a managing seat in force) reaches the people of the alliance's member
  enterprises: affiliated to one, or its Party secretary. They may manage a person whose only
  roles are secretaries of those enterprises, and grant only that role.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from chainparty import roles
from chainparty.security import scope as security_scope

from ..access import scope_for, seats_in_force
from ..models import (
    Department,
    DepartmentUserObjectPermission,
    Enterprise,
    EnterpriseUserObjectPermission,
    Membership,
    Region,
    RegionUserObjectPermission,
    WorkZoneUserObjectPermission,
)

#: What a person may be affiliated with.
AFFILIATION_MODELS = (Enterprise, Department, Region)


def _affiliated_q(model, ids) -> Q:
    return Q(affiliation_type=ContentType.objects.get_for_model(model), affiliation_id__in=ids)


def member_enterprises(alliance_ids):
    """Enterprises that are members (not left) of the alliances, as a subquery of ids."""
    return (
        Membership.objects.filter(alliance__in=alliance_ids, left_on__isnull=True, enterprise__isnull=False)
        .values("enterprise_id")
        .order_by()
    )


def _secretary_enterprises(user_ids):
    return EnterpriseUserObjectPermission.objects.filter(
        user__in=user_ids, permission__codename=roles.MANAGE_ENTERPRISE
    ).values("content_object_id")


def people_q(actor) -> Q:
    """The accounts `actor` reaches (a filter on User)."""
    scope = scope_for(actor)
    if scope.is_global_admin:
        return Q()
    reach = Q(pk__in=[])
    if scope.managed_region_ids:
        regions = scope.managed_regions()
        enterprises = Enterprise.objects.filter(region__in=regions).values("pk")
        departments = Department.objects.filter(region__in=regions).values("pk")
        reach |= (
            _affiliated_q(Enterprise, enterprises)
            | _affiliated_q(Department, departments)
            | _affiliated_q(Region, regions)
            | Q(pk__in=RegionUserObjectPermission.objects.filter(content_object__in=regions).values("user_id"))
            | Q(pk__in=EnterpriseUserObjectPermission.objects.filter(content_object__in=enterprises).values("user_id"))
            | Q(pk__in=DepartmentUserObjectPermission.objects.filter(content_object__in=departments).values("user_id"))
            | Q(
                pk__in=WorkZoneUserObjectPermission.objects.filter(content_object__region__in=regions).values("user_id")
            )
            | Q(pk__in=seats_in_force().filter(alliance__region__in=regions).values("user_id"))
        )
    if scope.managed_alliance_ids:
        members = member_enterprises(scope.managed_alliance_ids)
        reach |= _affiliated_q(Enterprise, members) | Q(
            pk__in=EnterpriseUserObjectPermission.objects.filter(
                content_object__in=members, permission__codename=roles.MANAGE_ENTERPRISE
            ).values("user_id")
        )
    return reach


def people_reached(actor):
    return get_user_model().objects.filter(people_q(actor))


def is_people_manager(actor) -> bool:
    """Whether `actor` manages anyone's account at all (org staff, alliance secretaries)."""
    scope = scope_for(actor)
    return scope.is_org_staff or scope.is_alliance_secretary


def _roles_within_regions(actor, person) -> bool:
    scope = scope_for(actor)
    if not scope.managed_region_ids:
        return False
    managed_paths = list(Region.objects.filter(pk__in=scope.managed_region_ids).values_list("path", flat=True))
    from ..audit_regions import role_region_paths

    for queryset in role_region_paths([person.pk]):
        for path in queryset:
            if not any((path or "").startswith(prefix) for prefix in managed_paths):
                return False
    return True


def _roles_are_member_secretaries(actor, person) -> bool:
    scope = scope_for(actor)
    if not scope.managed_alliance_ids:
        return False
    other_roles = (
        RegionUserObjectPermission.objects.filter(user=person).exists()
        or DepartmentUserObjectPermission.objects.filter(user=person).exists()
        or WorkZoneUserObjectPermission.objects.filter(user=person).exists()
        or seats_in_force().filter(user=person).exists()
        or EnterpriseUserObjectPermission.objects.filter(user=person)
        .exclude(
            permission__codename=roles.MANAGE_ENTERPRISE,
            content_object__in=member_enterprises(scope.managed_alliance_ids),
        )
        .exists()
    )
    return not other_roles


def may_manage_person(actor, person) -> bool:
    """Whether `actor` may change `person`'s account (reset, deactivate, reactivate, edit): nobody
    manages a role above their own or outside their scope, and nobody manages their own account here
    (the profile page does that). Organisation staff manage the people whose roles all lie in their
    regions only when they stand above them by `chainparty.security.scope.stands_above`, the one rule
    the second factor's removal uses too: never a fellow staff member of the same region, staff above,
    or anyone with a platform role. Alliance secretaries manage their member enterprises' secretaries."""
    scope = scope_for(actor)
    if person.pk == actor.pk:
        return False
    if scope.is_global_admin:
        return True
    if security_scope.holds_platform_role(person):
        return False
    # Within reach first: someone with no role anywhere has all (none) of their roles in any region.
    if not get_user_model().objects.filter(people_q(actor), pk=person.pk).exists():
        return False
    if _roles_within_regions(actor, person) and security_scope.stands_above(actor, person):
        return True
    return _roles_are_member_secretaries(actor, person)


def affiliation_units_for(actor) -> dict:
    """What `actor` may affiliate a new person with: {"enterprise": qs, "department": qs, "region": qs}."""
    scope = scope_for(actor)
    if scope.is_global_admin:
        regions = Region.objects.all()
    else:
        regions = Region.objects.filter(pk__in=scope.managed_regions()) if scope.managed_region_ids else None
    enterprises = Enterprise.objects.none()
    departments = Department.objects.none()
    if regions is not None:
        enterprises = Enterprise.objects.filter(region__in=regions.values("pk"))
        departments = Department.objects.filter(region__in=regions.values("pk"))
    if scope.managed_alliance_ids:
        enterprises = enterprises | Enterprise.objects.filter(pk__in=member_enterprises(scope.managed_alliance_ids))
    return {
        "enterprise": enterprises.order_by("name"),
        "department": departments.order_by("name") if regions is not None else departments,
        "region": (regions if regions is not None else Region.objects.none()).order_by("code"),
    }


def may_affiliate(actor, unit) -> bool:
    units = affiliation_units_for(actor)
    key = type(unit)._meta.model_name
    return key in units and units[key].filter(pk=unit.pk).exists()


def may_grant_enterprise_secretary(actor, enterprise) -> bool:
    scope = scope_for(actor)
    if scope.is_global_admin:
        return True
    if Enterprise.objects.filter(scope.in_managed_region(), pk=enterprise.pk).exists():
        return True
    return (
        bool(scope.managed_alliance_ids)
        and member_enterprises(scope.managed_alliance_ids).filter(enterprise_id=enterprise.pk).exists()
    )


def may_grant_handler(actor, department) -> bool:
    scope = scope_for(actor)
    return scope.is_org_staff and Department.objects.filter(scope.in_managed_region(), pk=department.pk).exists()


def may_grant_region(actor, region) -> bool:
    """Platform administrators anywhere; organisation staff within the regions they manage (the same
    role or the leaders' view, never above their own region)."""
    scope = scope_for(actor)
    if scope.is_global_admin:
        return True
    return bool(scope.managed_region_ids) and scope.managed_regions().filter(pk=region.pk).exists()
