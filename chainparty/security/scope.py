"""Whose accounts a member of staff looks after, for unlocking and for requiring a second factor.

The roles that make someone organisation staff live in `alliances`, above this app, so `alliances`
registers a provider in its `security_scope.py` (discovered on first use, as `audit_regions` is).
A provider answers `staff_region_paths(user)`: None for a platform administrator (every account),
the materialised paths of the regions the user manages, or [] for anyone else.
"""

from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

from chainparty import audit, roles

_providers: list[Callable] = []
_discovered = False


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def is_platform_admin(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=roles.PLATFORM_ADMIN_GROUP).exists()


def staff_region_paths(user) -> list[str] | None:
    """None: the user looks after every account; otherwise the region paths they manage."""
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("security_scope")
    if is_platform_admin(user):
        return None
    paths: list[str] = []
    for provider in _providers:
        found = provider(user)
        if found is None:
            return None
        paths.extend(found)
    return paths


def is_staff_member(user) -> bool:
    """Platform administrators and organisation staff: who must use a second factor when
    CHAINPARTY_REQUIRE_2FA is on."""
    return staff_region_paths(user) != []


def looks_after(actor, person, *, actor_paths=None) -> bool:
    """Whether `actor` may act on `person`'s account: a platform administrator always, organisation
    staff for people whose region (their roles' region, as the audit log places them) is inside
    one they manage."""
    paths = staff_region_paths(actor) if actor_paths is None else actor_paths
    if paths is None:
        return True
    person_path = audit.person_region_path(person)
    return bool(person_path) and any(person_path.startswith(path) for path in paths)
