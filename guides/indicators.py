"""The visit figures this app owns (issue 9 §2): 企业走访覆盖率 this quarter, for the region the user
manages or views, overall, per work zone and per alliance, counted by the same selectors as the
staff desk's coverage page (guides.selectors.coverage_by_zone / coverage_by_alliance; disputed
visits never count).

Two groups:
- "guide_visits" (on the home page for organisation staff and leaders; deferred, as its source
  scans the region's visits): the overall rate, the enterprises not visited this quarter, and the
  lowest zone and alliance;
- "guide_visits_detail" (never a panel of its own): `visit_coverage_by_zone` and
  `visit_coverage_by_alliance`, whose values are the rows
  ({"name", "total", "visited", "rate"}, rate in % to one decimal) a results page lists with
  `registry.compute(user=..., keys=[...])`, without importing guides.
All of them share one source: two queries per computation.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.access import scope_for
from chainparty.indicators import Group, Indicator, registry

from .selectors import QUARTER, coverage_by_alliance, coverage_by_zone, period_start


@dataclass(frozen=True)
class CoverageRow:
    name: str
    total: int
    visited: int

    @property
    def rate(self) -> float:
        return round(100 * self.visited / self.total, 1) if self.total else 0.0

    def as_dict(self) -> dict:
        return {"name": self.name, "total": self.total, "visited": self.visited, "rate": self.rate}


@dataclass(frozen=True)
class VisitCoverage:
    starts_on: dt.date
    ends_on: dt.date
    zones: list[CoverageRow]
    alliances: list[CoverageRow]

    @property
    def enterprises(self) -> int:
        return sum(row.total for row in self.zones)

    @property
    def visited(self) -> int:
        return sum(row.visited for row in self.zones)

    @property
    def rate(self) -> float | None:
        return round(100 * self.visited / self.enterprises, 1) if self.enterprises else None

    @staticmethod
    def lowest(rows) -> CoverageRow | None:
        rows = [row for row in rows if row.total]
        return min(rows, key=lambda row: (row.rate, row.name)) if rows else None


def visit_coverage(user, *, day: dt.date | None = None) -> VisitCoverage:
    """This quarter's coverage (from its first day to `day`, today) in the region `user` manages or
    views; enterprises outside any zone are one row (未划入片区的企业). Two queries."""
    day = day or timezone.localdate()
    starts_on = period_start(day, QUARTER)
    zones = [
        CoverageRow(row["zone__name"] or _("未划入片区的企业"), row["total"], row["visited_count"])
        for row in coverage_by_zone(user=user, starts_on=starts_on, ends_on=day)
    ]
    alliances = [
        CoverageRow(row["alliance__name"], row["total"], row["visited_count"])
        for row in coverage_by_alliance(user=user, starts_on=starts_on, ends_on=day)
    ]
    return VisitCoverage(starts_on, day, zones, alliances)


def _sees_a_region(user) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or bool(scope.viewed_region_ids)


def _lowest_note(row: CoverageRow | None) -> str:
    return "" if row is None else _("%(name)s %(rate)s%%") % {"name": row.name, "rate": row.rate}


VISITS = registry.add_group(
    Group(
        key="guide_visits",
        label=gettext_lazy("企业走访（本季度）"),
        order=30,
        shown=_sees_a_region,
        deferred=True,  # a scan of the region's visits: the page shows first, the figures follow
    )
)
DETAIL = registry.add_group(
    Group(key="guide_visits_detail", label=gettext_lazy("企业走访覆盖率明细"), order=31, shown=lambda user: False)
)

registry.register(
    Indicator(
        key="visit_coverage",
        label=gettext_lazy("企业走访覆盖率"),
        group=VISITS.key,
        order=10,
        source=visit_coverage,
        value=lambda c: c.rate,
        unit="%",
        note=lambda c: _("已走访 %(visited)d / %(total)d 家") % {"visited": c.visited, "total": c.enterprises},
        link="guides:coverage",
    ),
    Indicator(
        key="visit_unvisited",
        label=gettext_lazy("本季度未走访企业"),
        group=VISITS.key,
        order=20,
        source=visit_coverage,
        value=lambda c: c.enterprises - c.visited,
        alert=lambda c: c.enterprises > c.visited,
        link="guides:visit_overview",
    ),
    Indicator(
        key="visit_coverage_lowest_zone",
        label=gettext_lazy("覆盖率最低的片区"),
        group=VISITS.key,
        order=30,
        source=visit_coverage,
        value=lambda c: None if c.lowest(c.zones) is None else c.lowest(c.zones).rate,
        unit="%",
        note=lambda c: _lowest_note(c.lowest(c.zones)),
    ),
    Indicator(
        key="visit_coverage_lowest_alliance",
        label=gettext_lazy("覆盖率最低的联盟"),
        group=VISITS.key,
        order=40,
        source=visit_coverage,
        value=lambda c: None if c.lowest(c.alliances) is None else c.lowest(c.alliances).rate,
        unit="%",
        note=lambda c: _lowest_note(c.lowest(c.alliances)),
    ),
    Indicator(
        key="visit_coverage_by_zone",
        label=gettext_lazy("各片区企业走访覆盖率"),
        group=DETAIL.key,
        order=10,
        source=visit_coverage,
        value=lambda c: [row.as_dict() for row in c.zones],
    ),
    Indicator(
        key="visit_coverage_by_alliance",
        label=gettext_lazy("各联盟企业走访覆盖率"),
        group=DETAIL.key,
        order=20,
        source=visit_coverage,
        value=lambda c: [row.as_dict() for row in c.alliances],
    ),
)
