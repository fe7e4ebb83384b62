"""The coverage page's custom date range in Chromium, on the demo organisation: organisation staff
pick a range on a desktop and on a 360 px phone; the page counts that range, a bad range is
answered in Chinese next to the field, nothing scrolls sideways or breaks the CSP."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances import demo
from guides import demo as guides_demo

from .conftest import screenshot
from .test_csp_browser import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def page(browser, request):
    size = getattr(request, "param", PHONE)
    phone = size == PHONE
    context = browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(WATCH)
    yield page
    context.close()


@pytest.mark.parametrize("page", [PHONE, DESKTOP], indirect=True)
def test_a_custom_range_on_the_coverage_page(login, page, live_server):
    org = demo.build()
    guides_demo.load_people(org)
    login("org_admin")
    today = timezone.localdate()
    starts_on, ends_on = (today - dt.timedelta(days=90)).isoformat(), (today - dt.timedelta(days=30)).isoformat()
    page.goto(f"{live_server.url}/coverage/rates/")
    page.fill("#id_date_from", starts_on)
    page.fill("#id_date_to", ends_on)
    page.click("#coverage-range button")
    expect(page.locator("#coverage-summary")).to_contain_text(f"{starts_on} 至 {ends_on}")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, f"coverage-range-{page.viewport_size['width']}")
    page.fill("#id_date_from", (today - dt.timedelta(days=10)).isoformat())
    page.click("#coverage-range button")
    expect(page.locator("#coverage-range .invalid-feedback")).to_contain_text("截止日期不能早于起始日期。")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert page.evaluate("window.__csp") == []
