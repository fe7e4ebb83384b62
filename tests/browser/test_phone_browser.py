"""An enterprise secretary on a 360 × 800 phone (issue 7 §3), on the demo organisation and its needs.

Below Bootstrap's md breakpoint list tables are stacked cards, the needs filters sit behind one
button and show only what means something to the persona, the bell and unread count stay outside
the collapsed menu, and filing and rating fit the screen. A desktop still gets the table.
"""

import pytest
from playwright.sync_api import expect

from alliances import demo
from chainparty.models import Notification
from demands.demo import needs as demo_needs
from demands.demo import offers as demo_offers
from demands.models import Need
from guides import demo as guides_demo

from .conftest import expect_flash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1366, "height": 900}
SHOTS = "/tmp/h7-{}.png"
ANSWERED_TITLE = "旺季备料流动资金500万元"  # hongruixuan's need the finance centre has answered


@pytest.fixture
def page(browser, request):
    """The browser page, at phone size unless a test asks for DESKTOP (indirect parametrisation)."""
    size = getattr(request, "param", PHONE)
    phone = size == PHONE
    context = browser.new_context(locale="zh-CN", viewport=size, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def org():
    org = demo.build()
    guides_demo.load_people(org)
    demo_needs.load(org)
    demo_offers.load(org)
    return org


def assert_no_sideways_scroll(page):
    width, visible = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"{page.url} scrolls sideways: {width} px wide in a {visible} px screen"


def assert_within_screen(locator):
    """Every matched element lies inside the screen's width (none cut off at the right edge)."""
    for index in range(locator.count()):
        box = locator.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, box


def test_my_needs_on_a_phone_are_cards_with_filters_behind_one_button(login, page, live_server, org):
    secretary = org.users["hongruixuan"]
    mine = list(Need.objects.filter(enterprise=org.enterprises["hongruixuan"]))
    assert len(mine) >= 2
    login("hongruixuan")

    # The bell and its unread count show without opening the menu.
    unread = Notification.objects.filter(recipient=secretary, read_at__isnull=True).count()
    assert unread
    expect(page.locator("#mainnav")).to_be_hidden()
    expect(page.locator("#notification-bell")).to_be_visible()
    expect(page.locator("#unread-count")).to_have_text(str(unread))
    assert_within_screen(page.locator("#notification-bell"))

    page.click(".navbar-toggler")
    page.click("#nav-needs")
    page.locator("#mainnav").get_by_role("link", name="我的需求").click()
    page.wait_for_url(f"{live_server.url}/needs/mine/")
    assert_no_sideways_scroll(page)

    # Cards, not a table: no header row; number, title and state badge of every need on screen.
    expect(page.locator("#need-table thead")).to_be_hidden()
    for need in mine:
        card = page.locator("#need-table tbody tr").filter(has_text=need.number)
        for part in (card.get_by_role("link", name=need.number), card.get_by_text(need.title, exact=True)):
            expect(part).to_be_visible()
            assert_within_screen(part)
        badge = card.locator(".need-state .badge").first
        expect(badge).to_have_text(need.get_state_display())
        assert_within_screen(badge)
        expect(card.locator(".need-deadline")).to_be_visible()
    # The enterprise's own name on every card would say nothing on its own list.
    own_name = org.enterprises["hongruixuan"].name
    expect(page.locator("#need-table tbody td:visible").filter(has_text=own_name)).to_have_count(0)
    page.screenshot(path=SHOTS.format("my-needs"))

    # One button opens the filters; an enterprise secretary gets no 联盟 or 承办部门.
    filters = page.locator("#need-filters")
    expect(filters).to_be_hidden()
    page.click("#need-filters-toggle")
    expect(filters).to_be_visible()
    expect(filters.locator("#id_state")).to_be_visible()
    expect(filters.locator("#id_alliance")).to_have_count(0)
    expect(filters.locator("#id_department")).to_have_count(0)
    assert_within_screen(filters.locator("select, input"))
    assert_no_sideways_scroll(page)
    page.screenshot(path=SHOTS.format("my-needs-filters"))
    page.select_option("#id_state", Need.State.ANSWERED)
    rows = page.locator("#need-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ANSWERED_TITLE)


def test_an_overdue_need_shows_its_mark_on_its_card(login, page, live_server, org):
    overdue = [n for n in Need.objects.filter(enterprise=org.enterprises["jindafeng"]) if n.is_overdue]
    assert overdue
    login("jindafeng")
    page.goto(f"{live_server.url}/needs/mine/")
    assert_no_sideways_scroll(page)
    for need in overdue:
        mark = page.locator("#need-table tbody tr").filter(has_text=need.number).locator(".overdue-badge")
        expect(mark).to_contain_text(f"超期 {need.overdue_workdays} 个工作日")
        assert_within_screen(mark)


def test_filing_a_need_on_a_phone_fits_the_screen(login, page, live_server, org):
    login("hongruixuan")
    page.goto(f"{live_server.url}/needs/mine/")
    page.get_by_role("link", name="提交需求").click()
    page.wait_for_url(f"{live_server.url}/needs/new/")
    assert_no_sideways_scroll(page)
    form = page.locator("#need-form")
    assert_within_screen(form.locator("input:visible, select:visible, textarea:visible, button"))
    page.screenshot(path=SHOTS.format("filing"), full_page=True)

    page.select_option("#id_category", "labor")
    page.fill("#id_title", "招聘缝纫工30名")
    page.fill("#id_description", "新接外贸订单，需熟练缝纫工30名，本地招聘困难。")
    page.fill("#id_people", "30")
    page.click("#need-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("招聘缝纫工30名")
    need = Need.objects.get(title="招聘缝纫工30名")
    assert need.enterprise == org.enterprises["hongruixuan"] and need.people == 30
    assert_no_sideways_scroll(page)


def test_rating_an_answered_need_on_a_phone_fits_the_screen(login, page, live_server, org):
    need = Need.objects.get(title=ANSWERED_TITLE)
    assert need.state == Need.State.ANSWERED
    login("hongruixuan")

    # The notification that asks for a rating leads to the need...
    page.click("#notification-bell")
    page.locator("main .list-group a").filter(has_text="请回访评价").filter(has_text=need.number).click()
    # ...opened at its rating form.
    page.wait_for_url(f"{live_server.url}{need.get_absolute_url()}#action-rate")
    assert_no_sideways_scroll(page)
    rate = page.locator("#action-rate")
    expect(rate).to_be_in_viewport()
    assert_within_screen(rate)
    assert_within_screen(rate.locator("label:visible, input:visible, textarea:visible, button:visible"))
    page.screenshot(path=SHOTS.format("rating"))

    rate.locator("input[name=rating][value=satisfied]").check()
    rate.locator("textarea").fill("授信已到位，感谢金融服务中心。")
    rate.locator("button[type=submit]").click()
    expect_flash(page, "感谢您的评价。")
    need.refresh_from_db()
    assert need.rating == Need.Rating.SATISFIED and need.state == Need.State.RATED
    assert_no_sideways_scroll(page)


#: The lists each persona opens from the menu; the demo gives each of them rows to show.
PERSONA_PAGES = {
    "hongruixuan": ["/", "/needs/", "/needs/worklist/", "/resources/", "/policies/", "/policies/inbox/", "/matches/",
                    "/cooperations/", "/notifications/"],
    "guide_li": ["/needs/", "/resources/", "/policies/", "/cooperations/"],
    "hr_handler": ["/needs/worklist/"],
}  # fmt: skip


def test_lists_a_secretary_guide_or_handler_opens_never_scroll_sideways(login, page, live_server, org):
    for username, paths in PERSONA_PAGES.items():
        login(username)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert_no_sideways_scroll(page)
            assert_within_screen(page.locator("main table.table-cards tbody tr"))
            assert_within_screen(page.locator("main table.table-cards tbody .btn"))


@pytest.mark.parametrize("page", [DESKTOP], indirect=True)
def test_desktop_keeps_the_table_and_every_filter_for_org_staff(login, page, live_server, org):
    login("org_admin")
    page.goto(f"{live_server.url}/needs/")
    header = page.locator("#need-table thead th")
    expect(header).to_have_count(10)
    for index in range(10):
        expect(header.nth(index)).to_be_visible()
    assert page.locator("#need-table tbody tr").first.evaluate("row => getComputedStyle(row).display") == "table-row"
    expect(page.locator("#need-filters")).to_be_visible()
    expect(page.locator("#need-filters-toggle")).to_be_hidden()
    expect(page.locator("#id_alliance")).to_be_visible()
    expect(page.locator("#id_department")).to_be_visible()
    expect(page.locator("#notification-bell")).to_be_visible()


#: Long names as counties register them: on one line each is wider than a 360 px screen.
LONG_ENTERPRISE_NAMES = [
    "汶上县鸿运达纺织服装科技发展集团股份有限公司第一分公司",
    "汶上县新世纪智能制造装备产业园开发建设投资有限公司",
    "汶上县绿色循环经济新材料研究院暨中试基地运营管理有限公司",
]


@pytest.fixture
def many_enterprises():
    """The demo organisation, with a few of the longest names a county registers in its textile alliance."""
    from alliances import services as org_services
    from alliances.models import Membership

    org = demo.build()
    county, zone, alliance = org.regions["wenshang"], org.zones["ws_textile_park"], org.alliances["ws_textile"]
    for name in LONG_ENTERPRISE_NAMES:
        enterprise = org_services.enterprise_create(
            name=name,
            credit_code=demo.demo_credit_code(county.code, name),
            industry="纺织服装新材料与智能制造装备",
            region=county,
            zone=zone,
        )
        org_services.membership_add(
            alliance=alliance,
            enterprise=enterprise,
            position=Membership.Position.SUPPORTING,
            joined_on=alliance.founded_on,
        )
    return org


@pytest.mark.parametrize("username", ["org_admin", "textile_secretary"])
def test_the_enterprise_list_on_a_phone_is_cards(login, page, live_server, many_enterprises, username):
    """Org staff and alliance secretaries open 企业 on their phones: a stack of cards, never a page that
    scrolls sideways, each card's name and Party-organisation badge on screen."""
    login(username)
    page.goto(f"{live_server.url}/enterprises/")
    expect(page.get_by_role("link", name=LONG_ENTERPRISE_NAMES[0])).to_be_visible()
    assert_no_sideways_scroll(page)
    rows = page.locator("#enterprise-table tbody tr")
    assert rows.count() >= 5
    expect(page.locator("#enterprise-table thead")).to_be_hidden()
    assert_within_screen(rows)
    for name in LONG_ENTERPRISE_NAMES:
        card = rows.filter(has_text=name)
        expect(card.get_by_role("link", name=name)).to_be_visible()
        assert_within_screen(card.get_by_role("link", name=name))
        assert_within_screen(card.locator(".badge"))
    page.screenshot(path=SHOTS.format(f"enterprises-{username}"), full_page=True)
