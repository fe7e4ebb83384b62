from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin


class PasswordHistory(models.Model):
    """A password a user has had (its hash, never the password), written whenever a password is
    saved. The newest row says when the password was set and whether it is a temporary one that
    must be changed at the next login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户")
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), db_index=True)
    temporary = models.BooleanField(_("临时密码"), default=False)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A signed-in browser session, so a person can see and end theirs and a password change or a
    deactivation can end all of them. The session itself stays in Django's session store."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions", verbose_name=_("用户")
    )
    session_key = models.CharField(_("会话标识"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("登录时间"))
    last_seen_at = models.DateTimeField(_("最近活动"))
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="user_session_recent")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class ChannelDevice(CooldownMixin, ThrottlingMixin, SideChannelDevice):
    """A second factor delivered through an outside notification channel (SMS, WeCom, e-mail…):
    a six-digit code valid for a few minutes and used once. `channel` is the channel's key
    (`chainparty.notifications.Channel.key()`).

    Sending costs money and can be abused, so it is limited (`chainparty.security.otp.channel_code_send`):
    one code per CHAINPARTY_CHANNEL_CODE_COOLDOWN_SECONDS per device (django-otp's CooldownMixin:
    `last_generated_timestamp`) and at most CHAINPARTY_CHANNEL_CODES_PER_HOUR in an hour
    (`send_window_start`, `send_count`), both taken by one conditional UPDATE so two clicks at once
    send one code. Wrong codes slow down verification (django-otp's ThrottlingMixin: 1, 2, 4… s)."""

    channel = models.CharField(_("通知渠道"), max_length=200)
    send_window_start = models.DateTimeField(_("本小时首次发送"), null=True, blank=True)
    send_count = models.PositiveIntegerField(_("本小时已发送"), default=0)

    class Meta(SideChannelDevice.Meta):
        verbose_name = _("通知渠道验证码")
        verbose_name_plural = _("通知渠道验证码")

    def get_throttle_factor(self):
        return 1

    def get_cooldown_duration(self):
        return channel_code_cooldown_seconds()

    def verify_token(self, token):
        """django-otp's EmailDevice pattern: no check while throttled, a failure throttles further,
        a success resets the throttle (and, through CooldownMixin, the cooldown)."""
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        verified = super().verify_token(token)
        if verified:
            self.throttle_reset()
        else:
            self.throttle_increment()
        return verified


def channel_code_cooldown_seconds() -> int:
    return int(getattr(settings, "CHAINPARTY_CHANNEL_CODE_COOLDOWN_SECONDS", 60))


def channel_codes_per_hour() -> int:
    return int(getattr(settings, "CHAINPARTY_CHANNEL_CODES_PER_HOUR", 5))
