"""Security headers (issue 10 §2.6): a Content-Security-Policy with no inline script or style,
the headers Django already sends, and Chinese 400 and CSRF pages in the portal's layout."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.template.loader import get_template
from django.test import Client
from django.urls import path, reverse

from chainparty import urls as portal_urls


def _suspicious(request):
    raise SuspiciousOperation("bad request")


urlpatterns = [path("test-errors/bad/", _suspicious), *portal_urls.urlpatterns]

ROOT = Path(settings.BASE_DIR)


def _policy(response):
    return {
        name: values
        for name, *values in (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    }


@pytest.mark.django_db
def test_pages_send_a_policy_without_inline_script_or_style(world, personas, client_for):
    response = client_for(personas.org_staff).get(reverse("home"))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]  # the nonce appears only when a template used one
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


@pytest.mark.django_db
def test_the_headers_django_sends_stay_on(client):
    response = client.get(reverse("login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response


def test_htmx_runs_without_eval_and_without_its_injected_style():
    base = (ROOT / "templates" / "base.html").read_text()
    assert '<meta name="htmx-config" content=\'{"allowEval": false, "includeIndicatorStyles": false}\'>' in base


# What a strict policy blocks, as it appears in a template. A <script> with a src, and a
# `type="application/json"` block (json_script: data, not code), are fine.
INLINE_PATTERNS = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "on* event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "hx-on attribute": re.compile(r"\shx-on[:\-a-z]*\s*=", re.I),
    "javascript: URL": re.compile(r"""=\s*["']?\s*javascript:""", re.I),
    "js: in hx-vals": re.compile(r"""hx-vals\s*=\s*["']\s*(js|javascript):""", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
}


def _template_files():
    dirs = [ROOT / "templates", *(ROOT.glob("*/templates"))]
    return sorted({path for folder in dirs for path in folder.rglob("*.html")})


def test_no_template_carries_inline_script_handlers_or_style():
    files = _template_files()
    assert len(files) > 50  # the walk found the templates
    found = [
        f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:80]}"
        for path in files
        for what, pattern in INLINE_PATTERNS.items()
        for match in pattern.finditer(path.read_text())
    ]
    assert found == [], "the Content-Security-Policy would block:\n" + "\n".join(found)


def test_the_scan_finds_what_it_looks_for():
    samples = {
        "inline <script>": "<script>alert(1)</script>",
        "on* event handler": '<button onclick="go()">',
        "hx-on attribute": '<div hx-on:click="go()">',
        "javascript: URL": '<a href="javascript:go()">',
        "js: in hx-vals": "<div hx-vals='js:{a: 1}'>",
        "style attribute": '<td style="width:1px">',
        "<style> block": "<style>p{}</style>",
    }
    for what, sample in samples.items():
        assert INLINE_PATTERNS[what].search(sample), what
    allowed = '<script src="/static/js/portal.js"></script><script id="d" type="application/json">{}</script>'
    assert not any(pattern.search(allowed) for pattern in INLINE_PATTERNS.values())


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_bad_request_is_a_chinese_400(client):
    response = client.get("/test-errors/bad/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求无效" in page and "Bad Request" not in page
    assert "css/error.css" in page


@pytest.mark.django_db
def test_a_refused_csrf_token_is_a_chinese_403_in_the_portal(world, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.org_staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and 'class="navbar' in page
    assert "CSRF verification failed" not in page and "Forbidden" not in page
    assert "<style" not in page


def test_the_500_page_takes_its_style_from_a_static_file():
    page = get_template("500.html").render()
    assert "<style" not in page and f'href="{settings.STATIC_URL}css/error.css"' in page
    assert (ROOT / "static" / "css" / "error.css").exists()
