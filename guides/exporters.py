"""走访台账 (issue 9 §2): the visits of a month or a quarter with what was done, the opinions
collected and the needs raised, through the shared exporter base (chainparty.exporters).

Two registrations of one sheet:
- "visit_ledger": the staff desk's download (guides/export_views.py) for a region's organisation
  staff and leaders, for a month (`2026-05`) or a quarter (`2026-Q2`);
- "monthly_minutes": the monthly workbook (alliances/exporters.py's MinutesScope) gains a 走访台账
  sheet of its month: a region's workbook lists the region's visits, an alliance's (or a person's
  alliances') the visits to their member enterprises.

Rows are read from one query streamed in chunks; who went and the needs raised come from two more
streams in the same order, merged row by row, so a period of any size takes three queries.
Disputed visits are listed (with the reason) so the ledger shows what the enterprise said.
"""

import datetime as dt
import re
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
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$", re.ASCII)


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
    streams_from_database = True
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

    def _period_visits(self):
        period = self.scope.period
        return self.scope.visits.filter(visited_on__gte=period.starts_on, visited_on__lte=period.ends_on)

    def _visits(self):
        return (
            self._period_visits()
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

    def _people(self):
        """(visit_id, text) for each person who went, in the visits' order."""
        for visit_id, name, department in (
            VisitPerson.objects.filter(visit__in=self._period_visits().values("pk"))
            .order_by("visit__visited_on", "visit_id", "pk")
            .values_list("visit_id", "person_name", "department__name")
            .iterator(chunk_size=CHUNK_SIZE)
        ):
            yield visit_id, f"{name}（{department}）" if department else name

    def _needs(self):
        """(visit_id, text) for each need raised on a visit, in the visits' order."""
        for visit_id, number, title in (
            VisitNeed.objects.filter(visit__in=self._period_visits().values("pk"))
            .order_by("visit__visited_on", "visit_id", "need__number")
            .values_list("visit_id", "need__number", "need__title")
            .iterator(chunk_size=CHUNK_SIZE)
        ):
            yield visit_id, f"{number} {title}"

    def iter_rows(self):
        kinds = {value: str(label) for value, label in Visit.Kind.choices}
        checklist = {value: str(label) for value, label in Visit.Checklist.choices}
        confirmations = {value: str(label) for value, label in Visit.Confirmation.choices}
        # Who went and the needs raised come from two more streams in the visits' own order, merged
        # row by row: three queries for a period of any size (per-chunk lookups grew with it).
        people, needs = _Merged(self._people()), _Merged(self._needs())
        rows = self._visits()
        for number, row in enumerate(rows, start=1):
            pk, day, enterprise, zone, kind, team, done, findings, opinions, count, confirmation, reason = row
            yield (
                number,
                day,
                enterprise,
                zone or "",
                kinds.get(kind, kind),
                "、".join(people.take(pk)),
                team or "",
                "、".join(checklist.get(item, item) for item in done or ()),
                findings,
                opinions,
                count,
                "\n".join(needs.take(pk)),
                confirmations.get(confirmation, confirmation),
                reason,
            )


class _Merged:
    """A stream of (visit_id, text) in the visits' order, read alongside them: `take(visit_id)` gives
    the texts of that visit (the stream's next rows while they belong to it)."""

    def __init__(self, stream):
        self._stream = iter(stream)  # a generator: its query runs at the first take()
        self._next = None
        self._started = False

    def take(self, visit_id) -> list[str]:
        if not self._started:
            self._next, self._started = next(self._stream, None), True
        texts = []
        while self._next is not None and self._next[0] == visit_id:
            texts.append(self._next[1])
            self._next = next(self._stream, None)
        return texts


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
