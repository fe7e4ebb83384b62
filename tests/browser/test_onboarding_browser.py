"""Onboarding from the browser (issue 10 §1), with no admin: a county's organisation staff member
opens 人员账号 from the 组织 menu, creates an enterprise's Party secretary and gives them the role on
the enterprise page, then hands over a one-time link; the secretary sets a password there (a weak one
is refused in Chinese first), signs in and sees their own enterprise and no other. Staff create a
department handler the same way with a temporary password: the handler is held at the password
change page until they change it, then reaches their department's 待办. The people list shows both,
with their last login. Every page of the story is watched for Content-Security-Policy violations,
and the people list is checked on a 360 px phone (Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import expect_flash, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 800}

SECRETARY = "王晓燕"
SECRETARY_MOBILE = "13905376611"
HANDLER = "陈立群"
HANDLER_MOBILE = "13905376622"

# Playwright's init scripts run before the page's own and are not subject to its CSP: a violation is
# written to the console, where the context's listener collects it with Chromium's own CSP errors.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("securitypolicyviolation " + e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def contexts(browser):
    """new(size) opens a page in a fresh browser context (its own cookies), watched for CSP
    violations; `violations` lists what any of them reported."""
    opened, violations = [], []

    def new(viewport=DESKTOP):
        phone = viewport == PHONE
        context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone)
        context.add_init_script(WATCH_CSP)
        context.on(
            "console",
            lambda message: (
                violations.append(f"{message.page and message.page.url}: {message.text}")
                if "securitypolicyviolation" in message.text or "Content Security Policy" in message.text
                else None
            ),
        )
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    new.violations = violations
    yield new
    for context in opened:
        context.close()


def sign_in(page, url, username, password):
    """The login form, in a fresh session; returns where the login sent the browser (after any
    redirect)."""
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    # Wait for the navigation itself (not only the click): the login answers with a redirect.
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#login-error")).to_have_count(0)
    return page.url


def open_from_menu(page, menu, item):
    page.locator("#mainnav").get_by_role("link", name=menu, exact=True).click()
    link = page.locator("#mainnav .dropdown-menu").get_by_role("link", name=item, exact=True)
    target = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{target}")  # the navigation itself, not only the click
    page.wait_for_load_state("domcontentloaded")


def create_person(page, url, *, real_name, mobile, affiliation, credential):
    """From the home page: 组织 → 人员账号 → 新增人员; returns (username, the secret shown once)."""
    page.goto(f"{url}/")
    open_from_menu(page, "组织", "人员账号")
    assert page.url == f"{url}/people/"
    page.click("#person-create")
    page.wait_for_url(f"{url}/people/new/")
    expect(page.locator("h1")).to_have_text("新增人员")
    page.fill("#id_real_name", real_name)
    page.fill("#id_mobile", mobile)
    page.select_option("#id_affiliation", label=affiliation)
    page.get_by_label(credential, exact=True).check()
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    notice = page.locator("main .alert-success").inner_text()
    found = re.search(rf"已为 {real_name} 创建账号，用户名 (\S+)。", notice)
    assert found, notice
    secret = page.locator("#secret-value").input_value()
    assert secret
    page.get_by_role("link", name="完成", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("h1")).to_contain_text(real_name)
    expect(page.locator("#last-login")).to_have_text("从未登录")
    return found.group(1), secret


def grant(page, *, form, person, button, flash):
    form = page.locator(form)
    form.locator("select[name=user]").select_option(label=person)
    form.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    expect_flash(page, flash)


def assert_no_sideways_scroll(page):
    width, visible = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"{page.url} scrolls sideways: {width} px wide in a {visible} px screen"


def test_staff_onboard_a_secretary_and_a_handler_from_the_browser(contexts, live_server, world, personas):
    url = live_server.url
    staff = contexts()
    sign_in(staff, url, "staff", "Demo@2026")

    # 1. Staff create the enterprise's Party secretary with a one-time link ...
    secretary_login, link = create_person(
        staff,
        url,
        real_name=SECRETARY,
        mobile=SECRETARY_MOBILE,
        affiliation=world.member.name,
        credential="一次性设置密码链接",
    )
    assert link.startswith(f"{url}/accounts/reset/")
    # ... and give them the role on the enterprise page (成员企业 → the enterprise).
    staff.locator("#mainnav").get_by_role("link", name="成员企业", exact=True).click()
    staff.locator("#enterprise-table").get_by_role("link", name=world.member.name, exact=True).click()
    staff.wait_for_url(f"{url}{world.member.get_absolute_url()}")
    grant(
        staff,
        form="#grant-secretary-form",
        person=f"{SECRETARY}（{secretary_login}）",
        button="授予党组织书记",
        flash=f"已将 {SECRETARY} 设为本企业党组织书记。",
    )
    expect(staff.locator("#secretary-card")).to_contain_text(secretary_login)

    # 2. The secretary, in a browser of their own, opens the link and sets a password: a weak one
    # is refused in Chinese, a good one is taken and the link is spent.
    secretary = contexts()
    secretary.goto(link)
    expect(secretary.locator("h1")).to_have_text("设置登录密码")
    secretary.fill("#id_new_password1", "abcd1234")
    secretary.fill("#id_new_password2", "abcd1234")
    secretary.get_by_role("button", name="设置密码", exact=True).click()
    secretary.wait_for_load_state("domcontentloaded")
    expect(secretary.locator(".invalid-feedback").first).to_be_visible()
    expect(secretary.locator("main")).to_contain_text("密码须包含大写字母、小写字母、数字、其他符号四类中的至少3类。")
    secretary.fill("#id_new_password1", "Xinhua#Yuan26")
    secretary.fill("#id_new_password2", "Xinhua#Yuan26")
    secretary.get_by_role("button", name="设置密码", exact=True).click()
    secretary.wait_for_url(f"{url}/accounts/login/")
    expect_flash(secretary, "密码已设置，请使用新密码登录。")
    secretary.goto(link)
    expect(secretary.locator("#invalid-link")).to_be_visible()

    # The secretary signs in and finds their enterprise: 我的需求, and only it under 成员企业.
    assert sign_in(secretary, url, secretary_login, "Xinhua#Yuan26") == f"{url}/"
    open_from_menu(secretary, "需求清单", "我的需求")
    assert secretary.url == f"{url}/needs/mine/"
    expect(secretary.locator("h1")).to_have_text("我的需求")
    secretary.locator("#mainnav").get_by_role("link", name="成员企业", exact=True).click()
    secretary.wait_for_load_state("domcontentloaded")
    rows = secretary.locator("#enterprise-table tbody tr.enterprise-row")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=world.member.name, exact=True).click()
    secretary.wait_for_url(f"{url}{world.member.get_absolute_url()}")
    expect(secretary.locator("h1")).to_contain_text(world.member.name)
    for other in (world.lead, world.outsider_enterprise):
        response = secretary.goto(f"{url}{other.get_absolute_url()}")
        assert response.status == 404, f"{other.name}: {response.status}"

    # 3. Staff create the department's handler with a temporary password and name them handler on
    # the department page (组织 → 职能部门 → the department).
    handler_login, temporary = create_person(
        staff,
        url,
        real_name=HANDLER,
        mobile=HANDLER_MOBILE,
        affiliation=world.department.name,
        credential="临时密码（首次登录须修改）",
    )
    open_from_menu(staff, "组织", "职能部门")
    staff.get_by_role("link", name=world.department.name, exact=True).click()
    staff.wait_for_url(f"{url}{world.department.get_absolute_url()}")
    grant(
        staff,
        form="#grant-handler-form",
        person=f"{HANDLER}（{handler_login}）",
        button="指定为办理人",
        flash=f"已将 {HANDLER} 设为本部门办理人。",
    )

    # The handler signs in with the temporary password and is held at the password change page.
    handler = contexts()
    assert sign_in(handler, url, handler_login, temporary) == f"{url}/account/password/"
    expect(handler.locator("h1")).to_have_text("修改密码")
    handler.goto(f"{url}/needs/worklist/")
    assert handler.url == f"{url}/account/password/"
    handler.fill("#id_old_password", temporary)
    handler.fill("#id_new_password1", "Renshe@Chen26")
    handler.fill("#id_new_password2", "Renshe@Chen26")
    handler.click("#password-change-form button[type=submit]")
    handler.wait_for_url(f"{url}/account/")
    expect_flash(handler, "密码已修改")
    # Released: 待办 in the menu opens the department's worklist.
    handler.goto(f"{url}/")
    handler.locator("#mainnav").get_by_role("link", name="待办", exact=True).click()
    handler.wait_for_url(f"{url}/needs/worklist/")
    expect(handler.locator("h1")).to_have_text("待办")
    # The new password works on a fresh sign-in, with no hold.
    assert sign_in(handler, url, handler_login, "Renshe@Chen26") == f"{url}/"

    # 4. The people list shows both, with roles and a last login.
    staff.goto(f"{url}/")
    open_from_menu(staff, "组织", "人员账号")
    held = ((SECRETARY, f"企业党组织书记 · {world.member.name}"), (HANDLER, f"部门办理人 · {world.department.name}"))
    for name, role in held:
        row = staff.locator("#people-table tbody tr").filter(has_text=name)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(3)).to_have_text(role)
        expect(row.locator("td").nth(5)).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    screenshot(staff, "onboarding-people-list")

    # The same list on a 360 px phone is a stack of cards with no sideways scroll, and so are the
    # person's page and the new-person form it leads to.
    phone = contexts(PHONE)
    sign_in(phone, url, "staff", "Demo@2026")
    phone.goto(f"{url}/people/")
    expect(phone.locator("#people-table thead")).to_be_hidden()
    expect(phone.locator("#people-table")).to_contain_text(SECRETARY)
    assert_no_sideways_scroll(phone)
    screenshot(phone, "onboarding-people-list-phone")
    phone.locator("#people-table").get_by_role("link", name=HANDLER, exact=True).click()
    phone.wait_for_load_state("domcontentloaded")
    expect(phone.locator("h1")).to_contain_text(HANDLER)
    assert_no_sideways_scroll(phone)
    phone.goto(f"{url}/people/new/")
    assert_no_sideways_scroll(phone)

    assert contexts.violations == []
