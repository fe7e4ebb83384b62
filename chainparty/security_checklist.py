"""The security configuration in force, as an MLPS 2.0 (等保2.0) level-3 assessor reads it: one row
per requirement with the value the settings give and whether it meets the requirement. Read from
the settings of the running process, never from a copy, so the page (/security/) shows what is
enforced. Rows whose settings are absent say so rather than guess."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from . import uploads
from .channels import sms, wecom

OK, WARN = "ok", "warn"


@dataclass(frozen=True)
class Item:
    section: str
    name: str
    value: str
    requirement: str
    status: str  # OK or WARN
    setting: str = ""


def _setting(name, default=None):
    return getattr(settings, name, default)


def _minutes(value):
    return int(value.total_seconds() // 60) if hasattr(value, "total_seconds") else int(value or 0)


def _yes(flag):
    return _("是") if flag else _("否")


def _validators():
    return {entry["NAME"].rsplit(".", 1)[-1] for entry in _setting("AUTH_PASSWORD_VALIDATORS", [])}


def _passwords():
    section = _("身份鉴别：口令")
    length = _setting("CHAINPARTY_PASSWORD_MIN_LENGTH", 8)
    classes = _setting("CHAINPARTY_PASSWORD_MIN_CLASSES")
    history = _setting("CHAINPARTY_PASSWORD_HISTORY")
    max_age = _setting("CHAINPARTY_PASSWORD_MAX_AGE_DAYS", 0)
    similar = "UserAttributeSimilarityValidator" in _validators()
    return [
        Item(
            section,
            _("最短长度"),
            _("%d 位") % length,
            _("不少于 8 位"),
            OK if length >= 8 else WARN,
            "CHAINPARTY_PASSWORD_MIN_LENGTH",
        ),
        Item(
            section,
            _("字符类别"),
            _("大写、小写、数字、符号中至少 %d 类") % classes if classes else _("未配置"),
            _("至少 3 类"),
            OK if (classes or 0) >= 3 else WARN,
            "CHAINPARTY_PASSWORD_MIN_CLASSES",
        ),
        Item(
            section,
            _("不得与账号、姓名相近"),
            _yes(similar),
            _("是"),
            OK if similar else WARN,
            "AUTH_PASSWORD_VALIDATORS",
        ),
        Item(
            section,
            _("不得与最近使用的口令相同"),
            _("最近 %d 个") % history if history else _("未限制"),
            _("最近 5 个"),
            OK if (history or 0) >= 5 else WARN,
            "CHAINPARTY_PASSWORD_HISTORY",
        ),
        Item(
            section,
            _("口令有效期"),
            _("%d 天") % max_age if max_age else _("不过期"),
            _("可选（默认不过期）"),
            OK,
            "CHAINPARTY_PASSWORD_MAX_AGE_DAYS",
        ),
    ]


def _logins():
    section = _("身份鉴别：登录失败处理")
    enabled = bool(_setting("AXES_ENABLED", False)) and "axes" in settings.INSTALLED_APPS
    limit = _setting("AXES_FAILURE_LIMIT")
    cooloff = _minutes(_setting("AXES_COOLOFF_TIME", 0))
    per_address = _setting("CHAINPARTY_LOGIN_IP_FAILURE_LIMIT")
    return [
        Item(
            section,
            _("连续失败锁定"),
            _("%d 次失败后锁定") % limit if enabled and limit else _("未启用"),
            _("5 次以内"),
            OK if enabled and limit and limit <= 5 else WARN,
            "AXES_FAILURE_LIMIT",
        ),
        Item(
            section,
            _("锁定时长"),
            _("%d 分钟") % cooloff if cooloff else _("未配置"),
            _("不少于 30 分钟"),
            OK if cooloff >= 30 else WARN,
            "AXES_COOLOFF_TIME",
        ),
        Item(
            section,
            _("同一地址跨账号失败限流"),
            _("%d 次") % per_address if per_address else _("未配置"),
            _("启用"),
            OK if per_address else WARN,
            "CHAINPARTY_LOGIN_IP_FAILURE_LIMIT",
        ),
    ]


def _sessions():
    section = _("身份鉴别：会话")
    idle = _setting("CHAINPARTY_SESSION_IDLE_MINUTES")
    absolute = _setting("CHAINPARTY_SESSION_ABSOLUTE_HOURS")
    return [
        Item(
            section,
            _("空闲超时退出"),
            _("%d 分钟") % idle if idle else _("未配置"),
            _("不超过 30 分钟"),
            OK if idle and idle <= 30 else WARN,
            "CHAINPARTY_SESSION_IDLE_MINUTES",
        ),
        Item(
            section,
            _("最长会话"),
            _("%d 小时") % absolute if absolute else _("未配置"),
            _("不超过 12 小时"),
            OK if absolute and absolute <= 12 else WARN,
            "CHAINPARTY_SESSION_ABSOLUTE_HOURS",
        ),
    ]


def _second_factor():
    section = _("身份鉴别：双因素")
    required = bool(_setting("CHAINPARTY_REQUIRE_2FA", False))
    available = "django_otp.plugins.otp_totp" in settings.INSTALLED_APPS
    return [
        Item(
            section,
            _("TOTP 动态口令"),
            _("可用") if available else _("未安装"),
            _("可用"),
            OK if available else WARN,
            "INSTALLED_APPS",
        ),
        Item(
            section,
            _("平台管理员、组织部工作人员必须启用"),
            _yes(required) + ("" if required else _("（生产环境须设置 CHAINPARTY_REQUIRE_2FA=1）")),
            _("是"),
            OK if required else WARN,
            "CHAINPARTY_REQUIRE_2FA",
        ),
        _outside_channel(section, _("短信验证码（阿里云短信）"), sms, "ALIYUN_SMS_ACCESS_KEY_ID"),
        _outside_channel(section, _("企业微信验证码"), wecom, "WECOM_CORP_ID"),
    ]


def _outside_channel(section, name, module, setting):
    """An optional outside channel (chainparty.channels): configured and listed in
    NOTIFICATION_CHANNELS, neither, or only one of the two (a mistake worth a warning)."""
    configured = module.configured()
    listed = any(path.startswith(module.__name__ + ".") for path in _setting("NOTIFICATION_CHANNELS", []))
    if configured and listed:
        value, status = _("已启用"), OK
        if module is sms:
            value += _("（签名 %(sign)s，通知短信：%(notice)s）") % {
                "sign": _setting("ALIYUN_SMS_SIGN_NAME"),
                "notice": _("已配置模板") if _setting("ALIYUN_SMS_NOTICE_TEMPLATE_CODE") else _("未配置，仅发送验证码"),
            }
        else:
            value += _("（应用 AgentId %(agent)s）") % {"agent": _setting("WECOM_AGENT_ID")}
    elif configured:
        value, status = _("已配置，但未列入 NOTIFICATION_CHANNELS"), WARN
    elif listed:
        value, status = _("已列入 NOTIFICATION_CHANNELS，但配置不全"), WARN
    else:
        value, status = _("未配置（可选）"), OK
    return Item(section, name, value, _("可选：配置后可通过该渠道接收登录验证码"), status, setting)


def _audit():
    section = _("安全审计")
    days = _setting("CHAINPARTY_AUDIT_RETENTION_DAYS", 0)
    minimum = _setting("CHAINPARTY_AUDIT_RETENTION_MIN_DAYS", 184)
    pruned = any(
        entry.get("task") == "chainparty.tasks.prune_audit_log"
        for entry in _setting("CELERY_BEAT_SCHEDULE", {}).values()
    )
    return [
        Item(
            section,
            _("审计记录保存期限"),
            _("%d 天") % days,
            _("不少于 %d 天（网络安全法）") % minimum,
            OK if days >= minimum else WARN,
            "CHAINPARTY_AUDIT_RETENTION_DAYS",
        ),
        Item(
            section,
            _("到期自动清理"),
            _("每日 03:10") if pruned else _("未安排"),
            _("定期清理，不可手工修改删除"),
            OK if pruned else WARN,
            "CELERY_BEAT_SCHEDULE",
        ),
        Item(
            section,
            _("记录范围"),
            _("登录、登录失败、退出、锁定、口令与角色变更、账号创建与停用、导出、附件下载"),
            _("重要用户行为和安全事件"),
            OK,
        ),
    ]


def _headers():
    from csp.utils import build_policy

    section = _("访问控制与传输：响应头")
    policy = (
        build_policy(_setting("CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES"))
        if _setting("CONTENT_SECURITY_POLICY")
        else ""
    )
    strict = bool(policy) and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    hsts = _setting("SECURE_HSTS_SECONDS", 0)
    https = bool(_setting("SECURE_SSL_REDIRECT", False)) and bool(_setting("SESSION_COOKIE_SECURE", False))
    return [
        Item(
            section,
            _("内容安全策略（CSP）"),
            policy or _("未设置"),
            _("禁止内联脚本与 eval"),
            OK if strict else WARN,
            "CONTENT_SECURITY_POLICY",
        ),
        Item(
            section,
            _("禁止被嵌入页面（X-Frame-Options）"),
            _setting("X_FRAME_OPTIONS", ""),
            "DENY",
            OK if _setting("X_FRAME_OPTIONS") == "DENY" else WARN,
            "X_FRAME_OPTIONS",
        ),
        Item(
            section,
            _("禁止内容类型嗅探（nosniff）"),
            _yes(_setting("SECURE_CONTENT_TYPE_NOSNIFF", False)),
            _("是"),
            OK if _setting("SECURE_CONTENT_TYPE_NOSNIFF", False) else WARN,
            "SECURE_CONTENT_TYPE_NOSNIFF",
        ),
        Item(
            section,
            _("Referrer-Policy"),
            _setting("SECURE_REFERRER_POLICY") or _("未设置"),
            "same-origin",
            OK if _setting("SECURE_REFERRER_POLICY") else WARN,
            "SECURE_REFERRER_POLICY",
        ),
        Item(
            section,
            _("仅 HTTPS（跳转与安全 Cookie）"),
            _yes(https),
            _("生产环境：是"),
            OK if https else WARN,
            "SECURE_SSL_REDIRECT",
        ),
        Item(
            section,
            _("HSTS"),
            _("%d 秒") % hsts if hsts else _("未启用"),
            _("生产环境：启用"),
            OK if hsts else WARN,
            "SECURE_HSTS_SECONDS",
        ),
    ]


def _data():
    section = _("数据安全")
    keep = _setting("BACKUP_KEEP_DAYS", 0)
    backup_time = _setting("BACKUP_TIME", "")
    return [
        Item(
            section,
            _("上传文件检查"),
            _("按内容识别 %(types)s，单个不超过 %(size)d MB；拒绝伪装文件（含网页脚本、附带压缩包）与压缩炸弹")
            % {
                "types": "、".join(kind.label for kind in uploads.ALL_KINDS),
                "size": uploads.MAX_UPLOAD_BYTES // (1024 * 1024),
            },
            _("拒绝恶意文件"),
            OK,
        ),
        Item(section, _("附件下载"), _("一律以附件下载（attachment + nosniff），并记入审计日志"), _("是"), OK),
        Item(
            section,
            _("手机号码展示"),
            _("仅本人、本单位、本区域组织部、共同办理需求的对方可见完整号码，其余脱敏"),
            _("个人信息最小必要"),
            OK,
        ),
        Item(
            section,
            _("数据库备份"),
            _("每日 %(time)s，保留 %(days)d 天") % {"time": backup_time, "days": keep} if keep else _("未配置"),
            _("定期备份，可恢复"),
            OK if keep and backup_time else WARN,
            "BACKUP_KEEP_DAYS",
        ),
    ]


def checklist() -> list[Item]:
    return [*_passwords(), *_logins(), *_sessions(), *_second_factor(), *_audit(), *_headers(), *_data()]
