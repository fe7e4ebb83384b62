"""Issue 10 §2: /security/ shows organisation staff and platform administrators the security
configuration in force (the MLPS level-3 checklist), read from the running settings; everyone
else is refused."""

import pytest
from django.urls import reverse

from chainparty import security_checklist
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/security/"


def test_the_address():
    assert reverse("security_configuration") == URL


@pytest.mark.parametrize("persona", ["org_staff"])
def test_org_staff_read_the_configuration_in_force(personas, client_for, persona):
    response = client_for(getattr(personas, persona)).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "口令",
        "8 位",
        "5 次失败后锁定",
        "30 分钟",
        "12 小时",
        "184 天",
        "script-src &#x27;self&#x27;",
        "每日 02:30，保留 14 天",
        "双因素",
    ):
        assert text in page, text
    assert 'id="nav-security"' in page  # offered in the menu


def test_a_platform_administrator_reads_it(client_for):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert client_for(admin).get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["leader", "secretary", "enterprise_secretary", "handler", "guide", "outsider"])
def test_everyone_else_is_refused(personas, client_for, persona):
    response = client_for(getattr(personas, persona)).get(URL)
    assert response.status_code == 403
    assert 'id="nav-security"' not in client_for(getattr(personas, persona)).get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_page_follows_the_settings(personas, client_for, settings):
    settings.CHAINPARTY_SESSION_IDLE_MINUTES = 45
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", "'unsafe-inline'"]}}
    page = client_for(personas.org_staff).get(URL).content.decode()
    assert "45 分钟" in page and "未达要求" in page
    settings.CHAINPARTY_REQUIRE_2FA = True
    items = {item.setting: item for item in security_checklist.checklist() if item.setting}
    assert items["CHAINPARTY_SESSION_IDLE_MINUTES"].value == "45 分钟"
    assert items["CHAINPARTY_SESSION_IDLE_MINUTES"].status == security_checklist.WARN
    assert items["CHAINPARTY_REQUIRE_2FA"].status == security_checklist.OK
    assert items["CONTENT_SECURITY_POLICY"].status == security_checklist.WARN


def test_test_settings_meet_every_requirement_but_the_production_only_ones():
    warned = {item.setting for item in security_checklist.checklist() if item.status == security_checklist.WARN}
    assert warned <= {"CHAINPARTY_REQUIRE_2FA", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}
