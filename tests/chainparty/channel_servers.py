"""Fake SMS (Aliyun dysmsapi) and WeCom (qyapi) servers for the channel tests: real HTTP servers
on 127.0.0.1 in a thread, which check each request as the provider would (the Aliyun signature is
recomputed here from the documented recipe, not with the code under test) and keep what they were
sent."""

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.cache import cache


@dataclass
class Received:
    method: str
    path: str
    query: dict
    body: bytes
    headers: dict

    @property
    def form(self) -> dict:
        return dict(urllib.parse.parse_qsl(self.body.decode("ascii"), keep_blank_values=True))

    @property
    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))


class FakeServer(ABC):
    """Serves `handle(received) -> (status, answer dict)` at `self.url` until `close()`."""

    def __init__(self):
        self.received: list[Received] = []
        #: Seconds to wait before answering (to test timeouts).
        self.delay = 0.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                split = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(
                    method=self.command,
                    path=split.path,
                    query=dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True)),
                    body=self.rfile.read(length),
                    headers=dict(self.headers.items()),
                )
                fake.received.append(received)
                if fake.delay:
                    time.sleep(fake.delay)
                status, answer = fake.handle(received)
                body = answer if isinstance(answer, bytes) else json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @abstractmethod
    def handle(self, received: Received):
        """The provider's answer to `received`: (status, JSON body)."""

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# -- Aliyun SMS --------------------------------------------------------------------------------
ALIYUN_KEY_ID = "LTAI-test-key"
ALIYUN_SECRET = "test+secret/with=signs"


def aliyun_encode(value: str) -> str:
    # Aliyun's recipe: form-encode, then "+" -> %20, "*" -> %2A, %7E -> "~".
    return urllib.parse.quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_expected_signature(params: dict, method: str) -> str:
    pairs = sorted((key, value) for key, value in params.items() if key != "Signature")
    canonical = "&".join(f"{aliyun_encode(key)}={aliyun_encode(value)}" for key, value in pairs)
    string_to_sign = method + "&" + aliyun_encode("/") + "&" + aliyun_encode(canonical)
    mac = hmac.new((ALIYUN_SECRET + "&").encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


@dataclass
class Sms:
    mobile: str
    sign_name: str
    template_code: str
    params: dict = field(default_factory=dict)


class FakeAliyunSms(FakeServer):
    """dysmsapi's SendSms: refuses a wrong signature, a stale timestamp or a reused nonce as
    Aliyun does (HTTP 400 with Code and Message); `fail_with` makes it refuse the next sends."""

    def __init__(self):
        super().__init__()
        self.sent: list[Sms] = []
        self.nonces: set[str] = set()
        self.fail_with: tuple[int, dict] | None = None

    def handle(self, received):
        params = received.form if received.method == "POST" else received.query
        if received.path != "/" or params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
            return 404, {"Code": "InvalidAction.NotFound", "Message": "Specified api is not found"}
        if params.get("AccessKeyId") != ALIYUN_KEY_ID:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return 400, {"Code": "InvalidParameter", "Message": "SignatureMethod"}
        if params.get("Signature") != aliyun_expected_signature(params, received.method):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        if abs(dt.datetime.now(dt.UTC) - stamp) > dt.timedelta(minutes=15):
            return 400, {
                "Code": "InvalidTimeStamp.Expired",
                "Message": "Specified time stamp or date value is expired.",
            }
        if params["SignatureNonce"] in self.nonces:
            return 400, {"Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already."}
        self.nonces.add(params["SignatureNonce"])
        if self.fail_with:
            return self.fail_with
        self.sent.append(
            Sms(
                mobile=params["PhoneNumbers"],
                sign_name=params["SignName"],
                template_code=params["TemplateCode"],
                params=json.loads(params["TemplateParam"]),
            )
        )
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.sent)}", "RequestId": "req"}


@contextlib.contextmanager
def fake_aliyun_sms(settings):
    """A fake dysmsapi, and the settings that send SMS through it (for a fixture)."""
    server = FakeAliyunSms()
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ALIYUN_KEY_ID
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ALIYUN_SECRET
    settings.ALIYUN_SMS_SIGN_NAME = "产业链党建"
    settings.ALIYUN_SMS_TEMPLATE_CODE = "SMS_100000001"
    settings.ALIYUN_SMS_NOTICE_TEMPLATE_CODE = ""
    settings.ALIYUN_SMS_ENDPOINT = server.url
    settings.NOTIFICATION_CHANNELS = [
        "chainparty.notifications.InAppChannel",
        "chainparty.notifications.EmailChannel",
        "chainparty.channels.sms.AliyunSmsChannel",
    ]
    try:
        yield server
    finally:
        server.close()


# -- WeCom ---------------------------------------------------------------------------------------
WECOM_CORP_ID = "ww-test-corp"
WECOM_SECRET = "wecom-app-secret"
WECOM_AGENT_ID = "1000002"


class FakeWeCom(FakeServer):
    """qyapi.weixin.qq.com's gettoken and message/send. Tokens it issued are valid until
    `expire_tokens()` (then 42001) or `revoke_tokens()` (then 40014)."""

    def __init__(self):
        super().__init__()
        self.issued = 0
        self.valid: set[str] = set()
        self.expired: set[str] = set()
        self.expires_in = 7200
        self.known_users = {"liu.keyuan", "wang_secretary"}
        self.messages: list[dict] = []
        self.fail_with: dict | None = None

    def expire_tokens(self):
        self.expired |= self.valid
        self.valid.clear()

    def revoke_tokens(self):
        self.valid.clear()

    @property
    def token_requests(self):
        return [r for r in self.received if r.path == "/cgi-bin/gettoken"]

    def handle(self, received):
        if received.path == "/cgi-bin/gettoken":
            if received.query.get("corpid") != WECOM_CORP_ID:
                return 200, {"errcode": 40013, "errmsg": "invalid corpid"}
            if received.query.get("corpsecret") != WECOM_SECRET:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            self.issued += 1
            token = f"token-{self.issued}"
            self.valid.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in}
        if received.path == "/cgi-bin/message/send" and received.method == "POST":
            token = received.query.get("access_token", "")
            if token in self.expired:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            if token not in self.valid:
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            message = received.json
            if str(message.get("agentid")) != WECOM_AGENT_ID or message.get("msgtype") != "text":
                return 200, {"errcode": 40056, "errmsg": "invalid agentid"}
            if self.fail_with:
                return 200, self.fail_with
            if message["touser"] not in self.known_users:
                return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": message["touser"]}
            self.messages.append(message)
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"msg-{len(self.messages)}"}
        return 404, {"errcode": 404, "errmsg": "not found"}


@contextlib.contextmanager
def fake_wecom(settings):
    """A fake qyapi, and the settings that send WeCom messages through it (for a fixture)."""
    cache.clear()  # no access token left over from another test
    server = FakeWeCom()
    settings.WECOM_CORP_ID = WECOM_CORP_ID
    settings.WECOM_AGENT_ID = WECOM_AGENT_ID
    settings.WECOM_SECRET = WECOM_SECRET
    settings.WECOM_API_BASE = server.url
    settings.NOTIFICATION_CHANNELS = [
        "chainparty.notifications.InAppChannel",
        "chainparty.channels.wecom.WeComChannel",
    ]
    try:
        yield server
    finally:
        server.close()
