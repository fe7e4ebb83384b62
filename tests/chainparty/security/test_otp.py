"""§2.4 second factor: anyone may turn TOTP on (QR code drawn on the server, recovery codes shown
once); the login becomes two steps; a wrong code counts as a failed login; a code through an
outside notification channel is valid five minutes and used once; staff must enrol when
CHAINPARTY_REQUIRE_2FA is on; enrolment and removal are audited."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chainparty.models import AuditLog
from chainparty.security import otp
from chainparty.security.models import ChannelDevice

from . import channels
from .conftest import PASSWORD, WRONG

pytestmark = pytest.mark.django_db

SMS = "chainparty.notifications.InAppChannel,tests.chainparty.security.channels.RecordingSmsChannel"


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol_totp(client):
    page = client.post("/accounts/2fa/", {"action": "totp_start"}).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, drawn here
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/accounts/2fa/", {"action": "totp_confirm", "device": device.pk, "token": code_for(device)})
    codes = re.findall(r'<li class="list-group-item font-monospace">(\w+)</li>', response.content.decode())
    return TOTPDevice.objects.get(pk=device.pk), codes


def signed_in(client):
    return "_auth_user_id" in client.session


def test_anyone_can_turn_on_totp_and_gets_ten_recovery_codes_once(with_password, browser_login):
    client, _ = browser_login("handler")
    device, codes = enrol_totp(client)
    assert device.confirmed and len(codes) == 10
    assert "otp-enabled" in client.get("/accounts/2fa/").content.decode()
    assert codes[0] not in client.get("/accounts/2fa/").content.decode()
    [entry] = AuditLog.objects.filter(action=AuditLog.Action.OTP_ENROL)
    assert entry.target == with_password.handler and entry.actor == with_password.handler


def test_a_wrong_code_does_not_enrol(with_password, browser_login):
    client, _ = browser_login("handler")
    client.post("/accounts/2fa/", {"action": "totp_start"})
    device = TOTPDevice.objects.get()
    page = client.post("/accounts/2fa/", {"action": "totp_confirm", "device": device.pk, "token": "000000"})
    assert "验证码不正确或已过期" in page.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


@pytest.fixture
def enrolled(with_password, browser_login):
    client, _ = browser_login("handler")
    device, codes = enrol_totp(client)
    client.post("/accounts/logout/")
    return device, codes


def test_with_a_device_the_login_takes_two_steps(enrolled, browser_login):
    device, _codes = enrolled
    client, response = browser_login("handler")
    assert response.url == "/accounts/login/verify/"
    assert not signed_in(client)
    assert client.get("/alliances/").status_code == 302
    with time_machine.travel(dt.timedelta(seconds=31)):  # the code used at enrolment is spent
        response = client.post("/accounts/login/verify/", {"token": code_for(device)})
        assert response.status_code == 302 and response.url == "/"
        assert signed_in(client)
        assert client.get("/alliances/").status_code == 200
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN, target_id=device.user_id).count() == 2


def test_a_recovery_code_works_once(enrolled, browser_login):
    _device, codes = enrolled
    client, _ = browser_login("handler")
    assert client.post("/accounts/login/verify/", {"token": codes[0]}).status_code == 302
    assert signed_in(client)
    again, _ = browser_login("handler")
    response = again.post("/accounts/login/verify/", {"token": codes[0]})
    assert "验证码不正确或已过期" in response.content.decode() and not signed_in(again)


def test_wrong_codes_count_as_failed_logins_and_lock(enrolled, browser_login):
    client, _ = browser_login("handler")
    for _ in range(4):
        assert client.post("/accounts/login/verify/", {"token": "123456"}).status_code == 200
    response = client.post("/accounts/login/verify/", {"token": "654321"})
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert AuditLog.objects.filter(action=AuditLog.Action.LOCKOUT).count() == 1
    _, response = browser_login("handler")
    assert response.status_code == 429


def test_the_code_step_expires_after_five_minutes(enrolled, browser_login):
    device, _codes = enrolled
    client, _ = browser_login("handler")
    with time_machine.travel(dt.timedelta(minutes=6)):
        response = client.post("/accounts/login/verify/", {"token": code_for(device)})
        assert response.url == "/accounts/login/" and not signed_in(client)


def test_removing_the_second_factor_is_audited(enrolled, browser_login):
    device, codes = enrolled
    client, _ = browser_login("handler")
    client.post("/accounts/login/verify/", {"token": codes[1]})
    client.post("/accounts/2fa/", {"action": "remove"})
    assert not otp.has_second_factor(device.user)
    assert AuditLog.objects.filter(action=AuditLog.Action.OTP_REMOVE, target_id=device.user_id).count() == 1
    _, response = browser_login("handler")
    assert response.url == "/"


# -- a code through an outside channel --------------------------------------------------------
@pytest.fixture
def sms(with_password):
    channels.SENT.clear()
    person = with_password.handler
    person.mobile = "13800001234"
    person.save()
    with override_settings(NOTIFICATION_CHANNELS=SMS.split(",")):
        yield person


def last_code():
    return re.search(r"验证码是 (\d{6})", channels.SENT[-1][1]).group(1)


def test_a_channel_code_enrols_and_logs_in_once_within_five_minutes(sms, browser_login):
    client, _ = browser_login("handler")
    assert "通过短信接收验证码" in client.get("/accounts/2fa/").content.decode()
    client.post("/accounts/2fa/", {"action": "channel_start", "channel": "test-sms"})
    device = ChannelDevice.objects.get()
    client.post("/accounts/2fa/", {"action": "channel_confirm", "device": device.pk, "token": last_code()})
    assert ChannelDevice.objects.get().confirmed
    client.post("/accounts/logout/")

    client, _ = browser_login("handler")
    client.post("/accounts/login/verify/", {"action": "send", "device": device.pk})
    code = last_code()
    assert client.post("/accounts/login/verify/", {"token": code}).status_code == 302 and signed_in(client)
    again, _ = browser_login("handler")
    assert not signed_in(again) and again.post("/accounts/login/verify/", {"token": code}).status_code == 200


def test_an_api_client_asks_for_a_channel_code_then_signs_in_with_it(sms):
    """The token login with an SMS second factor: the password and send_code give a code (202),
    never without the right password; the code then gives a token, once."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    ChannelDevice.objects.create(user=sms, channel="test-sms", name="短信", confirmed=True)
    url, api = reverse("api_token_login"), APIClient()
    refused = api.post(url, {"username": "handler", "password": WRONG, "send_code": True}, format="json")
    assert refused.status_code == 400 and not channels.SENT
    sent = api.post(url, {"username": "handler", "password": PASSWORD, "send_code": True}, format="json")
    assert sent.status_code == 202 and "验证码已通过短信发送" in sent.json()["detail"]
    code = last_code()
    again = api.post(url, {"username": "handler", "password": PASSWORD, "send_code": True}, format="json")
    assert again.status_code == 400 and "秒后再获取验证码" in again.json()["send_code"][0]
    issued = api.post(url, {"username": "handler", "password": PASSWORD, "otp_token": code}, format="json")
    assert issued.status_code == 201 and issued.json()["token"]
    reused = api.post(url, {"username": "handler", "password": PASSWORD, "otp_token": code}, format="json")
    assert reused.status_code == 400


def test_channel_codes_expire_after_five_minutes(sms):
    device = ChannelDevice.objects.create(user=sms, channel="test-sms", name="短信", confirmed=True)
    otp.channel_code_send(device=device)
    code = last_code()
    with time_machine.travel(dt.timedelta(minutes=5, seconds=1)):
        assert otp.verify_token(sms, code) is None
    # Later than the cooldown between codes and the one-second back-off after the wrong try.
    with time_machine.travel(dt.timedelta(minutes=5, seconds=3)):
        otp.channel_code_send(device=device)
        code = last_code()
        assert otp.verify_token(sms, code) is not None
        assert otp.verify_token(sms, code) is None  # used once
    assert code not in str(list(AuditLog.objects.values())) and not sms.notifications.exists()


def test_no_channel_is_offered_where_none_reaches_the_person(with_password, browser_login):
    client, _ = browser_login("handler")
    assert "通过电子邮件接收验证码" in client.get("/accounts/2fa/").content.decode()
    type(with_password.handler).objects.filter(pk=with_password.handler.pk).update(email="")
    assert "接收验证码" not in client.get("/accounts/2fa/").content.decode()


# -- required for staff -----------------------------------------------------------------------
@override_settings(CHAINPARTY_REQUIRE_2FA=True)
def test_staff_must_enrol_before_anything_else_when_required(with_password, browser_login):
    client, _ = browser_login("staff")
    response = client.get("/alliances/")
    assert response.status_code == 302 and response.url == "/accounts/2fa/"
    assert "须启用双因素认证" in client.get("/accounts/2fa/").content.decode()
    enrol_totp(client)
    assert client.get("/alliances/").status_code == 200
    assert client.post("/accounts/2fa/", {"action": "remove"}).status_code == 302
    assert otp.has_second_factor(with_password.org_staff)  # staff cannot turn it off themselves


@override_settings(CHAINPARTY_REQUIRE_2FA=True)
def test_an_admin_site_account_must_enrol_too_when_required(with_password, browser_login):
    """is_staff (the admin site, read-only or not) without any region role: held like staff."""
    handler = with_password.handler
    handler.is_staff = True
    handler.save(update_fields=["is_staff"])
    client, _ = browser_login("handler")
    response = client.get("/alliances/")
    assert response.status_code == 302 and response.url == "/accounts/2fa/"


@override_settings(CHAINPARTY_REQUIRE_2FA=True)
def test_other_people_are_not_held_when_required(with_password, browser_login):
    client, _ = browser_login("handler")
    assert client.get("/alliances/").status_code == 200


def test_not_required_by_default_so_demo_logins_work(with_password, browser_login):
    client, _ = browser_login("staff", PASSWORD)
    assert client.get("/alliances/").status_code == 200


def test_the_admin_login_goes_through_the_portal_login_and_its_second_step(enrolled, client):
    response = client.get("/admin/login/?next=/admin/chainparty/")
    assert response.status_code == 302 and response.url == "/accounts/login/?next=%2Fadmin%2Fchainparty%2F"
    response = client.post("/admin/login/", {"username": "handler", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@override_settings(CHAINPARTY_REQUIRE_2FA=True)
def test_staff_who_must_enrol_cannot_use_the_api_with_the_password_session(with_password, browser_login):
    """The session the password step gives is held at the setup page for the API too: otherwise
    /api/ with the session cookie skips the second factor the pages insist on."""
    client, _ = browser_login("staff")
    response = client.get("/api/needs/")
    assert response.status_code == 403
    assert "双因素认证" in response.json()["detail"]
    enrol_totp(client)
    assert client.get("/api/needs/").status_code == 200
