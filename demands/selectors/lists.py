"""Reads of resources, policies, matches and cooperations, scoped to a user, joins decided here."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum
from django.utils import timezone

from alliances.access import scope_for, visible_alliances, visible_enterprises
from alliances.models import Enterprise, Membership, WorkZone

from ..models.lists import Match, Policy, PolicyCategory, PolicyDelivery, Resource
from ..permissions.lists import (
    provider_side_q,
    resource_active_q,
    sees_all_readers,
    visible_cooperations,
    visible_policies,
    visible_resources,
)
from .needs import department_handlers, enterprise_secretaries

STATUS_EXPIRED = Resource.Status.EXPIRED


# -- resources ---------------------------------------------------------------------------
def resource_list(*, user, category="", status="", zone=None, q="", enterprise=None, department=None, owner=""):
    qs = visible_resources(user).select_related("enterprise", "department", "zone", "region")
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = filter_resource_status(qs, status)
    if zone is not None:
        qs = qs.filter(zone=zone)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    if department is not None:
        qs = qs.filter(department=department)
    if owner:
        qs = qs.filter(Q(enterprise__name__icontains=owner) | Q(department__name__icontains=owner))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-updated_at", "-id")


def filter_resource_status(qs, status):
    """Filter by the status users see: an active resource past its date counts as expired."""
    if status == Resource.Status.ACTIVE:
        return qs.filter(resource_active_q())
    if status == STATUS_EXPIRED:
        return qs.filter(
            Q(status=STATUS_EXPIRED) | Q(status=Resource.Status.ACTIVE, valid_until__lt=timezone.localdate())
        )
    return qs.filter(status=status)


def resource_zones(*, user):
    """Zones worth offering as a filter: the ones the user's visible resources sit in."""
    return WorkZone.objects.filter(pk__in=visible_resources(user).values("zone_id")).order_by("name")


# -- policies ----------------------------------------------------------------------------
def _with_categories(qs):
    return qs.prefetch_related(Prefetch("category_rows", queryset=PolicyCategory.objects.order_by("category")))


def policy_list(*, user, category="", department=None, state="", q="", mine=False):
    qs = visible_policies(user).select_related("department", "region")
    if category:
        qs = qs.filter(Exists(PolicyCategory.objects.filter(policy=OuterRef("pk"), category=category)))
    if department is not None:
        qs = qs.filter(department=department)
    if state:
        qs = qs.filter(state=state)
    if mine:
        qs = qs.filter(department__in=scope_for(user).department_ids)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(doc_number__icontains=q) | Q(summary__icontains=q))
    return _with_categories(qs).order_by("state", "-published_at", "-id")


def policy_detail_queryset():
    return _with_categories(
        Policy.objects.select_related("department", "region", "published_by").prefetch_related(
            "target_regions", "target_zones", "target_alliances"
        )
    )


def policy_inbox(*, user, unread_only=False):
    """Policies pushed to the user's enterprises: unread first, newest first."""
    qs = PolicyDelivery.objects.filter(enterprise__in=scope_for(user).enterprise_ids).select_related(
        "policy__department", "enterprise", "read_by"
    )
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").desc(nulls_first=True), "-delivered_at", "-id")


def policy_inbox_unread_count(*, user):
    enterprise_ids = scope_for(user).enterprise_ids
    if not enterprise_ids:
        return 0
    return PolicyDelivery.objects.filter(enterprise__in=enterprise_ids, read_at__isnull=True).count()


@dataclass(frozen=True)
class Awareness:
    """知晓率 of one policy within one alliance (or overall when `alliance_id` is None)."""

    alliance_id: int | None
    name: str
    delivered: int
    read: int

    @property
    def rate(self):
        return round(100 * self.read / self.delivered, 1) if self.delivered else 0.0

    @property
    def unread(self):
        return self.delivered - self.read


def policy_awareness(*, policy: Policy, user, sees_all: bool | None = None) -> list[Awareness]:
    """Delivered and read counts per alliance of the reached enterprises, in one grouped query.

    People who do not see every reader (see permissions) get only the alliances they can see;
    `sees_all` is that check when the caller already made it.
    """
    rows = Membership.objects.filter(
        left_on__isnull=True, enterprise__isnull=False, enterprise__policy_deliveries__policy=policy
    )
    if not (sees_all if sees_all is not None else sees_all_readers(user, policy)):
        rows = rows.filter(alliance__in=visible_alliances(user).values("pk"))
    rows = (
        rows.values("alliance_id", "alliance__name")
        .annotate(
            delivered=Count("enterprise__policy_deliveries"),
            read=Count("enterprise__policy_deliveries", filter=Q(enterprise__policy_deliveries__read_at__isnull=False)),
        )
        .order_by("alliance__name")
    )
    return [Awareness(r["alliance_id"], r["alliance__name"], r["delivered"], r["read"]) for r in rows]


def policy_deliveries(*, policy: Policy, user, read=None, sees_all: bool | None = None):
    """Who the policy reached and who read it; limited to visible enterprises for non-publishers."""
    qs = policy.deliveries.select_related("enterprise", "read_by")
    if not (sees_all if sees_all is not None else sees_all_readers(user, policy)):
        qs = qs.filter(enterprise__in=visible_enterprises(user).values("pk"))
    if read is True:
        qs = qs.filter(read_at__isnull=False)
    elif read is False:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by(F("read_at").desc(nulls_last=True), "enterprise__name")


def policy_targets(policy: Policy):
    """Every enterprise the policy applies to: in its region, meeting each criterion that is set."""
    enterprises = Enterprise.objects.filter(region__path__startswith=policy.region.path)
    if policy.industries:
        enterprises = enterprises.filter(industry__in=policy.industries)
    if policy.sizes:
        enterprises = enterprises.filter(size__in=policy.sizes)
    region_paths = list(policy.target_regions.values_list("path", flat=True))
    zone_ids = list(policy.target_zones.values_list("pk", flat=True))
    if region_paths or zone_ids:
        place = Q(zone__in=zone_ids)
        for path in region_paths:
            place |= Q(region__path__startswith=path)
        enterprises = enterprises.filter(place)
    alliance_ids = list(policy.target_alliances.values_list("pk", flat=True))
    if alliance_ids:
        members = Membership.objects.filter(alliance__in=alliance_ids, left_on__isnull=True, enterprise__isnull=False)
        enterprises = enterprises.filter(pk__in=members.values("enterprise_id"))
    return enterprises


# -- cooperations -----------------------------------------------------------------------
def cooperation_list(*, user, alliance=None, date_from: dt.date | None = None, date_to: dt.date | None = None, q=""):
    qs = visible_cooperations(user).select_related(
        "alliance", "provider_enterprise", "provider_department", "receiver_enterprise", "need"
    )
    if alliance is not None:
        qs = qs.filter(alliance=alliance)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if q:
        qs = qs.filter(
            Q(description__icontains=q)
            | Q(provider_enterprise__name__icontains=q)
            | Q(receiver_enterprise__name__icontains=q)
        )
    return qs.order_by("-date", "-id")


def cooperation_totals(qs):
    figures = qs.order_by().aggregate(count=Count("pk"), value=Sum("value_wan"))
    return {"count": figures["count"], "value_wan": figures["value"] or 0}


# -- matches -------------------------------------------------------------------------------
def _match_joins(qs):
    return qs.select_related(
        "need__enterprise",
        "resource__enterprise",
        "resource__department",
        "policy__department",
        "need_confirmed_by",
        "provider_confirmed_by",
        "cooperation",
    )


def matches_for_need(*, need):
    return _match_joins(Match.objects.filter(need=need)).order_by("-score", "-id")


def matches_for_resource(*, resource):
    return _match_joins(Match.objects.filter(resource=resource)).order_by("-proposed_at", "-id")


def match_inbox(*, user):
    """Matches waiting for this user's confirmation, on either side, newest first."""
    scope = scope_for(user)
    waiting = Q(need__enterprise__in=scope.enterprise_ids, need_confirmed_at__isnull=True) | (
        provider_side_q(user) & Q(provider_confirmed_at__isnull=True)
    )
    return _match_joins(Match.objects.filter(waiting)).order_by("-proposed_at", "-id")


def match_recent_confirmed(*, user, limit=20):
    scope = scope_for(user)
    mine = Q(need__enterprise__in=scope.enterprise_ids) | provider_side_q(user)
    confirmed = Q(need_confirmed_at__isnull=False, provider_confirmed_at__isnull=False)
    return _match_joins(Match.objects.filter(mine, confirmed)).order_by("-provider_confirmed_at", "-id")[:limit]


# -- people to notify ------------------------------------------------------------------------
def offer_handlers(*, offer) -> list:
    """Who answers for a resource or policy: its enterprise's secretaries or its department's handlers."""
    enterprise_id = getattr(offer, "enterprise_id", None)
    if enterprise_id:
        return enterprise_secretaries([enterprise_id]).get(enterprise_id, [])
    return department_handlers([offer.department_id]).get(offer.department_id, [])
