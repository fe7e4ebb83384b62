"""The API's documentation pages work in Chromium under the portal's Content-Security-Policy,
offline (Swagger UI and Redoc from drf-spectacular-sidecar, no CDN, no web fonts): a signed-in
user sees the operations listed, and nothing is blocked (no `securitypolicyviolation` event, no
CSP error in the console)."""

import pytest
from django.urls import reverse

from .test_csp_browser import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Docs@2026-reader"


@pytest.fixture
def reader(world, personas):
    """A handler: API docs are for any signed-in user, not only staff."""
    user = personas.handler
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def watched(page):
    console, requested = [], []
    page.add_init_script(WATCH)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda request: requested.append(request.url))
    return page, console, requested


def _check(page, console, requested, live_server):
    """No CSP violation at all, and no request for anything outside the live server (not even one
    the policy would refuse: the page does not ask)."""
    violations = page.evaluate("window.__csp")
    assert violations == [] and console == [], (violations, console)
    outside = [url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))]
    assert outside == [], f"requested from outside: {outside}"


def test_swagger_ui_lists_the_operations(reader, watched, login, live_server):
    page, console, requested = watched
    login(reader.username, PASSWORD)
    response = page.goto(f"{live_server.url}{reverse('swagger-ui')}")
    assert response.status == 200
    page.wait_for_selector(".opblock-summary-path", timeout=30000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/needs/" in [p.replace("\u200b", "") for p in paths]
    _check(page, console, requested, live_server)


def test_redoc_lists_the_operations(reader, watched, login, live_server):
    page, console, requested = watched
    login(reader.username, PASSWORD)
    response = page.goto(f"{live_server.url}{reverse('redoc')}")
    assert response.status == 200
    page.wait_for_selector("[data-section-id^='operation/']", timeout=30000)
    assert page.locator("[data-section-id^='operation/']").count() > 10
    assert "/api/needs/" in page.locator("body").inner_text()
    page.fill("input[placeholder='Search...']", "needs")  # the search index runs in a worker
    page.wait_for_selector("[role=search] [role=option], .search-results li, [data-role='search:results'] li")
    page.wait_for_load_state("networkidle")
    # Redoc's sidebar footer ("API docs by Redocly", its logo from cdn.redoc.ly) is neither shown nor
    # asked for (chainparty.api_docs).
    _check(page, console, requested, live_server)
    assert not page.get_by_text("API docs by Redocly").is_visible()


def test_the_docs_send_a_signed_out_browser_to_the_login_page(page, live_server, db):
    page.goto(f"{live_server.url}{reverse('swagger-ui')}")
    assert "/accounts/login/" in page.url
