"""走访台账 (issue 9 §2): the visits of a month or a quarter with what was done, the opinions
collected and the needs raised, through the shared exporter base (chainparty.exporters).

Two registrations of one sheet:
- "visit_ledger": the staff desk's download (guides/export_views.py) for a region's organisation
  staff and leaders, for a month (`2026-05`) or a quarter (`2026-Q2`);
- "monthly_minutes": the monthly workbook (alliances/exporters.py's MinutesScope) gains a 走访台账
  sheet of its month: a region's workbook lists the region's visits, an alliance's (or a person's
  alliances') the visits to their member enterprises.

Rows are read from one query streamed in chunks; who went and the needs raised are read once per
chunk (two queries), so a month of any size takes a fixed handful of queries per 2,000 visits.
Disputed visits are listed (with the reason) so the ledger shows what the enterprise said.
"""

import datetime as dt
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import Membership, Region, within_regions_q
from chainparty.exporters import DATE, NUMBER, Column, Ledger, ListExporter, workbooks

from .models import Visit, VisitNeed, VisitPerson

LEDGER = "visit_ledger"
MINUTES_WORKBOOK = "monthly_minutes"  # alliances.exporters.WORKBOOK: named, not imported (no import upward needed)
CHUNK_SIZE = 2000
SIGNATURE = gettext_lazy("填报人：                    审核人：                    ")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


# -- the period ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    label: str  # 2026年5月 / 2026年第2季度
    key: str  # 2026-05 / 2026-Q2


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year, month, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def parse_period(text: str) -> Period:
    """ "2026-05" (a month) or "2026-Q2" (a quarter); a period not yet begun, or anything else, is
    refused with a message users understand."""
    text = (text or "").strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12 or year < 2000:
            raise ValidationError(_("期间格式应为“年-月”或“年-Q季度”，例如 2026-05 或 2026-Q2。"), code="bad_period")
        period = Period(
            dt.date(year, month, 1),
            _month_end(year, month),
            _("%(year)d年%(month)d月") % {"year": year, "month": month},
            f"{year}-{month:02d}",
        )
    elif match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        if year < 2000:
            raise ValidationError(_("期间格式应为“年-月”或“年-Q季度”，例如 2026-05 或 2026-Q2。"), code="bad_period")
        period = Period(
            dt.date(year, quarter * 3 - 2, 1),
            _month_end(year, quarter * 3),
            _("%(year)d年第%(quarter)d季度") % {"year": year, "quarter": quarter},
            f"{year}-Q{quarter}",
        )
    else:
        raise ValidationError(_("期间格式应为“年-月”或“年-Q季度”，例如 2026-05 或 2026-Q2。"), code="bad_period")
    if period.starts_on > timezone.localdate():
        raise ValidationError(_("%s尚未到来，不能导出走访台账。") % period.label, code="future_period")
    return period


# -- the sheet ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class LedgerScope:
    """Which visits (`visits`, a queryset) of which period, and what the ledger says at its top."""

    period: Period
    visits: QuerySet = field(repr=False)
    heading: str
    unit: str

    def filename(self) -> str:
        return _("%(heading)s走访台账-%(key)s") % {"heading": self.heading, "key": self.period.key}


def region_scope(*, region: Region, period: Period) -> LedgerScope:
    return LedgerScope(
        period=period,
        visits=Visit.objects.filter(within_regions_q(region)),
        heading=region.name,
        unit=_("%(region)s委组织部") % {"region": region.name},
    )


class VisitLedgerExporter(ListExporter):
    identifier = "visit_ledger"
    verbose_name = gettext_lazy("走访台账")
    empty_text = gettext_lazy("本期无走访记录。")
    columns = (
        Column(gettext_lazy("序号"), NUMBER),
        Column(gettext_lazy("走访日期"), DATE),
        Column(gettext_lazy("企业")),
        Column(gettext_lazy("所在片区")),
        Column(gettext_lazy("走访类型")),
        Column(gettext_lazy("走访人员"), wrap=True),
        Column(gettext_lazy("指导组")),
        Column(gettext_lazy("工作内容"), wrap=True),
        Column(gettext_lazy("发现的问题与工作情况"), wrap=True),
        Column(gettext_lazy("收集的意见建议"), wrap=True),
        Column(gettext_lazy("意见建议条数"), NUMBER),
        Column(gettext_lazy("提交的需求"), wrap=True),
        Column(gettext_lazy("企业确认")),
        Column(gettext_lazy("异议理由"), wrap=True),
    )

    def __init__(self, *, scope: LedgerScope):
        self.scope = scope
        self.ledger = Ledger(
            title=_("%(heading)s企业走访台账（%(period)s）") % {"heading": scope.heading, "period": scope.period.label},
            unit=scope.unit,
            filled_on=timezone.localdate(),
            signature=str(SIGNATURE),
        )

    def get_filename(self) -> str:
        return self.scope.filename()

    def _visits(self):
        period = self.scope.period
        return (
            self.scope.visits.filter(visited_on__gte=period.starts_on, visited_on__lte=period.ends_on)
            .order_by("visited_on", "pk")
            .values_list(
                "pk",
                "visited_on",
                "enterprise__name",
                "enterprise__zone__name",
                "kind",
                "team__name",
                "checklist",
                "findings",
                "opinions",
                "opinions_count",
                "confirmation",
                "dispute_reason",
            )
            .iterator(chunk_size=CHUNK_SIZE)
        )

    @staticmethod
    def _people(visit_ids) -> dict[int, str]:
        people = defaultdict(list)
        for visit_id, name, department in (
            VisitPerson.objects.filter(visit__in=visit_ids)
            .order_by("visit_id", "pk")
            .values_list("visit_id", "person_name", "department__name")
        ):
            people[visit_id].append(f"{name}（{department}）" if department else name)
        return {pk: "、".join(names) for pk, names in people.items()}

    @staticmethod
    def _needs(visit_ids) -> dict[int, str]:
        needs = defaultdict(list)
        for visit_id, number, title in (
            VisitNeed.objects.filter(visit__in=visit_ids)
            .order_by("visit_id", "need__number")
            .values_list("visit_id", "need__number", "need__title")
        ):
            needs[visit_id].append(f"{number} {title}")
        return {pk: "\n".join(lines) for pk, lines in needs.items()}

    def iter_rows(self):
        kinds = {value: str(label) for value, label in Visit.Kind.choices}
        checklist = {value: str(label) for value, label in Visit.Checklist.choices}
        confirmations = {value: str(label) for value, label in Visit.Confirmation.choices}
        rows, number = self._visits(), 0
        while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
            ids = [row[0] for row in chunk]
            people, needs = self._people(ids), self._needs(ids)
            for pk, day, enterprise, zone, kind, team, done, findings, opinions, count, confirmation, reason in chunk:
                number += 1
                yield (
                    number,
                    day,
                    enterprise,
                    zone or "",
                    kinds.get(kind, kind),
                    people.get(pk, ""),
                    team or "",
                    "、".join(checklist.get(item, item) for item in done or ()),
                    findings,
                    opinions,
                    count,
                    needs.get(pk, ""),
                    confirmations.get(confirmation, confirmation),
                    reason,
                )


workbooks.register(LEDGER, VisitLedgerExporter)


# -- the monthly workbook -------------------------------------------------------------------------
class MonthlyVisitExporter(VisitLedgerExporter):
    """The 走访台账 sheet of the monthly workbook (alliances' MinutesScope: year, month, alliances,
    heading, unit, params)."""

    identifier = "minutes_visits"

    def __init__(self, *, scope):
        starts_on = dt.date(scope.year, scope.month, 1)
        period = Period(starts_on, _month_end(scope.year, scope.month), scope.label, f"{starts_on:%Y-%m}")
        region_id = scope.params.get("region_id")
        if region_id is not None:
            visits = Visit.objects.filter(within_regions_q(Region.objects.filter(pk=region_id)))
        else:
            members = Membership.objects.filter(
                Q(left_on__isnull=True) | Q(left_on__gte=starts_on),
                alliance__in=scope.alliances.values("pk"),
                enterprise__isnull=False,
                joined_on__lte=period.ends_on,
            )
            visits = Visit.objects.filter(enterprise__in=members.values("enterprise_id"))
        super().__init__(scope=LedgerScope(period=period, visits=visits, heading=scope.heading, unit=scope.unit))


workbooks.register(MINUTES_WORKBOOK, MonthlyVisitExporter)
