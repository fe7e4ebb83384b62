"""What the alliances' import kinds share: who may import into which region."""

from alliances.access import scope_for
from alliances.models import Region


def managed_regions(user) -> list[Region]:
    """The regions whose organisation staff `user` is (and every region under them), top first."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    scope = scope_for(user)
    if scope.is_global_admin:
        return list(Region.objects.order_by("path"))
    if not scope.managed_region_ids:
        return []
    return list(Region.objects.subtree_of(sorted(scope.managed_region_ids)).order_by("path"))


class OrgStaffKind:
    """Mixin for kinds that organisation staff import into a region they manage."""

    def regions_for(self, user) -> list[Region]:
        return managed_regions(user)

    def find_region(self, region_id):
        return Region.objects.filter(pk=region_id).first()

    def offered_to(self, user) -> bool:
        return bool(user and user.is_authenticated and scope_for(user).is_org_staff)

    def may_import(self, user, region) -> bool:
        return region is not None and any(candidate.pk == region.pk for candidate in self.regions_for(user))
