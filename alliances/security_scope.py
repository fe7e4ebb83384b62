"""The regions organisation staff look after, for chainparty.security (unlocking accounts,
requiring a second factor): see `chainparty.security.scope`."""

from chainparty.security import scope

from .access import scope_for
from .models import Region


@scope.register
def staff_region_paths(user):
    user_scope = scope_for(user)
    if user_scope.is_global_admin:
        return None
    if not user_scope.managed_region_ids:
        return []
    return list(Region.objects.filter(pk__in=user_scope.managed_region_ids).values_list("path", flat=True))
