"""The exporter base: what a user sees when opening or printing an exported workbook."""

import datetime as dt
import io
import tracemalloc
import zoneinfo
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.test import override_settings

from chainparty import exporters
from chainparty.exporters import DATE, DATETIME, MONEY, NUMBER, Column, ListExporter

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class NeedsSheet(ListExporter):
    identifier = "test_needs"
    verbose_name = "需求清单"
    columns = (
        Column("编号"),
        Column("标题"),
        Column("提交日期", DATE),
        Column("提交时间", DATETIME),
        Column("用工人数", NUMBER),
        Column("融资金额（万元）", MONEY),
    )

    def __init__(self, rows=()):
        self.rows = rows

    def iter_rows(self):
        yield from self.rows


class MeetingsSheet(ListExporter):
    identifier = "test_meetings"
    verbose_name = "会议台账"
    columns = (Column("会议"), Column("日期", DATE))

    def __init__(self, rows=()):
        self.rows = rows

    def iter_rows(self):
        yield from self.rows


ROW = (
    "XQ-2025-000001",
    "纺织企业急需熟练挡车工",
    dt.date(2025, 3, 4),
    dt.datetime(2025, 3, 4, 1, 30, tzinfo=dt.UTC),  # 09:30 in Shanghai
    40,
    Decimal("1234.50"),
)


def _reload(exporter_list):
    buffer = io.BytesIO()
    counts = exporters.write_workbook(exporter_list, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer), counts


def test_headers_are_chinese_styled_frozen_and_printed_on_every_page():
    workbook, counts = _reload([NeedsSheet([ROW])])
    sheet = workbook["需求清单"]
    assert [cell.value for cell in sheet[1]] == ["编号", "标题", "提交日期", "提交时间", "用工人数", "融资金额（万元）"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert counts == {"test_needs": 1}


def test_print_settings_are_a4_landscape_fitted_to_width():
    sheet = _reload([NeedsSheet([ROW])])[0].active
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_dates_datetimes_and_numbers_are_typed_cells():
    sheet = _reload([NeedsSheet([ROW])])[0].active
    filed_on, filed_at, people, funding = sheet["C2"], sheet["D2"], sheet["E2"], sheet["F2"]
    assert filed_on.is_date and filed_on.value == dt.datetime(2025, 3, 4) and filed_on.number_format == "yyyy-mm-dd"
    assert filed_at.is_date and filed_at.value == dt.datetime(2025, 3, 4, 9, 30)  # Shanghai wall clock
    assert filed_at.number_format == "yyyy-mm-dd hh:mm"
    assert people.data_type == "n" and people.value == 40
    assert funding.data_type == "n" and funding.value == 1234.5 and funding.number_format == "#,##0.00"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_looking_text_stays_text(text):
    sheet = _reload([NeedsSheet([("XQ", text, None, None, None, None)])])[0].active
    cell = sheet["B2"]
    # XML parsers read a bare carriage return as a line feed; either way it is text, not a formula.
    assert cell.data_type == "s" and cell.value == text.replace("\r", "\n")
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited


def test_ordinary_text_has_no_quote_prefix_and_control_characters_are_dropped():
    sheet = _reload([NeedsSheet([("XQ", "用工\x07需求", None, None, None, None)])])[0].active
    assert sheet["B2"].value == "用工需求" and not sheet["B2"].quotePrefix
    assert sheet["C2"].value is None


def test_widths_fit_chinese_text_and_are_capped():
    long_title = "汉" * 100
    sheet = _reload([NeedsSheet([("XQ-2025-000001", long_title, None, None, None, None)])])[0].active
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert widths["A"] == len("XQ-2025-000001") + 2
    assert widths["B"] == exporters.MAX_WIDTH  # capped, not 200 wide
    assert widths["F"] == exporters.display_width("融资金额（万元）") + 2 == 18  # CJK counted as two
    assert widths["C"] == exporters.display_width("提交日期") + 2


def test_two_registered_sheets_land_in_one_workbook():
    registry = exporters.WorkbookRegistry(discover=False)
    registry.register("monthly_ledger", MeetingsSheet)
    registry.register("monthly_ledger")(NeedsSheet)
    registry.register("monthly_ledger", MeetingsSheet)  # registering twice adds no second sheet
    assert registry.build("other") == []
    workbook, counts = _reload(registry.build("monthly_ledger", rows=[]))
    assert workbook.sheetnames == ["会议台账", "需求清单"]
    assert counts == {"test_meetings": 0, "test_needs": 0}


def test_the_shared_registry_discovers_the_apps_exporters():
    from demands.exporters import NeedExporter

    assert NeedExporter in exporters.workbooks.exporter_classes("needs")


def test_sheet_titles_follow_excels_rules():
    assert exporters.sheet_title("2025/03 台账:第[1]页") == "2025_03 台账_第_1_页"
    assert len(exporters.sheet_title("长" * 40)) == 31


def test_memory_stays_flat_with_many_rows():
    """Write-only streams rows to a temporary file: 1,000 rows take little more memory than 300."""

    class Numbers(ListExporter):
        identifier, verbose_name, columns = "numbers", "数", (Column("标题"), Column("数", NUMBER))

        def __init__(self, count):
            self.count = count

        def iter_rows(self):
            return ((f"需求标题{i}" * 3, i) for i in range(self.count))

    def peak(count):
        tracemalloc.start()
        exporters.write_workbook([Numbers(count)], io.BytesIO())
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(300), peak(1000)
    assert large < small * 1.5


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_the_download_has_a_chinese_filename():
    response, counts = exporters.workbook_response([NeedsSheet([ROW])], filename="需求清单-20250304")
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == exporters.XLSX_CONTENT_TYPE
    assert f"filename*=utf-8''{quote('需求清单-20250304.xlsx')}" in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(body)).active["A2"].value == "XQ-2025-000001"
    assert counts == {"test_needs": 1}


# -- ledgers (台账): title, 填报单位/日期, wrapped columns, signature ---------------------------------------
class MinutesLedger(ListExporter):
    identifier = "test_minutes"
    verbose_name = "会议台账"
    columns = (Column("序号", NUMBER), Column("议题", wrap=True), Column("日期", DATE), Column("纪要摘要", wrap=True))
    ledger = exporters.Ledger(
        "汶上县产业链党委会议台账（2026年11月）",
        unit="汶上县委组织部",
        filled_on=dt.date(2026, 12, 1),
        signature="填报人：        审核人：",
    )
    empty_text = "本月无会议。"

    def __init__(self, rows=()):
        self.rows = rows

    def iter_rows(self):
        yield from self.rows


LEDGER_ROW = (1, "用工难题会商", dt.date(2026, 11, 2), '=HYPERLINK("http://evil","点我")')


def _values(sheet):
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_a_ledger_has_a_merged_title_the_unit_and_date_and_a_signature_line():
    sheet = _reload([MinutesLedger([LEDGER_ROW])])[0]["会议台账"]
    assert _values(sheet) == [
        ("汶上县产业链党委会议台账（2026年11月）", None, None, None),
        ("填报单位：汶上县委组织部", None, "填报日期：2026年12月1日", None),
        ("序号", "议题", "日期", "纪要摘要"),
        (1, "用工难题会商", dt.datetime(2026, 11, 2), '=HYPERLINK("http://evil","点我")'),
        (None, None, None, None),
        ("填报人：        审核人：", None, None, None),
    ]
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:D1", "A2:B2", "C2:D2", "A6:D6"}
    assert sheet["A1"].font.bold and sheet["A1"].font.sz == 16 and sheet["A1"].alignment.horizontal == "center"
    assert sheet.row_dimensions[1].height == 30
    assert sheet["A3"].font.bold  # the header is still the styled one


def test_a_ledger_repeats_its_header_below_the_title_on_printed_pages_and_freezes_it():
    sheet = _reload([MinutesLedger([LEDGER_ROW])])[0].active
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9


def test_wrapped_columns_wrap_and_typed_cells_stay_typed_in_a_ledger():
    sheet = _reload([MinutesLedger([LEDGER_ROW])])[0].active
    assert sheet["B4"].alignment.wrap_text and sheet["B4"].alignment.vertical == "top"
    assert not sheet["A4"].alignment.wrap_text  # a number column is not marked
    assert sheet["C4"].is_date
    summary = sheet["D4"]
    assert summary.data_type == "s" and summary.quotePrefix and summary.alignment.wrap_text


def test_an_empty_ledger_says_so_in_a_row_and_counts_no_rows():
    workbook, counts = _reload([MinutesLedger([])])
    sheet = workbook.active
    assert sheet["A4"].value == "本月无会议。"
    assert "A4:D4" in {str(r) for r in sheet.merged_cells.ranges}
    assert counts == {"test_minutes": 0}


def test_a_one_column_ledger_puts_unit_and_date_on_one_line():
    class OneColumn(MinutesLedger):
        columns = (Column("议题"),)

    sheet = _reload([OneColumn([("议题一",)])])[0].active
    assert sheet["A2"].value == "填报单位：汶上县委组织部    填报日期：2026年12月1日"
    assert {str(r) for r in sheet.merged_cells.ranges} == set()  # nothing to merge in one column


def test_plain_lists_are_written_as_before_without_title_or_signature():
    sheet = _reload([NeedsSheet([ROW])])[0].active
    assert sheet.max_row == 2 and not sheet.merged_cells.ranges
    assert not sheet["B2"].alignment.wrap_text
    empty = _reload([NeedsSheet([])])[0].active
    assert _values(empty) == [("编号", "标题", "提交日期", "提交时间", "用工人数", "融资金额（万元）")]


def test_an_exporter_without_rows_cannot_be_created():
    class Headless(ListExporter):
        identifier = "headless"
        verbose_name = "无数据"

    with pytest.raises(TypeError):
        Headless()


# -- background jobs: attempts ------------------------------------------------------------------------
def _pending_job():
    job, _created = exporters.export_job_create(workbook="test_attempts", params={}, filename="台账")
    return job


@pytest.mark.django_db
@override_settings(CELERY_TASK_TIME_LIMIT=60)
def test_a_job_whose_workers_keep_dying_counts_its_attempts_and_fails_with_a_reason(time_machine):
    from chainparty.models import ExportJob

    time_machine.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI), tick=False)
    job = _pending_job()
    for attempt in range(1, exporters.EXPORT_JOB_MAX_ATTEMPTS + 1):
        assert exporters.export_job_claim(job.pk)  # claimed, then the worker is killed before writing
        job.refresh_from_db()
        assert (job.state, job.attempts) == (ExportJob.State.RUNNING, attempt)
        time_machine.shift(exporters.export_job_stale_after() + dt.timedelta(seconds=1))

    assert not exporters.export_job_claim(job.pk)  # redelivered once more: out of attempts
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED and job.finished_at is not None
    assert job.attempts == exporters.EXPORT_JOB_MAX_ATTEMPTS
    assert job.error == "处理进程多次中断，已尝试 3 次仍未生成，请重新导出或联系平台管理员。"


@pytest.mark.django_db
@override_settings(CELERY_TASK_TIME_LIMIT=60)
def test_the_sweep_fails_an_abandoned_job_out_of_attempts_instead_of_queueing_it_again(time_machine, monkeypatch):
    from chainparty.models import ExportJob

    queued = []
    monkeypatch.setattr(exporters.workbooks, "job_task", lambda name: "chainparty.tasks.sweep_export_jobs")
    monkeypatch.setattr("chainparty.tasks.sweep_export_jobs.delay", queued.append)
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI), tick=False)
    spent, fresh = _pending_job(), _pending_job()
    ExportJob.objects.filter(pk=spent.pk).update(attempts=exporters.EXPORT_JOB_MAX_ATTEMPTS - 1)
    assert exporters.export_job_claim(spent.pk) and exporters.export_job_claim(fresh.pk)
    time_machine.shift(exporters.export_job_stale_after() + dt.timedelta(seconds=1))

    assert exporters.export_jobs_sweep() == {"requeued": 1, "failed": 1}
    assert queued == [fresh.pk]
    spent.refresh_from_db()
    assert spent.state == ExportJob.State.FAILED and "已尝试 3 次仍未生成" in spent.error


@pytest.mark.django_db(transaction=True)
def test_a_streaming_sheet_is_read_in_a_transaction_and_progress_is_written_outside_it():
    """On PostgreSQL a sheet whose rows stream from the database is read in a transaction (its
    server-side cursors then stream instead of being stored WITH HOLD first); the progress between
    sheets is written outside it, so a job's page sees it. SQLite takes no transaction (its
    IMMEDIATE transactions would hold the write lock)."""
    from django.db import connection

    seen = []

    class Streaming(MeetingsSheet):
        streams_from_database = True

        def iter_rows(self):
            seen.append(("rows", connection.in_atomic_block))
            yield ("党委会议", dt.date(2026, 11, 2))

    exporters.write_workbook(
        [Streaming(), MeetingsSheet()],
        io.BytesIO(),
        progress=lambda done, total: seen.append(("progress", connection.in_atomic_block)),
    )
    assert seen == [("rows", connection.vendor == "postgresql"), ("progress", False), ("progress", False)]
