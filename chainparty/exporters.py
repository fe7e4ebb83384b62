"""Excel exports: one base for every list an app exports, one writer, one registry of workbooks.

An exporter declares what pretix's `ListExporter` declares: an `identifier`, a `verbose_name` (the
sheet's title) and `columns`, and yields its rows from `iter_rows()`. `write_workbook` writes any
number of exporters into one xlsx, one sheet each, streaming rows through openpyxl's write-only
mode so memory stays flat however many rows there are. Apps contribute sheets to a named workbook
through `workbooks` (the monthly ledger takes meetings from alliances, needs from demands, visits
from guides) from their own `exporters.py`, which the registry discovers; no app imports another.

What the writer guarantees for every sheet: a styled Chinese header row, frozen and repeated on
every printed page; widths that fit Chinese text; dates and datetimes as real Excel dates (aware
datetimes in the portal's time zone, Asia/Shanghai); Decimal and int as numbers; A4 landscape,
fitted to the page width; and text that can never become a formula.

A ledger (台账) opts in to more by giving its exporter a `Ledger`: a merged title row, a 填报单位 /
填报日期 line, the header repeated on every printed page below them, and a signature line after
the rows. Columns marked `wrap` wrap their text; an exporter with `empty_text` says so in a row when
it has nothing to list. Exporters without them are written exactly as before.
"""

import datetime as dt
import itertools
import re
import tempfile
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TEXT = "text"
DATE = "date"
DATETIME = "datetime"
NUMBER = "number"
MONEY = "money"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_NUMBER_FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", MONEY: "#,##0.00"}
#: Characters that make Excel (or LibreOffice, on editing) read a cell as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text openpyxl writes as an error cell (#N/A, #DIV/0!...) rather than as the text someone typed.
_ERROR_TEXTS = frozenset(ERROR_CODES)


def _needs_text_type(text: str) -> bool:
    """Whether openpyxl (or Excel, on editing) would not keep `text` as a string: a formula or an error."""
    return text.startswith(_FORMULA_STARTS) or text in _ERROR_TEXTS


#: How many first rows are read ahead to size the columns (write-only sheets fix widths up front).
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH = 6
MAX_WIDTH = 50
_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    #: Long text (minutes, decisions) wraps inside the column instead of running over its neighbours.
    wrap: bool = False


@dataclass(frozen=True)
class Ledger:
    """What a ledger prints around its rows: a merged `title` row ("汶上县产业链党委会议台账
    （2026年11月）"), a line with 填报单位 (`unit`) and 填报日期 (`filled_on`), and after the rows a
    `signature` line ("填报人：        审核人：")."""

    title: str
    unit: str = ""
    filled_on: dt.date | None = None
    signature: str = ""


class ListExporter(ABC):
    """One sheet of rows. Subclasses set `identifier`, `verbose_name` and `columns`, take what they
    need (user, filters, period) as keyword arguments, and yield one sequence per row from
    `iter_rows()`, in the order of `columns`. Rows should be read in chunks with their joins
    decided up front, so the number of queries does not grow with the number of rows."""

    identifier: str = ""
    verbose_name: str = ""
    columns: Sequence[Column] = ()
    #: Set (on the class or in `__init__`) to print the sheet as a ledger; None writes a plain list.
    ledger: Ledger | None = None
    #: Written in a row across the sheet when `iter_rows()` yields nothing ("本月无会议。").
    empty_text: str = ""
    #: True when `iter_rows()` streams querysets with `.iterator()`: the sheet is then read in a
    #: transaction of its own on PostgreSQL (`_reading`).
    streams_from_database: bool = False

    @abstractmethod
    def iter_rows(self) -> Iterator[Sequence]:
        """The sheet's rows, in the order of `columns`; a subclass without it cannot be created."""

    def get_filename(self) -> str:
        """The download's name, without extension: the sheet's title and today's date."""
        return f"{self.verbose_name}-{timezone.localdate():%Y%m%d}"


# -- cells ----------------------------------------------------------------------------------------------
def display_width(text: str) -> int:
    """Columns a text takes in Excel: wide (CJK, full-width) characters count as two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _shown(value, kind) -> str:
    """Roughly what Excel will show for a value, to size its column."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return "2000-01-01 00:00"
    if isinstance(value, dt.date):
        return "2000-01-01"
    if kind == MONEY and isinstance(value, Decimal | int | float):
        return f"{value:,.2f}"
    return str(value)


def _text_cell(sheet, value):
    text = _drop_illegal(value)
    cell = WriteOnlyCell(sheet, value=text)
    if _needs_text_type(text):
        # openpyxl makes a string starting with "=" a formula and one equal to an error code an error
        # cell; force a string, and set Excel's own quote prefix so it stays text when edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _drop_illegal(text: str) -> str:
    # Searched first: almost no text holds a control character, and a search allocates nothing.
    return ILLEGAL_CHARACTERS_RE.sub("", text) if _HAS_ILLEGAL(text) else text


_HAS_ILLEGAL = ILLEGAL_CHARACTERS_RE.search
_WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)


def _column_cell(sheet, value, column: Column):
    cell = _cell(sheet, value, column.kind)
    if column.wrap and getattr(cell, "data_type", None) == "s":
        cell.alignment = _WRAP_ALIGNMENT
    return cell


def _cell(sheet, value, kind):
    if value is None:
        return None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        return _text_cell(sheet, value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _NUMBER_FORMATS[DATETIME]
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _NUMBER_FORMATS[DATE]
        return cell
    if isinstance(value, Decimal | int | float):
        cell = WriteOnlyCell(sheet, value=value)
        if kind == MONEY:
            cell.number_format = _NUMBER_FORMATS[MONEY]
        return cell
    return _text_cell(sheet, str(value))


def _style_of(sheet, **style):
    """The style array of a cell styled with `style`, registered once in the sheet's workbook, so
    each styled cell of a column is given a copy of it instead of resolving its styles again."""
    template = WriteOnlyCell(sheet)
    for name, value in style.items():
        setattr(template, name, value)
    return template._style


class _Styled:
    """A value to be written with a column's style array: what the converters hand the sheet's
    `values_to_row` (`_take_cells_as_given`), which writes it through one reused cell per style
    instead of a new openpyxl cell per value (a cell copies its style array when made: a fifth of
    the writer's time in sheets with dates and wrapped text on every row). `string` keeps a text
    that openpyxl would read as a formula or an error as text."""

    __slots__ = ("string", "style", "value")

    def __init__(self, value, style, string=False):
        self.value, self.style, self.string = value, style, string


def _styled(sheet, value, style, string=False):
    return _Styled(value, style, string)


def _converter(sheet, column: Column) -> Callable:
    """What to append for each value of `column`, decided once per sheet: the value itself when
    openpyxl types it right unstyled (numbers, ordinary text: as a bare write does), else a cell
    given the column's style array (dates, money, wrapped text, text that looks like a formula).
    Values of another type than the column's take the general path (`_column_cell`)."""
    kind = column.kind

    def general(value):
        return None if value is None else _column_cell(sheet, value, column)

    if kind == TEXT:
        quoted = _style_of(sheet, quotePrefix=True, **({"alignment": _WRAP_ALIGNMENT} if column.wrap else {}))
        wrapped = _style_of(sheet, alignment=_WRAP_ALIGNMENT) if column.wrap else None

        def text(value):
            if value.__class__ is not str:
                return general(value)
            if _HAS_ILLEGAL(value):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith(_FORMULA_STARTS) or value in _ERROR_TEXTS:
                return _styled(sheet, value, quoted, string=True)  # openpyxl would make it a formula
            return value if wrapped is None else _styled(sheet, value, wrapped)

        return text
    if kind == NUMBER:
        return lambda value: value if value.__class__ in _PLAIN_NUMBERS else general(value)
    if kind == MONEY:
        money = _style_of(sheet, number_format=_NUMBER_FORMATS[MONEY])
        return lambda value: _styled(sheet, value, money) if value.__class__ in _PLAIN_NUMBERS else general(value)
    if kind == DATE:
        day = _style_of(sheet, number_format=_NUMBER_FORMATS[DATE])
        return lambda value: _styled(sheet, value, day) if value.__class__ is dt.date else general(value)
    if kind == DATETIME:
        moment, zone = _style_of(sheet, number_format=_NUMBER_FORMATS[DATETIME]), timezone.get_default_timezone()

        def datetime(value):
            if value.__class__ is not dt.datetime:
                return general(value)
            if value.tzinfo is not None:  # the portal's wall clock, as Excel has no time zones
                value = value.astimezone(zone).replace(tzinfo=None)
            return _styled(sheet, value, moment)

        return datetime
    return general


_PLAIN_NUMBERS = frozenset({int, float, Decimal})


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="C00000"))
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _header_cell(sheet, text):
    cell = _text_cell(sheet, str(text))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.border = _HEADER_BORDER
    cell.alignment = _HEADER_ALIGNMENT
    return cell


# -- sheets and workbooks -------------------------------------------------------------------------------
def _widths(columns, sample) -> list[int]:
    widths = []
    for index, column in enumerate(columns):
        shown = [display_width(str(column.header))]
        shown += [display_width(_shown(row[index], column.kind)) for row in sample if index < len(row)]
        widths.append(min(max(max(shown) + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def sheet_title(text: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    return _SHEET_TITLE_UNSAFE.sub("_", str(text))[:31] or _("数据")


def _set_up_page(sheet, columns, sample, header_row=1):
    for index, width in enumerate(_widths(columns, sample), 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


_TITLE_FONT = Font(bold=True, size=16)
_TITLE_ALIGNMENT = Alignment(horizontal="center", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center")
_RIGHT = Alignment(horizontal="right", vertical="center")
#: Rows a ledger puts above its header: the title, then 填报单位 and 填报日期.
LEDGER_HEADER_ROW = 3


class _SheetWriter:
    """Appends rows to a write-only sheet, counting them so that merged ranges can be placed:
    write-only sheets cannot merge cells after the fact, but their `merged_cells` (which the
    writer puts after the rows) takes ranges added while the rows stream."""

    def __init__(self, sheet, width: int):
        self.sheet, self.width, self.row = sheet, width, 0

    def append(self, cells):
        self.sheet.append(cells)
        self.row += 1

    def merge(self, first_column: int, last_column: int):
        if last_column > first_column:
            self.sheet.merged_cells.add(
                f"{get_column_letter(first_column)}{self.row}:{get_column_letter(last_column)}{self.row}"
            )

    def styled(self, text, *, font=None, alignment=None):
        cell = _text_cell(self.sheet, str(text))
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        return cell

    def banner(self, text, *, font=None, alignment=_LEFT, height=None):
        """One row whose text spans every column."""
        if height:  # a write-only sheet writes a row's dimensions with the row: set them first
            self.sheet.row_dimensions[self.row + 1].height = height
        self.append([self.styled(text, font=font, alignment=alignment)])
        self.merge(1, self.width)


def _ledger_top(writer: _SheetWriter, ledger: Ledger):
    writer.banner(ledger.title, font=_TITLE_FONT, alignment=_TITLE_ALIGNMENT, height=30)
    unit = _("填报单位：%(unit)s") % {"unit": ledger.unit}
    filled_on = ledger.filled_on or timezone.localdate()
    day = _("%(year)d年%(month)d月%(day)d日") % {"year": filled_on.year, "month": filled_on.month, "day": filled_on.day}
    date = _("填报日期：%(date)s") % {"date": day}
    if writer.width < 2:
        writer.banner(f"{unit}    {date}")
        return
    split = (writer.width + 1) // 2
    gap = [None] * (split - 1)
    writer.append([writer.styled(unit, alignment=_LEFT), *gap, writer.styled(date, alignment=_RIGHT)])
    writer.merge(1, split)
    writer.merge(split + 1, writer.width)


def _take_cells_as_given(sheet) -> bool:
    """Let the write-only `sheet` take the styled cells of a row as they are. openpyxl's own
    `_values_to_row` first tries each value as a plain value, so every cell passed to it raises
    and catches a ValueError whose message formats the cell's repr: a fifth of the writer's time
    in sheets whose wrapped columns are cells on every row. Otherwise the same: plain values go
    through one reused cell, replaced after a value that styled it (a date)."""
    if not hasattr(sheet, "_values_to_row"):  # another openpyxl: its own way, only slower
        return False

    styled_cells = {}  # id(style array) -> the cell reused for values of that style

    def values_to_row(values, row_idx):
        cell = WriteOnlyCell(sheet)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if value.__class__ is _Styled:
                # openpyxl writes each cell as it is yielded, so one cell per style serves them all.
                styled = styled_cells.get(id(value.style))
                if styled is None:
                    styled = styled_cells[id(value.style)] = Cell(sheet, 1, 1, None, value.style)
                styled.value = value.value
                if value.string:
                    styled.data_type = "s"
                styled.column, styled.row = col_idx, row_idx
                yield styled
                continue
            if value.__class__ is Cell:
                value.column, value.row = col_idx, row_idx
                yield value
                continue
            cell.value = value
            cell.column, cell.row = col_idx, row_idx
            yield cell
            if cell.has_style:
                cell = WriteOnlyCell(sheet)

    sheet._values_to_row = values_to_row
    return True


def _as_cell(sheet, value):
    """A converter's value as openpyxl takes it without `_take_cells_as_given`."""
    if value.__class__ is not _Styled:
        return value
    cell = Cell(sheet, 1, 1, value.value, value.style)
    if value.string:
        cell.data_type = "s"
    return cell


def _write_sheet(workbook, exporter: ListExporter) -> int:
    sheet = workbook.create_sheet(title=sheet_title(exporter.verbose_name))
    given = _take_cells_as_given(sheet)
    columns = exporter.columns
    ledger = exporter.ledger
    rows = iter(exporter.iter_rows())
    sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    _set_up_page(sheet, columns, sample, header_row=1 if ledger is None else LEDGER_HEADER_ROW)
    writer = _SheetWriter(sheet, len(columns))
    if ledger is not None:
        _ledger_top(writer, ledger)
    writer.append([_header_cell(sheet, column.header) for column in columns])
    converters = [_converter(sheet, column) for column in columns]
    count = 0
    append = sheet.append if given else lambda row: sheet.append([_as_cell(sheet, value) for value in row])
    for row in itertools.chain(sample, rows):
        append([convert(value) for convert, value in zip(converters, row, strict=True)])
        count += 1
    writer.row += count
    if not count and exporter.empty_text:
        writer.banner(exporter.empty_text)
    if ledger is not None and ledger.signature:
        writer.append([])
        writer.banner(ledger.signature, height=24)
    return count


def _reading(exporter: ListExporter):
    """Each sheet is read in a transaction on PostgreSQL: outside one, each `.iterator()`'s
    server-side cursor is declared WITH HOLD, which makes PostgreSQL run the whole query and store
    its rows before the first is fetched (0.8 s of a province month's 10 s workbook); inside one the
    rows stream as they are written. One per sheet, not one for the workbook, so that the progress
    written between sheets is seen by the job's page. Not on SQLite, whose transactions here begin
    IMMEDIATE and would hold the write lock while the sheet is written."""
    if exporter.streams_from_database and connection.vendor == "postgresql":
        return transaction.atomic()
    return nullcontext()


def write_workbook(exporters: Iterable[ListExporter], file, *, progress=None) -> dict[str, int]:
    """Write the exporters into `file` (a path or a binary file), one sheet each, in order; returns
    the number of rows written per exporter identifier. `progress(done, total)`, when given, is
    called after each sheet."""
    exporters = list(exporters)
    workbook = Workbook(write_only=True)
    counts = {}
    for done, exporter in enumerate(exporters, 1):
        with _reading(exporter):
            counts[exporter.identifier] = _write_sheet(workbook, exporter)
        if progress is not None:  # after the sheet's transaction: the job page sees it at once
            progress(done, len(exporters))
    if not counts:
        workbook.create_sheet(title=_("数据"))
    workbook.save(file)
    return counts


def workbook_response(exporters: Sequence[ListExporter], *, filename: str) -> tuple[FileResponse, dict[str, int]]:
    """A download of the workbook, written to a temporary file on disk and streamed from there.
    `filename` (without extension) may be Chinese: FileResponse sends it RFC 5987-encoded."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    try:
        counts = write_workbook(exporters, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    response = FileResponse(file, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)
    return response, counts


# -- the registry ---------------------------------------------------------------------------------------
class WorkbookRegistry:
    """Named workbooks and the exporters apps contribute to them, as Django's admin site collects
    ModelAdmins: each app registers in its own `exporters.py`, discovered on first use, so a
    workbook can hold sheets from apps that never import each other. Exporters registered under
    one name take the same keyword arguments. Sheets come in registration order (INSTALLED_APPS)."""

    def __init__(self, *, discover=True):
        self._registry: dict[str, list[type[ListExporter]]] = {}
        self._job_tasks: dict[str, str] = {}
        self._discovered = not discover

    def _discover(self):
        if not self._discovered:
            self._discovered = True
            autodiscover_modules("exporters")

    def register(self, name: str, exporter_class: type[ListExporter] | None = None):
        """`workbooks.register("monthly_ledger", MeetingSheet)`, or as a class decorator."""
        if exporter_class is None:
            return lambda cls: self.register(name, cls)
        classes = self._registry.setdefault(name, [])
        if exporter_class not in classes:
            classes.append(exporter_class)
        return exporter_class

    def exporter_classes(self, name: str) -> list[type[ListExporter]]:
        self._discover()
        return list(self._registry.get(name, ()))

    def register_job_task(self, name: str, task_path: str) -> None:
        """The dotted path of the Celery task (taking a job id) that writes background jobs of the
        workbook `name`; the sweep queues it again for jobs left waiting."""
        self._job_tasks[name] = task_path

    def job_task(self, name: str) -> str | None:
        self._discover()
        return self._job_tasks.get(name)

    def build(self, name: str, **context) -> list[ListExporter]:
        """One exporter of each registered class, all given the same context."""
        return [exporter_class(**context) for exporter_class in self.exporter_classes(name)]


workbooks = WorkbookRegistry()


# -- background exports ---------------------------------------------------------------------------------
#: How long a background export's file may be downloaded.
EXPORT_JOB_LIFETIME = dt.timedelta(days=7)


def export_job_create(*, workbook: str, params: dict, filename: str, owner=None, viewers=(), dedupe_key=None):
    """A pending job for the worker, downloadable by `owner` and `viewers` once written. With a
    `dedupe_key`, a second call returns the first job (and `created` False) instead of a new one."""
    from .models import ExportJob

    defaults = {
        "workbook": workbook,
        "params": params,
        "filename": filename,
        "owner": owner,
        "expires_at": timezone.now() + EXPORT_JOB_LIFETIME,
    }
    if dedupe_key:
        job, created = ExportJob.objects.get_or_create(dedupe_key=dedupe_key, defaults=defaults)
    else:
        job, created = ExportJob.objects.create(**defaults), True
    if created:
        job.viewers.add(*{user.pk for user in (owner, *viewers) if user is not None})
    return job, created


def export_job_stale_after() -> dt.timedelta:
    """How long a claimed job may run before another worker takes it back: longer than the task's
    hard time limit, so a job still running is never taken twice."""
    from django.conf import settings

    return dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 300) + EXPORT_JOB_GRACE


#: Waiting this long for a worker, a pending job is queued again by the sweep.
EXPORT_JOB_REQUEUE_AFTER = dt.timedelta(minutes=5)
#: Beyond the task's time limit before a running job counts as abandoned (its worker died).
EXPORT_JOB_GRACE = dt.timedelta(minutes=5)
#: Unwritten this long after it was created (several sweeps, several claims), a job is failed.
EXPORT_JOB_GIVE_UP_AFTER = dt.timedelta(hours=1)
#: Claimed this many times by workers that died before writing it, a job is failed.
EXPORT_JOB_MAX_ATTEMPTS = 3


def _claimable_q(now):
    from django.db.models import Q

    from .models import ExportJob

    return Q(state=ExportJob.State.PENDING) | Q(
        state=ExportJob.State.RUNNING, started_at__lt=now - export_job_stale_after()
    )


def export_job_out_of_attempts_reason() -> str:
    return _("处理进程多次中断，已尝试 %(attempts)d 次仍未生成，请重新导出或联系平台管理员。") % {
        "attempts": EXPORT_JOB_MAX_ATTEMPTS
    }


def export_job_claim(job_id: int) -> bool:
    """Claim a job for this worker (a conditional update: a job runs once at a time): a pending one,
    or a running one abandoned by a worker that died after claiming it (started longer ago than
    the task may run). Each claim counts an attempt; a job abandoned after its last attempt is
    failed here with a reason instead of being claimed again. A job past `EXPORT_JOB_GIVE_UP_AFTER`
    is not claimed: the sweep fails it."""
    from django.db.models import F

    from .models import ExportJob

    now = timezone.now()
    claimable = ExportJob.objects.filter(_claimable_q(now), pk=job_id, created_at__gte=now - EXPORT_JOB_GIVE_UP_AFTER)
    claimed = claimable.filter(attempts__lt=EXPORT_JOB_MAX_ATTEMPTS).update(
        state=ExportJob.State.RUNNING, started_at=now, progress=5, attempts=F("attempts") + 1
    )
    if not claimed:
        claimable.filter(attempts__gte=EXPORT_JOB_MAX_ATTEMPTS).update(
            state=ExportJob.State.FAILED, error=export_job_out_of_attempts_reason()[:500], finished_at=now
        )
    return bool(claimed)


def export_job_failure_reason(error: BaseException) -> str:
    """Why a job failed, in words its viewers understand."""
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

    if isinstance(error, PermissionDenied):
        detail = str(error) or _("发起人已无权导出该范围。")
        return _("无权导出：%(detail)s") % {"detail": detail}
    if isinstance(error, ValidationError):
        return _("导出条件无效：%(detail)s") % {"detail": "；".join(error.messages)}
    if isinstance(error, ObjectDoesNotExist):
        return _("导出范围中的联盟、地区或人员已不存在。")
    return _("生成工作簿时出错（%(kind)s），请稍后重新导出或联系平台管理员。") % {"kind": type(error).__name__}


def export_job_fail(job_id: int, reason: str) -> bool:
    """Mark an unfinished job failed with `reason` (shown on its page)."""
    from .models import ExportJob

    updated = ExportJob.objects.filter(pk=job_id, state__in=(ExportJob.State.PENDING, ExportJob.State.RUNNING)).update(
        state=ExportJob.State.FAILED, error=str(reason)[:500], finished_at=timezone.now()
    )
    return bool(updated)


def export_job_write(job, exporters: Iterable[ListExporter] | Callable[[], Iterable[ListExporter]]) -> None:
    """Write the claimed job's workbook to storage, reporting progress per sheet. `exporters` may be
    a callable building them (from the job's params): whatever fails, building or writing, marks the
    job failed with a reason in Chinese (and is raised again for the worker's log)."""
    from django.core.files import File

    from .models import ExportJob

    def progress(done, total):
        ExportJob.objects.filter(pk=job.pk).update(progress=5 + 90 * done // total)

    try:
        sheets = exporters() if callable(exporters) else exporters
        with tempfile.TemporaryFile() as file:
            counts = write_workbook(sheets, file, progress=progress)
            file.seek(0)
            job.file.save(f"{job.filename}.xlsx", File(file), save=False)
    except Exception as error:
        export_job_fail(job.pk, export_job_failure_reason(error))
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.DONE, progress=100, file=job.file.name, rows=counts, finished_at=timezone.now()
    )


def export_jobs_sweep(*, now=None) -> dict[str, int]:
    """Nothing waits forever: queue again the pending jobs no worker took (the broker was down when
    they were created) and the running ones whose worker died; fail those that have had their
    chances (`EXPORT_JOB_GIVE_UP_AFTER` of sweeps and claims, or `EXPORT_JOB_MAX_ATTEMPTS` claims by
    workers that died) with a reason. Each workbook names
    the task that writes its jobs with `workbooks.register_job_task`."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils.module_loading import import_string

    from .models import ExportJob

    now = now or timezone.now()
    unfinished = Q(state__in=(ExportJob.State.PENDING, ExportJob.State.RUNNING))
    with transaction.atomic():
        given_up = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(unfinished, created_at__lt=now - EXPORT_JOB_GIVE_UP_AFTER)
            .values_list("pk", flat=True)
        )
        ExportJob.objects.filter(pk__in=given_up).filter(unfinished).update(
            state=ExportJob.State.FAILED,
            error=_("多次尝试后仍未生成，请重新导出或联系平台管理员。"),
            finished_at=now,
        )
    waiting = Q(state=ExportJob.State.PENDING, created_at__lt=now - EXPORT_JOB_REQUEUE_AFTER) | Q(
        state=ExportJob.State.RUNNING, started_at__lt=now - export_job_stale_after()
    )
    requeued = exhausted = 0
    for pk, workbook, attempts in ExportJob.objects.filter(waiting).values_list("pk", "workbook", "attempts"):
        if attempts >= EXPORT_JOB_MAX_ATTEMPTS:
            exhausted += export_job_fail(pk, export_job_out_of_attempts_reason())
            continue
        task_path = workbooks.job_task(workbook)
        if task_path is None:
            export_job_fail(pk, _("该导出任务无人处理。"))
            continue
        import_string(task_path).delay(pk)
        requeued += 1
    return {"requeued": requeued, "failed": len(given_up) + exhausted}


def export_job_response(job) -> FileResponse:
    """The job's file as a download under its Chinese name (callers check access and expiry)."""
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=f"{job.filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
