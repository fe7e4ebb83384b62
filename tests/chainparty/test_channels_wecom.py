"""企业微信 application messages (chainparty.channels.wecom) against a fake qyapi on 127.0.0.1:
the access token is fetched once and shared through the cache until shortly before it expires,
fetched again when a send says it is invalid or expired; notifications and login codes reach the
person's WeCom account; refusals end as failed deliveries or page messages with the reason."""

import pytest
from django.core.cache import cache

from chainparty.channels import ChannelError, wecom
from chainparty.models import NotificationDelivery

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


def test_the_api_base_must_be_http(server, settings):
    settings.WECOM_API_BASE = "file:///etc"
    with pytest.raises(ChannelError, match="必须以 http:// 或 https:// 开头"):
        wecom.send_text(wecom_userid="liu.keyuan", content="一")
