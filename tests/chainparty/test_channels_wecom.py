"""企业微信 application messages (chainparty.channels.wecom) against a fake qyapi on 127.0.0.1:
the access token is fetched once and shared through the cache until shortly before it expires,
fetched again when a send says it is invalid or expired; notifications and login codes reach the
person's WeCom account; refusals end as failed deliveries or page messages with the reason."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from chainparty import notifications, security_checklist
from chainparty.channels import ChannelError, wecom
from chainparty.models import NotificationDelivery
from chainparty.security import otp
from chainparty.security.models import ChannelDevice

from .channel_servers import WECOM_AGENT_ID, WECOM_CORP_ID, WECOM_SECRET, fake_wecom

pytestmark = pytest.mark.django_db

PASSWORD = "Demo@2026"
Status = NotificationDelivery.Status


@pytest.fixture
def server(settings):
    with fake_wecom(settings) as fake:
        yield fake


# -- the access token ---------------------------------------------------------------------------
def test_the_token_is_fetched_once_with_the_apps_credentials_and_reused(server):
    wecom.send_text(wecom_userid="liu.keyuan", content="一")
    wecom.send_text(wecom_userid="liu.keyuan", content="二")
    [token_request] = server.token_requests
    assert token_request.method == "GET"
    assert token_request.query == {"corpid": WECOM_CORP_ID, "corpsecret": WECOM_SECRET}
    sends = [r for r in server.received if r.path == "/cgi-bin/message/send"]
    assert [r.query["access_token"] for r in sends] == ["token-1", "token-1"]
    assert [m["text"]["content"] for m in server.messages] == ["一", "二"]
    assert server.messages[0]["touser"] == "liu.keyuan" and server.messages[0]["agentid"] == int(WECOM_AGENT_ID)


def test_the_token_is_kept_until_shortly_before_it_expires(server, monkeypatch):
    kept = {}
    real_set = cache.set

    def remember(key, value, timeout=None, **kwargs):
        kept[key] = timeout
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", remember)
    server.expires_in = 7200
    wecom.access_token()
    assert list(kept.values()) == [7200 - wecom.TOKEN_MARGIN_SECONDS]


@pytest.mark.parametrize("lapse", ["expire_tokens", "revoke_tokens"])
def test_an_expired_or_invalid_token_is_fetched_again_and_the_message_sent(server, lapse):
    wecom.send_text(wecom_userid="liu.keyuan", content="一")
    getattr(server, lapse)()  # 42001 or 40014 on the next send
    wecom.send_text(wecom_userid="liu.keyuan", content="二")
    assert len(server.token_requests) == 2 and len(server.messages) == 2
    sends = [r.query["access_token"] for r in server.received if r.path == "/cgi-bin/message/send"]
    assert sends == ["token-1", "token-1", "token-2"]
    wecom.send_text(wecom_userid="liu.keyuan", content="三")  # the new token is the cached one
    assert len(server.token_requests) == 2


def test_a_wrong_secret_is_an_error_with_wecoms_code(server, settings):
    settings.WECOM_SECRET = "wrong"
    with pytest.raises(ChannelError, match=r"企业微信发送失败（错误码 40001）：invalid credential"):
        wecom.send_text(wecom_userid="liu.keyuan", content="一")
    assert not server.messages


def test_a_refusal_is_an_error_and_the_token_is_not_fetched_again(server):
    server.fail_with = {"errcode": 45009, "errmsg": "api freq out of limit"}
    with pytest.raises(ChannelError, match=r"错误码 45009"):
        wecom.send_text(wecom_userid="liu.keyuan", content="一")
    assert len(server.token_requests) == 1


def test_an_unknown_account_is_an_error_although_wecom_answers_0(server):
    with pytest.raises(ChannelError, match=r"账号 nobody 不存在或不在应用的可见范围内"):
        wecom.send_text(wecom_userid="nobody", content="一")


def test_a_long_text_is_cut_to_wecoms_limit(server):
    wecom.send_text(wecom_userid="liu.keyuan", content="党" * 1000)
    content = server.messages[0]["text"]["content"]
    assert len(content.encode()) <= wecom.MAX_CONTENT_BYTES and content.endswith("…")


def test_the_agent_id_must_be_a_number(server, settings):
    settings.WECOM_AGENT_ID = "ChainParty"
    with pytest.raises(ChannelError, match="AgentId（数字）"):
        wecom.send_text(wecom_userid="liu.keyuan", content="一")


def test_the_api_base_must_be_http(server, settings):
    settings.WECOM_API_BASE = "file:///etc"
    with pytest.raises(ChannelError, match="必须以 http:// 或 https:// 开头"):
        wecom.send_text(wecom_userid="liu.keyuan", content="一")


# -- the channel: notifications and login codes -------------------------------------------------
@pytest.fixture
def person(personas):
    person = personas.handler
    person.wecom_userid = "liu.keyuan"
    person.set_password(PASSWORD)
    person.save()
    return person


def notify(person, capture, **message):
    with capture(execute=True):
        notifications.notify(recipients=[person], message=notifications.Message(**message), dedupe_key="n1")
    return NotificationDelivery.objects.get(channel="wecom")


def test_a_notification_reaches_the_persons_wecom(server, person, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://dangjian.example.cn"
    delivery = notify(
        person, django_capture_on_commit_callbacks, title="新需求待办", body="鲁泰纺织：技改资金", url="/needs/7/"
    )
    assert delivery.status == Status.SENT
    [message] = server.messages
    assert message["touser"] == "liu.keyuan"
    assert message["text"]["content"] == "【新需求待办】\n\n鲁泰纺织：技改资金\n\nhttps://dangjian.example.cn/needs/7/"


def test_nobody_without_a_wecom_account_gets_a_delivery(server, person, django_capture_on_commit_callbacks):
    type(person).objects.filter(pk=person.pk).update(wecom_userid="")
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[person], message=notifications.Message(title="新需求"), dedupe_key="n1")
    assert not NotificationDelivery.objects.exists() and not server.received
    assert "wecom" not in [channel.key() for channel in otp.outside_channels(person)]


def test_a_refusal_fails_the_delivery_with_wecoms_reason(server, person, django_capture_on_commit_callbacks):
    server.fail_with = {"errcode": 60020, "errmsg": "not allow to access from your ip"}
    delivery = notify(person, django_capture_on_commit_callbacks, title="新需求")
    assert delivery.status == Status.FAILED and delivery.attempts == 1
    assert delivery.error == "企业微信发送失败（错误码 60020）：not allow to access from your ip"


def test_an_unreachable_server_fails_the_delivery_with_a_reason(server, person, django_capture_on_commit_callbacks):
    server.close()
    delivery = notify(person, django_capture_on_commit_callbacks, title="新需求")
    assert delivery.status == Status.FAILED and delivery.error.startswith("无法连接企业微信服务")


def test_not_offered_when_not_configured(server, person, settings):
    assert "wecom" in [channel.key() for channel in otp.outside_channels(person)]
    settings.WECOM_SECRET = ""
    assert "wecom" not in [channel.key() for channel in otp.outside_channels(person)]


def test_the_security_page_shows_the_wecom_channel(server, settings):
    item = next(item for item in security_checklist.checklist() if item.setting == "WECOM_CORP_ID")
    assert item.value == f"已启用（应用 AgentId {WECOM_AGENT_ID}）" and item.status == security_checklist.OK
    settings.WECOM_CORP_ID = ""
    item = next(item for item in security_checklist.checklist() if item.setting == "WECOM_CORP_ID")
    assert item.value == "已列入 NOTIFICATION_CHANNELS，但配置不全" and item.status == security_checklist.WARN


def signed_in(client):
    return "_auth_user_id" in client.session


def last_code(server):
    return re.search(r"验证码是 (\d{6})", server.messages[-1]["text"]["content"]).group(1)


def test_a_person_enrols_wecom_and_logs_in_with_a_code_sent_there(server, person):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    assert "通过企业微信接收验证码" in client.get("/accounts/2fa/").content.decode()
    client.post("/accounts/2fa/", {"action": "channel_start", "channel": "wecom"})
    device = ChannelDevice.objects.get(user=person)
    client.post("/accounts/2fa/", {"action": "channel_confirm", "device": device.pk, "token": last_code(server)})
    assert ChannelDevice.objects.get(pk=device.pk).confirmed
    client.post("/accounts/logout/")

    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    assert not signed_in(client)
    client.post("/accounts/login/verify/", {"action": "send", "device": device.pk})
    assert len(server.messages) == 2
    assert client.post("/accounts/login/verify/", {"token": last_code(server)}).status_code == 302 and signed_in(client)


def test_the_wecom_account_is_set_on_the_profile_page(person, client):
    client.force_login(person)
    response = client.post(
        "/account/", {"mobile": "13800001234", "email": "liu@example.cn", "wecom_userid": "LiuKeYuan"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.wecom_userid == "LiuKeYuan"
    response = client.post("/account/", {"mobile": "13800001234", "email": "", "wecom_userid": "刘 科员"})
    assert response.status_code == 400 and "企业微信账号只能包含" in response.content.decode()
    person.refresh_from_db()
    assert person.wecom_userid == "LiuKeYuan"


def test_staff_set_a_persons_wecom_account_on_the_person_page(world, personas, client_for):
    person = personas.handler
    form = {
        "real_name": person.real_name,
        "mobile": "13900001111",
        "email": "",
        "affiliation": f"department:{world.department.pk}",
        "wecom_userid": "liu.keyuan",
    }
    url = f"/people/{person.pk}/edit/"
    refused = client_for(personas.enterprise_secretary).post(url, form)
    assert refused.status_code in (403, 404)
    person.refresh_from_db()
    assert person.wecom_userid == ""
    staff = client_for(personas.org_staff)
    assert 'name="wecom_userid"' in staff.get(url).content.decode()
    assert staff.post(url, form).status_code == 302
    person.refresh_from_db()
    assert person.wecom_userid == "liu.keyuan"
    assert staff.post(url, form | {"wecom_userid": "刘 科员"}).status_code == 400
    person.refresh_from_db()
    assert person.wecom_userid == "liu.keyuan"
