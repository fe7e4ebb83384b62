"""Codes through an outside channel (SMS, WeCom) cost money and can be abused: one per device per
cooldown (60 s), at most CHAINPARTY_CHANNEL_CODES_PER_HOUR (5) an hour, refused in Chinese with when to
ask again, on the login page and on enrolment alike; wrong codes slow verification down."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from chainparty.security import otp
from chainparty.security.models import ChannelDevice

from . import channels

pytestmark = pytest.mark.django_db

SMS = ["chainparty.notifications.InAppChannel", "tests.chainparty.security.channels.RecordingSmsChannel"]
START = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0))
WAIT = re.compile(r"请 (\d+) 秒后再获取验证码")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sms(with_password, clock):
    channels.SENT.clear()
    person = with_password.handler
    person.mobile = "13800001234"
    person.save()
    with override_settings(NOTIFICATION_CHANNELS=SMS):
        yield person


@pytest.fixture
def device(sms):
    return ChannelDevice.objects.create(user=sms, channel="test-sms", name="短信", confirmed=True)


def last_code():
    return re.search(r"验证码是 (\d{6})", channels.SENT[-1][1]).group(1)


def wait_in(text):
    match = WAIT.search(text)
    return int(match.group(1)) if match else None


def send_on_login_page(client, device):
    response = client.post("/accounts/login/verify/", {"action": "send", "device": device.pk}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_login_page_sends_one_code_a_minute(device, clock, browser_login):
    client, response = browser_login("handler")
    assert response.url == "/accounts/login/verify/"
    assert "验证码已通过短信发送" in send_on_login_page(client, device)
    page = send_on_login_page(client, device)
    assert wait_in(page) == 60 and len(channels.SENT) == 1
    clock.shift(dt.timedelta(seconds=45))
    assert wait_in(send_on_login_page(client, device)) == 15 and len(channels.SENT) == 1
    clock.shift(dt.timedelta(seconds=16))
    assert "验证码已通过短信发送" in send_on_login_page(client, device) and len(channels.SENT) == 2
    assert client.post("/accounts/login/verify/", {"token": last_code()}).status_code == 302


def test_at_most_five_codes_an_hour(device, clock):
    for _i in range(5):
        otp.channel_code_send(device=device)
        clock.shift(dt.timedelta(seconds=61))
    with pytest.raises(ValidationError) as refused:
        otp.channel_code_send(device=device)
    assert wait_in(refused.value.messages[0]) == 3600 - 5 * 61 and len(channels.SENT) == 5
    clock.shift(dt.timedelta(seconds=3600 - 5 * 61))
    otp.channel_code_send(device=device)
    assert len(channels.SENT) == 6
    assert ChannelDevice.objects.get(pk=device.pk).send_count == 1  # a new hour began


@override_settings(CHAINPARTY_CHANNEL_CODE_COOLDOWN_SECONDS=0, CHAINPARTY_CHANNEL_CODES_PER_HOUR=2)
def test_the_limits_are_settings(device):
    otp.channel_code_send(device=device)
    otp.channel_code_send(device=device)
    with pytest.raises(ValidationError):
        otp.channel_code_send(device=device)
    assert len(channels.SENT) == 2


def test_a_stale_copy_of_the_device_cannot_send_twice(device):
    """Two clicks at once load the same row; the conditional update lets one of them send."""
    first, second = ChannelDevice.objects.get(pk=device.pk), ChannelDevice.objects.get(pk=device.pk)
    otp.channel_code_send(device=first)
    with pytest.raises(ValidationError):
        otp.channel_code_send(device=second)
    assert len(channels.SENT) == 1


def test_enrolment_starting_again_does_not_send_again(sms, clock, browser_login):
    client, _ = browser_login("handler")
    client.post("/accounts/2fa/", {"action": "channel_start", "channel": "test-sms"})
    page = client.post("/accounts/2fa/", {"action": "channel_start", "channel": "test-sms"}, follow=True)
    assert wait_in(page.content.decode()) == 60
    assert len(channels.SENT) == 1 and ChannelDevice.objects.filter(user=sms).count() == 1
    clock.shift(dt.timedelta(seconds=61))
    client.post("/accounts/2fa/", {"action": "channel_start", "channel": "test-sms"})
    assert len(channels.SENT) == 2
    device = ChannelDevice.objects.get(user=sms)
    client.post("/accounts/2fa/", {"action": "channel_confirm", "device": device.pk, "token": last_code()})
    assert ChannelDevice.objects.get(pk=device.pk).confirmed


def test_wrong_codes_slow_verification_down(device, clock, browser_login):
    client, _ = browser_login("handler")
    send_on_login_page(client, device)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/accounts/login/verify/", {"token": wrong})
    assert response.status_code == 200 and "验证码不正确或已过期" in response.content.decode()
    response = client.post("/accounts/login/verify/", {"token": wrong})
    assert "验证码错误次数过多，请 1 秒后再试" in response.content.decode()
    assert ChannelDevice.objects.get(pk=device.pk).throttling_failure_count == 1
    # While throttled even the right code is not checked.
    assert otp.verify_token(device.user, code) is None
    clock.shift(dt.timedelta(seconds=2))
    assert client.post("/accounts/login/verify/", {"token": code}).status_code == 302
    assert ChannelDevice.objects.get(pk=device.pk).throttling_failure_count == 0
