"""SMS through Aliyun (chainparty.channels.sms) against a fake dysmsapi on 127.0.0.1: signed
requests the fake server verifies, login codes through the 验证码 template, notifications only
where a notice template is configured, and every failure ending as a failed delivery or a page
message with a Chinese reason."""

import re

import pytest
from django.test import Client

from chainparty import notifications, security_checklist
from chainparty.channels import sms
from chainparty.models import NotificationDelivery
from chainparty.security import otp
from chainparty.security.models import ChannelDevice

from .channel_servers import fake_aliyun_sms

pytestmark = pytest.mark.django_db

PASSWORD = "Demo@2026"
Status = NotificationDelivery.Status


@pytest.fixture
def aliyun_sms(settings):
    with fake_aliyun_sms(settings) as server:
        yield server


@pytest.fixture
def person(personas):
    person = personas.handler
    person.mobile = "13800001234"
    person.set_password(PASSWORD)
    person.save()
    return person


def test_the_signature_is_aliyuns_documented_example():
    # The worked example of Aliyun's "签名机制" page for SendSms (GET, secret testSecret).
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert sms.signature(params, "testSecret", method="GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_a_code_goes_through_the_code_template_signed(aliyun_sms, person):
    device = ChannelDevice.objects.create(user=person, channel="sms", name="短信", confirmed=True)
    otp.channel_code_send(device=device)
    [message] = aliyun_sms.sent
    assert message.mobile == "13800001234" and message.sign_name == "产业链党建"
    assert message.template_code == "SMS_100000001" and message.params == {"code": device.token}
    assert otp.verify_token(person, device.token) == device
    request = aliyun_sms.received[-1]
    assert request.method == "POST" and request.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_a_wrong_secret_is_refused_and_the_person_is_told(aliyun_sms, person, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    device = ChannelDevice.objects.create(user=person, channel="sms", name="短信", confirmed=True)
    with pytest.raises(otp.ValidationError) as refused:
        otp.channel_code_send(device=device)
    assert "短信发送失败（SignatureDoesNotMatch）" in refused.value.messages[0] and not aliyun_sms.sent


def test_without_a_notice_template_notifications_are_not_sent_by_sms(
    aliyun_sms, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[person], message=notifications.Message(title="新需求"), dedupe_key="n1")
    assert not NotificationDelivery.objects.filter(channel="sms").exists() and not aliyun_sms.received
    # …while the channel still offers login codes.
    assert "sms" in [channel.key() for channel in otp.outside_channels(person)]


def notify(person, title, key, capture):
    with capture(execute=True):
        notifications.notify(recipients=[person], message=notifications.Message(title=title), dedupe_key=key)
    return NotificationDelivery.objects.get(channel="sms", notification__dedupe_key__startswith=key)


def test_with_a_notice_template_notifications_go_by_sms(
    aliyun_sms, person, settings, django_capture_on_commit_callbacks
):
    settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE = "SMS_100000002"
    title = "企业“鲁泰纺织”提交了新需求：高端纺纱设备技改资金缺口需要金融机构对接，请产业链党委协调"
    delivery = notify(person, title, "n1", django_capture_on_commit_callbacks)
    assert delivery.status == Status.SENT
    [message] = aliyun_sms.sent
    assert message.template_code == "SMS_100000002"
    assert message.params["title"] == title[:34] + "…" and len(message.params["title"]) == sms.MAX_VARIABLE_CHARS


def test_nobody_without_a_mobile_gets_a_delivery(aliyun_sms, person, settings, django_capture_on_commit_callbacks):
    settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE = "SMS_100000002"
    type(person).objects.filter(pk=person.pk).update(mobile="")
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[person], message=notifications.Message(title="新需求"), dedupe_key="n1")
    assert not NotificationDelivery.objects.filter(channel="sms").exists()
    assert "sms" not in [channel.key() for channel in otp.outside_channels(person)]


def test_a_refusal_fails_the_delivery_with_aliyuns_reason(
    aliyun_sms, person, settings, django_capture_on_commit_callbacks
):
    settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE = "SMS_100000002"
    aliyun_sms.fail_with = (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"})
    delivery = notify(person, "新需求", "n1", django_capture_on_commit_callbacks)
    assert delivery.status == Status.FAILED and delivery.attempts == 1
    assert delivery.error == "短信发送失败（isv.BUSINESS_LIMIT_CONTROL）：触发分钟级流控Permits:1"


def test_an_unreachable_gateway_fails_with_a_reason(aliyun_sms, person, settings, django_capture_on_commit_callbacks):
    settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE = "SMS_100000002"
    aliyun_sms.close()  # nothing listens there any more
    delivery = notify(person, "新需求", "n1", django_capture_on_commit_callbacks)
    assert delivery.status == Status.FAILED and delivery.error.startswith("无法连接短信服务")


def test_a_gateway_that_hangs_is_given_up_after_the_timeout(aliyun_sms, person, settings):
    settings.CHAINPARTY_CHANNEL_HTTP_TIMEOUT = 0.3
    aliyun_sms.delay = 2
    device = ChannelDevice.objects.create(user=person, channel="sms", name="短信", confirmed=True)
    with pytest.raises(otp.ValidationError) as refused:
        otp.channel_code_send(device=device)
    assert "短信服务在 0.3 秒内没有响应" in refused.value.messages[0]


def test_not_offered_when_not_configured(aliyun_sms, person, settings):
    settings.ALIYUN_SMS_SIGN_NAME = ""
    assert "sms" not in [channel.key() for channel in otp.outside_channels(person)]


def test_the_security_page_shows_the_sms_channel(aliyun_sms, settings):
    items = {item.setting: item for item in security_checklist.checklist() if item.setting}
    assert "已启用" in items["ALIYUN_SMS_ACCESS_KEY_ID"].value
    assert items["ALIYUN_SMS_ACCESS_KEY_ID"].status == security_checklist.OK
    settings.NOTIFICATION_CHANNELS = ["chainparty.notifications.InAppChannel"]
    items = {item.setting: item for item in security_checklist.checklist() if item.setting}
    assert items["ALIYUN_SMS_ACCESS_KEY_ID"].status == security_checklist.WARN


# -- end to end: enrol on the security page, log out, log in with a code by SMS ------------------
def last_code(server):
    return server.sent[-1].params["code"]


def signed_in(client):
    return "_auth_user_id" in client.session


def test_a_person_enrols_sms_and_logs_in_with_a_code_sent_by_sms(aliyun_sms, person):
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert client.post("/accounts/login/", {"username": person.username, "password": PASSWORD}).status_code == 302
    page = client.get("/accounts/2fa/").content.decode()
    assert "通过短信接收验证码" in page
    client.post("/accounts/2fa/", {"action": "channel_start", "channel": "sms"})
    device = ChannelDevice.objects.get(user=person)
    assert len(aliyun_sms.sent) == 1 and aliyun_sms.sent[0].mobile == person.mobile
    response = client.post(
        "/accounts/2fa/", {"action": "channel_confirm", "device": device.pk, "token": last_code(aliyun_sms)}
    )
    assert len(re.findall(r'<li class="list-group-item font-monospace">(\w+)</li>', response.content.decode())) == 10
    assert ChannelDevice.objects.get(pk=device.pk).confirmed
    client.post("/accounts/logout/")
    assert not signed_in(client)

    client = Client(REMOTE_ADDR="198.51.100.7")
    response = client.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    assert response.status_code == 302 and not signed_in(client)  # the second step is asked for
    client.post("/accounts/login/verify/", {"action": "send", "device": device.pk})
    assert len(aliyun_sms.sent) == 2
    code = last_code(aliyun_sms)
    assert client.post("/accounts/login/verify/", {"token": code}).status_code == 302 and signed_in(client)


def test_a_refused_code_is_a_message_on_the_login_page_not_an_error(aliyun_sms, person):
    device = ChannelDevice.objects.create(user=person, channel="sms", name="短信", confirmed=True)
    aliyun_sms.fail_with = (400, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    response = client.post("/accounts/login/verify/", {"action": "send", "device": device.pk}, follow=True)
    assert response.status_code == 200
    assert "短信发送失败（isv.MOBILE_NUMBER_ILLEGAL）：非法手机号" in response.content.decode()
