"""htmx fragments asked for after the session expired send the whole page to the login form."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FRAGMENT = "/needs/totals/"


def test_expired_session_on_an_htmx_fragment_redirects_the_whole_page(client):
    response = client.get(FRAGMENT, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/needs/42/?tab=parts")

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/needs/42/%3Ftab%3Dparts"
    assert not response.content


def test_client_supplied_current_url_cannot_send_the_user_elsewhere(client):
    response = client.get(FRAGMENT, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/phish")

    assert response["HX-Redirect"] == f"{reverse('login')}?next=/phish"


def test_plain_requests_keep_the_ordinary_login_redirect(client):
    response = client.get(FRAGMENT)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={FRAGMENT}"
    assert "HX-Redirect" not in response


def test_signed_in_htmx_requests_are_untouched(client, personas):
    client.force_login(personas.org_staff)

    response = client.get(FRAGMENT, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/needs/")

    assert response.status_code == 200 and "HX-Redirect" not in response
