"""Meetings in a real Chromium: an invitee answers from 我的会议 on a 360 × 800 phone without sideways
scrolling, and the meeting page prints as one A4 会议记录."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances.meetings import services
from alliances.meetings.services import DecisionDraft
from alliances.models import Invitation

from .conftest import expect_flash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
SOON = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=10), dt.time(9, 0)))
A4_POINTS = (595.28, 841.89)


def schedule(world, personas, *, starts_at, title):
    return services.meeting_schedule(
        actor=personas.secretary,
        alliance=world.alliance,
        kind="committee",
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place_address="汶上经济开发区党群服务中心二楼会议室",
        chair=personas.secretary,
        recorder=personas.org_staff,
        invited_departments=[world.department],
        agenda=["通报上月诉求办理情况", "研究纺织企业用工难题", "部署下月工作"],
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def assert_no_sideways_scroll(page):
    width, visible = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"{page.url} scrolls sideways: {width} px wide in a {visible} px screen"


def test_invitee_answers_from_my_meetings_on_a_phone(phone, live_server, world, personas):
    meeting = schedule(world, personas, starts_at=SOON, title="十二月党委会议")
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    page = phone

    # Log in on the phone, open the menu, go to 我的会议.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", personas.enterprise_secretary.username)
    page.fill("#id_password", "Demo@2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click(".navbar-toggler")
    page.locator("#nav-meetings").click()
    page.wait_for_url(f"{live_server.url}/meetings/mine/")
    assert_no_sideways_scroll(page)

    # A card, not a table row: no header; the answer buttons fit the screen.
    expect(page.locator("#upcoming-meetings thead")).to_be_hidden()
    card = page.locator(f"#invitation-{invitation.pk}")
    expect(card).to_contain_text("十二月党委会议")
    form = card.locator("form.answer-form")
    for label in ("参加", "委托他人", "请假"):
        box = form.get_by_text(label, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)

    # 请假 without a reason: the service's message on the form, nothing saved.
    reason = form.get_by_placeholder("请假原因")
    expect(reason).to_be_hidden()
    form.get_by_text("请假", exact=True).click()
    expect(reason).to_be_visible()
    form.get_by_role("button", name="提交答复").click()
    expect(page.locator(".answer-form .invalid-feedback")).to_have_text("请假须填写原因。")
    assert Invitation.objects.get(pk=invitation.pk).answer == Invitation.Answer.PENDING
    assert_no_sideways_scroll(page)

    # With a reason: back on 我的会议 with the answer shown.
    page.get_by_placeholder("请假原因").fill("赴外地参加订货会")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_url(f"{live_server.url}/meetings/mine/")
    expect_flash(page, "已答复")
    expect(page.locator(f"#invitation-{invitation.pk} .my-answer")).to_contain_text("请假")
    assert_no_sideways_scroll(page)
    invitation.refresh_from_db()
    assert invitation.answer == Invitation.Answer.LEAVE and invitation.leave_reason == "赴外地参加订货会"


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page object of a PDF Chromium wrote."""
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == len(pages), (len(boxes), len(pages))
    return [(float(w), float(h)) for w, h in boxes]


def test_meeting_record_prints_as_one_a4_page(page, login, live_server, world, personas):
    meeting = schedule(world, personas, starts_at=timezone.now() - dt.timedelta(days=2), title="十一月党委会议")
    invitations = list(meeting.invitations.all())
    services.attendance_record(
        actor=None,
        meeting=meeting,
        attendance={i.pk: "present" if n else "leave" for n, i in enumerate(invitations)},
    )
    items = list(meeting.agenda_items.all())
    services.meeting_minutes_file(
        actor=None,
        meeting=meeting,
        summary="会议由王书记主持，通报了上月诉求办理情况，研究了用工难题。",
        minutes={
            items[0].pk: "上月共收集诉求12项，已办结9项。",
            items[1].pk: "人社局介绍技师学院定向培养，鸿瑞轩提出缺工40人。",
            items[2].pk: "下月召开企业家下午茶。",
        },
        decisions=[
            DecisionDraft(text="人社局组织专场招聘会", due_workdays=10, department=world.department),
            DecisionDraft(text="鸿瑞轩报送用工清单", due_workdays=5, enterprise=world.lead),
        ],
    )
    login(personas.secretary.username)
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    expect(page.locator("#meeting-title")).to_have_text("十一月党委会议")

    page.emulate_media(media="print")
    record = page.locator("#meeting-record")
    expect(record).to_be_visible()
    for text in ("会议记录", "时间", "地点", "主持人", "记录人", "出席", "列席", "缺席", "议题", "内容", "议定事项"):
        expect(record).to_contain_text(text)
    expect(record).to_contain_text("人社局组织专场招聘会")
    expect(record).to_contain_text("请假")
    expect(record.locator(".signature-line")).to_have_count(2)
    # Nothing of the screen prints: navigation, buttons, the screen layout.
    for hidden in ("nav.navbar", "#meeting-actions", "footer", ".screen-only"):
        expect(page.locator(hidden).first).to_be_hidden()

    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    pages = _pdf_pages(pdf)
    assert len(pages) == 1, f"the record takes {len(pages)} pages"
    width, height = pages[0]
    assert abs(width - A4_POINTS[0]) < 1.5 and abs(height - A4_POINTS[1]) < 1.5, pages[0]
