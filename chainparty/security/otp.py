"""The second factor (issue 10 §2.4), with django-otp: a TOTP authenticator app, recovery codes
(django-otp's static tokens, each used once), or a code sent through an outside notification
channel (SMS, WeCom, e-mail: whatever `NOTIFICATION_CHANNELS` configures), valid
CHAINPARTY_CHANNEL_CODE_SECONDS and used once.

Why django-otp: maintained, Django 5.2 support, devices as models with throttling, and
`OTPMiddleware`/`is_verified()` marking a session as verified by a device.
"""

import base64
import datetime as dt
import io
import logging
import math

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chainparty import audit, notifications

from . import scope
from .models import ChannelDevice, channel_code_cooldown_seconds, channel_codes_per_hour

logger = logging.getLogger(__name__)

RECOVERY_CODES = 10


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def outside_channels(user):
    """The configured channels that deliver outside the portal and can reach `user`."""
    return [channel for channel in notifications.channels() if channel.needs_delivery and channel.can_reach(user)]


def channel_label(key: str) -> str:
    """What a channel is called on the page: its `verbose_name` (an SMS or WeCom channel declares
    one), e-mail for the built-in one."""
    channel = notifications.channel_by_key(key)
    if isinstance(channel, notifications.EmailChannel):
        return _("电子邮件")
    return str(getattr(channel, "verbose_name", "") or key.rsplit(".", 1)[-1])


def qr_svg_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG data: URI, drawn here (no outside service, no script)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _record(action, *, actor, user, data=None):
    return audit.record(action=action, actor=actor, target=user, region_path=audit.person_region_path(user), data=data)


# -- enrolment -------------------------------------------------------------------------------
@transaction.atomic
def totp_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (replacing an unfinished one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)


@transaction.atomic
def totp_confirm(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code it shows; returns new recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token((token or "").strip()):
        raise ValidationError(_("验证码不正确或已过期，请查看身份验证器上的最新验证码。"), code="otp_invalid")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    _record(audit.Action.OTP_ENROL, actor=user, user=user, data={"role": str(_("身份验证器"))})
    return codes


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones, returned once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def channel_start(*, user, channel_key: str) -> ChannelDevice:
    """Enrol an outside channel: send a code to confirm it reaches the person."""
    if channel_key not in {channel.key() for channel in outside_channels(user)}:
        raise ValidationError(_("该通知渠道未配置或无法送达您。"), code="channel_unavailable")
    # The unfinished enrolment is reused rather than replaced, so starting again keeps its cooldown
    # and hourly allowance (a new device each click would send a code each click).
    unfinished = list(ChannelDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk"))
    device = unfinished[0] if unfinished else ChannelDevice(user=user, confirmed=False)
    ChannelDevice.objects.filter(pk__in=[d.pk for d in unfinished[1:]]).delete()
    device.channel, device.name, device.token = channel_key, channel_label(channel_key), None
    device.save()
    channel_code_send(device=device)
    return device


@transaction.atomic
def channel_confirm(*, user, device: ChannelDevice, token: str) -> list[str]:
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token((token or "").strip()):
        raise ValidationError(_("验证码不正确或已过期，请重新获取。"), code="otp_invalid")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    _record(audit.Action.OTP_ENROL, actor=user, user=user, data={"role": device.name})
    return codes


def channel_code_send(*, device: ChannelDevice) -> None:
    """Generate a fresh code and send it through the device's channel now (never stored as a
    notification: it is a secret). At most one code per cooldown and CHAINPARTY_CHANNEL_CODES_PER_HOUR
    an hour per device (`channel_send_take`); a refused send says in Chinese when to ask again."""
    channel = notifications.channel_by_key(device.channel)
    if channel is None or not channel.needs_delivery or not channel.can_reach(device.user):
        raise ValidationError(_("该通知渠道未配置或无法送达您。"), code="channel_unavailable")
    channel_send_take(device=device)
    device.generate_token(valid_secs=settings.CHAINPARTY_CHANNEL_CODE_SECONDS, commit=False)
    device.save(update_fields=["token", "valid_until"])
    try:
        channel.send_code(user=device.user, code=device.token, minutes=settings.CHAINPARTY_CHANNEL_CODE_SECONDS // 60)
    except Exception as error:  # the provider's refusal, shown to the person rather than a 500
        logger.warning("second-factor code through %s failed for user %s: %s", device.channel, device.user_id, error)
        raise ValidationError(
            _("验证码发送失败：%(reason)s 请稍后再试或改用其他方式。") % {"reason": error}, code="channel_failed"
        ) from error


def channel_send_take(*, device: ChannelDevice) -> None:
    """Take one send from the device's allowance, or refuse with when to ask again. One conditional
    UPDATE: the cooldown since the last code has passed, and the hour's window has room (or is over,
    and a new one starts now); two requests at the same moment cannot both pass."""
    now = timezone.now()
    cooldown = dt.timedelta(seconds=channel_code_cooldown_seconds())
    hour_ago = now - dt.timedelta(hours=1)
    window_over = Q(send_window_start__isnull=True) | Q(send_window_start__lte=hour_ago)
    taken = (
        ChannelDevice.objects.filter(pk=device.pk)
        .filter(Q(last_generated_timestamp__isnull=True) | Q(last_generated_timestamp__lte=now - cooldown))
        .filter(window_over | Q(send_count__lt=channel_codes_per_hour()))
        .update(
            last_generated_timestamp=now,
            send_window_start=Case(When(window_over, then=Value(now)), default=F("send_window_start")),
            send_count=Case(When(window_over, then=Value(1)), default=F("send_count") + 1),
        )
    )
    device.refresh_from_db(fields=["last_generated_timestamp", "send_window_start", "send_count"])
    if taken:
        return
    waits = []
    if device.last_generated_timestamp is not None:
        waits.append(device.last_generated_timestamp + cooldown - now)
    if device.send_window_start is not None and device.send_count >= channel_codes_per_hour():
        waits.append(device.send_window_start + dt.timedelta(hours=1) - now)
    seconds = max(1, math.ceil(max(waits, default=dt.timedelta(seconds=1)).total_seconds()))
    raise ValidationError(_("请 %(seconds)d 秒后再获取验证码。") % {"seconds": seconds}, code="channel_cooldown")


def may_remove_second_factor(actor, person) -> bool:
    """Who may remove `person`'s second factor (a lost phone), so that it protects staff accounts
    from a colleague's compromised account too:

    - the person themselves, on their own 2FA page;
    - a platform administrator, for anyone (someone must recover the staff of the top region);
    - organisation staff, for the people of the regions they manage (`scope.looks_after`) who hold
      no platform role (superuser, admin site, platform groups) and no staff role of their own at or
      above the actor's: a fellow member of the same region's staff, or staff above, is recovered by
      staff of a region above theirs or by a platform administrator (`scope.stands_above`, the rule
      the people pages' password reset, deactivation and reactivation use too).

    Everyone else, leaders and alliance secretaries included, may not.
    """
    if actor.pk == person.pk:
        return True
    actor_paths = scope.staff_region_paths(actor)
    return scope.looks_after(actor, person, actor_paths=actor_paths) and scope.stands_above(
        actor, person, actor_paths=actor_paths
    )


@transaction.atomic
def second_factor_remove(*, actor, user) -> int:
    """Remove every device of `user`: themselves, or someone `may_remove_second_factor` allows. Audited;
    when someone else removed it, the person is told (in the portal and through their channels), so a
    removal they did not ask for does not go unnoticed."""
    if not may_remove_second_factor(actor, user):
        raise PermissionDenied(_("您无权停用此账号的双因素认证。"))
    removed = 0
    for model in (TOTPDevice, StaticDevice, ChannelDevice):
        count, _unused = model.objects.filter(user=user).delete()
        removed += count
    entry = _record(audit.Action.OTP_REMOVE, actor=actor, user=user, data={"by_other": actor.pk != user.pk})
    if actor.pk != user.pk:
        _notify_removed(user=user, actor=actor, entry_id=entry.pk)
    return removed


#: Notification kind of "your second factor was removed by someone else".
OTP_REMOVED_KIND = "otp_removed"


def _notify_removed(*, user, actor, entry_id: int) -> None:
    message = notifications.Message(
        title=_("您账号的双因素认证已被停用"),
        body=_("%(name)s 停用了您账号的双因素认证，请登录后重新启用。如非您本人申请，请立即联系组织部并修改密码。")
        % {"name": actor.display_name},
        url=reverse("security:otp_setup"),
        kind=OTP_REMOVED_KIND,
    )
    recipient_id = user.pk
    transaction.on_commit(
        lambda: notifications.notify(
            recipients=type(user).objects.filter(pk=recipient_id),
            message=message,
            dedupe_key=f"{OTP_REMOVED_KIND}:{entry_id}",
        )
    )


# -- verifying -------------------------------------------------------------------------------
def verify_token(user, token) -> object | None:
    """The confirmed device of `user` that accepts `token` (a TOTP code, a recovery code or a
    channel code; a recovery or channel code is used up), or None."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


def verify_wait_seconds(user) -> int:
    """Seconds until `user` may try a code again when every confirmed device is throttled after
    wrong codes (django-otp's exponential back-off), else 0."""
    waits = []
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if allowed or not data or not data.get("locked_until"):
            return 0
        waits.append(data["locked_until"] - timezone.now())
    return max(1, math.ceil(min(waits).total_seconds())) if waits else 0
