"""Personal API tokens: stored hashed, shown once, expire, revoked by their owner; the token login
obeys the lockout and the second factor."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from chainparty.accounts import tokens
from chainparty.models import ApiToken, AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "Demo@2026"
# Session authentication comes first in REST_FRAMEWORK, so DRF answers a failed authentication 403.
REFUSED = 403


def api(raw=None):
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_database_never_holds_the_token(personas):
    token, raw = tokens.token_issue(user=personas.handler, name="脚本")
    assert raw.startswith("cp_") and raw not in token.token_hash
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = str(cursor.fetchall())
    assert raw not in stored and raw[len("cp_") + 8 + 1 :] not in stored
    assert token.token_hash == tokens.token_hash(raw)


def test_a_token_authenticates_the_api_and_records_its_use(personas):
    _token, raw = tokens.token_issue(user=personas.org_staff, name="脚本")
    response = api(raw).get("/api/alliances/")
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_unknown_expired_revoked_and_deactivated_tokens_are_refused(personas, time_machine):
    _token, raw = tokens.token_issue(user=personas.org_staff, name="脚本", days=1)
    assert api(raw + "x").get("/api/alliances/").status_code == REFUSED
    time_machine.move_to(timezone.now() + dt.timedelta(days=1, minutes=1))
    response = api(raw).get("/api/alliances/")
    assert response.status_code == REFUSED and "过期" in response.json()["detail"]

    token2, raw2 = tokens.token_issue(user=personas.org_staff, name="另一个")
    assert api(raw2).get("/api/alliances/").status_code == 200
    tokens.token_revoke(actor=personas.org_staff, token=token2)
    assert api(raw2).get("/api/alliances/").status_code == REFUSED

    _token3, raw3 = tokens.token_issue(user=personas.handler, name="办理")
    personas.handler.is_active = False
    personas.handler.save()
    assert api(raw3).get("/api/alliances/").status_code == REFUSED


def test_expiry_defaults_to_the_setting_and_is_bounded(personas, settings):
    settings.CHAINPARTY_API_TOKEN_DAYS = 30
    token, _raw = tokens.token_issue(user=personas.handler, name="脚本")
    assert (token.expires_at - token.created_at).days == 30
    with pytest.raises(Exception, match="有效期"):
        tokens.token_issue(user=personas.handler, name="脚本", days=400)


def test_only_the_owner_revokes_a_token(personas):
    token, _raw = tokens.token_issue(user=personas.handler, name="脚本")
    with pytest.raises(Exception, match="自己的令牌"):
        tokens.token_revoke(actor=personas.org_staff, token=token)
    assert ApiToken.objects.get().revoked_at is None


def test_issue_and_revoke_are_audited(personas):
    token, _raw = tokens.token_issue(user=personas.handler, name="脚本")
    tokens.token_revoke(actor=personas.handler, token=token)
    actions = list(AuditLog.objects.filter(target_id=personas.handler.pk).values_list("action", flat=True))
    assert AuditLog.Action.TOKEN_ISSUE in actions and AuditLog.Action.TOKEN_REVOKE in actions


# -- the pages -----------------------------------------------------------------------------------
def test_profile_issues_a_token_shown_once_and_lists_it_by_prefix(personas, client_for):
    client = client_for(personas.enterprise_secretary)
    response = client.post(reverse("token_create"), {"name": "上报脚本", "days": 30})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["raw_token"]
    assert raw in response.content.decode()
    page = client.get(reverse("profile")).content.decode()
    assert "上报脚本" in page and raw not in page and ApiToken.objects.get().prefix in page


def test_a_user_revokes_their_own_token_but_not_anothers(personas, client_for):
    own, _raw = tokens.token_issue(user=personas.handler, name="自己的")
    other, _raw = tokens.token_issue(user=personas.org_staff, name="别人的")
    client = client_for(personas.handler)
    assert client.post(reverse("token_revoke", args=[other.pk])).status_code == 404
    assert client.post(reverse("token_revoke", args=[own.pk])).status_code == 302
    own.refresh_from_db(), other.refresh_from_db()
    assert own.revoked_at is not None and other.revoked_at is None


# -- the token login endpoint -----------------------------------------------------------------
def test_token_login_gives_a_token_once(personas):
    response = api().post(
        reverse("api_token_login"), {"username": "handler", "password": PASSWORD, "name": "采集"}, format="json"
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    assert api(raw).get("/api/alliances/").status_code == 200
    assert ApiToken.objects.get().name == "采集"


def test_token_login_refuses_a_wrong_password_in_chinese(personas):
    response = api().post(reverse("api_token_login"), {"username": "handler", "password": "wrong"}, format="json")
    assert response.status_code == 400 and "用户名或密码不正确" in str(response.json())
    assert not ApiToken.objects.exists()


def test_token_login_obeys_the_lockout(personas, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        api().post(reverse("api_token_login"), {"username": "handler", "password": "wrong"}, format="json")
    response = api().post(reverse("api_token_login"), {"username": "handler", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_token_login_requires_the_second_factor(personas):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=personas.handler, name="手机", confirmed=True)
    body = {"username": "handler", "password": PASSWORD}
    response = api().post(reverse("api_token_login"), body, format="json")
    assert response.status_code == 400 and "otp_token" in response.json()
    response = api().post(reverse("api_token_login"), {**body, "otp_token": "000000"}, format="json")
    assert response.status_code == 400 and not ApiToken.objects.exists()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down retries after a failure
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = api().post(reverse("api_token_login"), {**body, "otp_token": code}, format="json")
    assert response.status_code == 201


def test_delete_revokes_the_presented_token(personas):
    _token, raw = tokens.token_issue(user=personas.handler, name="脚本")
    assert api(raw).delete(reverse("api_token_login")).status_code == 204
    assert api(raw).get("/api/alliances/").status_code == REFUSED
    assert api().delete(reverse("api_token_login")).status_code == 401  # this view names only Bearer


def test_a_new_password_revokes_every_token(personas):
    """Staff resetting a compromised account's password must also stop the tokens taken with it."""
    user = personas.handler
    _token, raw = tokens.token_issue(user=user, name="脚本")
    assert api(raw).get("/api/needs/").status_code == 200
    user.set_password("Xin@Mima2027")
    user.save()
    assert api(raw).get("/api/needs/").status_code == REFUSED
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert AuditLog.objects.filter(action=AuditLog.Action.TOKEN_REVOKE, target_id=user.pk).exists()
