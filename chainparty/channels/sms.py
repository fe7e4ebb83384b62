"""Text messages (短信) through Aliyun SMS (阿里云短信服务, dysmsapi ``SendSms``).

Why Aliyun rather than a generic "URL + token" gateway: in China every provider (Aliyun, Tencent
Cloud…) sends only a signature (签名) and templates (模板) approved beforehand, with the variable
parts passed apart, so a generic free-text gateway would still need an adapter written per county.
Aliyun is the provider counties use most, and its RPC API is signed with a documented HMAC-SHA1
scheme that needs no SDK. ALIYUN_SMS_ENDPOINT points it at an intranet proxy or an
Aliyun-compatible gateway (政务云 deployments often have one).

Settings: ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET (a RAM user's key allowed only
dysms:SendSms), ALIYUN_SMS_SIGN_NAME (签名), ALIYUN_SMS_TEMPLATE_CODE (the 验证码 template, with a
``${code}`` variable): enough for second-factor codes. ALIYUN_SMS_NOTICE_TEMPLATE_CODE (optional,
a 通知 template with a ``${title}`` variable, e.g. "您在产业链党建平台有一条新通知：${title}，请登录查看。")
also sends notifications by SMS; without it the channel carries codes only, so nobody gets a text
message for every notification unless the county has asked for it.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
import uuid

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.notifications import Channel

from . import ChannelError, base_url, request_json

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
API_VERSION = "2017-05-25"
#: Aliyun limits a notice template's variable to 35 characters.
MAX_VARIABLE_CHARS = 35
SERVICE = gettext_lazy("短信")
REQUIRED_SETTINGS = (
    "ALIYUN_SMS_ACCESS_KEY_ID",
    "ALIYUN_SMS_ACCESS_KEY_SECRET",
    "ALIYUN_SMS_SIGN_NAME",
    "ALIYUN_SMS_TEMPLATE_CODE",
)


def configured() -> bool:
    return all(getattr(settings, name, "") for name in REQUIRED_SETTINGS)


def percent_encode(value) -> str:
    """Aliyun's encoding: RFC 3986, UTF-8, only A-Z a-z 0-9 - _ . ~ left as they are (a space is
    %20, never +)."""
    return urllib.parse.quote(str(value), safe="-_.~")


def signature(params: dict, secret: str, *, method: str = "POST") -> str:
    """The RPC signature (SignatureVersion 1.0): HMAC-SHA1, keyed by the secret and "&", of
    ``METHOD&%2F&`` and the encoded, sorted query string."""
    canonical = "&".join(f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def send_sms(*, mobile: str, template_code: str, template_params: dict) -> str:
    """Send one templated text message, or raise `ChannelError`; returns Aliyun's BizId."""
    params = {
        "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": mobile,
        "RegionId": getattr(settings, "ALIYUN_SMS_REGION", "") or "cn-hangzhou",
        "SignName": settings.ALIYUN_SMS_SIGN_NAME,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": template_code,
        "TemplateParam": json.dumps(template_params, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
    }
    params["Signature"] = signature(params, settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
    endpoint = base_url(getattr(settings, "ALIYUN_SMS_ENDPOINT", "") or DEFAULT_ENDPOINT) + "/"
    answer = request_json(
        endpoint,
        service=SERVICE,
        data=urllib.parse.urlencode(params, quote_via=urllib.parse.quote).encode("ascii"),
        content_type="application/x-www-form-urlencoded",
    )
    if answer.get("Code") != "OK":
        raise ChannelError(
            _("短信发送失败（%(code)s）：%(message)s")
            % {"code": answer.get("Code", "?"), "message": answer.get("Message", "") or _("无说明")}
        )
    return str(answer.get("BizId", ""))


class AliyunSmsChannel(Channel):
    """Login codes, and notifications when a notice template is configured, by text message to
    the person's mobile number."""

    identifier = "sms"
    verbose_name = gettext_lazy("短信")

    @property
    def delivers_notifications(self) -> bool:
        return bool(getattr(settings, "ALIYUN_SMS_NOTICE_TEMPLATE_CODE", ""))

    def can_reach(self, user) -> bool:
        return configured() and bool(user.mobile)

    def _mobile(self, user) -> str:
        if not configured():
            raise ChannelError(_("短信未配置（ALIYUN_SMS_ACCESS_KEY_ID 等）。"))
        if not user.mobile:
            raise ChannelError(_("收件人没有填写手机号码。"))
        return user.mobile

    def send(self, notification) -> None:
        template = getattr(settings, "ALIYUN_SMS_NOTICE_TEMPLATE_CODE", "")
        if not template:
            raise ChannelError(_("未配置通知短信模板（ALIYUN_SMS_NOTICE_TEMPLATE_CODE），短信仅用于发送验证码。"))
        title = notification.title
        if len(title) > MAX_VARIABLE_CHARS:
            title = title[: MAX_VARIABLE_CHARS - 1] + "…"
        send_sms(mobile=self._mobile(notification.recipient), template_code=template, template_params={"title": title})

    def send_code(self, *, user, code: str, minutes: int) -> None:
        # The approved 验证码 template holds the wording; only the code travels.
        send_sms(
            mobile=self._mobile(user), template_code=settings.ALIYUN_SMS_TEMPLATE_CODE, template_params={"code": code}
        )
