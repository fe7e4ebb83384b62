"""Reads of the organisational core, scoped to a user, with their joins decided once here."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from chainparty import roles

from .access import (
    scope_for,
    seats_in_force,
    visible_alliances,
    visible_departments,
    visible_enterprises,
    visible_party_organizations,
    visible_zones,
)
from .models import (
    Alliance,
    CommitteeSeat,
    DepartmentUserObjectPermission,
    Enterprise,
    EnterpriseUserObjectPermission,
    Membership,
    PartyOrganization,
    RegionUserObjectPermission,
    within_regions_q,
)

PARTY_STATUS_COVERED = "covered"
PARTY_STATUS_UNCOVERED = "uncovered"


def _has_party_org():
    return Exists(PartyOrganization.enterprises.through.objects.filter(enterprise_id=OuterRef("pk")))


def enterprise_list(*, user, search="", zone=None, industry="", alliance=None, party_status="", region=None, size=""):
    qs = visible_enterprises(user).select_related("region", "zone").annotate(has_party_org=_has_party_org())
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(credit_code__icontains=search.upper()))
    if zone is not None:
        qs = qs.filter(zone=zone)
    if region is not None:
        qs = qs.filter(within_regions_q(region))
    if industry:
        qs = qs.filter(industry=industry)
    if size:
        qs = qs.filter(size=size)
    if alliance is not None:
        qs = qs.filter(
            pk__in=Membership.objects.filter(alliance=alliance, left_on__isnull=True).values("enterprise_id")
        )
    if party_status == PARTY_STATUS_COVERED:
        qs = qs.filter(has_party_org=True)
    elif party_status == PARTY_STATUS_UNCOVERED:
        qs = qs.filter(has_party_org=False)
    return qs.order_by("name", "pk")


def enterprise_industries(*, user):
    return list(visible_enterprises(user).order_by().values_list("industry", flat=True).distinct())


def enterprise_detail(*, enterprise: Enterprise):
    memberships = enterprise.memberships.select_related("alliance").order_by("-joined_on")
    organizations = enterprise.party_organizations.all()
    return {"memberships": memberships, "party_organizations": organizations}


def _active_members():
    return Count("memberships", filter=Q(memberships__left_on__isnull=True, memberships__enterprise__isnull=False))


def alliance_list(*, user, search="", region=None):
    qs = visible_alliances(user).select_related("region", "lead_enterprise").annotate(member_count=_active_members())
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(chain__icontains=search))
    if region is not None:
        qs = qs.filter(within_regions_q(region))
    return qs.order_by("region__code", "name")


@dataclass(frozen=True)
class Coverage:
    enterprises: int
    covered: int

    @property
    def uncovered(self):
        return self.enterprises - self.covered

    @property
    def rate(self):
        return round(100 * self.covered / self.enterprises, 1) if self.enterprises else 0.0


def coverage_of(enterprises) -> Coverage:
    """组织覆盖率 over a queryset of enterprises: those covered by at least one Party organisation."""
    figures = enterprises.order_by().aggregate(
        total=Count("pk", distinct=True), covered=Count("pk", filter=Q(_has_party_org()), distinct=True)
    )
    return Coverage(enterprises=figures["total"], covered=figures["covered"])


def alliance_member_enterprises(*, alliance: Alliance):
    return Enterprise.objects.filter(
        pk__in=Membership.objects.filter(alliance=alliance, left_on__isnull=True).values("enterprise_id")
    )


def alliance_detail(*, alliance: Alliance, user):
    memberships = list(
        alliance.memberships.select_related("enterprise", "department")
        .annotate(
            has_party_org=Exists(
                PartyOrganization.enterprises.through.objects.filter(enterprise_id=OuterRef("enterprise_id"))
            )
        )
        .order_by("left_on", "position", "joined_on")
    )
    today = timezone.localdate()
    seats = list(alliance.seats.select_related("enterprise", "department", "user").order_by("role", "-term_start"))
    return {
        "active_enterprises": [m for m in memberships if m.enterprise_id and m.left_on is None],
        "active_departments": [m for m in memberships if m.department_id and m.left_on is None],
        "past_members": [m for m in memberships if m.left_on is not None],
        "current_seats": [s for s in seats if s.term_end is None or s.term_end >= today],
        "past_seats": [s for s in seats if s.term_end is not None and s.term_end < today],
        "rotations": list(alliance.rotations.select_related("enterprise")[:8]),
        "current_rotation": alliance.rotations.filter(year=today.year, quarter=(today.month - 1) // 3 + 1)
        .select_related("enterprise")
        .first(),
        "coverage": coverage_of(alliance_member_enterprises(alliance=alliance)),
        **_openable_members(user=user, alliance=alliance, memberships=memberships),
    }


def _openable_members(*, user, alliance: Alliance, memberships) -> dict:
    """Which of the page's enterprises and departments the reader may open (as links), read once
    for the whole page: an enterprise secretary sees the other members' names but not their pages."""
    enterprise_ids = {m.enterprise_id for m in memberships if m.enterprise_id} | {alliance.lead_enterprise_id}
    department_ids = {m.department_id for m in memberships if m.department_id}
    return {
        "openable_enterprise_ids": set(
            visible_enterprises(user).filter(pk__in=enterprise_ids - {None}).values_list("pk", flat=True)
        ),
        "openable_department_ids": set(
            visible_departments(user).filter(pk__in=department_ids).values_list("pk", flat=True)
        ),
    }


def department_list(*, user, search="", factor_group=""):
    qs = visible_departments(user).select_related("region")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if factor_group:
        qs = qs.filter(factor_group=factor_group)
    return qs.order_by("region__code", "name")


def zone_list(*, user, search="", kind=""):
    qs = visible_zones(user).select_related("region", "parent").annotate(enterprise_count=Count("enterprises"))
    if search:
        qs = qs.filter(name__icontains=search)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "name")


def party_organization_list(*, user, search="", kind=""):
    qs = (
        visible_party_organizations(user)
        .select_related("region", "parent")
        .prefetch_related(Prefetch("enterprises", queryset=Enterprise.objects.only("pk", "name")))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(secretary_name__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "name")


def seat_candidates(*, alliance: Alliance):
    """Accounts an alliance may put on its committee: the secretaries of its member enterprises and
    the handlers of its member departments (seats come from members), whoever already held one of
    its seats, and the organisation staff and leaders of its region and the regions above it (a
    county's 组织部 or leaders often chair a chain's committee). Not every account of the platform."""
    from django.contrib.auth import get_user_model

    members = alliance.memberships.filter(left_on__isnull=True)
    region_roles = [roles.MANAGE_REGION, roles.VIEW_REGION]
    people = (
        Q(pk__in=_granted(EnterpriseUserObjectPermission, [roles.MANAGE_ENTERPRISE], members.values("enterprise_id")))
        | Q(pk__in=_granted(DepartmentUserObjectPermission, [roles.HANDLE_DEPARTMENT], members.values("department_id")))
        | Q(pk__in=_granted(RegionUserObjectPermission, region_roles, alliance.region.ancestor_ids()))
        | Q(pk__in=alliance.seats.exclude(user=None).values("user_id"))
    )
    return get_user_model().objects.filter(people, is_active=True).order_by("username")


def _granted(model, codenames, object_ids):
    return model.objects.filter(permission__codename__in=codenames, content_object_id__in=object_ids).values("user_id")


def seats_of_user(*, user):
    today = timezone.localdate()
    return (
        CommitteeSeat.objects.filter(user=user, term_start__lte=today)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=today))
        .select_related("alliance")
    )


HOME_ALLIANCES = 12


def home_summary(*, user):
    """What the home page shows this person of their own alliances, enterprises, seats and
    departments; the figures come from the apps' indicators (`chainparty.indicators`)."""
    scope = scope_for(user)
    alliances = list(alliance_list(user=user)[: HOME_ALLIANCES + 1])
    return {
        "scope": scope,
        "alliances": alliances[:HOME_ALLIANCES],
        "more_alliances": len(alliances) > HOME_ALLIANCES,
        "own_enterprises": list(Enterprise.objects.filter(pk__in=scope.enterprise_ids).select_related("region")),
        "seats": list(seats_of_user(user=user)),
        "department_names": list(
            visible_departments(user).filter(pk__in=scope.department_ids).values_list("name", flat=True)
        ),
    }


# -- who to tell ----------------------------------------------------------------------------------
# Recipient lookups for notification fan-out: each takes any number of ids and costs one query,
# returning {object id: [active users]} ordered by user id; an id nobody holds is absent.
def _users_by_object(model, codename, object_ids) -> dict:
    rows = (
        model.objects.filter(content_object_id__in=set(object_ids), permission__codename=codename, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    found = {}
    for row in rows:
        found.setdefault(row.content_object_id, []).append(row.user)
    return found


def alliance_managers(alliance_ids) -> dict:
    """{alliance id: [secretaries, deputies and liaisons whose term covers today]}: rights follow
    the seats' dates; a person holding two managing seats is listed once."""
    seats = (
        seats_in_force()
        .filter(alliance_id__in=set(alliance_ids), role__in=CommitteeSeat.MANAGING_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    found = {}
    for seat in seats:
        holders = found.setdefault(seat.alliance_id, [])
        if seat.user not in holders:
            holders.append(seat.user)
    return found


def enterprise_secretaries(enterprise_ids) -> dict:
    return _users_by_object(EnterpriseUserObjectPermission, roles.MANAGE_ENTERPRISE, enterprise_ids)


def department_handlers(department_ids) -> dict:
    return _users_by_object(DepartmentUserObjectPermission, roles.HANDLE_DEPARTMENT, department_ids)


def is_department_handler(*, user, department_id) -> bool:
    """Whether `user` is an active handler of the department (a part may name only one of them)."""
    return (
        user.is_active
        and DepartmentUserObjectPermission.objects.filter(
            user=user, content_object_id=department_id, permission__codename=roles.HANDLE_DEPARTMENT
        ).exists()
    )


def region_staff(region_ids) -> dict:
    """{region id: [organisation staff managing it directly]}; callers walk the ancestors."""
    return _users_by_object(RegionUserObjectPermission, roles.MANAGE_REGION, region_ids)
