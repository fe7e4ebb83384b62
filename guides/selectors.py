"""Reads of the guides app that are more than a `get` (issue 9 §2): a guide's enterprises (我的企业),
the load per guide, who no one has visited, and visit coverage per zone and per alliance.

Visit status of an enterprise, by the strictest cadence among the assignments taken (guides.serving
says which: every assignment serving it today on the staff pages, the guide's own in 我的企业;
monthly wins over quarterly; an enterprise no one serves counts as quarterly):
- VISITED: visited in the current period (calendar month or quarter);
- DUE: not yet visited this period, but visited in the previous one (there is still time);
- OVERDUE: a whole period has passed without a visit: the last visit is before the previous
  period began, or there is none.
Disputed visits do not count as visits; an enterprise's last counted visit is read from LastVisit,
which the visits keep current (guides.services.last_visits). Every reader aggregates in SQL: a bounded number of queries
whatever the number of enterprises.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.access import scope_for, visible_alliances, visible_departments, visible_zones
from alliances.models import Alliance, Enterprise, Membership, PartyOrganization, WorkZone
from demands.models import Need

from . import serving
from .models import Guide, Visit
from .permissions import visible_guides
from .serving import members_on_q

MONTH, QUARTER, EVER = "month", "quarter", "ever"
VISITED, DUE, OVERDUE = 0, 1, 2  # sorts overdue last ascending; lists order by -status
STATUS_LABELS = {VISITED: _("本期已走访"), DUE: _("本期待走访"), OVERDUE: _("逾期未走访")}
# Bootstrap's colour of each status, for the staff and phone pages alike.
STATUS_CLASSES = {VISITED: "success", DUE: "warning", OVERDUE: "danger"}


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
    """The enterprise's last counted visit, as kept in LastVisit (a LEFT JOIN, no search of visits)."""
    return F("guide_last_visit__visited_on")


def last_visit_until(day: dt.date):
    """The enterprise's last counted visit on or before `day`: LastVisit's when it is not later
    (always, for today), else searched in the visits (an enterprise visited again since `day`)."""
    last = "guide_last_visit__visited_on"
    if day >= timezone.localdate():  # no visit is later than today
        return F(last)
    searched = Subquery(
        counted_visits()
        .filter(enterprise=OuterRef("pk"), visited_on__lte=day)
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return Case(
        When(**{f"{last}__isnull": True}, then=Value(None)),
        When(**{f"{last}__lte": day}, then=F(last)),
        default=searched,
        output_field=DateField(),
    )


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
    """The visit status (VISITED/DUE/OVERDUE) as SQL, given which enterprises are visited monthly.
    `monthly_q` appears once (a subquery there is computed once, not once per branch)."""
    month, quarter = period_start(day, MONTH), period_start(day, QUARTER)
    previous_month, previous_quarter = previous_period_start(day, MONTH), previous_period_start(day, QUARTER)

    def within(current, previous):
        return Case(
            When(last_visit__gte=current, then=Value(VISITED)),
            When(last_visit__gte=previous, then=Value(DUE)),
            default=Value(OVERDUE),
            output_field=IntegerField(),
        )

    return Case(
        When(last_visit__isnull=True, then=Value(OVERDUE)),
        When(monthly_q, then=within(month, previous_month)),
        default=within(quarter, previous_quarter),
        output_field=IntegerField(),
    )


# -- whom a guide serves ------------------------------------------------------------------------
def guide_enterprises(*, guide: Guide, day: dt.date | None = None):
    """我的企业: the enterprises `guide` serves on `day` (today), each with `last_visit`, `status`
    (OVERDUE first), `monthly` and `open_needs`. Whom the guide serves, and at which cadence (the
    strictest of the guide's own assignments, guides.serving), is read first as ids: one query; the
    list is then one query."""
    day = day or timezone.localdate()
    served = serving.enterprises_served(guide=guide, starts_on=day)
    monthly_q = Q(pk__in=sorted(pk for pk, cadence in served.items() if cadence == serving.MONTHLY))
    return (
        Enterprise.objects.filter(pk__in=sorted(served))
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
    sized by the organisations and members they serve). Two queries whatever the number."""
    day = day or timezone.localdate()
    guide_ids = [g.pk if hasattr(g, "pk") else g for g in guides]
    served = defaultdict(set)
    for row in serving.service_rows(starts_on=day, guides=guide_ids):
        served[row.guide_id].add(row.enterprise_id)
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
    sent), guide (served by them). The status takes every assignment serving the enterprise
    (guides.serving). Overdue first. One query (plus the page's `enterprise_guides`)."""
    day = day or timezone.localdate()
    qs = _region_enterprises(user).annotate(last_visit=_last_visit(), open_needs=_open_needs())
    if zone is not None:
        qs = qs.filter(zone=zone)
    if alliance is not None:
        qs = qs.filter(pk__in=Membership.objects.filter(members_on_q(day), alliance=alliance).values("enterprise_id"))
    if department is not None:
        qs = qs.filter(serving.enterprises_served_q(starts_on=day, guides=Guide.objects.filter(department=department)))
    if guide is not None:
        qs = qs.filter(serving.enterprises_served_q(starts_on=day, guides=[guide]))
    if not_visited:
        if period == EVER:
            qs = qs.filter(last_visit__isnull=True)
        else:
            qs = qs.filter(Q(last_visit__isnull=True) | Q(last_visit__lt=period_start(day, period)))
    monthly_q = serving.enterprises_served_q(starts_on=day, cadence=serving.MONTHLY, by_guide=False)
    return (
        qs.annotate(status=_status(day, monthly_q))
        .select_related("zone")
        .order_by("-status", Coalesce("last_visit", Value(dt.date.min)), "name", "pk")
    )


FILTER_CACHE_SECONDS = 300


def overview_filter_options(user) -> dict[str, list[tuple[int, str]]]:
    """The not-visited page's filter lists as (id, name) rows: zones, alliances, departments that
    sent guides, guides, each as the user sees them. Cached per user and reach for five minutes, as
    the needs list caches its filters: a province has thousands of each, they change rarely, and
    reading them as model instances (and rendering them through template loops) was most of the
    page."""
    key = f"guides:overview-filters:{user.pk}:{hash(scope_for(user))}"
    options = cache.get(key)
    if options is None:
        options = {
            "zone": list(visible_zones(user).order_by("name", "pk").values_list("pk", "name")),
            "alliance": list(visible_alliances(user).order_by("name", "pk").values_list("pk", "name")),
            "department": list(
                visible_departments(user)
                .filter(pk__in=Guide.objects.filter(department__isnull=False).values("department_id"))
                .order_by("name", "pk")
                .values_list("pk", "name")
            ),
            "guide": list(visible_guides(user).order_by("name", "pk").values_list("pk", "name")),
        }
        cache.set(key, options, FILTER_CACHE_SECONDS)
    return options


def enterprise_guides(enterprise_ids, day: dt.date | None = None) -> dict[int, list[Guide]]:
    """{enterprise id: [guides serving it on `day`]} for a page of enterprises: two queries."""
    day = day or timezone.localdate()
    enterprise_ids = list(enterprise_ids)
    if not enterprise_ids:
        return {}
    pairs = {
        (row.enterprise_id, row.guide_id) for row in serving.service_rows(starts_on=day, enterprises=enterprise_ids)
    }
    guides = Guide.objects.in_bulk({guide_id for _e, guide_id in pairs})
    found = defaultdict(list)
    for enterprise_id, guide_id in pairs:
        found[enterprise_id].append(guides[guide_id])
    return {pk: sorted(people, key=lambda g: (g.name, g.pk)) for pk, people in found.items()}


# -- coverage (企业走访覆盖率) ------------------------------------------------------------------------
def visited_between(starts_on: dt.date, ends_on: dt.date, enterprise="pk", prefix=""):
    """Whether the enterprise (`prefix` leads to it; `enterprise` names its id for the subquery) had
    a counted visit in [starts_on, ends_on], as SQL: from its last counted visit (LastVisit) alone
    when that settles it (none, before the range, in it), the visits themselves only for those
    visited again after `ends_on` (a past range)."""
    last = f"{prefix}guide_last_visit__visited_on"
    if ends_on >= timezone.localdate():  # no visit is later than today: the last one settles it
        return Case(When(**{f"{last}__gte": starts_on}, then=Value(True)), default=Value(False))
    in_range = Exists(
        counted_visits().filter(enterprise=OuterRef(enterprise), visited_on__gte=starts_on, visited_on__lte=ends_on)
    )
    return Case(
        When(**{f"{last}__isnull": True}, then=Value(False)),
        When(**{f"{last}__lt": starts_on}, then=Value(False)),
        When(**{f"{last}__lte": ends_on}, then=Value(True)),
        default=in_range,
        output_field=BooleanField(),
    )


def coverage_by_zone(*, user, starts_on: dt.date, ends_on: dt.date) -> list[dict]:
    """Per zone of the user's region: enterprises, those visited in [starts_on, ends_on], and the
    rate (0–1). Enterprises outside any zone are one row with zone None, last (on every database:
    SQLite sorts NULL first by default). One query."""
    rows = (
        _region_enterprises(user)
        .annotate(visited=visited_between(starts_on, ends_on))
        .values("zone_id", "zone__name")
        .annotate(total=Count("pk"), visited_count=Count("pk", filter=Q(visited=True)))
        .order_by(F("zone__name").asc(nulls_last=True), F("zone_id").asc(nulls_last=True))
    )
    return [_rate(row) for row in rows]


def coverage_by_alliance(*, user, starts_on: dt.date, ends_on: dt.date) -> list[dict]:
    """Per alliance of the user's region: active member enterprises (at `ends_on`), those visited in
    the range, and the rate. One query."""
    scope = scope_for(user)
    rows = (
        Membership.objects.filter(members_on_q(ends_on), enterprise__isnull=False)
        .filter(scope.in_viewed_region(prefix="alliance__"))
        .annotate(visited=visited_between(starts_on, ends_on, enterprise="enterprise_id", prefix="enterprise__"))
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
