"""Everyone's own account: profile, password change, sessions."""

import pytest
from django.test import Client
from django.urls import reverse

from chainparty.security.models import UserSession

pytestmark = pytest.mark.django_db
PASSWORD = "Demo@2026"


def sign_in(username):
    client = Client(HTTP_USER_AGENT=f"Browser of {username}")
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("persona", ["enterprise_secretary", "handler", "guide", "outsider", "org_staff"])
def test_everyone_updates_their_mobile_and_email(personas, client_for, persona):
    user = getattr(personas, persona)
    client = client_for(user)
    assert client.get(reverse("profile")).status_code == 200
    response = client.post(reverse("profile"), {"mobile": "13512345678", "email": "me@example.cn"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.mobile, user.email) == ("13512345678", "me@example.cn")


def test_profile_refuses_a_malformed_mobile(personas, client_for):
    client = client_for(personas.handler)
    response = client.post(reverse("profile"), {"mobile": "12345", "email": ""})
    assert response.status_code == 400 and "手机号码" in response.content.decode()
    personas.handler.refresh_from_db()
    assert personas.handler.mobile != "12345"


def test_anonymous_visitors_are_sent_to_login(client):
    for name in ("profile", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_changing_the_password_keeps_this_browser_and_ends_the_others(personas):
    here, elsewhere = sign_in("handler"), sign_in("handler")
    new_password = "Ren-She#2026x"
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert here.get(reverse("profile")).status_code == 200
    assert elsewhere.get(reverse("profile")).status_code == 302


def test_password_rules_apply_in_chinese(personas, client_for):
    response = client_for(personas.handler).post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in error) for error in errors)
    personas.handler.refresh_from_db()
    assert personas.handler.check_password(PASSWORD)


def test_a_user_sees_and_ends_their_other_sessions_only(personas):
    here, elsewhere = sign_in("handler"), sign_in("handler")
    other_person = sign_in("ent_sec")
    page = here.get(reverse("profile"))
    sessions = page.context["sessions"]
    assert len(sessions) == 2
    other = next(s for s in sessions if s.session_key != here.session.session_key)
    foreign = UserSession.objects.get(user=personas.enterprise_secretary)
    assert here.post(reverse("session_revoke", args=[foreign.pk])).status_code == 404
    assert here.post(reverse("session_revoke", args=[other.pk])).status_code == 302
    assert elsewhere.get(reverse("profile")).status_code == 302
    assert here.get(reverse("profile")).status_code == 200
    assert other_person.get(reverse("profile")).status_code == 200
