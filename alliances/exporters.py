"""The monthly minutes workbook (会议台账, issue 8 §4): the month's meetings, attendance and decisions
of one alliance or of every alliance in scope, as ledgers through the shared exporter base.

Every sheet of the workbook "monthly_minutes" is built from one `MinutesScope` (the month, the
alliances, the title and the 填报单位); `demands` adds its sheet of the month's needs to the same
workbook from its own `exporters.py`. Each sheet reads its rows in one query however many meetings
the month holds (annotations, one prefetch, `values()` streamed from a server-side cursor).

The link from a decision to the need it became lives in `demands`, above this app: the 议定事项 sheet
reads it through `chainparty.links` (demands gives it as a subquery of the decisions' own query),
and shows only the columns its providers give, so it never prints an empty "linked need" column
that nothing fills.
"""

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty import links, roles, workdays
from chainparty.exporters import DATE, NUMBER, Column, Ledger, ListExporter, workbooks, write_workbook

from .access import scope_for
from .meetings.selectors import month_bounds, with_attendance_counts
from .models import (
    AgendaItem,
    Alliance,
    Decision,
    Invitation,
    Meeting,
    MeetingKind,
    Region,
    RegionUserObjectPermission,
    within_regions_q,
)

WORKBOOK = "monthly_minutes"
DECISION_LABEL = Decision._meta.label_lower
SIGNATURE = gettext_lazy("填报人：                    审核人：                    ")
#: Rows read from the cursor at a time.
CHUNK_SIZE = 2000
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)


# -- the scope: which month, which alliances, what the ledger says at its top ----------------------------
@dataclass(frozen=True, eq=False)
class MinutesScope:
    year: int
    month: int
    alliances: QuerySet = field(repr=False)
    heading: str
    unit: str
    #: What a background job needs to build the same scope again (and check access on download).
    params: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.month}

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return month_bounds(self.year, self.month)

    def ledger(self, what: str) -> Ledger:
        return Ledger(
            title=_("%(heading)s%(what)s（%(month)s）") % {"heading": self.heading, "what": what, "month": self.label},
            unit=self.unit,
            filled_on=timezone.localdate(),
            signature=str(SIGNATURE),
        )

    def filename(self) -> str:
        return _("%(heading)s会议台账-%(year)d%(month)02d") % {
            "heading": self.heading,
            "year": self.year,
            "month": self.month,
        }


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-11" as (2026, 11); anything else is refused with a message users understand."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValidationError(_("月份格式应为“年-月”，例如 2026-11。"), code="bad_month")
    return int(match[1]), int(match[2])


def _check_not_future(year: int, month: int) -> None:
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        raise ValidationError(
            _("%(year)d年%(month)d月尚未到来，不能导出该月的会议台账。") % {"year": year, "month": month},
            code="future_month",
        )


def region_unit(region: Region) -> str:
    """The organisation department of a region, as it signs: 汶上县 → 汶上县委组织部."""
    return _("%(region)s委组织部") % {"region": region.name}


def minutes_scope_for_alliance(*, alliance: Alliance, year: int, month: int) -> MinutesScope:
    _check_not_future(year, month)
    return MinutesScope(
        year=year,
        month=month,
        alliances=Alliance.objects.filter(pk=alliance.pk),
        heading=alliance.name,
        unit=alliance.name,
        params={"year": year, "month": month, "alliance_id": alliance.pk},
    )


def minutes_scope_for_region(*, region: Region, year: int, month: int) -> MinutesScope:
    _check_not_future(year, month)
    return MinutesScope(
        year=year,
        month=month,
        alliances=Alliance.objects.filter(within_regions_q(region)),
        heading=_("%(region)s产业链党委") % {"region": region.name},
        unit=region_unit(region),
        params={"year": year, "month": month, "region_id": region.pk},
    )


def minutes_scope_for_user(*, user, year: int, month: int, alliance: Alliance | None = None) -> MinutesScope:
    """The month's workbook `user` may export: one alliance they manage, or (without `alliance`)
    every alliance they manage: their seats' alliances and their regions' as organisation staff.
    Who may not manage raises PermissionDenied; a month not yet begun, ValidationError."""
    from .meetings.permissions import manages_alliance

    scope = scope_for(user)
    if alliance is not None:
        if not manages_alliance(user, alliance):
            raise PermissionDenied(_("只有该联盟的书记、联络员或所在地组织部工作人员可以导出会议台账。"))
        return minutes_scope_for_alliance(alliance=alliance, year=year, month=month)
    if not (scope.is_global_admin or scope.managed_region_ids or scope.managed_alliance_ids):
        raise PermissionDenied(_("只有联盟书记、联络员或组织部工作人员可以导出会议台账。"))
    _check_not_future(year, month)
    regions = list(Region.objects.filter(pk__in=scope.managed_region_ids).order_by("path"))
    if len(regions) == 1 and not scope.managed_alliance_ids:
        heading, unit = _("%(region)s产业链党委") % {"region": regions[0].name}, region_unit(regions[0])
    else:
        heading, unit = _("产业链党委"), user.affiliation or user.display_name
    return MinutesScope(
        year=year,
        month=month,
        alliances=Alliance.objects.filter(scope.managed_alliances_q()),
        heading=heading,
        unit=unit,
        params={"year": year, "month": month, "user_id": user.pk},
    )


def meetings_of(scope: MinutesScope) -> QuerySet:
    """The month's meetings in scope that took or take place (cancelled ones are not in a ledger)."""
    start, following = scope.bounds
    return Meeting.objects.filter(
        alliance__in=scope.alliances.values("pk"), starts_at__gte=start, starts_at__lt=following
    ).exclude(state=Meeting.State.CANCELLED)


def _local_day(value):
    return timezone.localtime(value).date() if value else None


def _local_days():
    """`_local_day` remembering what it computed: the rows of a meeting share its start time."""
    days = {}

    def day(value):
        if value not in days:
            days[value] = _local_day(value)
        return days[value]

    return day


def _labels(choices) -> dict[str, str]:
    """{value: label} of a choices class, translated once per sheet rather than once per row."""
    return {value: str(label) for value, label in choices.choices}


# -- the sheets -----------------------------------------------------------------------------------------
class _MinutesSheet(ListExporter):
    what = ""
    streams_from_database = True

    def __init__(self, *, scope: MinutesScope):
        self.scope = scope
        self.ledger = scope.ledger(self.what)


class MeetingLedgerExporter(_MinutesSheet):
    identifier = "minutes_meetings"
    verbose_name = gettext_lazy("会议台账")
    what = gettext_lazy("会议台账")
    empty_text = gettext_lazy("本月无会议。")
    columns = (
        Column(gettext_lazy("序号"), NUMBER),
        Column(gettext_lazy("产业链党委")),
        Column(gettext_lazy("会议类型")),
        Column(gettext_lazy("日期"), DATE),
        Column(gettext_lazy("地点"), wrap=True),
        Column(gettext_lazy("主持人")),
        Column(gettext_lazy("承办企业")),
        Column(gettext_lazy("应到"), NUMBER),
        Column(gettext_lazy("实到"), NUMBER),
        Column(gettext_lazy("议题"), wrap=True),
        Column(gettext_lazy("纪要摘要"), wrap=True),
    )

    def meetings(self):
        # 应到/实到 as annotations, values rather than model instances (a province month holds 2,000
        # meetings): one query, and one more for the agenda, however many meetings.
        return (
            with_attendance_counts(meetings_of(self.scope))
            .order_by("starts_at", "pk")
            .values_list(
                "pk",
                "alliance__name",
                "kind",
                "starts_at",
                "place_address",
                "place_zone__name",
                "chair_name",
                "chair__real_name",
                "chair__username",
                "host_enterprise__name",
                "expected_count",
                "attended_count",
                "summary",
            )
        )

    def agendas(self) -> dict[int, str]:
        items = (
            AgendaItem.objects.filter(meeting__in=meetings_of(self.scope).values("pk"))
            .order_by("meeting_id", "position", "pk")
            .values_list("meeting_id", "position", "title")
        )
        agendas = {}
        for meeting_id, position, title in items.iterator(chunk_size=CHUNK_SIZE):
            agendas.setdefault(meeting_id, []).append(f"{position}. {title}")
        return {meeting_id: "\n".join(lines) for meeting_id, lines in agendas.items()}

    def iter_rows(self):
        kinds, day, agendas = _labels(MeetingKind), _local_days(), self.agendas()
        for number, row in enumerate(self.meetings(), 1):
            pk, alliance, kind, starts_at, address, zone, chair, chair_real_name, chair_username, host, *rest = row
            expected, attended, summary = rest
            yield (
                number,
                alliance,
                kinds.get(kind, kind),
                day(starts_at),
                address or zone or "",  # Meeting.place: the address, else the work zone's name
                chair or chair_real_name or chair_username or "",  # else the chair's display_name
                host or "",
                expected,
                attended,
                agendas.get(pk, ""),
                summary,
            )


class AttendanceExporter(_MinutesSheet):
    identifier = "minutes_attendance"
    verbose_name = gettext_lazy("参会情况")
    what = gettext_lazy("参会情况")
    empty_text = gettext_lazy("本月无会议，无参会记录。")
    columns = (
        Column(gettext_lazy("序号"), NUMBER),
        Column(gettext_lazy("产业链党委")),
        Column(gettext_lazy("会议"), wrap=True),
        Column(gettext_lazy("日期"), DATE),
        Column(gettext_lazy("姓名")),
        Column(gettext_lazy("单位")),
        Column(gettext_lazy("邀请来源")),
        Column(gettext_lazy("答复")),
        Column(gettext_lazy("出席情况")),
        Column(gettext_lazy("代参会人")),
        Column(gettext_lazy("请假原因"), wrap=True),
    )

    def iter_rows(self):
        sources, answers, attendance = (
            _labels(Invitation.Source),
            _labels(Invitation.Answer),
            _labels(Invitation.Attendance),
        )
        rows = (
            Invitation.objects.filter(meeting__in=meetings_of(self.scope).values("pk"))
            .annotate(unit=Coalesce(NullIf(F("enterprise__name"), Value("")), F("department__name"), Value("")))
            .order_by("meeting__starts_at", "meeting_id", "source", "pk")
            .values_list(
                "meeting__alliance__name",
                "meeting__title",
                "meeting__starts_at",
                "person_name",
                "unit",
                "source",
                "answer",
                "attendance",
                "substitute_name",
                "leave_reason",
            )
        )
        day = _local_days()
        for number, row in enumerate(rows.iterator(chunk_size=CHUNK_SIZE), 1):
            alliance, title, starts_at, name, unit, source, answer, present, substitute, reason = row
            yield (
                number,
                alliance,
                title,
                day(starts_at),
                name,
                unit,
                sources.get(source, source),
                answers.get(answer, answer),
                attendance.get(present, present),
                substitute,
                reason,
            )


class DecisionExporter(_MinutesSheet):
    identifier = "minutes_decisions"
    verbose_name = gettext_lazy("议定事项")
    what = gettext_lazy("议定事项")
    empty_text = gettext_lazy("本月无议定事项。")
    base_columns = (
        Column(gettext_lazy("序号"), NUMBER),
        Column(gettext_lazy("产业链党委")),
        Column(gettext_lazy("会议"), wrap=True),
        Column(gettext_lazy("会议日期"), DATE),
        Column(gettext_lazy("议定事项"), wrap=True),
        Column(gettext_lazy("责任单位（人）")),
        Column(gettext_lazy("办理时限（工作日）"), NUMBER),
        Column(gettext_lazy("办结期限"), DATE),
        Column(gettext_lazy("状态")),
        Column(gettext_lazy("完成日期"), DATE),
    )

    #: What each row reads, before the linked records' columns (iter_rows makes the sheet's row).
    values = (
        "meeting__alliance__name",
        "meeting__title",
        "meeting__starts_at",
        "position",
        "text",
        "owner_label",
        "due_workdays",
        "due_date",
        "status",
        "done_at",
    )

    def __init__(self, *, scope: MinutesScope):
        super().__init__(scope=scope)
        self.linked_headings = links.registry.columns(DECISION_LABEL)
        self.linked = links.registry.column_annotations(DECISION_LABEL)
        self.columns = self.base_columns + tuple(Column(heading) for heading in self.linked_headings)

    def _decisions(self):
        return (
            Decision.objects.filter(meeting__in=meetings_of(self.scope).values("pk"))
            .annotate(**self.linked)
            .order_by("meeting__starts_at", "meeting_id", "position")
            .values_list("pk", *self.values, *self.linked)
            .iterator(chunk_size=CHUNK_SIZE)
        )

    def _rows(self):
        """The decisions' values with the texts of the linked records' columns. Providers that give
        their column as an expression are read in the decisions' own query (one query, however many
        meetings); the others are called once per chunk of decisions."""
        rows = self._decisions()
        if len(self.linked) == len(self.linked_headings):
            for _pk, *row in rows:
                yield row
            return
        positions = [int(alias.rsplit("_", 1)[1]) for alias in self.linked]
        none, base = (None,) * len(self.linked_headings), len(self.values)
        while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
            provided = links.registry.column_values(DECISION_LABEL, (row[0] for row in chunk))
            for pk, *row in chunk:
                texts = list(provided.get(pk, none))
                for position, text in zip(positions, row[base:], strict=True):
                    texts[position] = text
                yield (*row[:base], *texts)

    def iter_rows(self):
        statuses, day = _labels(Decision.Status), _local_days()
        for number, row in enumerate(self._rows(), 1):
            alliance, title, starts_at, position, text, owner, workdays, due, status, done_at, *extra = row
            yield (
                number,
                alliance,
                title,
                day(starts_at),
                f"{position}. {text}",
                owner,
                workdays,
                due,
                statuses.get(status, status),
                _local_day(done_at),
                *extra,
            )


workbooks.register(WORKBOOK, MeetingLedgerExporter)
workbooks.register(WORKBOOK, AttendanceExporter)
workbooks.register(WORKBOOK, DecisionExporter)
workbooks.register_job_task(WORKBOOK, "alliances.tasks.export_minutes_job")


# -- writing the workbook -------------------------------------------------------------------------------
def minutes_sheets(scope: MinutesScope) -> list[ListExporter]:
    """Every sheet of the month's workbook, from every app that contributes one."""
    return workbooks.build(WORKBOOK, scope=scope)


def write_minutes(scope: MinutesScope, file, *, progress=None) -> dict[str, int]:
    return write_workbook(minutes_sheets(scope), file, progress=progress)


def meeting_count(scope: MinutesScope) -> int:
    """How many meetings the workbook lists (one query): decides between download and background."""
    return meetings_of(scope).count()


def minutes_scope_from_params(params: dict) -> MinutesScope:
    """The scope a background job was created with (`MinutesScope.params`), built again."""
    from django.contrib.auth import get_user_model

    year, month = params["year"], params["month"]
    if "alliance_id" in params:
        return minutes_scope_for_alliance(
            alliance=Alliance.objects.get(pk=params["alliance_id"]), year=year, month=month
        )
    if "region_id" in params:
        return minutes_scope_for_region(region=Region.objects.get(pk=params["region_id"]), year=year, month=month)
    if "user_id" in params:
        user = get_user_model().objects.get(pk=params["user_id"])
        return minutes_scope_for_user(user=user, year=year, month=month)
    return minutes_scope_for_all(year=year, month=month)


# -- the monthly workbook for each organisation department ---------------------------------------------
def is_first_workday_of_month(day: dt.date) -> bool:
    """Whether `day` is its month's first working day (the shared calendar, with 调休)."""
    first = day.replace(day=1)
    return workdays.is_workday(day) and not any(
        workdays.is_workday(first + dt.timedelta(days=offset)) for offset in range((day - first).days)
    )


def previous_month(day: dt.date) -> tuple[int, int]:
    last = day.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def monthly_jobs_create(*, today: dt.date) -> list:
    """On the month's first working day, one background job per organisation department (a region
    with active staff) for the previous month's workbook, downloadable by that region's staff; the
    job notifies them when written. Idempotent: each (month, region) job is created once."""
    from chainparty.exporters import export_job_create

    from .selectors import region_staff

    if not is_first_workday_of_month(today):
        return []
    year, month = previous_month(today)
    staff = region_staff(
        RegionUserObjectPermission.objects.filter(
            permission__codename=roles.MANAGE_REGION, user__is_active=True
        ).values_list("content_object_id", flat=True)
    )
    jobs = []
    for region in Region.objects.filter(pk__in=list(staff)).order_by("path"):
        scope = minutes_scope_for_region(region=region, year=year, month=month)
        job, created = export_job_create(
            workbook=WORKBOOK,
            params={**scope.params, "notify": True},
            filename=scope.filename(),
            viewers=staff[region.pk],
            dedupe_key=f"{WORKBOOK}:{year}-{month:02d}:region{region.pk}",
        )
        if created:
            jobs.append(job)
    return jobs


def job_written_notify(job) -> int:
    """Tell the job's viewers that the monthly workbook can be downloaded (once per job)."""
    from django.urls import reverse

    from chainparty import notifications

    message = notifications.Message(
        title=_("%(name)s已生成") % {"name": job.filename},
        body=_("上月会议台账（会议、参会情况、议定事项和本月诉求）已生成，请在 %(date)s 前下载。")
        % {"date": f"{timezone.localtime(job.expires_at):%Y-%m-%d}"},
        url=reverse("alliances:minutes_export_job", args=[job.pk]),
        kind="minutes_export",
    )
    return notifications.notify(recipients=job.viewers.all(), message=message, dedupe_key=f"export-job:{job.pk}")


def minutes_scope_for_all(*, year: int, month: int) -> MinutesScope:
    """Every alliance (the shell's `export_minutes` without --alliance or --region)."""
    _check_not_future(year, month)
    return MinutesScope(
        year=year,
        month=month,
        alliances=Alliance.objects.all(),
        heading=_("产业链党委"),
        unit="",
        params={"year": year, "month": month},
    )
