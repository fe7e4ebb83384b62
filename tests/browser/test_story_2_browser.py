"""Story 2 in a real browser: Wuzheng Shantuo lacks skilled workers; the committee dispatches the
need to the human-resources bureau, which answers (19 hired); the enterprise rates it satisfied and
the committee closes it out."""

import pytest

from alliances import demo
from demands.models import Assignment, Need

from .conftest import answer_from_worklist, expect_flash, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "急需数控焊接熟练技工20名"


def test_story_2_from_filing_to_close_out(login, page, live_server):
    org = demo.build()

    # The enterprise's Party secretary files the need.
    login("wuzheng")
    page.goto(f"{live_server.url}/needs/new/")
    page.select_option("#id_enterprise", str(org.enterprises["wuzheng"].pk))
    page.select_option("#id_category", "labor")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "新上玉米收获机生产线，本地招工困难，需数控焊接技工20名。")
    page.fill("#id_people", "20")
    page.click("main button[type=submit]")
    page.wait_for_selector(f"h1:has-text('{TITLE}')")
    need = Need.objects.get(title=TITLE)
    assert need.state == Need.State.SUBMITTED and need.alliance == org.alliances["yz_farm"]

    # The alliance secretary accepts and dispatches it to the human-resources bureau.
    login("farm_secretary")
    page.goto(f"{live_server.url}/needs/{need.pk}/")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector("#action-dispatch select[name=lead_department]")
    page.select_option("#action-dispatch select[name=lead_department]", str(org.departments["yz_hr"].pk))
    page.click("#action-dispatch button[type=submit]")
    expect_flash(page, "已派单。")
    need.refresh_from_db()
    assert need.state == Need.State.DISPATCHED
    assert Assignment.objects.get(need=need).department == org.departments["yz_hr"]

    # The handler answers from the worklist.
    login("hr_handler")

    def fill():
        page.fill("textarea[name=answer]", "对接济宁工业技师学院开设订单班，组织专场招聘，5月招聘技工19名。")
        page.fill("input[name=people_solved]", "19")

    answer_from_worklist(page, live_server.url, title=TITLE, fill=fill)
    need.refresh_from_db()
    assert need.state == Need.State.ANSWERED and need.people_solved == 19

    # The enterprise rates it satisfied; the secretary closes it out.
    login("wuzheng")
    page.goto(f"{live_server.url}/needs/{need.pk}/")
    page.check("#action-rate input[name=rating][value=satisfied]")
    page.click("#action-rate button[type=submit]")
    expect_flash(page, "感谢您的评价。")
    login("farm_secretary")
    page.goto(f"{live_server.url}/needs/{need.pk}/")
    page.click("#action-close button[type=submit]")
    expect_flash(page, "需求已销号。")
    need.refresh_from_db()
    assert need.state == Need.State.CLOSED and need.rating == Need.Rating.SATISFIED
    timeline = page.locator(".timeline").inner_text()
    for step in ("提交需求", "受理", "派单", "答复", "回访评价", "销号"):
        assert step in timeline
    screenshot(page, "story-2-closed")
