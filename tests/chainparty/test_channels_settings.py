"""SMS and WeCom join NOTIFICATION_CHANNELS when their environment variables are set, and only
then (read by a fresh interpreter, as a deployment reads its settings)."""

import json
import os
import subprocess
import sys

from django.conf import settings

SMS = "chainparty.channels.sms.AliyunSmsChannel"
WECOM = "chainparty.channels.wecom.WeComChannel"
SMS_ENV = {
    "ALIYUN_SMS_ACCESS_KEY_ID": "id",
    "ALIYUN_SMS_ACCESS_KEY_SECRET": "secret",
    "ALIYUN_SMS_SIGN_NAME": "产业链党建",
    "ALIYUN_SMS_TEMPLATE_CODE": "SMS_1",
}
WECOM_ENV = {"WECOM_CORP_ID": "ww1", "WECOM_AGENT_ID": "1000002", "WECOM_SECRET": "s"}


def channels_under(extra):
    names = [*SMS_ENV, *WECOM_ENV, "NOTIFICATION_CHANNELS"]
    environ = {key: value for key, value in os.environ.items() if key not in names} | extra
    code = "import json; from chainparty.settings import base; print(json.dumps(base.NOTIFICATION_CHANNELS))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environ, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_neither_without_their_variables():
    assert channels_under({}) == ["chainparty.notifications.InAppChannel", "chainparty.notifications.EmailChannel"]


def test_each_joins_when_its_variables_are_set():
    assert channels_under(SMS_ENV)[-1] == SMS and WECOM not in channels_under(SMS_ENV)
    assert channels_under(WECOM_ENV)[-1] == WECOM and SMS not in channels_under(WECOM_ENV)
    partial = SMS_ENV | {"ALIYUN_SMS_TEMPLATE_CODE": ""}
    assert SMS not in channels_under(partial)


def test_they_join_an_explicit_list_once():
    listed = channels_under(
        SMS_ENV | WECOM_ENV | {"NOTIFICATION_CHANNELS": f"chainparty.notifications.InAppChannel,{SMS}"}
    )
    assert listed == ["chainparty.notifications.InAppChannel", SMS, WECOM]
