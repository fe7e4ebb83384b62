"""What the navigation shows of needs, from the user's cached scope (no query of its own)."""

from django.utils.functional import SimpleLazyObject

from alliances.access import scope_for

from .permissions.needs import may_file_needs


def _nav(user):
    scope = scope_for(user)
    manages = bool(scope.managed_alliance_ids) or scope.is_org_staff
    return {
        "mine": scope.is_enterprise_secretary,
        "file": may_file_needs(user),
        "manage": manages,
        "worklist": scope.is_handler or scope.is_enterprise_secretary,
        "rules": scope.is_org_staff,
        "all": not scope.is_empty or manages,
    }


def needs_nav(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"needs_nav": SimpleLazyObject(lambda: _nav(user))}
