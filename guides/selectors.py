"""Reads of the guides app that are more than a `get` (issue 9 §2): a guide's enterprises (我的企业),
the load per guide, who no one has visited, and visit coverage per zone and per alliance.

Visit status of an enterprise, by the shortest cadence among the assignments serving it today
(monthly wins over quarterly; an enterprise no one serves counts as quarterly):
- VISITED: visited in the current period (calendar month or quarter);
- DUE: not yet visited this period, but visited in the previous one (there is still time);
- OVERDUE: a whole period has passed without a visit: the last visit is before the previous
  period began, or there is none.
Disputed visits do not count as visits. Every reader aggregates in SQL: a bounded number of queries
whatever the number of enterprises.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.access import scope_for
from alliances.models import Alliance, Enterprise, Membership, PartyOrganization, WorkZone
from demands.models import Need

from .models import Assignment, Guide, TeamMember, Visit
from .permissions import visible_guides
from .reach import in_force_q, members_on_q

MONTH, QUARTER, EVER = "month", "quarter", "ever"
VISITED, DUE, OVERDUE = 0, 1, 2  # sorts overdue last ascending; lists order by -status
STATUS_LABELS = {VISITED: _("本期已走访"), DUE: _("本期待走访"), OVERDUE: _("逾期未走访")}


# -- periods ------------------------------------------------------------------------------------
def period_start(day: dt.date, period: str) -> dt.date:
    if period == MONTH:
        return day.replace(day=1)
    if period == QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(period)


def previous_period_start(day: dt.date, period: str) -> dt.date:
    return period_start(period_start(day, period) - dt.timedelta(days=1), period)


def counted_visits():
    """Visits that count (not disputed by the enterprise)."""
    return Visit.objects.exclude(confirmation=Visit.Confirmation.DISPUTED)


def _last_visit():
    return Subquery(counted_visits().filter(enterprise=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1])


def _open_needs():
    return Coalesce(
        Subquery(
            Need.objects.filter(enterprise=OuterRef("pk"))
            .exclude(state__in=Need.FINAL_STATES)
            .order_by()
            .values("enterprise")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )


def _status(day: dt.date, monthly_q: Q):
    """The visit status (VISITED/DUE/OVERDUE) as SQL, given which enterprises are visited monthly."""
    month, quarter = period_start(day, MONTH), period_start(day, QUARTER)
    previous_month, previous_quarter = previous_period_start(day, MONTH), previous_period_start(day, QUARTER)
    return Case(
        When(last_visit__isnull=True, then=Value(OVERDUE)),
        When(monthly_q & Q(last_visit__gte=month), then=Value(VISITED)),
        When(monthly_q & Q(last_visit__gte=previous_month), then=Value(DUE)),
        When(monthly_q, then=Value(OVERDUE)),
        When(last_visit__gte=quarter, then=Value(VISITED)),
        When(last_visit__gte=previous_quarter, then=Value(DUE)),
        default=Value(OVERDUE),
        output_field=IntegerField(),
    )


# -- whom a guide serves ------------------------------------------------------------------------
def serving_assignments(*, guide: Guide, day: dt.date):
    """Assignments in force on `day` of `guide`, themselves or through a team they are in."""
    teams = TeamMember.objects.filter(in_force_q(day), guide=guide).values("team_id")
    return Assignment.objects.filter(in_force_q(day)).filter(Q(guide=guide) | Q(team__in=teams))


def _covered_q(assignments, day: dt.date) -> Q:
    """Enterprises (Q on Enterprise) the assignments' targets take in on `day`."""
    members = Membership.objects.filter(
        members_on_q(day),
        alliance__in=assignments.filter(target=Assignment.Target.ALLIANCE).values("alliance_id"),
        enterprise__isnull=False,
    )
    return (
        Q(pk__in=assignments.filter(target=Assignment.Target.ENTERPRISE).values("enterprise_id"))
        | Q(zone__in=assignments.filter(target=Assignment.Target.ZONE).values("zone_id"))
        | Q(pk__in=members.values("enterprise_id"))
    )


def _served_ids(assignments, day: dt.date) -> tuple[list[int], list[int]]:
    """(enterprise ids, those visited monthly) the `assignments` take in on `day`, read as ids: one
    query for the assignments, one each for the zones' enterprises and the alliances' members when
    there are any. A handful of rows: the planner then knows how few enterprises follow (filtering
    Enterprise by the OR of three subqueries made it expect most of the table, and a province's
    dataset paid seconds for a JIT compilation of a 30-row list)."""
    rows = list(assignments.values_list("cadence", "zone_id", "enterprise_id", "alliance_id"))
    zones = {zone for _c, zone, _e, _a in rows if zone}
    alliances = {alliance for _c, _z, _e, alliance in rows if alliance}
    in_zone, in_alliance = defaultdict(set), defaultdict(set)
    if zones:
        for pk, zone_id in Enterprise.objects.filter(zone__in=zones).values_list("pk", "zone_id"):
            in_zone[zone_id].add(pk)
    if alliances:
        for alliance_id, enterprise_id in Membership.objects.filter(
            members_on_q(day), alliance__in=alliances, enterprise__isnull=False
        ).values_list("alliance_id", "enterprise_id"):
            in_alliance[alliance_id].add(enterprise_id)
    served, monthly = set(), set()
    for cadence, zone_id, enterprise_id, alliance_id in rows:
        targets = {enterprise_id} if enterprise_id else in_zone.get(zone_id) or in_alliance.get(alliance_id) or set()
        served |= targets
        if cadence == Assignment.Cadence.MONTHLY:
            monthly |= targets
    return sorted(served), sorted(monthly)


def guide_enterprises(*, guide: Guide, day: dt.date | None = None):
    """我的企业: the enterprises `guide` serves on `day` (today), each with `last_visit`, `status`
    (OVERDUE first), `monthly` and `open_needs`. Whom the guide serves is read first as ids (one to
    three small queries, `_served_ids`); the list is then one query."""
    day = day or timezone.localdate()
    served, monthly = _served_ids(serving_assignments(guide=guide, day=day), day)
    monthly_q = Q(pk__in=monthly)
    return (
        Enterprise.objects.filter(pk__in=served)
        .annotate(last_visit=_last_visit(), open_needs=_open_needs())
        .annotate(
            status=_status(day, monthly_q),
            monthly=Case(When(monthly_q, then=Value(True)), default=Value(False)),
        )
        .select_related("zone")
        .order_by("-status", Coalesce("last_visit", Value(dt.date.min)), "name", "pk")
    )


# -- load per guide -----------------------------------------------------------------------------
@dataclass
class GuideLoad:
    enterprises: int = 0
    party_organizations: int = 0
    members: int = 0  # Party members (full and probationary) in the organisations covering them


def guide_load(*, guides, day: dt.date | None = None) -> dict[int, GuideLoad]:
    """{guide id: GuideLoad} on `day`, for staff to keep the proportion the seeds ask for (红帆 teams
    sized by the organisations and members they serve). Five queries whatever the number."""
    day = day or timezone.localdate()
    guide_ids = [g.pk if hasattr(g, "pk") else g for g in guides]
    own = Assignment.objects.filter(in_force_q(day), guide__in=guide_ids).values_list(
        "guide_id", "target", "zone_id", "enterprise_id", "alliance_id"
    )
    terms = TeamMember.objects.filter(in_force_q(day), guide__in=guide_ids).values_list("guide_id", "team_id")
    by_team = defaultdict(list)
    for guide_id, team_id in terms:
        by_team[team_id].append(guide_id)
    rows = list(own)
    for team_id, target, zone_id, enterprise_id, alliance_id in Assignment.objects.filter(
        in_force_q(day), team__in=list(by_team)
    ).values_list("team_id", "target", "zone_id", "enterprise_id", "alliance_id"):
        rows.extend((guide_id, target, zone_id, enterprise_id, alliance_id) for guide_id in by_team[team_id])
    zones = {r[2] for r in rows if r[2]}
    alliances = {r[4] for r in rows if r[4]}
    in_zone = defaultdict(set)
    for pk, zone_id in Enterprise.objects.filter(zone__in=zones).values_list("pk", "zone_id"):
        in_zone[zone_id].add(pk)
    in_alliance = defaultdict(set)
    for alliance_id, enterprise_id in Membership.objects.filter(
        members_on_q(day), alliance__in=alliances, enterprise__isnull=False
    ).values_list("alliance_id", "enterprise_id"):
        in_alliance[alliance_id].add(enterprise_id)
    served = defaultdict(set)
    for guide_id, _target, zone_id, enterprise_id, alliance_id in rows:
        if enterprise_id:
            served[guide_id].add(enterprise_id)
        served[guide_id] |= in_zone.get(zone_id, set()) | in_alliance.get(alliance_id, set())
    everyone = set().union(*served.values()) if served else set()
    organizations = defaultdict(set)
    members = {}
    for enterprise_id, organization_id, full, probationary in PartyOrganization.enterprises.through.objects.filter(
        enterprise__in=everyone
    ).values_list(
        "enterprise_id", "partyorganization_id", "partyorganization__members", "partyorganization__probationary_members"
    ):
        organizations[enterprise_id].add(organization_id)
        members[organization_id] = full + probationary
    loads = {}
    for guide_id in guide_ids:
        enterprises = served.get(guide_id, set())
        orgs = set().union(*(organizations[e] for e in enterprises if e in organizations)) if enterprises else set()
        loads[guide_id] = GuideLoad(len(enterprises), len(orgs), sum(members[o] for o in orgs))
    return loads


# -- who no one has visited ---------------------------------------------------------------------
def _region_enterprises(user):
    scope = scope_for(user)
    return Enterprise.objects.filter(scope.in_viewed_region())


def _served_by_guides_q(guides, day) -> Q:
    """Enterprises served on `day` by any of `guides` (a Guide queryset), themselves or via a team."""
    teams = TeamMember.objects.filter(in_force_q(day), guide__in=guides.values("pk")).values("team_id")
    assignments = Assignment.objects.filter(in_force_q(day)).filter(
        Q(guide__in=guides.values("pk")) | Q(team__in=teams)
    )
    return _covered_q(assignments, day)


def _served_q(day) -> Q:
    """Enterprises someone serves on `day`."""
    return _covered_q(Assignment.objects.filter(in_force_q(day)), day)


def enterprise_visit_list(
    *,
    user,
    period: str = QUARTER,
    not_visited: bool = True,
    zone: WorkZone | None = None,
    alliance: Alliance | None = None,
    department=None,
    guide: Guide | None = None,
    day: dt.date | None = None,
):
    """Every enterprise in the user's region (as organisation staff or leader) with `last_visit`,
    `status` and `open_needs`; with `not_visited`, only those not visited this month / this quarter
    / ever (`period`). Filters: zone, alliance (active members), department (served by guides it
    sent), guide (served by them). Overdue first. One query (plus the page's `enterprise_guides`)."""
    day = day or timezone.localdate()
    qs = _region_enterprises(user).annotate(last_visit=_last_visit(), open_needs=_open_needs())
    if zone is not None:
        qs = qs.filter(zone=zone)
    if alliance is not None:
        qs = qs.filter(pk__in=Membership.objects.filter(members_on_q(day), alliance=alliance).values("enterprise_id"))
    if department is not None:
        qs = qs.filter(_served_by_guides_q(Guide.objects.filter(department=department), day))
    if guide is not None:
        qs = qs.filter(_served_by_guides_q(Guide.objects.filter(pk=guide.pk), day))
    if not_visited:
        if period == EVER:
            qs = qs.filter(last_visit__isnull=True)
        else:
            qs = qs.filter(Q(last_visit__isnull=True) | Q(last_visit__lt=period_start(day, period)))
    monthly_q = _covered_q(Assignment.objects.filter(in_force_q(day), cadence=Assignment.Cadence.MONTHLY), day)
    return (
        qs.annotate(status=_status(day, monthly_q))
        .select_related("zone")
        .order_by("-status", Coalesce("last_visit", Value(dt.date.min)), "name", "pk")
    )


def enterprise_guides(enterprise_ids, day: dt.date | None = None) -> dict[int, list[Guide]]:
    """{enterprise id: [guides serving it on `day`]} for a page of enterprises: three queries."""
    day = day or timezone.localdate()
    enterprise_ids = list(enterprise_ids)
    enterprises = Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "zone_id")
    zone_of = dict(enterprises)
    members = Membership.objects.filter(members_on_q(day), enterprise__in=enterprise_ids).values_list(
        "alliance_id", "enterprise_id"
    )
    by_alliance = defaultdict(set)
    for alliance_id, enterprise_id in members:
        by_alliance[alliance_id].add(enterprise_id)
    by_zone = defaultdict(set)
    for pk, zone_id in zone_of.items():
        if zone_id:
            by_zone[zone_id].add(pk)
    assignments = Assignment.objects.filter(in_force_q(day)).filter(
        Q(enterprise__in=enterprise_ids) | Q(zone__in=list(by_zone)) | Q(alliance__in=list(by_alliance))
    )
    found = defaultdict(dict)
    team_targets = defaultdict(set)
    for a in assignments.select_related("guide"):
        targets = {a.enterprise_id} if a.enterprise_id else by_zone.get(a.zone_id) or by_alliance.get(a.alliance_id)
        for enterprise_id in targets or ():
            if a.guide_id:
                found[enterprise_id][a.guide_id] = a.guide
            else:
                team_targets[a.team_id].add(enterprise_id)
    if team_targets:
        for term in TeamMember.objects.filter(in_force_q(day), team__in=list(team_targets)).select_related("guide"):
            for enterprise_id in team_targets[term.team_id]:
                found[enterprise_id][term.guide_id] = term.guide
    return {pk: sorted(guides.values(), key=lambda g: g.name) for pk, guides in found.items()}


# -- coverage (企业走访覆盖率) ------------------------------------------------------------------------
def _visited_between(starts_on, ends_on):
    return Exists(
        counted_visits().filter(enterprise=OuterRef("pk"), visited_on__gte=starts_on, visited_on__lte=ends_on)
    )


def coverage_by_zone(*, user, starts_on: dt.date, ends_on: dt.date) -> list[dict]:
    """Per zone of the user's region: enterprises, those visited in [starts_on, ends_on], and the
    rate (0–1). Enterprises outside any zone are one row with zone None. One query."""
    rows = (
        _region_enterprises(user)
        .annotate(visited=_visited_between(starts_on, ends_on))
        .values("zone_id", "zone__name")
        .annotate(total=Count("pk"), visited_count=Count("pk", filter=Q(visited=True)))
        .order_by("zone__name", "zone_id")
    )
    return [_rate(row) for row in rows]


def coverage_by_alliance(*, user, starts_on: dt.date, ends_on: dt.date) -> list[dict]:
    """Per alliance of the user's region: active member enterprises (at `ends_on`), those visited in
    the range, and the rate. One query."""
    scope = scope_for(user)
    visited = Exists(
        counted_visits().filter(
            enterprise=OuterRef("enterprise_id"), visited_on__gte=starts_on, visited_on__lte=ends_on
        )
    )
    rows = (
        Membership.objects.filter(members_on_q(ends_on), enterprise__isnull=False)
        .filter(scope.in_viewed_region(prefix="alliance__"))
        .annotate(visited=visited)
        .values("alliance_id", "alliance__name")
        .annotate(
            total=Count("enterprise_id", distinct=True),
            visited_count=Count("enterprise_id", filter=Q(visited=True), distinct=True),
        )
        .order_by("alliance__name", "alliance_id")
    )
    return [_rate(row) for row in rows]


def _rate(row: dict) -> dict:
    row["rate"] = row["visited_count"] / row["total"] if row["total"] else 0.0
    return row


# -- lists ---------------------------------------------------------------------------------------
def guide_list(*, user, kind: str = "", department=None, q: str = ""):
    qs = visible_guides(user).select_related("department", "zone", "region")
    if kind:
        qs = qs.filter(kind=kind)
    if department is not None:
        qs = qs.filter(department=department)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name", "pk")
