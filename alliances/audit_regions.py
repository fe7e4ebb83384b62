"""Where the people holding alliances' roles work, for the audit log's records about a person
(sign-ins, account changes): see `chainparty.audit.PersonRegions`."""

from chainparty import audit, roles

from .access import seats_in_force
from .models import (
    DepartmentUserObjectPermission,
    EnterpriseUserObjectPermission,
    RegionUserObjectPermission,
)


@audit.person_regions.register
def role_region_paths(users):
    """A region's staff and leaders: that region; an enterprise's Party secretary, a department's
    handler: the region of the enterprise or department; a committee seat in force today: the
    alliance's region (a seat's rights follow its term, alliances.access). Guides are placed by
    guides.audit_regions from their assignments: the guide grant on work zones is retired (guides
    migration 0002)."""
    return [
        RegionUserObjectPermission.objects.filter(
            user__in=users, permission__codename__in=[roles.MANAGE_REGION, roles.VIEW_REGION]
        ).values_list("content_object__path", flat=True),
        EnterpriseUserObjectPermission.objects.filter(
            user__in=users, permission__codename=roles.MANAGE_ENTERPRISE
        ).values_list("content_object__region__path", flat=True),
        DepartmentUserObjectPermission.objects.filter(
            user__in=users, permission__codename=roles.HANDLE_DEPARTMENT
        ).values_list("content_object__region__path", flat=True),
        seats_in_force().filter(user__in=users).values_list("alliance__region__path", flat=True),
    ]


@audit.person_regions.register
def affiliation_region_paths(users):
    """Where a person works (issue 10): the region of their enterprise or department, or the region
    whose organisation department they belong to, so a new account with no role yet is read by
    the staff who created it."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from .models import Department, Enterprise, Region

    people = get_user_model().objects.filter(pk__in=users)
    paths = []
    for model, path in ((Enterprise, "region__path"), (Department, "region__path"), (Region, "path")):
        affiliated = people.filter(affiliation_type=ContentType.objects.get_for_model(model)).values("affiliation_id")
        paths.append(model.objects.filter(pk__in=affiliated).values_list(path, flat=True))
    return paths
