"""Profile and password change on a 360 px phone: no sideways scroll, the tables are cards, and a
person changes their password from the phone (Chromium)."""

import pytest

from chainparty.accounts import tokens

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page, live_server, username, password="Demo@2026"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def assert_no_sideways_scroll(page):
    width, visible = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"{page.url} scrolls sideways: {width} px wide in a {visible} px screen"


def test_profile_and_password_change_fit_a_phone(phone, live_server, personas):
    tokens.token_issue(user=personas.enterprise_secretary, name="一个名字相当长的数据上报脚本令牌")
    sign_in(phone, live_server, "ent_sec")
    phone.goto(f"{live_server.url}/account/")
    assert phone.locator("#token-table thead").is_hidden()  # the table is cards on a phone
    assert phone.locator("#token-table").get_by_text("一个名字相当长的数据上报脚本令牌").is_visible()
    assert_no_sideways_scroll(phone)
    phone.click("#password-change-link")
    assert_no_sideways_scroll(phone)
    phone.fill("#id_old_password", "Demo@2026")
    phone.fill("#id_new_password1", "Hong-Rui#2026")
    phone.fill("#id_new_password2", "Hong-Rui#2026")
    phone.click("#password-change-form button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/account/")
    assert phone.get_by_text("密码已修改").is_visible()
    personas.enterprise_secretary.refresh_from_db()
    assert personas.enterprise_secretary.check_password("Hong-Rui#2026")
