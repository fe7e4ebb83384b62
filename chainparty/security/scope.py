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
    """Who must use a second factor when CHAINPARTY_REQUIRE_2FA is on: platform administrators,
    organisation staff, and anyone with the admin site (`is_staff`: read-only or not, the admin
    shows every region's records)."""
    return bool(getattr(user, "is_staff", False)) or staff_region_paths(user) != []


def looks_after(actor, person, *, actor_paths=None) -> bool:
    """Whether `actor` may act on `person`'s account: a platform administrator always, organisation
    staff for people whose region (their roles' region, as the audit log places them) is inside
    one they manage."""
    paths = staff_region_paths(actor) if actor_paths is None else actor_paths
    if paths is None:
        return True
    person_path = audit.person_region_path(person)
    return bool(person_path) and any(person_path.startswith(path) for path in paths)


def holds_platform_role(person) -> bool:
    """A superuser, someone with the admin site, or a member of a platform group."""
    return person.is_superuser or person.is_staff or person.groups.exists()


def stands_above(actor, person, *, actor_paths=None) -> bool:
    """THE rule for acting on someone else's account (resetting a password, deactivating or
    reactivating it, removing a second factor), so a colleague's compromised account cannot take
    over a staff account: a platform administrator stands above anyone; organisation staff stand
    above a person who holds no platform role and whose own staff regions (if any) all lie strictly
    below a region the actor manages. A fellow staff member of the same region, staff above, and
    anyone with a platform role are recovered from a region above or by a platform administrator.
    Nobody else stands above anyone. Whether the person is within the actor's reach at all is the
    caller's other check (`looks_after`, `alliances.people.may_manage_person`)."""
    paths = staff_region_paths(actor) if actor_paths is None else actor_paths
    if paths is None:
        return True
    if not paths or holds_platform_role(person):
        return False
    person_paths = staff_region_paths(person)
    if person_paths is None:
        return False
    return all(any(path.startswith(mine) and path != mine for mine in paths) for path in person_paths)


def may_recover(actor, person) -> bool:
    """Whether `actor` may unlock, reset or otherwise recover `person`'s account for them: within
    reach (`looks_after`) and above them (`stands_above`), so a fellow staff member's compromised
    account cannot lift the lockout that stops it guessing a colleague's password."""
    paths = staff_region_paths(actor)
    return looks_after(actor, person, actor_paths=paths) and stands_above(actor, person, actor_paths=paths)
