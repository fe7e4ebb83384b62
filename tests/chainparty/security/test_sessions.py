"""§2.3 sessions: signed out after 30 idle minutes and 12 hours after signing in whatever happens,
with a Chinese message saying why; a password change or a deactivation ends every session."""

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from chainparty.security import selectors, services
from chainparty.security.models import UserSession

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 6, 1, 0, tzinfo=dt.UTC)


def signed_in(client):
    return "_auth_user_id" in client.session


def test_idle_for_thirty_minutes_signs_out_with_a_reason(with_password, browser_login):
    with time_machine.travel(START, tick=False) as clock:
        client, _ = browser_login("handler")
        clock.move_to(START + dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.move_to(START + dt.timedelta(minutes=29 + 30, seconds=30))
        response = client.get("/alliances/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?reason=idle")
        assert not signed_in(client)
        page = client.get(response.url).content.decode()
        assert "您已连续30分钟未操作，为保护账号安全已自动退出，请重新登录。" in page


def test_twelve_hours_after_login_the_session_ends_even_when_busy(with_password, browser_login):
    with time_machine.travel(START, tick=False) as clock:
        client, _ = browser_login("handler")
        for step in range(1, 36):  # a request every 20 minutes for 11 h 40 min
            clock.move_to(START + dt.timedelta(minutes=20 * step))
            assert client.get("/").status_code == 200, step
        clock.move_to(START + dt.timedelta(hours=12, minutes=1))
        response = client.get("/")
        assert response.url.startswith("/accounts/login/?reason=expired")
        assert "本次登录已超过12小时" in client.get(response.url).content.decode()


def test_sessions_are_listed_and_logout_removes_the_row(with_password, browser_login):
    first, _ = browser_login("handler", address="198.51.100.1")
    browser_login("handler", address="198.51.100.2")
    rows = list(selectors.user_sessions(user=with_password.handler))
    assert {row.ip_address for row in rows} == {"198.51.100.1", "198.51.100.2"}
    first.post("/accounts/logout/")
    assert [row.ip_address for row in selectors.user_sessions(user=with_password.handler)] == ["198.51.100.2"]


def test_a_revoked_session_is_signed_out(with_password, browser_login):
    client, _ = browser_login("handler")
    row = UserSession.objects.get(user=with_password.handler)
    services.user_session_revoke(actor=with_password.handler, user_session=row)
    assert client.get("/alliances/").status_code == 302
    assert not UserSession.objects.exists()


def test_someone_else_cannot_revoke_a_session(with_password, browser_login):
    browser_login("handler")
    row = UserSession.objects.get(user=with_password.handler)
    with pytest.raises(Exception, match="只能结束自己的登录会话"):
        services.user_session_revoke(actor=with_password.outsider, user_session=row)


def test_a_password_change_ends_every_session(with_password, browser_login):
    phone, _ = browser_login("handler", address="198.51.100.1")
    laptop, _ = browser_login("handler", address="198.51.100.2")
    person = with_password.handler
    person.set_password("Changed#2026x")
    person.save()
    for client in (phone, laptop):
        assert client.get("/alliances/").status_code == 302
    assert not UserSession.objects.filter(user=person).exists()
    assert not Session.objects.filter(session_key__in=[phone.session.session_key, laptop.session.session_key]).exists()


def test_deactivating_an_account_ends_every_session(with_password, browser_login):
    client, _ = browser_login("handler")
    person = with_password.handler
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get("/alliances/").status_code == 302
    assert not UserSession.objects.filter(user=person).exists()
    _, response = browser_login("handler")
    assert response.status_code == 200  # an inactive account cannot sign in


def test_a_session_from_a_stolen_cookie_of_a_deactivated_account_is_refused(with_password):
    """Even with the session row left behind, ModelBackend refuses an inactive user's session."""
    client = Client()
    client.force_login(with_password.handler)
    type(with_password.handler).objects.filter(pk=with_password.handler.pk).update(is_active=False)
    assert client.get("/alliances/").status_code == 302


def test_the_demo_password_logs_in(with_password, browser_login):
    client, response = browser_login("handler", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_the_browser_that_changes_its_password_stays_listed_and_revocable(with_password, browser_login):
    """Django gives the browser a new session key when its person changes their password: the
    session's row follows it, so it is still listed (as this browser) and can be revoked."""
    client, _ = browser_login("handler", address="198.51.100.3")
    other, _ = browser_login("handler", address="198.51.100.4")
    person = with_password.handler
    old_key = client.session.session_key
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Changed#2026x", "new_password2": "Changed#2026x"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    new_key = client.session.session_key
    assert new_key != old_key
    assert list(UserSession.objects.filter(user=person).values_list("session_key", flat=True)) == [new_key]
    assert other.get("/alliances/").status_code == 302  # the other browser was signed out
    row = UserSession.objects.get(session_key=new_key)
    services.user_session_revoke(actor=person, user_session=row)
    assert client.get("/alliances/").status_code == 302
