"""Reads of policies, their pushes and who read them, scoped to a user, joins decided here."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from alliances.access import scope_for, visible_alliances, visible_enterprises
from alliances.models import Enterprise, Membership, within_regions_q

from ..models import Policy, PolicyCategory, PolicyDelivery
from ..permissions.policies import sees_all_readers, visible_policies


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


def policy_reading(*, policy: Policy, user) -> list[PolicyDelivery]:
    """The pushes of `policy` to the user's own enterprises, to offer "我已阅读" or show when it was read."""
    enterprise_ids = scope_for(user).enterprise_ids
    if not enterprise_ids or policy.state == Policy.State.DRAFT:
        return []
    return list(
        PolicyDelivery.objects.filter(policy=policy, enterprise__in=enterprise_ids)
        .select_related("enterprise", "read_by")
        .order_by("enterprise__name")
    )


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
    enterprises = Enterprise.objects.filter(within_regions_q(policy.region))
    if policy.industries:
        enterprises = enterprises.filter(industry__in=policy.industries)
    if policy.sizes:
        enterprises = enterprises.filter(size__in=policy.sizes)
    target_regions = list(policy.target_regions.only("path"))
    zone_ids = list(policy.target_zones.values_list("pk", flat=True))
    if target_regions or zone_ids:
        enterprises = enterprises.filter(Q(zone__in=zone_ids) | within_regions_q(target_regions))
    alliance_ids = list(policy.target_alliances.values_list("pk", flat=True))
    if alliance_ids:
        members = Membership.objects.filter(alliance__in=alliance_ids, left_on__isnull=True, enterprise__isnull=False)
        enterprises = enterprises.filter(pk__in=members.values("enterprise_id"))
    return enterprises
