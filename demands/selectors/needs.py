"""Reads of needs, assignments and their timeline, scoped to a user; joins decided here, once.

Lists never count hundreds of thousands of rows exactly: pages fetch one row more than they show
(`chainparty.paging.PeekPage`) and leave the figures to the totals fragment, loaded after the
page; the API counts at most `COUNT_CAP + 1` rows (`CappedPaginator`). Totals are one aggregate
query with FILTER clauses.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alliances.access import scope_for
from alliances.models import Department, Membership
from alliances.selectors import department_handlers, enterprise_secretaries
from chainparty import links, workdays

from ..models import Assignment, DeadlineRule, Need, NeedAttachment
from ..permissions.needs import needs_visible_q

COUNT_CAP = 1000
NUMBER_PATTERN = re.compile(r"XQ-\d{4}-\d{6}", re.IGNORECASE)

#: Built-in working days per urgency, used until staff write rules (and as the seeded defaults).
DEFAULT_WORKDAYS = {Need.Urgency.NORMAL: 15, Need.Urgency.URGENT: 5, Need.Urgency.CRITICAL: 2}

BOX_ALL = "all"
BOX_MINE = "mine"
BOX_INCOMING = "incoming"
BOX_OVERDUE = "overdue"
BOX_CLOSEOUT = "closeout"


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap + 1`, so a page never scans a whole region's needs."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        # Any cap+1 rows will do: no ordering, no annotations, just ids.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def count_is_capped(self):
        return self.count > self.cap


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _overdue_q(today=None):
    return Q(state__in=Need.CLOCK_STATES, deadline__lt=today or workdays.local_today())


@dataclass
class NeedFilters:
    """The list filters shared by pages and the API."""

    states: list = field(default_factory=list)
    category: str = ""
    urgency: str = ""
    alliance_id: int | None = None
    department_id: int | None = None
    enterprise_id: int | None = None
    overdue: bool | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    search: str = ""

    def q(self) -> Q:
        q = Q()
        if self.states:
            q &= Q(state__in=self.states)
        if self.category:
            q &= Q(category=self.category)
        if self.urgency:
            q &= Q(urgency=self.urgency)
        if self.alliance_id:
            q &= Q(alliance_id=self.alliance_id)
        if self.enterprise_id:
            q &= Q(enterprise_id=self.enterprise_id)
        if self.department_id:
            q &= Q(pk__in=Assignment.objects.filter(department_id=self.department_id).values("need_id"))
        if self.overdue is True:
            q &= _overdue_q()
        elif self.overdue is False:
            q &= ~_overdue_q()
        if self.filed_from:
            q &= Q(filed_at__gte=_start_of_day(self.filed_from))
        if self.filed_to:
            q &= Q(filed_at__lt=_start_of_day(self.filed_to + dt.timedelta(days=1)))
        if self.search:
            term = self.search.strip()
            # A need number goes straight to the unique index; anything else searches titles.
            q &= Q(number=term.upper()) if NUMBER_PATTERN.fullmatch(term) else Q(title__icontains=term)
        return q


def _box_q(user, box) -> Q:
    scope = scope_for(user)
    managed = Q(alliance__in=scope.managed_alliance_ids)
    if scope.managed_region_ids or scope.is_global_admin:
        managed |= scope.in_managed_region()
    if box == BOX_MINE:
        return Q(enterprise__in=scope.enterprise_ids)
    if box == BOX_INCOMING:
        return managed & Q(state__in=[Need.State.SUBMITTED, Need.State.ACCEPTED])
    if box == BOX_OVERDUE:
        return _overdue_q()
    if box == BOX_CLOSEOUT:
        return managed & Q(state=Need.State.RATED)
    return Q()


def _lead_assignee():
    lead = Assignment.objects.filter(need=OuterRef("pk"), role=Assignment.Role.LEAD).order_by()
    return Subquery(
        lead.annotate(
            assignee=Coalesce("department__name", "provider_enterprise__name", output_field=CharField())
        ).values("assignee")[:1]
    )


def _is_sparse(scope) -> bool:
    """A scope reaching needs only through its enterprises, zones or assignments sees few of them."""
    return not (scope.sees_everything or scope.viewed_region_ids or scope.seat_alliance_ids)


# Sorting by an expression rather than the column: for a sparse scope PostgreSQL then sorts the few
# visible needs instead of walking the whole filed_at index in the hope of meeting 25 of them.
_FILED_AT_SORTED = ExpressionWrapper(F("filed_at") + Value(dt.timedelta(0)), output_field=DateTimeField())


def _with_row_columns(queryset):
    """What a list row shows besides the need itself: its enterprise, alliance and lead assignee."""
    return queryset.select_related("enterprise", "alliance").annotate(lead_assignee=_lead_assignee())


class IdsFirstQuerySet(QuerySet):
    """A list whose slices are read in two steps: the page's ids from a narrow query (no joins),
    then those rows with `_with_row_columns`. For a sparse scope PostgreSQL has to sort every
    visible need to find the newest 25; sorting ids it can read from indexes alone, instead of
    joining enterprises and alliances to a thousand rows first, halves the page's SQL time.

    Slices and indexes of model instances (what paginators and exports take) are read this way,
    through the public slicing protocol, whether or not the queryset was evaluated before;
    `values()`/`values_list()` slices, `count()` and iterating the whole list are plain queries."""

    def __getitem__(self, k):
        if self.query.values_select or not isinstance(k, int | slice):
            return super().__getitem__(k)
        if isinstance(k, int):
            if k < 0:
                return super().__getitem__(k)  # Django's own message for negative indexes
            rows = self[k : k + 1]
            if not rows:
                raise IndexError("list index out of range")
            return rows[0]
        if k.step is not None:
            return super().__getitem__(k)
        # A fresh clone (`all()`), so the slice is a query of ids even if this queryset was evaluated.
        ids = list(super(IdsFirstQuerySet, self.all()).__getitem__(k).values_list("pk", flat=True))
        rows = _with_row_columns(Need.objects.filter(pk__in=ids)).in_bulk() if ids else {}
        return [rows[pk] for pk in ids if pk in rows]


def need_list(*, user, filters: NeedFilters | None = None, box: str = BOX_ALL):
    """The needs `user` may see, newest first, with what a list row shows (no per-row queries)."""
    filters = filters or NeedFilters()
    scope = scope_for(user)
    conditions = (needs_visible_q(scope), filters.q(), _box_q(user, box))
    if box != BOX_OVERDUE and _is_sparse(scope):
        return IdsFirstQuerySet(Need).filter(*conditions).order_by(_FILED_AT_SORTED.desc(), "-id")
    qs = _with_row_columns(Need.objects.filter(*conditions))
    if box == BOX_OVERDUE:
        return qs.order_by("deadline", "-id")
    return qs.order_by("-filed_at", "-id")


def need_list_after(*, need: Need, box: str = BOX_ALL) -> Q:
    """The rows `need_list(box=box)` shows after `need`: a keyset condition on its order columns,
    so a long read (an export) goes on from its last row instead of counting rows with OFFSET, and
    neither skips nor repeats a row when needs are filed meanwhile. The overdue box's deadlines are
    never NULL (`deadline__lt` leaves those out), so plain comparisons keep its order."""
    if box == BOX_OVERDUE:  # deadline, -id
        return Q(deadline__gt=need.deadline) | Q(deadline=need.deadline, pk__lt=need.pk)
    return Q(filed_at__lt=need.filed_at) | Q(filed_at=need.filed_at, pk__lt=need.pk)  # -filed_at, -id


@dataclass(frozen=True)
class NeedTotals:
    collected: int
    solved: int
    on_time: int
    open: int
    overdue: int
    rated: int
    satisfied: int
    funding_wan: Decimal
    land_mu: Decimal
    people: int

    @staticmethod
    def _rate(part, whole):
        return round(100 * part / whole, 1) if whole else None

    @property
    def solved_rate(self):
        return self._rate(self.solved, self.collected)

    @property
    def on_time_rate(self):
        return self._rate(self.on_time, self.solved)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)


def need_totals(*, user, filters: NeedFilters | None = None, box: str = BOX_ALL) -> NeedTotals:
    """Collected, solved, solved on time, satisfaction and results for the needs in view: one query."""
    filters = filters or NeedFilters()
    # One grouped query and a sum in Python: PostgreSQL scans the rows once, instead of once per
    # FILTERed aggregate (measured by `make bench`: 183 → 128 ms at 200,000 needs province-wide).
    groups = (
        Need.objects.filter(needs_visible_q(scope_for(user)), filters.q(), _box_q(user, box))
        .values("state", "rating", "answered_on_time")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(deadline__lt=workdays.local_today())),
            funding=Sum("funding_wan_solved"),
            land=Sum("land_mu_solved"),
            people_sum=Sum("people_solved"),
        )
        .order_by()
    )
    row = dict.fromkeys(("collected", "solved", "on_time", "open", "overdue", "rated", "satisfied", "people"), 0)
    row["funding_wan"] = row["land_mu"] = Decimal("0")
    for group in groups:
        state, n = group["state"], group["n"]
        row["collected"] += n
        if state in Need.SOLVED_STATES:
            row["solved"] += n
            row["on_time"] += n if group["answered_on_time"] else 0
            row["funding_wan"] += group["funding"] or Decimal("0")
            row["land_mu"] += group["land"] or Decimal("0")
            row["people"] += group["people_sum"] or 0
        elif state not in Need.FINAL_STATES:
            row["open"] += n
        if state in Need.CLOCK_STATES:
            row["overdue"] += group["late"]
        if group["rating"]:
            row["rated"] += n
            row["satisfied"] += n if group["rating"] in Need.SATISFIED_RATINGS else 0
    return NeedTotals(**row)


def need_detail_queryset():
    """The need page's row: its relations joined, and whether it has files or duplicates at all
    (most have neither, and then they cost no query)."""
    # merged_into is rare and read lazily: every join here costs planning time on each view.
    return Need.objects.select_related("region", "alliance", "enterprise", "filed_by").annotate(
        has_assignments=Exists(Assignment.objects.filter(need=OuterRef("pk"))),
        has_attachments=Exists(NeedAttachment.objects.filter(need=OuterRef("pk"))),
        has_duplicates=Exists(Need.objects.filter(merged_into=OuterRef("pk"))),
    )


def need_detail(*, need: Need) -> dict:
    """Everything the need page shows, in one to four queries whatever the history's length."""
    assignments = []
    if getattr(need, "has_assignments", True):
        assignments = list(
            need.assignments.select_related(
                "department", "provider_enterprise", "resource", "handler", "answered_by"
            ).order_by("-role", "id")
        )
    events = list(need.events.select_related("actor").order_by("created_at", "id"))
    # An event's part is one of the need's parts, already loaded: no joins for it.
    parts = {assignment.pk: assignment for assignment in assignments}
    for event in events:
        if event.assignment_id in parts:
            event.assignment = parts[event.assignment_id]
    attachments = list(need.attachments.select_related("uploaded_by")) if getattr(need, "has_attachments", True) else []
    duplicates = list(need.duplicates.only("pk", "number", "title")) if getattr(need, "has_duplicates", True) else []
    # Records apps above keep about the need (the visit it was raised on, guides/links.py).
    links.attach([need])
    return {"assignments": assignments, "events": events, "attachments": attachments, "duplicates": duplicates}


def assignment_list(*, user, open_only=True):
    """待办: the parts assigned to the user's departments or to their enterprises' resources;
    open ones first, the nearest (or most overdue) deadline first."""
    scope = scope_for(user)
    mine = Q(department__in=scope.department_ids) | Q(provider_enterprise__in=scope.enterprise_ids)
    qs = Assignment.objects.filter(mine).select_related(
        "need__enterprise", "department", "provider_enterprise", "handler"
    )
    if open_only:
        return qs.filter(state__in=Assignment.OPEN_STATES, need__state__in=_answerable_states()).order_by(
            "deadline", "id"
        )
    return qs.exclude(state__in=Assignment.OPEN_STATES).order_by("-answered_at", "-id")


def _answerable_states():
    return [Need.State.DISPATCHED, Need.State.IN_PROGRESS, Need.State.ANSWERED, Need.State.RATED]


def merge_candidates(*, need: Need, limit=50):
    """Needs of the same alliance this one may be merged into (not itself, not closed out)."""
    return (
        Need.objects.filter(alliance_id=need.alliance_id)
        .exclude(pk=need.pk)
        .exclude(state__in=Need.FINAL_STATES)
        .select_related("enterprise")
        .order_by("-filed_at", "-id")[:limit]
    )


def region_ids_upward(region) -> list[int]:
    """The region and its ancestors, nearest first, read from the materialised path."""
    return region.ancestor_ids()


def dispatch_departments(*, need: Need):
    """Departments that may take a part: those of the need's region and the regions above it;
    the alliance's own factor members first."""
    factor_ids = set(
        Membership.objects.filter(
            alliance_id=need.alliance_id, department__isnull=False, left_on__isnull=True
        ).values_list("department_id", flat=True)
    )
    departments = list(Department.objects.filter(region__in=region_ids_upward(need.region)).order_by("name"))
    for department in departments:
        department.is_factor_member = department.pk in factor_ids
    return sorted(departments, key=lambda d: (not d.is_factor_member, d.name))


def deadline_workdays(*, region, urgency: str, category: str) -> int:
    """Working days allowed for a need: the most specific rule, else the built-in default."""
    chain = region_ids_upward(region) if region is not None else []
    rules = DeadlineRule.objects.filter(
        Q(region__in=chain) | Q(region__isnull=True), urgency=urgency, category__in=[category, ""]
    ).values_list("region_id", "category", "workdays")
    depth = {region_id: index for index, region_id in enumerate(chain)}
    ranked = sorted(rules, key=lambda r: (depth.get(r[0], len(chain)), r[1] != category))
    return ranked[0][2] if ranked else DEFAULT_WORKDAYS[urgency]


def deadline_rules(*, regions=None):
    qs = DeadlineRule.objects.select_related("region")
    if regions is not None:
        qs = qs.filter(Q(region__isnull=True) | Q(region__in=regions))
    return qs.order_by("region__code", "urgency", "category")


# -- who to tell --------------------------------------------------------------------------------
def assignment_recipients(assignments) -> dict:
    """{assignment id: users who work on it}: the named handler, else every handler of the
    department, or the provider enterprise's secretaries. Two queries for any number of parts."""
    handlers = department_handlers(a.department_id for a in assignments if a.department_id)
    secretaries = enterprise_secretaries(a.provider_enterprise_id for a in assignments if a.provider_enterprise_id)
    result = {}
    for a in assignments:
        if a.handler_id and a.handler.is_active:
            result[a.pk] = [a.handler]
        elif a.department_id:
            result[a.pk] = handlers.get(a.department_id, [])
        else:
            result[a.pk] = secretaries.get(a.provider_enterprise_id, [])
    return result
