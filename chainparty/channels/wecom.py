"""企业微信 (WeCom) application messages: a notification or a login code sent by the portal's
self-built application (自建应用) to a person's WeCom account, `User.wecom_userid`.

Settings: WECOM_CORP_ID (企业ID), WECOM_AGENT_ID (应用 AgentId), WECOM_SECRET (应用 Secret) and
WECOM_API_BASE (default https://qyapi.weixin.qq.com; an intranet forward proxy's address where the
servers cannot reach the Internet). The access token from /cgi-bin/gettoken is shared through the
Django cache (Redis in production, so every worker uses one token, as WeCom asks) until shortly
before it expires, and fetched again when a send answers that it is invalid or expired.
"""

import hashlib
import json
import urllib.parse

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.notifications import Channel

from . import ChannelError, base_url, request_json

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
#: The token is dropped this many seconds before WeCom says it expires (it lasts 7,200 s).
TOKEN_MARGIN_SECONDS = 300
#: errcode of a send whose access token is invalid (40014) or expired (42001): fetch a new one.
TOKEN_ERRORS = frozenset({40014, 42001})
#: A text message's content is at most 2,048 bytes.
MAX_CONTENT_BYTES = 2048
SERVICE = gettext_lazy("企业微信")


def configured() -> bool:
    return all(getattr(settings, name, "") for name in ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET"))


def _api(path: str) -> str:
    return base_url(getattr(settings, "WECOM_API_BASE", "") or DEFAULT_API_BASE) + path


def _token_cache_key() -> str:
    # The secret is part of the key (hashed), so a rotated secret never reuses the old token.
    digest = hashlib.sha256(f"{settings.WECOM_CORP_ID}:{settings.WECOM_SECRET}".encode()).hexdigest()[:16]
    return f"wecom:access-token:{settings.WECOM_AGENT_ID}:{digest}"


def _failure(answer: dict) -> ChannelError:
    return ChannelError(
        _("企业微信发送失败（错误码 %(code)s）：%(message)s")
        % {"code": answer.get("errcode", "?"), "message": answer.get("errmsg", "") or _("无说明")}
    )


def access_token(*, refresh: bool = False) -> str:
    """The application's access token: cached, or fetched from /cgi-bin/gettoken."""
    key = _token_cache_key()
    if not refresh:
        token = cache.get(key)
        if token:
            return token
    query = urllib.parse.urlencode({"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET})
    answer = request_json(_api(f"/cgi-bin/gettoken?{query}"), service=SERVICE)
    token = answer.get("access_token")
    if answer.get("errcode", 0) != 0 or not token:
        raise _failure(answer)
    lifetime = int(answer.get("expires_in") or 7200)
    cache.set(key, token, max(lifetime - TOKEN_MARGIN_SECONDS, 60))
    return token


def send_text(*, wecom_userid: str, content: str) -> None:
    """Send `content` as a text message to one person, or raise `ChannelError`."""
    try:
        agent_id = int(settings.WECOM_AGENT_ID)
    except (TypeError, ValueError):
        raise ChannelError(_("WECOM_AGENT_ID 应为应用的 AgentId（数字）。")) from None
    payload = json.dumps(
        {
            "touser": wecom_userid,
            "msgtype": "text",
            "agentid": agent_id,
            "text": {"content": _truncate(content, MAX_CONTENT_BYTES)},
            "safe": 0,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    for refresh in (False, True):
        query = urllib.parse.urlencode({"access_token": access_token(refresh=refresh)})
        answer = request_json(
            _api(f"/cgi-bin/message/send?{query}"),
            service=SERVICE,
            data=payload,
            content_type="application/json; charset=utf-8",
        )
        if answer.get("errcode") in TOKEN_ERRORS and not refresh:
            continue
        if answer.get("errcode", -1) != 0:
            raise _failure(answer)
        if answer.get("invaliduser"):
            # errcode 0 with the person listed as invalid: WeCom accepted the call, nobody got it.
            raise ChannelError(
                _("企业微信发送失败：账号 %(user)s 不存在或不在应用的可见范围内。") % {"user": answer["invaliduser"]}
            )
        return


def _truncate(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


class WeComChannel(Channel):
    """Notifications and login codes as 企业微信 application messages."""

    identifier = "wecom"
    verbose_name = gettext_lazy("企业微信")

    def can_reach(self, user) -> bool:
        return configured() and bool(getattr(user, "wecom_userid", ""))

    def send(self, notification) -> None:
        if not configured():
            raise ChannelError(_("企业微信未配置（WECOM_CORP_ID、WECOM_AGENT_ID、WECOM_SECRET）。"))
        recipient = notification.recipient
        if not recipient.wecom_userid:
            raise ChannelError(_("收件人没有填写企业微信账号。"))
        link = f"{settings.PORTAL_BASE_URL}{notification.url}" if notification.url else ""
        content = "\n\n".join(part for part in (f"【{notification.title}】", notification.body, link) if part)
        send_text(wecom_userid=recipient.wecom_userid, content=content)
