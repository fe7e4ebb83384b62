"""The monthly minutes workbook (issue 8 §4): read back with openpyxl from the download, the command
and the background job; query budget; bad months; who may export."""

import dataclasses
import datetime as dt
import io
import zoneinfo
from itertools import count

import openpyxl
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db.models import Case, CharField, Value, When
from django.urls import reverse

from alliances import exporters
from alliances.models import Alliance, Invitation, Meeting
from alliances.tasks import export_monthly_minutes
from chainparty.models import AuditLog, ExportJob, Notification
from demands.models import Need
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 10, 10, 0, tzinfo=SHANGHAI)
EVIL = '=HYPERLINK("http://evil.example","点我")'
_numbers = count(1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def meeting_in_november(world, *, day=3, summary="研究用工难题。", invitees=2, decisions=1):
    starts = dt.datetime(2026, 11, day, 9, 0, tzinfo=SHANGHAI)
    meeting = factories.MeetingFactory(
        alliance=world.alliance,
        title=f"11月{day}日党委会议",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        chair_name="王书记",
        host_enterprise=world.lead,
        summary=summary,
        state=Meeting.State.HELD,
    )
    factories.AgendaItemFactory(meeting=meeting, position=1, title="用工难题会商")
    factories.AgendaItemFactory(meeting=meeting, position=2, title=EVIL)
    for index in range(invitees):
        factories.InvitationFactory(
            meeting=meeting,
            enterprise=world.member,
            attendance=Invitation.Attendance.PRESENT if index == 0 else Invitation.Attendance.ABSENT,
        )
    for _ in range(decisions):
        factories.DecisionFactory(meeting=meeting, owner_department=world.department, text=EVIL)
    return meeting


def need(world, *, filed_at, closed_at=None, title="急需熟练挡车工"):
    return Need.objects.create(
        number=f"XQ-M-{next(_numbers):06d}",
        enterprise=world.member,
        alliance=world.alliance,
        region=world.county,
        category=Need.Category.LABOR,
        state=Need.State.CLOSED if closed_at else Need.State.ACCEPTED,
        title=title,
        description="",
        contact_name="联系人",
        contact_phone="13800000000",
        filed_at=filed_at,
        closed_at=closed_at,
    )


def workbook_of(scope):
    buffer = io.BytesIO()
    exporters.write_minutes(scope, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def values(sheet, row):
    return [cell.value for cell in sheet[row]]


def test_the_workbook_has_four_ledgers_with_titles_headers_rows_and_real_dates(world, personas):
    meeting_in_november(world)
    need(world, filed_at=dt.datetime(2026, 11, 5, 9, tzinfo=SHANGHAI))
    need(
        world,
        filed_at=dt.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI),
        closed_at=dt.datetime(2026, 11, 20, tzinfo=SHANGHAI),
    )
    need(world, filed_at=dt.datetime(2026, 10, 6, 9, tzinfo=SHANGHAI), title="十月的诉求")  # not this month
    scope = exporters.minutes_scope_for_user(user=fresh(personas.org_staff), year=2026, month=11)
    book = workbook_of(scope)
    assert book.sheetnames == ["会议台账", "参会情况", "议定事项", "本月诉求", "走访台账"]  # guides adds its ledger

    ledger = book["会议台账"]
    assert ledger["A1"].value == "汶上县产业链党委会议台账（2026年11月）"
    assert "A1:K1" in {str(r) for r in ledger.merged_cells.ranges}
    assert ledger["A2"].value == "填报单位：汶上县委组织部" and ledger["G2"].value == "填报日期：2026年12月10日"
    assert values(ledger, 3) == [
        "序号",
        "产业链党委",
        "会议类型",
        "日期",
        "地点",
        "主持人",
        "承办企业",
        "应到",
        "实到",
        "议题",
        "纪要摘要",
    ]
    row = values(ledger, 4)
    assert row[:9] == [
        1,
        "汶上县纺织服装产业链党委",
        "党委会议",
        dt.datetime(2026, 11, 3),
        "党群服务中心二楼会议室",
        "王书记",
        "鸿瑞轩服饰有限公司",
        2,
        1,
    ]
    assert row[9] == f"1. 用工难题会商\n2. {EVIL}" and row[10] == "研究用工难题。"
    assert ledger["D4"].is_date and ledger.print_title_rows == "$3:$3" and ledger.freeze_panes == "A4"
    assert ledger["A6"].value.startswith("填报人：")

    attendance = book["参会情况"]
    assert values(attendance, 3)[:5] == ["序号", "产业链党委", "会议", "日期", "姓名"]
    assert [values(attendance, r)[8] for r in (4, 5)] == ["出席", "缺席"]
    assert values(attendance, 4)[5] == "新花源纺织有限公司"

    decisions = book["议定事项"]
    assert values(decisions, 3)[4:8] == ["议定事项", "责任单位（人）", "办理时限（工作日）", "办结期限"]
    assert values(decisions, 4)[5] == "汶上县人力资源和社会保障局" and decisions["H4"].is_date
    assert values(decisions, 4)[8] == "办理中"

    needs = book["本月诉求"]
    rows = [values(needs, r) for r in (4, 5)]
    assert [(r[2], r[9]) for r in rows] == [
        ("汶上县纺织服装产业链党委", "本月销号"),
        ("汶上县纺织服装产业链党委", "本月提交"),
    ]
    assert needs["I4"].is_date and needs["A6"].value is None  # two rows, then the blank before the signature


def test_text_users_typed_is_never_a_formula(world, personas):
    meeting_in_november(world, summary=EVIL)
    book = workbook_of(exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    assert book["会议台账"]["K4"].value == EVIL and book["会议台账"]["K4"].quotePrefix


def test_queries_do_not_grow_with_the_number_of_meetings(world, personas, monkeypatch):
    # Rows are streamed in chunks of three here, so anything read per chunk (as the decisions' linked
    # needs once were) would show as more queries for more meetings.
    monkeypatch.setattr(exporters, "CHUNK_SIZE", 3)

    def queries(meetings):
        for day in range(1, meetings + 1):
            meeting = meeting_in_november(world, day=day, invitees=3, decisions=2)
            filed = need(world, filed_at=dt.datetime(2026, 11, day, 12, tzinfo=SHANGHAI))
            Need.objects.filter(pk=filed.pk).update(decision=meeting.decisions.first())
        scope = exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            book = io.BytesIO()
            exporters.write_minutes(scope, book)
        book.seek(0)
        sheet = openpyxl.load_workbook(book)["议定事项"]
        linked = values(sheet, 3).index("转办诉求编号")
        numbers = [values(sheet, row)[linked] for row in range(4, 4 + 2 * meetings)]
        assert sum(number is not None for number in numbers) == meetings  # the linked needs are listed
        # Reads only: each sheet streamed from the database runs in a transaction of its own
        # (SAVEPOINT/RELEASE here, BEGIN/COMMIT in production), which is not a read.
        control = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")
        statements = [query["sql"].lstrip().upper() for query in captured.captured_queries]
        transactions = sum(sql.startswith(control) for sql in statements)
        # Two per sheet at most (its savepoint and release), never per row or per chunk.
        assert transactions <= 2 * len(book_sheets(book)), statements
        return len(statements) - transactions

    def book_sheets(book):
        book.seek(0)
        return openpyxl.load_workbook(book, read_only=True).sheetnames

    few = queries(2)
    Need.objects.all().delete()
    Meeting.objects.all().delete()
    many = queries(12)
    assert few == many <= 6


def test_a_month_in_the_future_is_refused_in_chinese(world, personas):
    with pytest.raises(Exception) as refused:
        exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2027, month=1)
    assert "2027年1月尚未到来" in " ".join(refused.value.messages)
    # The current month (still running) may be exported.
    exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=12)


def test_a_month_without_meetings_says_so(world, personas):
    factories.MeetingFactory(
        alliance=world.alliance,
        starts_at=dt.datetime(2026, 11, 4, 9, tzinfo=SHANGHAI),
        ends_at=dt.datetime(2026, 11, 4, 11, tzinfo=SHANGHAI),
        state=Meeting.State.CANCELLED,
        cancel_reason="改期",
    )
    book = workbook_of(exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11))
    assert book["会议台账"]["A4"].value == "本月无会议。"
    assert book["参会情况"]["A4"].value == "本月无会议，无参会记录。"
    assert book["议定事项"]["A4"].value == "本月无议定事项。"
    assert book["本月诉求"]["A4"].value == "本月无新提交或销号的诉求。"


def test_the_command_writes_the_file_and_refuses_bad_months(world, tmp_path):
    meeting_in_november(world)
    target = tmp_path / "minutes.xlsx"
    call_command("export_minutes", "--month", "2026-11", "--alliance", str(world.alliance.pk), "-o", str(target))
    assert openpyxl.load_workbook(target)["会议台账"]["B4"].value == "汶上县纺织服装产业链党委"
    assert AuditLog.objects.filter(action=AuditLog.Action.EXPORT).count() == 1
    for month in ("2026-13", "十一月", "2027-02"):
        with pytest.raises(CommandError):
            call_command("export_minutes", "--month", month, "-o", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


# -- the download --------------------------------------------------------------------------------------
def export_url(**params):
    from urllib.parse import urlencode

    return (
        f"{reverse('alliances:minutes_export')}?{urlencode(params)}" if params else reverse("alliances:minutes_export")
    )


@pytest.mark.parametrize("who", ["secretary", "org_staff"])
def test_managers_download_the_workbook_and_it_is_audited(world, personas, client_for, who):
    meeting_in_november(world)
    response = client_for(getattr(personas, who)).get(export_url(month="2026-11", alliance=world.alliance.pk))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["会议台账"]["A1"].value == "汶上县纺织服装产业链党委会议台账（2026年11月）"
    record = AuditLog.objects.get(action=AuditLog.Action.EXPORT)
    assert record.data["alliance_id"] == world.alliance.pk and record.data["rows"]["minutes_meetings"] == 1
    assert record.region_path == world.county.path


@pytest.mark.parametrize("who", ["enterprise_secretary", "handler", "guide", "leader"])
def test_members_who_do_not_run_meetings_get_403(world, personas, client_for, who):
    client = client_for(getattr(personas, who))
    assert client.get(export_url()).status_code == 403
    assert client.get(export_url(month="2026-11", alliance=world.alliance.pk)).status_code == 403


def test_an_alliance_the_user_cannot_see_is_404(world, personas, client_for):
    client = client_for(personas.outsider)
    assert client.get(export_url()).status_code == 403
    client = client_for(personas.secretary)
    other = factories.AllianceFactory(region=world.other_county)
    assert client.get(export_url(month="2026-11", alliance=other.pk)).status_code == 404
    assert client.get(export_url(month="2026-11", alliance="abc")).status_code == 404


def test_the_form_shows_the_refusal_of_a_future_month(world, personas, client_for):
    response = client_for(personas.org_staff).get(export_url(month="2027-03"))
    assert response.status_code == 400
    assert "2027年3月尚未到来" in response.content.decode()
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_a_big_month_runs_in_the_background_with_progress_and_a_checked_expiring_link(
    world, personas, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from alliances.meetings import export_views

    monkeypatch.setattr(export_views, "SYNC_MAX_MEETINGS", 1)
    meeting_in_november(world, day=3)
    meeting_in_november(world, day=10)
    client = client_for(personas.org_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(export_url(month="2026-11"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "alliances:minutes_export_job", args=[job.pk]
    )
    assert job.state == ExportJob.State.DONE and job.progress == 100 and job.rows["minutes_meetings"] == 2
    assert "下载 Excel" in client.get(response["Location"]).content.decode()

    download = reverse("alliances:minutes_export_download", args=[job.pk])
    body = b"".join(client.get(download).streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(body))["会议台账"]["A5"].value == 2
    assert client_for(personas.secretary).get(download).status_code == 404  # not a viewer of this job

    client = client_for(personas.org_staff)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=NOW - dt.timedelta(seconds=1))
    assert client.get(download).status_code == 410


def test_beat_makes_last_months_workbook_for_each_organisation_department_once(
    world, personas, clock, django_capture_on_commit_callbacks
):
    meeting_in_november(world)
    clock.move_to(dt.datetime(2026, 12, 1, 6, 30, tzinfo=SHANGHAI))  # a Tuesday: December's first working day
    with django_capture_on_commit_callbacks(execute=True):
        assert export_monthly_minutes.delay().get() == 1
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.DONE and job.params["region_id"] == world.county.pk
    assert list(job.viewers.all()) == [personas.org_staff]
    note = Notification.objects.get(recipient=personas.org_staff, kind="minutes_export")
    assert note.url == reverse("alliances:minutes_export_job", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert export_monthly_minutes.delay().get() == 0  # beat firing again makes nothing twice
    clock.move_to(dt.datetime(2026, 12, 2, 6, 30, tzinfo=SHANGHAI))
    assert export_monthly_minutes.delay().get() == 0  # not the first working day
    assert ExportJob.objects.count() == 1 and Notification.objects.filter(kind="minutes_export").count() == 1


def test_the_first_working_day_follows_the_calendar():
    assert exporters.is_first_workday_of_month(dt.date(2026, 11, 2))  # 1 November 2026 is a Sunday
    assert not exporters.is_first_workday_of_month(dt.date(2026, 11, 1))
    assert not exporters.is_first_workday_of_month(dt.date(2026, 11, 3))


def test_a_decision_turned_into_a_need_names_the_need(world, personas):
    meeting = meeting_in_november(world, decisions=2)
    turned, _kept = meeting.decisions.order_by("position", "pk")
    linked = need(world, filed_at=dt.datetime(2026, 11, 4, 9, tzinfo=SHANGHAI))
    Need.objects.filter(pk=linked.pk).update(decision=turned)
    book = workbook_of(exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11))
    sheet = book["议定事项"]
    header = values(sheet, 3)
    column = header.index("转办诉求编号")
    assert [values(sheet, row)[column] for row in (4, 5)] == [linked.number, None]


def test_the_decisions_sheet_shows_the_columns_of_chainparty_links_and_none_without_a_provider(
    world, personas, monkeypatch
):
    from chainparty import links

    meeting = meeting_in_november(world, decisions=2)
    first, second = meeting.decisions.order_by("position", "pk")
    scope = exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11)
    registry = links.LinkRegistry()
    registry._discovered = True  # only what this test registers
    monkeypatch.setattr(links, "registry", registry)
    assert "转办诉求编号" not in values(workbook_of(scope)["议定事项"], 3)  # nothing fills it: no column

    calls = []

    def provider(ids):
        calls.append(ids)
        record = links.LinkedRecord("task", "任务", 1, "RW-1", "", "", "", False, "")
        return {first.pk: [record, dataclasses.replace(record, label="RW-2")]}

    def owners():  # a column read in the decisions' own query, beside the one the provider fills
        return Case(When(pk=second.pk, then=Value("责任人")), default=None, output_field=CharField())

    registry.register("alliances.decision", provider, column="关联任务")
    registry.register("alliances.decision", lambda ids: {}, column="关联责任人", column_value=owners)
    sheet = workbook_of(scope)["议定事项"]
    tasks, people = values(sheet, 3).index("关联任务"), values(sheet, 3).index("关联责任人")
    assert [values(sheet, row)[tasks] for row in (4, 5)] == ["RW-1、RW-2", None]
    assert [values(sheet, row)[people] for row in (4, 5)] == [None, "责任人"]
    assert calls == [sorted([first.pk, second.pk])]  # one call for the chunk of decisions


def test_a_column_given_as_an_expression_is_read_without_calling_its_provider(world, personas, monkeypatch):
    from chainparty import links

    meeting = meeting_in_november(world, decisions=2)
    first, _second = meeting.decisions.order_by("position", "pk")
    registry = links.LinkRegistry()
    registry._discovered = True
    monkeypatch.setattr(links, "registry", registry)
    calls = []

    def tasks():  # the texts of the records, as a subquery correlated with the decision would give
        return Case(When(pk=first.pk, then=Value("RW-1、RW-2")), default=None, output_field=CharField())

    registry.register("alliances.decision", calls.append, column="关联任务", column_value=tasks)
    sheet = workbook_of(exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11))["议定事项"]
    column = values(sheet, 3).index("关联任务")
    assert [values(sheet, row)[column] for row in (4, 5)] == ["RW-1、RW-2", None]
    assert calls == []
    with pytest.raises(ValueError):
        registry.register("alliances.decision", calls.append, column_value=tasks)  # a value needs its heading


# -- background jobs always end done or failed -----------------------------------------------------------
def background_job(scope, *, owner):
    from chainparty.exporters import export_job_create

    job, _created = export_job_create(
        workbook=exporters.WORKBOOK, params=scope.params, filename=scope.filename(), owner=owner
    )
    return job


def end_secretary_seat(world, personas):
    from alliances import services
    from alliances.models import CommitteeSeat

    seat = CommitteeSeat.objects.get(alliance=world.alliance, user=personas.secretary)
    services.seat_end(seat=seat, term_end=dt.date(2026, 12, 1))


def test_a_job_abandoned_by_a_dead_worker_is_claimed_again_after_the_time_limit(world, personas, clock):
    from alliances.tasks import export_minutes_job
    from chainparty.exporters import export_job_claim, export_job_stale_after

    meeting_in_november(world)
    job = background_job(
        exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11), owner=personas.org_staff
    )
    assert export_job_claim(job.pk)  # the worker claims it, then is killed before writing
    assert export_minutes_job.delay(job.pk).get() is False  # redelivered at once: still running elsewhere
    clock.shift(export_job_stale_after() + dt.timedelta(seconds=1))
    assert export_minutes_job.delay(job.pk).get() is True
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.rows["minutes_meetings"] == 1


def test_a_scope_that_cannot_be_built_again_fails_the_job_with_a_chinese_reason(world, personas, client_for):
    from alliances.tasks import export_minutes_job

    scope = exporters.minutes_scope_for_user(user=fresh(personas.secretary), year=2026, month=11)
    job = background_job(scope, owner=personas.secretary)
    end_secretary_seat(world, personas)  # the seat ended between the request and the worker
    with pytest.raises(PermissionDenied):
        export_minutes_job.delay(job.pk).get()
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED and job.finished_at is not None
    assert job.error.startswith("无权导出：只有联盟书记、联络员或组织部工作人员")

    gone = background_job(
        exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11), owner=personas.org_staff
    )
    ExportJob.objects.filter(pk=gone.pk).update(params={**gone.params, "alliance_id": 999999})
    with pytest.raises(Alliance.DoesNotExist):
        export_minutes_job.delay(gone.pk).get()
    gone.refresh_from_db()
    assert gone.state == ExportJob.State.FAILED and gone.error == "导出范围中的联盟、地区或人员已不存在。"


def test_the_job_page_shows_the_failure_and_its_reason_in_chinese(world, personas, client_for):
    job = background_job(
        exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11), owner=personas.org_staff
    )
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.FAILED, error="导出范围中的联盟、地区或人员已不存在。"
    )
    page = client_for(personas.org_staff).get(reverse("alliances:minutes_export_job", args=[job.pk])).content.decode()
    assert "生成失败" in page and "失败原因：导出范围中的联盟、地区或人员已不存在。" in page
    assert 'http-equiv="refresh"' not in page


def test_the_sweep_queues_jobs_left_waiting_and_fails_those_out_of_chances(
    world, personas, clock, django_capture_on_commit_callbacks
):
    from chainparty.exporters import EXPORT_JOB_GIVE_UP_AFTER, export_job_claim, export_job_stale_after
    from chainparty.tasks import sweep_export_jobs

    meeting_in_november(world)
    clock.move_to(dt.datetime(2026, 12, 1, 6, 30, tzinfo=SHANGHAI))
    # The broker is down when beat runs: the job is created, its task never reaches a worker.
    exporters.monthly_jobs_create(today=dt.date(2026, 12, 1))
    monthly = ExportJob.objects.get()
    assert monthly.state == ExportJob.State.PENDING
    assert sweep_export_jobs.delay().get() == {"requeued": 0, "failed": 0}  # just created: a worker may come
    clock.shift(dt.timedelta(minutes=6))
    assert sweep_export_jobs.delay().get() == {"requeued": 1, "failed": 0}
    monthly.refresh_from_db()
    assert monthly.state == ExportJob.State.DONE
    assert Notification.objects.filter(recipient=personas.org_staff, kind="minutes_export").count() == 1

    # A running job whose worker died is queued again once stale; one that never succeeds is failed.
    abandoned = background_job(
        exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11), owner=personas.org_staff
    )
    assert export_job_claim(abandoned.pk)
    clock.shift(export_job_stale_after() + dt.timedelta(seconds=1))
    assert sweep_export_jobs.delay().get()["requeued"] == 1
    abandoned.refresh_from_db()
    assert abandoned.state == ExportJob.State.DONE

    stuck = background_job(
        exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11), owner=personas.org_staff
    )
    assert export_job_claim(stuck.pk)
    clock.shift(EXPORT_JOB_GIVE_UP_AFTER + dt.timedelta(seconds=1))
    assert sweep_export_jobs.delay().get() == {"requeued": 0, "failed": 1}
    stuck.refresh_from_db()
    assert stuck.state == ExportJob.State.FAILED and "多次尝试后仍未生成" in stuck.error


def test_all_my_alliances_is_not_downloaded_by_its_owner_once_their_seat_ended(
    world, personas, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from alliances.meetings import export_views

    monkeypatch.setattr(export_views, "SYNC_MAX_MEETINGS", 0)
    meeting_in_november(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.secretary).get(export_url(month="2026-11"))
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.DONE and job.params["user_id"] == personas.secretary.pk
    page = reverse("alliances:minutes_export_job", args=[job.pk])
    download = reverse("alliances:minutes_export_download", args=[job.pk])
    assert response["Location"] == page
    assert client_for(personas.secretary).get(download).status_code == 200

    end_secretary_seat(world, personas)
    client = client_for(personas.secretary)
    assert client.get(page).status_code == 404
    assert client.get(download).status_code == 404


def test_the_ledgers_words_go_through_gettext(world, personas, monkeypatch):
    from django.utils import translation

    catalog = {
        "填报人：                    审核人：                    ": "Filled by:    Checked by:",
        "会议台账": "Minutes",
        "参会情况": "Attendance",
        "议定事项": "Decisions",
        "本月诉求": "Needs",
        "%(heading)s%(what)s（%(month)s）": "%(heading)s %(what)s (%(month)s)",
        "%(heading)s会议台账-%(year)d%(month)02d": "%(heading)s-minutes-%(year)d%(month)02d",
        "%(year)d年%(month)d月%(day)d日": "%(year)d-%(month)02d-%(day)02d",
    }
    real = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda message: catalog.get(message) or real(message))
    meeting_in_november(world)
    scope = exporters.minutes_scope_for_alliance(alliance=world.alliance, year=2026, month=11)
    assert scope.filename() == f"{world.alliance.name}-minutes-202611"
    book = workbook_of(scope)
    titles = [book.worksheets[index]["A1"].value for index in range(4)]
    assert titles == [
        f"{world.alliance.name} {what} (2026年11月)" for what in ("Minutes", "Attendance", "Decisions", "Needs")
    ]
    sheet = book.worksheets[0]
    assert "2026-12-10" in " ".join(str(cell.value) for cell in sheet[2] if cell.value)
    assert any(row[0].value == "Filled by:    Checked by:" for row in sheet.iter_rows() if row)
