"""Real Chromium through Playwright against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import need_service

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures in that
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path():
    candidate = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        need_service("Chromium (/usr/bin/chromium; apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_service("playwright (pip install playwright)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _is_login_post(response):
    return response.request.method == "POST" and response.url.split("?")[0].endswith("/accounts/login/")


@pytest.fixture
def login(page, live_server):
    def do(username, password="Demo@2026"):
        home = f"{live_server.url}/"
        # A fresh session for every login. Leave the page first: an htmx fragment still loading would
        # otherwise go out without the session, follow the redirect to the login page and replace
        # the CSRF cookie of the login form.
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        # Wait for the login's own answer, then for the home page's DOM, not for its "load" event:
        # a refused login (a CSRF failure, a wrong password, a server error) is reported at once
        # with its reason instead of as a 15 s timeout on the URL, and the home page's fonts and
        # images, which "load" waits for, cannot hold up the next step on a busy machine.
        with page.expect_response(_is_login_post) as posted:
            page.click("button[type=submit]")
        response = posted.value
        if response.status != 302 or response.header_value("location") not in ("/", home):
            page.wait_for_load_state("domcontentloaded")
            text = " ".join(page.locator("body").inner_text().split())[:300]
            pytest.fail(f"login({username!r}) was refused: HTTP {response.status} at {page.url}: {text}")
        page.wait_for_url(home, wait_until="domcontentloaded")
        return page

    return do


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def expect_flash(page, text):
    """Wait for the flash message a finished action shows."""
    from playwright.sync_api import expect

    expect(page.locator("main .alert").filter(has_text=text).first).to_be_visible()


def answer_from_worklist(page, url, *, title, fill):
    """A handler opens 待办 from the menu, finds the need's part, fills the answer form with `fill`."""
    from playwright.sync_api import expect

    page.goto(f"{url}/")
    page.locator("#mainnav").get_by_role("link", name="待办", exact=True).click()
    page.wait_for_url(f"{url}/needs/worklist/")
    row = page.locator("#worklist-table tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="答复", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"答复：{title}")
    fill()
    page.click("#answer-form button[type=submit]")
    page.wait_for_url(f"{url}/needs/worklist/")
    expect_flash(page, "已答复。")
