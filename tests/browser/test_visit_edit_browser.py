"""Visit follow-ups in a real Chromium on a 360 px phone, on the demo organisation: the guide corrects
a visit they logged (the form fits the screen, nothing breaks the Content-Security-Policy), the
visit page shows a photo's thumbnail (an image that loads through the access-checked download),
and organisation staff enter a visit on a guide's behalf; the page says who entered it."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from alliances import demo
from guides import demo as guides_demo
from guides import services
from guides.models import Guide, Visit

from .conftest import expect_flash, screenshot
from .test_csp_browser import WATCH
from .test_story_6_browser import PHONE, assert_no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(WATCH)
    yield page
    context.close()


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("车间.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_guide_corrects_a_visit_and_sees_its_thumbnail_on_a_phone(login, page, live_server):
    org = demo.build()
    guides_demo.load_people(org)
    url = live_server.url
    guide = Guide.objects.get(user__username="guide_li")
    enterprise = org.enterprises["hongruixuan"]
    visit = services.visit_log(
        actor=guide.user,
        enterprise=enterprise,
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        findings="初次记录",
        photos=[jpeg()],
    )

    login("guide_li")
    page.goto(f"{url}/visits/{visit.pk}/")
    thumbnail = page.locator("#visit-photos img")
    expect(thumbnail).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('#visit-photos img').naturalWidth") == 360
    box = thumbnail.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    assert_no_sideways_scroll(page)
    screenshot(page, "visit-thumbnail-phone")

    page.click("#edit-visit")
    page.wait_for_url(f"{url}/visits/{visit.pk}/edit/")
    assert_no_sideways_scroll(page)
    toggle = page.locator("#visit-checklist label").filter(has_text="发展党员")
    assert toggle.bounding_box()["height"] >= 44
    toggle.tap()
    page.fill("#id_findings", "更正：党员 5 名")
    page.fill("#id_opinions_count", "3")
    screenshot(page, "visit-edit-phone")
    page.click("#visit-edit-form button[type=submit]")
    expect_flash(page, "走访记录已修改")
    visit.refresh_from_db()
    assert visit.findings == "更正：党员 5 名" and visit.opinions_count == 3 and "develop_members" in visit.checklist
    assert_no_sideways_scroll(page)


def test_staff_enter_a_visit_for_a_guide_and_the_page_says_so(login, page, live_server):
    org = demo.build()
    guides_demo.load_people(org)
    url = live_server.url
    guide = Guide.objects.get(user__username="guide_li")
    enterprise = org.enterprises["hongruixuan"]

    login("org_admin")
    page.goto(f"{url}/guides/{guide.pk}/visits/new/?enterprise={enterprise.pk}")
    expect(page.locator("#on-behalf-note")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.select_option("#id_enterprise", str(enterprise.pk))
    page.locator("#visit-checklist label").filter(has_text="政策宣讲").tap()
    page.fill("#id_opinions_count", "1")
    page.click("#visit-form button[type=submit]")
    expect_flash(page, f"已代 {guide.name} 登记走访")
    visit = Visit.objects.get(enterprise=enterprise)
    expect(page.locator("#visit-entered-by")).to_contain_text(f"代 {guide.name} 登记")
    assert visit.logged_by.username == "org_admin" and visit.guide == guide
    assert_no_sideways_scroll(page)
    screenshot(page, "visit-on-behalf-phone")
