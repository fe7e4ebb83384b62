"""What a user may see and do: the one place that answers it.

A user's reach is read once per request from guardian's direct permission tables and the
committee seats in force that day (one UNION query) and kept on the user object. Every selector,
permission helper, admin queryset and API view filters through the `Scope` it returns.

Committee rights are not stored as grants: they are worked out from the seats' term dates each
time a scope is read, so a seat gives its rights from its first day and loses them after its
last, with no sweep and no write on either date.

Apps above add grants the same way without this module importing them: `register_grant_source`
takes an SQL fragment that joins the UNION (guides registers its assignments in force on the day,
so a guide's reach follows the assignment's dates). Still one query per request.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from chainparty import roles

from .models import (
    Alliance,
    CommitteeSeat,
    Department,
    DepartmentUserObjectPermission,
    Enterprise,
    EnterpriseUserObjectPermission,
    Membership,
    PartyOrganization,
    Region,
    RegionUserObjectPermission,
    WorkZone,
    WorkZoneUserObjectPermission,
)

_CACHE_ATTR = "_chainparty_scope"


@dataclass(frozen=True)
class Scope:
    user_id: int | None = None
    is_global_admin: bool = False
    is_global_viewer: bool = False
    managed_region_ids: frozenset = field(default_factory=frozenset)
    viewed_region_ids: frozenset = field(default_factory=frozenset)
    managed_alliance_ids: frozenset = field(default_factory=frozenset)
    seat_alliance_ids: frozenset = field(default_factory=frozenset)
    enterprise_ids: frozenset = field(default_factory=frozenset)
    department_ids: frozenset = field(default_factory=frozenset)
    # Guides (guides.Assignment in force on the day): zones assigned, and enterprises assigned
    # directly or as members of an assigned alliance. A guide serves an enterprise that is in
    # guided_enterprise_ids or whose zone is in zone_ids.
    zone_ids: frozenset = field(default_factory=frozenset)
    guided_enterprise_ids: frozenset = field(default_factory=frozenset)

    # -- who is this -------------------------------------------------------------------
    @property
    def sees_everything(self):
        return self.is_global_admin or self.is_global_viewer

    @property
    def is_org_staff(self):
        return self.is_global_admin or bool(self.managed_region_ids)

    @property
    def is_leader(self):
        return not self.is_org_staff and (self.is_global_viewer or bool(self.viewed_region_ids))

    @property
    def is_alliance_secretary(self):
        return bool(self.managed_alliance_ids)

    @property
    def is_enterprise_secretary(self):
        return bool(self.enterprise_ids)

    @property
    def is_handler(self):
        return bool(self.department_ids)

    @property
    def is_guide(self):
        return bool(self.zone_ids or self.guided_enterprise_ids)

    @property
    def is_empty(self):
        return not (
            self.sees_everything
            or self.viewed_region_ids
            or self.seat_alliance_ids
            or self.enterprise_ids
            or self.department_ids
            or self.zone_ids
            or self.guided_enterprise_ids
        )

    # -- region subqueries ------------------------------------------------------------
    def _region_subquery(self, region_ids):
        """Regions inside the given ones (themselves and every descendant), as a subquery."""
        return Region.objects.subtree_of(sorted(region_ids)).values("pk")

    def viewed_regions(self):
        return self._region_subquery(self.viewed_region_ids)

    def managed_regions(self):
        return self._region_subquery(self.managed_region_ids)

    def in_viewed_region(self, prefix=""):
        if self.sees_everything:
            return Q()
        if not self.viewed_region_ids:
            return Q(pk__in=[])
        return Q(**{f"{prefix}region__in": self.viewed_regions()})

    def in_managed_region(self, prefix=""):
        if self.is_global_admin:
            return Q()
        if not self.managed_region_ids:
            return Q(pk__in=[])
        return Q(**{f"{prefix}region__in": self.managed_regions()})

    # -- visibility per model --------------------------------------------------------
    def alliances_q(self):
        if self.sees_everything:
            return Q()
        q = self.in_viewed_region() | Q(pk__in=self.seat_alliance_ids)
        if self.enterprise_ids:
            q |= Q(pk__in=Membership.objects.filter(enterprise__in=self.enterprise_ids).values("alliance_id"))
        if self.department_ids:
            q |= Q(pk__in=Membership.objects.filter(department__in=self.department_ids).values("alliance_id"))
        if self.zone_ids:
            q |= Q(pk__in=Membership.objects.filter(enterprise__zone__in=self.zone_ids).values("alliance_id"))
        if self.guided_enterprise_ids:
            q |= Q(pk__in=Membership.objects.filter(enterprise__in=self.guided_enterprise_ids).values("alliance_id"))
        return q

    def managed_alliances_q(self):
        if self.is_global_admin:
            return Q()
        return self.in_managed_region() | Q(pk__in=self.managed_alliance_ids)

    def enterprises_q(self):
        if self.sees_everything:
            return Q()
        q = self.in_viewed_region() | Q(pk__in=self.enterprise_ids) | self.guides_enterprise_q()
        alliance_ids = set(self.seat_alliance_ids)
        if alliance_ids or self.department_ids:
            member_of = Membership.objects.filter(
                Q(alliance__in=alliance_ids)
                | Q(alliance__in=Membership.objects.filter(department__in=self.department_ids).values("alliance_id"))
            )
            q |= Q(pk__in=member_of.values("enterprise_id"))
        return q

    def guides_enterprise_q(self, prefix=""):
        """Enterprises (or, with a prefix such as "enterprise__", rows of them) the user guides."""
        if not (self.zone_ids or self.guided_enterprise_ids):
            return Q(pk__in=[])
        q = Q()
        if self.zone_ids:
            q |= Q(**{f"{prefix}zone__in": self.zone_ids})
        if self.guided_enterprise_ids:
            q |= Q(**{f"{prefix}pk__in": self.guided_enterprise_ids})
        return q

    def guides_enterprise(self, enterprise) -> bool:
        """Whether the user guides `enterprise` today (an Enterprise with its zone_id)."""
        return enterprise.pk in self.guided_enterprise_ids or (
            enterprise.zone_id is not None and enterprise.zone_id in self.zone_ids
        )

    def managed_enterprises_q(self):
        return self.in_managed_region() | Q(pk__in=self.enterprise_ids)

    def departments_q(self):
        if self.sees_everything:
            return Q()
        q = self.in_viewed_region() | Q(pk__in=self.department_ids)
        visible_alliances = Alliance.objects.filter(self.alliances_q()).values("pk")
        q |= Q(pk__in=Membership.objects.filter(alliance__in=visible_alliances).values("department_id"))
        return q

    def zones_q(self):
        if self.sees_everything:
            return Q()
        return (
            self.in_viewed_region()
            | Q(pk__in=self.zone_ids)
            | Q(
                pk__in=Enterprise.objects.filter(pk__in=self.enterprise_ids | self.guided_enterprise_ids).values(
                    "zone_id"
                )
            )
        )

    def party_organizations_q(self):
        if self.sees_everything:
            return Q()
        covered = PartyOrganization.enterprises.through.objects.filter(
            enterprise__in=Enterprise.objects.filter(self.enterprises_q()).values("pk")
        )
        return self.in_viewed_region() | Q(pk__in=covered.values("partyorganization_id"))

    def managed_party_organizations_q(self):
        covered = PartyOrganization.enterprises.through.objects.filter(enterprise__in=self.enterprise_ids)
        return self.in_managed_region() | Q(pk__in=covered.values("partyorganization_id"))


_PERMISSION_TABLES = (
    ("region", RegionUserObjectPermission),
    ("enterprise", EnterpriseUserObjectPermission),
    ("department", DepartmentUserObjectPermission),
    ("zone", WorkZoneUserObjectPermission),
)


def seats_in_force(on: dt.date | None = None):
    """Committee seats whose term covers the day (today by default): the seats that carry rights."""
    day = on or timezone.localdate()
    return CommitteeSeat.objects.filter(term_start__lte=day).filter(Q(term_end__isnull=True) | Q(term_end__gte=day))


@dataclass(frozen=True)
class GrantSource:
    """Extra grants from an app above, joined to the one grants query.

    `sql()` returns a SELECT of three columns (kind, codename, object id) for one user on one day;
    `params` names its placeholders in order, each "user" (the user's id) or "day" (the date).
    `sql` is called once, the first time the query is built (so it may read models' table names)."""

    name: str
    sql: Callable[[], str]
    params: tuple[str, ...]


_grant_sources: dict[str, GrantSource] = {}


def register_grant_source(source: GrantSource) -> GrantSource:
    """Add (or replace, by name) a grant source; apps call it from their AppConfig.ready."""
    _grant_sources[source.name] = source
    _grants_query.cache_clear()
    return source


@lru_cache(maxsize=1)
def _grants_query() -> tuple[str, tuple[str, ...]]:
    """One UNION over guardian's direct tables, the user's groups, the user's seats in force on
    a day and the registered grant sources, with the names of its parameters in order. Written
    as SQL once, because compiling the ORM querysets on every request cost more than running it."""
    from django.contrib.auth.models import Group, Permission

    from chainparty.models import User

    permission = Permission._meta.db_table
    parts = [
        f"SELECT '{kind}', p.codename, t.content_object_id FROM {model._meta.db_table} t "
        f"JOIN {permission} p ON p.id = t.permission_id WHERE t.user_id = %s"
        for kind, model in _PERMISSION_TABLES
    ]
    params = ["user"] * len(_PERMISSION_TABLES)
    memberships = User.groups.through._meta.db_table
    parts.append(
        f"SELECT 'group', g.name, g.id FROM {memberships} ug JOIN {Group._meta.db_table} g ON g.id = ug.group_id "
        "WHERE ug.user_id = %s"
    )
    params.append("user")
    parts.append(
        f"SELECT 'seat', s.role, s.alliance_id FROM {CommitteeSeat._meta.db_table} s WHERE s.user_id = %s "
        "AND s.term_start <= %s AND (s.term_end IS NULL OR s.term_end >= %s)"
    )
    params.extend(["user", "day", "day"])
    for source in _grant_sources.values():
        parts.append(source.sql())
        params.extend(source.params)
    return " UNION ALL ".join(parts), tuple(params)


def _load_scope(user, today: dt.date):
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    sql, names = _grants_query()
    values = {"user": user.pk, "day": today}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] for name in names])
        rows = cursor.fetchall()
    grants = {}
    for kind, codename, object_id in rows:
        grants.setdefault((kind, codename), set()).add(object_id)

    def ids(kind, codename):
        return frozenset(grants.get((kind, codename), ()))

    managed_regions = ids("region", roles.MANAGE_REGION)
    seat_alliances = frozenset().union(*(ids("seat", role) for role in CommitteeSeat.Role.values))
    managed_alliances = frozenset().union(*(ids("seat", role.value) for role in CommitteeSeat.MANAGING_ROLES))
    return Scope(
        user_id=user.pk,
        is_global_admin=user.is_superuser or ("group", roles.PLATFORM_ADMIN_GROUP) in grants,
        is_global_viewer=("group", roles.GLOBAL_VIEWER_GROUP) in grants,
        managed_region_ids=managed_regions,
        viewed_region_ids=managed_regions | ids("region", roles.VIEW_REGION),
        managed_alliance_ids=managed_alliances,
        seat_alliance_ids=seat_alliances,
        enterprise_ids=ids("enterprise", roles.MANAGE_ENTERPRISE),
        department_ids=ids("department", roles.HANDLE_DEPARTMENT),
        zone_ids=ids(roles.GUIDE_GRANT_KIND, roles.GUIDE_ZONE),
        guided_enterprise_ids=ids(roles.GUIDE_GRANT_KIND, roles.GUIDE_ENTERPRISE),
    )


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request) and day: a user
    object kept past midnight (a worker, a shell) reads the seats in force on the new day."""
    today = timezone.localdate()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == today:
        return cached[1]
    scope = _load_scope(user, today)
    if user is not None and getattr(user, "is_authenticated", False):
        setattr(user, _CACHE_ATTR, (today, scope))
    return scope


def forget_scope(user):
    """Drop the cached scope after the user's grants change within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_alliances(user):
    return Alliance.objects.filter(scope_for(user).alliances_q())


def visible_enterprises(user):
    return Enterprise.objects.filter(scope_for(user).enterprises_q())


def visible_departments(user):
    return Department.objects.filter(scope_for(user).departments_q())


def visible_zones(user):
    return WorkZone.objects.filter(scope_for(user).zones_q())


def visible_party_organizations(user):
    return PartyOrganization.objects.filter(scope_for(user).party_organizations_q())


def visible_regions(user):
    scope = scope_for(user)
    if scope.sees_everything:
        return Region.objects.all()
    # Regions the user's containers sit in, plus the ancestors shown in breadcrumbs are not needed.
    return Region.objects.filter(
        Q(pk__in=scope.viewed_regions())
        | Q(pk__in=Alliance.objects.filter(scope.alliances_q()).values("region_id"))
        | Q(pk__in=Enterprise.objects.filter(pk__in=scope.enterprise_ids).values("region_id"))
        | Q(pk__in=Department.objects.filter(pk__in=scope.department_ids).values("region_id"))
    )


def manageable_regions(user):
    scope = scope_for(user)
    if scope.is_global_admin:
        return Region.objects.all()
    return Region.objects.filter(pk__in=scope.managed_regions())
