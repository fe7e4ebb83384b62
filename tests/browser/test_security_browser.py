"""Login security in a real Chromium (issue 10 §4): five failures lock an account, a member of
staff unlocks it, the person turns on TOTP and signs in with a code, and is signed out after the
idle timeout under a frozen clock."""

import datetime as dt

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.datetime(2026, 5, 6, 1, 0, tzinfo=dt.UTC)


def submit_login(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def code_for(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_lock_unlock_totp_and_idle_timeout(page, live_server, personas):
    with time_machine.travel(START, tick=True) as clock:
        # Five wrong passwords lock the account; the right one is then refused too.
        for _ in range(5):
            submit_login(page, live_server, "handler", "Wrong#Pass1")
            assert page.locator("#login-error, #login-locked").is_visible()
        submit_login(page, live_server, "handler", "Demo@2026")
        assert page.locator("#login-locked").is_visible()
        assert "登录失败次数过多" in page.locator("#login-locked").inner_text()
        screenshot(page, "security-locked")

        # Staff of the county unlock it.
        page.context.clear_cookies()
        submit_login(page, live_server, "staff", "Demo@2026")
        page.goto(f"{live_server.url}/accounts/locked/")
        row = page.locator("#locked-accounts tr", has_text="人社局刘科员")
        row.get_by_role("button", name="解锁").click()
        page.wait_for_load_state()
        assert page.get_by_text("已解除 人社局刘科员 的登录锁定。").is_visible()
        assert page.locator("#no-locked-accounts").is_visible()
        page.locator("form[action$='/accounts/logout/'] button").click()

        # The person signs in and turns on an authenticator.
        page.context.clear_cookies()
        submit_login(page, live_server, "handler", "Demo@2026")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/accounts/2fa/")
        page.click("#otp-start-totp")
        assert page.locator("#totp-qr").is_visible()
        screenshot(page, "security-totp-setup")
        device = TOTPDevice.objects.get(user=personas.handler)
        page.fill("#id_token", code_for(device))
        page.click("button:has-text('确认启用')")
        assert page.locator("#recovery-codes li").count() == 10
        page.locator("form[action$='/accounts/logout/'] button").click()

        # Signing in now takes the code from the authenticator (a fresh one: 30 s later).
        clock.shift(dt.timedelta(seconds=31))
        submit_login(page, live_server, "handler", "Demo@2026")
        page.wait_for_url(f"{live_server.url}/accounts/login/verify/")
        page.fill("#id_token", code_for(device))
        page.click("button:has-text('验证并登录')")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/alliances/")
        assert page.url == f"{live_server.url}/alliances/"

        # Thirty-one idle minutes later the next click lands on the login page, which says why.
        clock.shift(dt.timedelta(minutes=31))
        page.goto(f"{live_server.url}/alliances/")
        assert "/accounts/login/?reason=idle" in page.url
        assert (
            page.locator("#logout-reason").inner_text()
            == "您已连续30分钟未操作，为保护账号安全已自动退出，请重新登录。"
        )
        screenshot(page, "security-idle")
