"""Story 4 in a real browser, from the demo data (`manage.py load_demo`): Wenshang's textile committee
meets; members get a reminder the day before, sent by a real Celery worker's sweep; an invitee
answers on a phone; after the meeting the secretary records attendance, files the minutes and a
decision, turns the decision into a need; the organisation department downloads the month's
workbook, read back here with openpyxl.

The clock: the meeting is set three working days ahead; the test then moves its clock (time-machine,
ticking, so the live server's thread moves with it) to the working day before at 16:01, starts a
Celery worker whose clock starts at the same moment (tests/clock_worker.py) and queues the sweep as
beat does; later it moves to the meeting's day after it ended. Every step a person takes is done in
Chromium; the database is read to check what the pages say.
"""

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import redis
import time_machine
from celery import Celery
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from alliances.meetings import reminders
from alliances.models import Alliance, Decision, Department, Enterprise, Invitation, Meeting
from chainparty import workdays
from chainparty.models import DueItem, Notification
from demands.models import Need
from tests import worker_settings
from tests.chainparty.test_sweeps_worker import _database_url, _forget_queue
from tests.conftest import need_service

from .conftest import expect_flash, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[2]
PHONE = {"width": 360, "height": 800}
TITLE = "纺织企业用工专题协商会"
AGENDA = ["通报纺织企业缺工情况", "研究技工院校订单培养", "部署下月招聘活动"]
DECISION_NEED = "新花源纺织缺熟练挡车工60名，由县人社局对接技工院校订单培养"
DECISION_LIST = "各成员企业报送下季度用工计划"
DAY_BEFORE = reminders.MEETING_REMINDER + "1d@16:00"
WORKER = [sys.executable, "-m", "tests.clock_worker", "-A", "chainparty", "worker", "--pool=solo"]
WORKER += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
LEDGER = ["序号", "产业链党委", "会议类型", "日期", "地点", "主持人", "承办企业", "应到", "实到", "议题", "纪要摘要"]
DECISIONS = ["序号", "产业链党委", "会议", "会议日期", "议定事项", "责任单位（人）", "办理时限（工作日）"]
DECISIONS += ["办结期限", "状态"]
MINUTES = ["新花源、鸿瑞轩等企业共缺工约150人。", "人社局介绍济宁技师学院订单班方案。", "下月举办纺织专场招聘会。"]


def _local(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _services():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        need_service("Redis (REDIS_URL) for the real Celery worker that sends the reminders")
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL): the worker shares the test database")
    broker = redis.Redis.from_url(redis_url)
    try:
        broker.ping()
    except redis.ConnectionError:
        need_service(f"Redis at {redis_url} for the real Celery worker")
    return redis_url, broker


def _sweep_through_a_worker(*, redis_url, broker, clock, log_dir, done):
    """Queue chainparty.tasks.sweep_due_items as beat does, for a `celery worker` whose clock reads
    `clock`, and wait until `done()`; the worker is stopped (warm) afterwards."""
    sender = Celery("story-4-beat", broker=redis_url, set_as_current=False)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(BASE_DIR),
        "SWEEP_TEST_CHANNEL_LOG": str(log_dir / "channel.log"),
        "CHAINPARTY_TEST_CLOCK": clock.isoformat(),
    }
    log = log_dir / "worker.log"
    _forget_queue(sender, broker)
    sender.send_task("chainparty.tasks.sweep_due_items", queue=worker_settings.QUEUE)
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [*WORKER, "-Q", worker_settings.QUEUE, "-n", "story-4@%h"],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (done() and broker.llen(worker_settings.QUEUE) == 0):
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not send the reminders:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
    finally:
        worker.terminate()  # warm shutdown: the task under way finishes and is acked
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        _forget_queue(sender, broker)


def _no_sideways_scroll(page):
    width, visible = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"{page.url} scrolls sideways: {width} px wide in a {visible} px screen"


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_story_4_meeting_reminded_answered_minuted_and_exported(login, page, phone, live_server, tmp_path):
    redis_url, broker = _services()
    call_command("load_demo", stdout=io.StringIO())
    url = live_server.url
    alliance = Alliance.objects.get(name="汶上县纺织服装产业链党委")
    hr = Department.objects.get(name="汶上县人力资源和社会保障局")
    xinhuayuan = Enterprise.objects.get(name="山东新花源纺织有限公司")
    # The demo's schedule: its next meeting is on the first working day of a coming month at 09:00.
    upcoming = alliance.meetings.filter(schedule__isnull=False, starts_at__gt=timezone.now()).order_by("starts_at")
    assert upcoming.exists()
    first = timezone.localtime(upcoming.first().starts_at)
    assert first.time() == dt.time(9, 0)
    assert first.date() == workdays.add_workdays(first.date().replace(day=1) - dt.timedelta(days=1), 1)

    day = workdays.add_workdays(timezone.localdate(), 3)
    eve = reminders.workdays_before(day, 1)

    # 1. The committee's secretary schedules a meeting from the alliance's calendar.
    login("textile_secretary")
    page.goto(f"{url}/alliances/{alliance.pk}/meetings/?month={day:%Y-%m}")
    expect(page.locator("main")).to_contain_text("党委会议")  # the schedule's occurrences are on the calendar
    page.click("#schedule-meeting")
    page.select_option("#id_kind", "consultation")
    page.fill("#id_title", TITLE)
    page.fill("#id_starts_at", f"{day:%Y-%m-%d}T09:00")
    page.fill("#id_ends_at", f"{day:%Y-%m-%d}T11:00")
    page.fill("#id_place_address", "汶上县纺织服装产业园党群服务中心")
    page.select_option("#id_chair", label="王纺织")
    page.select_option("#id_recorder", label="周金融")
    page.locator("#id_invited_departments").get_by_label(hr.name).check()
    page.fill("#id_agenda", "\n".join(AGENDA))
    page.click("#meeting-form button[type=submit]")
    expect_flash(page, "会议已安排，已向参会人员发送通知。")
    meeting = Meeting.objects.get(alliance=alliance, title=TITLE)
    assert timezone.localtime(meeting.starts_at) == _local(day, 9)
    invitation = meeting.invitations.get(user__username="hongruixuan")
    assert meeting.invitations.filter(user__username="ws_hr_handler").exists()
    reminded = set(meeting.invitations.exclude(user=None).values_list("user_id", flat=True))
    source = reminders.meeting_source(meeting.pk)
    assert set(DueItem.objects.filter(source_key=source, kind=DAY_BEFORE).values_list("recipient_id", flat=True)) == (
        reminded
    )

    with time_machine.travel(_local(eve, 16, 1), tick=True) as clock:
        # 2. The working day before at 16:00 beat's sweep runs in the worker: one reminder each.
        def sent():
            return (
                not DueItem.objects.filter(source_key=source, kind=DAY_BEFORE)
                .exclude(status=DueItem.Status.DELIVERED)
                .exists()
            )

        _sweep_through_a_worker(redis_url=redis_url, broker=broker, clock=timezone.now(), log_dir=tmp_path, done=sent)
        notes = Notification.objects.filter(title=f"会议提醒：{TITLE}")
        assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(reminded)

        # 3. An enterprise's Party secretary, on a 360 px phone, opens the reminder and answers.
        phone.goto(f"{url}/accounts/login/")
        phone.fill("#id_username", "hongruixuan")
        phone.fill("#id_password", "Demo@2026")
        phone.click("button[type=submit]")
        phone.wait_for_url(f"{url}/")
        expect(phone.locator("#unread-count")).to_be_visible()
        phone.click("#notification-bell")
        phone.wait_for_url(f"{url}/notifications/")
        _no_sideways_scroll(phone)
        reminder = phone.locator(".list-group-item").filter(has_text=f"会议提醒：{TITLE}")
        expect(reminder).to_have_count(1)
        expect(reminder).to_contain_text("请准时参加")
        reminder.click()
        phone.wait_for_url(f"{url}{meeting.get_absolute_url()}")
        _no_sideways_scroll(phone)
        answer = phone.locator("#my-answer form.answer-form")
        answer.get_by_text("委托他人", exact=True).click()
        answer.get_by_placeholder("代参会人姓名").fill("孔令军")
        answer.get_by_role("button", name="提交答复").click()
        expect_flash(phone, f"已答复：{TITLE}")
        expect(phone.locator("#my-answer")).to_contain_text("孔令军")
        _no_sideways_scroll(phone)
        screenshot(phone, "story-4-answered-on-phone")
        invitation.refresh_from_db()
        assert invitation.answer == Invitation.Answer.SUBSTITUTE and invitation.substitute_name == "孔令军"

        # 4. After the meeting the secretary records attendance and files the minutes and decisions.
        clock.move_to(_local(day, 11, 30))
        login("textile_secretary")
        page.goto(f"{url}/alliances/{alliance.pk}/meetings/?month={day:%Y-%m}")
        page.locator("main").get_by_role("link", name=TITLE).first.click()
        page.wait_for_url(f"{url}{meeting.get_absolute_url()}")
        page.get_by_role("link", name="登记出席").click()
        absent = meeting.invitations.filter(user=None).order_by("pk").first()
        substitute = page.locator(f"select[name=attendance-{invitation.pk}]")
        expect(substitute).to_have_value(Invitation.Attendance.SUBSTITUTE)  # preselected from the answer
        page.select_option(f"select[name=attendance-{absent.pk}]", Invitation.Attendance.ABSENT)
        page.click("#attendance-form button[type=submit]")
        expect_flash(page, "出席情况已登记。")
        invitations = meeting.invitations.count()
        expect(page.locator("#attendance-figures")).to_contain_text(f"{invitations} / {invitations - 1}")

        page.get_by_role("link", name="归档纪要").click()
        page.fill("#id_summary", "会议研究了纺织企业用工问题，明确由人社部门对接技工院校订单培养。")
        items = list(meeting.agenda_items.order_by("position"))
        for item, text in zip(items, MINUTES, strict=True):
            page.fill(f"#id_minutes-{item.pk}", text)
        page.fill("#id_decisions-0-text", DECISION_NEED)
        page.select_option("#id_decisions-0-department", str(hr.pk))
        page.fill("#id_decisions-0-due_workdays", "10")
        page.fill("#id_decisions-1-text", DECISION_LIST)
        page.select_option("#id_decisions-1-enterprise", str(xinhuayuan.pk))
        page.fill("#id_decisions-1-due_workdays", "5")
        page.click("#minutes-form button[type=submit]")
        expect_flash(page, "会议纪要已归档。")
        meeting.refresh_from_db()
        assert meeting.state == Meeting.State.MINUTES_FILED
        decision = meeting.decisions.get(text=DECISION_NEED)
        assert decision.owner_department == hr and decision.due_date == workdays.add_workdays(day, 10)

        # 5. The decision becomes a need in one step (the department owns it: the need is the enterprise's).
        row = page.locator("#decisions tbody tr").filter(has_text=DECISION_NEED)
        row.locator("select[name=enterprise]").select_option(str(xinhuayuan.pk))
        row.get_by_role("button", name="转为需求").click()
        expect_flash(page, "议定事项已转为需求。")
        need = Need.objects.get(decision=decision)
        assert need.source == Need.Source.MEETING and need.enterprise == xinhuayuan and need.alliance == alliance
        page.wait_for_url(f"{url}{need.get_absolute_url()}")
        expect(page.locator(".timeline")).to_contain_text(TITLE)
        page.goto(f"{url}{meeting.get_absolute_url()}")
        row = page.locator("#decisions tbody tr").filter(has_text=DECISION_NEED)
        linked = row.locator(".decision-need a")
        expect(linked).to_contain_text(need.number)
        expect(row.get_by_role("button", name="转为需求")).to_have_count(0)  # one need per decision
        linked.click()
        page.wait_for_url(f"{url}{need.get_absolute_url()}")
        screenshot(page, "story-4-need-from-decision")

        # 6. The organisation department downloads the month's workbook from the region's meeting list.
        login("org_admin")
        page.locator("#nav-meetings").click()
        page.get_by_role("link", name="全区会议").click()
        page.get_by_role("link", name="导出会议台账").click()
        expect(page.locator("#id_month")).to_have_value(f"{day:%Y-%m}")
        page.select_option("#id_alliance", str(alliance.pk))
        with page.expect_download() as download:
            page.get_by_role("button", name="导出 Excel").click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)

    _check_workbook(path, meeting=Meeting.objects.get(pk=meeting.pk), need=Need.objects.get(pk=need.pk), day=day)


def _table(sheet, header):
    """(headers, rows) under the sheet's header row, which starts with `header`."""
    rows = list(sheet.iter_rows(values_only=True))
    at = next(n for n, row in enumerate(rows) if row and row[0] == header)
    headers = [h for h in rows[at] if h is not None]
    return headers, [row for row in rows[at + 1 :] if row and isinstance(row[0], int)]


def _check_workbook(path, *, meeting, need, day):
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["会议台账", "参会情况", "议定事项", "本月诉求", "走访台账"]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
    alliance = meeting.alliance.name
    assert (
        alliance in workbook["会议台账"]["A1"].value
        and f"{day.year}年{day.month}月" in workbook["会议台账"]["A1"].value
    )

    headers, rows = _table(workbook["会议台账"], "序号")
    assert headers == [
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
    ours = [dict(zip(headers, row, strict=False)) for row in rows if row[9] and AGENDA[0] in row[9]]
    assert len(ours) == 1
    ledger = ours[0]
    invitations = meeting.invitations.count()
    assert ledger["产业链党委"] == alliance and ledger["会议类型"] == "专题协商会" and ledger["主持人"] == "王纺织"
    assert isinstance(ledger["日期"], dt.datetime) and ledger["日期"].date() == day
    assert (ledger["应到"], ledger["实到"]) == (invitations, invitations - 1)
    assert ledger["议题"].splitlines() == [f"{n}. {title}" for n, title in enumerate(AGENDA, 1)]
    assert ledger["纪要摘要"] == meeting.summary

    headers, rows = _table(workbook["参会情况"], "序号")
    assert headers[:4] == ["序号", "产业链党委", "会议", "日期"] and "出席情况" in headers
    attendance = [dict(zip(headers, row, strict=False)) for row in rows if row[2] == TITLE]
    assert len(attendance) == invitations
    substitute = next(row for row in attendance if row["代参会人"] == "孔令军")
    assert substitute["答复"] == "委托他人" and substitute["出席情况"] == "代为出席"
    assert sorted(row["出席情况"] for row in attendance).count("缺席") == 1
    assert all(isinstance(row["日期"], dt.datetime) for row in attendance)

    headers, rows = _table(workbook["议定事项"], "序号")
    assert headers[:9] == [
        "序号",
        "产业链党委",
        "会议",
        "会议日期",
        "议定事项",
        "责任单位（人）",
        "办理时限（工作日）",
        "办结期限",
        "状态",
    ]
    decisions = {row[4]: dict(zip(headers, row, strict=False)) for row in rows if row[2] == TITLE}
    assert set(decisions) == {f"1. {DECISION_NEED}", f"2. {DECISION_LIST}"}
    to_need = decisions[f"1. {DECISION_NEED}"]
    assert to_need["责任单位（人）"] == "汶上县人力资源和社会保障局" and to_need["办理时限（工作日）"] == 10
    assert to_need["办结期限"].date() == Decision.objects.get(text=DECISION_NEED).due_date
    assert need.number in [value for value in to_need.values() if isinstance(value, str)]

    headers, rows = _table(workbook["本月诉求"], "序号")
    filed = [row for row in rows if need.number in row]
    assert len(filed) == 1 and need.title in filed[0]
