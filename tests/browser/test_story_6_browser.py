"""DOMAIN.md story 6 in a real browser, on the demo organisation (alliances.demo.build() and the demo
guide of guides.demo.load_people): a guide logs a visit on a 360 px phone, with a photo from the
camera input, and raises a need from it; the enterprise's Party secretary, told by a notification,
confirms the visit on a phone; the organisation department's not-visited list no longer lists the
enterprise. No page of the phone part scrolls sideways or breaks the Content-Security-Policy.

Every step is what a user does in Chromium; the database is read to check what the pages say.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliances import demo
from demands.models import Need
from guides import demo as guides_demo
from guides import services
from guides.models import Rating, Visit, VisitNeed

from .conftest import expect_flash, screenshot
from .test_csp_browser import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NEED_TITLE = "缝纫车间扩产缺熟练工40名"


@pytest.fixture
def page(browser):
    """A phone: 360 px wide, touch, mobile user agent behaviour."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(WATCH)  # records Content-Security-Policy violations in window.__csp
    yield page
    context.close()


WIDE = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 360.5).slice(0, 8)
  .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"""


def assert_no_sideways_scroll(page):
    """The page is no wider than the phone (the elements sticking out are named when it is), and
    nothing on it broke the Content-Security-Policy."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        pytest.fail(f"{page.url} scrolls sideways: {width} px wide on a 360 px phone: {page.evaluate(WIDE)}")
    assert page.evaluate("window.__csp") == [], page.url
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width} px wide on a 360 px phone"


def open_menu_item(page, item_id):
    """Open the collapsed menu, then the 走访 dropdown, then the entry, each once the one before has
    finished opening: on a loaded machine a click during Bootstrap's collapse transition could land
    on the menu while it still moved, and the entry's navigation never started (seen once in CI)."""
    page.click(".navbar-toggler")
    page.wait_for_selector(".navbar-collapse.show", state="visible")
    page.click("#nav-visits")
    page.wait_for_selector(f".dropdown-menu.show #{item_id}", state="visible")
    page.click(f"#{item_id}")


def not_visited_in_textile_park(page, url, org):
    page.goto(f"{url}/coverage/?zone={org.zones['ws_textile_park'].pk}&period=quarter")
    return page.locator("#visit-table tbody tr td:first-child").all_inner_texts()


def test_story_6_a_guide_logs_a_visit_on_a_phone_and_the_enterprise_confirms_it(login, page, live_server):
    org = demo.build()
    guides_demo.load_people(org)
    url = live_server.url
    enterprise = org.enterprises["hongruixuan"]

    # Before: the organisation department lists the enterprise as not visited this quarter.
    login("org_admin")
    assert enterprise.name in not_visited_in_textile_park(page, url, org)

    # A guide opens 我的企业 on the phone: cards, the never-visited enterprise with its buttons.
    login("guide_li")
    open_menu_item(page, "nav-my-enterprises")
    page.wait_for_url(f"{url}/my/enterprises/")
    expect(page.locator("#my-enterprises thead")).to_be_hidden()
    card = page.locator(f"#enterprise-{enterprise.pk}")
    expect(card).to_contain_text("从未走访")
    expect(card.locator(".visit-status")).to_have_text("逾期未走访")
    assert_no_sideways_scroll(page)
    screenshot(page, "story6-my-enterprises")
    card.get_by_role("link", name="记录走访").click()

    # The log-visit form: the enterprise preselected, today's date, large toggles, a camera input.
    page.wait_for_url(f"{url}/visits/new/?enterprise={enterprise.pk}")
    expect(page.locator("#id_enterprise")).to_have_value(str(enterprise.pk))
    assert page.input_value("#id_visited_on") == timezone.localdate().isoformat()
    photos = page.locator("#id_photos")
    expect(photos).to_have_attribute("capture", "environment")
    expect(photos).to_have_attribute("accept", "image/*")
    assert_no_sideways_scroll(page)
    for item in ("政策宣讲", "收集诉求"):
        toggle = page.locator("#visit-checklist label").filter(has_text=item)
        box = toggle.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"], box  # thumb-sized, on screen
        toggle.tap()
    page.select_option("#id_kind", Visit.Kind.SANBAO)
    page.fill("#id_findings", "企业有党员5名，计划年内成立党支部。")
    page.fill("#id_opinions", "一是缺熟练缝纫工；二是希望协调技工院校订单培养。")
    page.fill("#id_opinions_count", "2")
    photos.set_input_files([{"name": "车间走访.png", "mimeType": "image/png", "buffer": PNG}])
    screenshot(page, "story6-visit-form")
    page.click("#visit-form button[type=submit]")

    # The visit's page.
    expect_flash(page, "走访已记录")
    visit = Visit.objects.get(enterprise=enterprise)
    assert page.url == f"{url}/visits/{visit.pk}/"
    assert visit.checklist == ["policy_briefing", "collect_needs"] and visit.opinions_count == 2
    assert [p.name for p in visit.photos.all()] == ["车间走访.png"]
    expect(page.locator("#visit-confirmation")).to_have_text("待企业确认")
    expect(page.locator("#visit-photos")).to_contain_text("车间走访.png")
    expect(page.locator("#visit-checklist")).to_contain_text("收集诉求")
    assert_no_sideways_scroll(page)
    screenshot(page, "story6-visit")

    # A need raised from the visit in one step; its page shows the visit it came from.
    page.click("#raise-need")
    page.wait_for_url(f"{url}/visits/{visit.pk}/need/")
    expect(page.locator("#id_description")).to_have_value(visit.opinions)
    assert_no_sideways_scroll(page)
    page.select_option("#id_category", Need.Category.LABOR)
    page.fill("#id_title", NEED_TITLE)
    page.fill("#id_people", "40")
    page.click("#need-form button[type=submit]")
    need = Need.objects.get(title=NEED_TITLE)
    page.wait_for_url(f"{url}{need.get_absolute_url()}")
    assert (need.source, need.enterprise) == (Need.Source.VISIT, enterprise)
    assert VisitNeed.objects.get(need=need).visit == visit
    link = page.locator(".linked-visit a")
    expect(link).to_have_attribute("href", f"/visits/{visit.pk}/")
    screenshot(page, "story6-need")
    link.click()
    page.wait_for_url(f"{url}/visits/{visit.pk}/")
    expect(page.locator("#visit-needs")).to_contain_text(need.number)

    # The enterprise's secretary is told, opens the visit from the notification and confirms it.
    login("hongruixuan")
    page.goto(f"{url}/notifications/")
    note = page.locator(".list-group-item").filter(has_text="请确认走访")
    expect(note).to_have_count(1)
    assert_no_sideways_scroll(page)
    note.click()
    page.wait_for_url(f"{url}/visits/{visit.pk}/")
    assert_no_sideways_scroll(page)
    confirm = page.locator("#confirm-visit")
    assert confirm.bounding_box()["height"] >= 44
    screenshot(page, "story6-secretary-visit")
    confirm.tap()
    expect_flash(page, "已确认")
    expect(page.locator("#visit-confirmation")).to_have_text("企业已确认")
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.CONFIRMED and visit.confirmed_by == org.users["hongruixuan"]

    # Their list of visits, from the menu: cards, the visit answered.
    open_menu_item(page, "nav-visits-to-confirm")
    page.wait_for_url(f"{url}/visits/to-confirm/")
    row = page.locator(f"#visit-{visit.pk}")
    expect(row).to_contain_text("企业已确认")
    expect(row.get_by_role("button", name="确认")).to_have_count(0)
    assert_no_sideways_scroll(page)
    screenshot(page, "story6-to-confirm")

    # After: the organisation department's not-visited list no longer lists the enterprise.
    login("org_admin")
    assert enterprise.name not in not_visited_in_textile_park(page, url, org)


def test_on_a_phone_a_secretary_disputes_a_visit_and_rates_a_guide(login, page, live_server):
    """The other answers of a secretary, on the same phone: 有异议 with a reason from the list's card,
    and 述职评价 with the 1-5 toggles; the guide's 走访记录 shows the dispute."""
    org = demo.build()
    guide = guides_demo.load_people(org)
    url = live_server.url
    enterprise = org.enterprises["hongruixuan"]
    today = timezone.localdate()
    visit = services.visit_log(actor=guide.user, enterprise=enterprise, findings="了解生产经营情况")
    period = services.evaluation_period_create(
        actor=None,
        region=guide.region,
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
    )
    report = services.guide_report_submit(actor=guide.user, period=period, text="本年度走访联系企业，指导组建党支部。")

    login("hongruixuan")
    open_menu_item(page, "nav-visits-to-confirm")
    page.wait_for_url(f"{url}/visits/to-confirm/")
    card = page.locator(f"#visit-{visit.pk}")
    expect(card.get_by_role("button", name="确认")).to_be_visible()
    card.locator("summary").filter(has_text="有异议").tap()
    card.locator("textarea[name=reason]").fill("当天企业负责人不在，未接待走访。")
    assert_no_sideways_scroll(page)
    screenshot(page, "story6-dispute")
    card.get_by_role("button", name="提交异议").tap()
    expect_flash(page, "已对该走访记录提出异议")
    page.wait_for_url(f"{url}/visits/to-confirm/")
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text("企业有异议")
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.DISPUTED
    assert visit.dispute_reason == "当天企业负责人不在，未接待走访。"

    open_menu_item(page, "nav-ratings")
    page.wait_for_url(f"{url}/ratings/")
    card = page.locator(f"#report-{report.pk}")
    card.locator("summary").filter(has_text="述职报告").tap()
    expect(card).to_contain_text("指导组建党支部")
    four = card.locator("label").filter(has_text="4")
    assert four.bounding_box()["height"] >= 44
    four.tap()
    card.locator("textarea[name=comment]").fill("走访扎实，指导具体。")
    assert_no_sideways_scroll(page)
    screenshot(page, "story6-rating")
    card.get_by_role("button", name="提交评价").tap()
    expect_flash(page, "已评价")
    expect(page.locator(f"#report-{report.pk} .my-rating")).to_contain_text("4 分")
    rating = Rating.objects.get(report=report)
    assert (rating.score, rating.comment, rating.enterprise) == (4, "走访扎实，指导具体。", enterprise)

    login("guide_li")
    open_menu_item(page, "nav-my-visits")
    page.wait_for_url(f"{url}/my/visits/")
    expect(page.locator("#my-visits thead")).to_be_hidden()
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text("企业有异议")
    assert_no_sideways_scroll(page)
    page.locator(f"#visit-{visit.pk}").get_by_role("link", name=enterprise.name).click()
    page.wait_for_url(f"{url}/visits/{visit.pk}/")
    expect(page.locator(".alert-danger")).to_contain_text("当天企业负责人不在")
    assert_no_sideways_scroll(page)
