"""The API docs pages under the Content-Security-Policy (chainparty.api_docs): Swagger UI keeps the
site-wide policy and takes its start-up script from a second request; only the Redoc page adds
inline styles and blob: workers; neither loads anything from outside. Chromium checks the pages
render: tests/browser/test_api_docs_browser.py."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _policy(response):
    parts = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_swagger_ui_keeps_the_site_wide_policy(client_for, personas):
    client = client_for(personas.handler)
    home, docs = client.get(reverse("home")), client.get(reverse("swagger-ui"))
    assert docs.status_code == 200
    assert docs["Content-Security-Policy"] == home["Content-Security-Policy"]
    page = docs.content.decode()
    assert "<style" not in page and "<script>" not in page and "https://" not in page
    assert 'src="/api/docs/?script="' in page


def test_swagger_ui_start_up_script_is_a_separate_response(client_for, personas):
    url = reverse("swagger-ui") + "?script="
    script = client_for(personas.handler).get(url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode() and reverse("schema") in script.content.decode()
    assert Client().get(url).status_code == 302  # signed out: to the login page


def test_only_the_redoc_page_allows_inline_style_and_blob_workers(client_for, personas):
    client = client_for(personas.handler)
    redoc = client.get(reverse("redoc"))
    assert redoc.status_code == 200
    policy = _policy(redoc)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert policy["script-src"] == ["'self'"] and "unsafe" not in " ".join(policy["script-src"])
    page = redoc.content.decode()
    assert "<style" not in page and "fonts.googleapis.com" not in page and "https://" not in page
    settings_data = re.search(r'<script id="redoc-settings" type="application/json">(.*?)</script>', page)
    assert json.loads(settings_data.group(1)) == {}
    assert 'data-schema-url="/api/schema/"' in page
    for name in ("home", "swagger-ui"):
        assert "unsafe-inline" not in client.get(reverse(name))["Content-Security-Policy"]
