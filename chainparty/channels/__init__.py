"""Notification channels that reach people outside the portal through a provider's HTTP API:
`sms` (Aliyun SMS) and `wecom` (企业微信 application messages). Each is a
`chainparty.notifications.Channel`, listed in ``settings.NOTIFICATION_CHANNELS`` when its settings
are present, and is used both for notifications and for second-factor codes
(`chainparty.security.otp`).

HTTP goes through the standard library (urllib) with a timeout on every request: the calls are two
small JSON requests, not worth a new dependency. A failure raises `ChannelError` with a Chinese
reason, which `notifications.deliver()` stores on the delivery row (failed, retried by the sweep
while attempts are left) and the second-factor pages show to the person.
"""

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

#: Largest response body read from a provider (their answers are a few hundred bytes).
MAX_RESPONSE_BYTES = 64 * 1024


class ChannelError(Exception):
    """A provider refused or could not be reached; the message is the Chinese reason."""


def timeout() -> float:
    """Seconds one HTTP request may take. Ten deliveries run in one task (see
    `notifications.delivery_batch_size`): at 10 s each they stay well under its time limit."""
    return float(getattr(settings, "CHAINPARTY_CHANNEL_HTTP_TIMEOUT", 10))


def base_url(value: str) -> str:
    """A provider's address from the settings, without a trailing slash; http(s) only, so a typo
    cannot make urllib open a file: or ftp: address."""
    value = (value or "").strip().rstrip("/")
    if urllib.parse.urlsplit(value).scheme not in {"http", "https"}:
        raise ChannelError(_("渠道服务地址必须以 http:// 或 https:// 开头：%(url)s") % {"url": value})
    return value


def request_json(url: str, *, service: str, data: bytes | None = None, content_type: str = "") -> dict:
    """GET `url` (POST `data` when given) and return its JSON object. A provider's JSON error
    answer with an HTTP error status (Aliyun answers 4xx with a Code and a Message) is returned as
    well, for the caller to read its error code; anything else raises `ChannelError`."""
    headers = {"Accept": "application/json", "User-Agent": "ChainParty"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            body, status = response.read(MAX_RESPONSE_BYTES), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(MAX_RESPONSE_BYTES), error.code
    except (urllib.error.URLError, OSError) as error:
        # urllib wraps a connect timeout in URLError and lets a read timeout through as it is.
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise ChannelError(
                _("%(service)s服务在 %(seconds)g 秒内没有响应。") % {"service": service, "seconds": timeout()}
            ) from error
        raise ChannelError(_("无法连接%(service)s服务：%(reason)s") % {"service": service, "reason": reason}) from error
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        raise ChannelError(
            _("%(service)s服务返回了无法识别的应答（HTTP %(status)d）。") % {"service": service, "status": status}
        )
    return answer
