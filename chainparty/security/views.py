"""Login in one or two steps, second-factor setup, and the locked accounts page. Thin: the rules
live in login.py, otp.py and services.py."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import lockout, otp, scope, selectors, services
from . import login as login_rules
from .forms import TokenForm
from .models import ChannelDevice

PENDING = "_security_pending_login"
PENDING_SECONDS = 300


def _reason_message(reason: str) -> str:
    if reason == "idle":
        return _("您已连续%(minutes)d分钟未操作，为保护账号安全已自动退出，请重新登录。") % {
            "minutes": settings.CHAINPARTY_SESSION_IDLE_MINUTES
        }
    if reason == "expired":
        return _("本次登录已超过%(hours)d小时，为保护账号安全已自动退出，请重新登录。") % {
            "hours": settings.CHAINPARTY_SESSION_ABSOLUTE_HOURS
        }
    return ""


def login_page_context(request, *, form=None, locked_message=""):
    from django.contrib.auth.forms import AuthenticationForm

    return {
        "form": form or AuthenticationForm(request, data=request.POST or None),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "reason_message": _reason_message(request.GET.get("reason", "")),
        "locked_message": locked_message,
    }


def _safe_next(request, value):
    allowed = {request.get_host()}
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts=allowed, require_https=request.is_secure()):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    """Django's login page; a person with a second factor goes on to the code step before any
    session is theirs."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason_message"] = _reason_message(self.request.GET.get("reason", ""))
        return context

    def form_valid(self, form):
        user = form.get_user()
        if not otp.has_second_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user_id": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_redirect_url(),
        }
        return redirect("security:login_verify")


def admin_login(request):
    query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
    return redirect(f"{reverse('login')}?{query}")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


def login_verify(request):
    """The second step: a code from the authenticator, a recovery code or a channel code."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("验证已超时，请重新输入用户名和密码。"))
        return redirect("login")
    channels = list(ChannelDevice.objects.filter(user=user, confirmed=True))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "send":
        device = next((d for d in channels if str(d.pk) == request.POST.get("device")), None)
        if device is not None:
            try:
                otp.channel_code_send(device=device)
                messages.success(request, _("验证码已通过%(channel)s发送。") % {"channel": device.name})
            except ValidationError as error:
                messages.error(request, error.messages[0])
        return redirect("security:login_verify")
    if request.method == "POST" and form.is_valid():
        if login_rules.is_locked_out(request, user.get_username()):
            return lockout.lockout_response(request)
        wait = otp.verify_wait_seconds(user)  # after wrong codes the next one is not even checked
        device = otp.verify_token(user, form.cleaned_data["token"])
        if device is not None:
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(_safe_next(request, pending.get("next")))
        login_rules.record_failed_second_factor(request, user)
        if wait:
            form.add_error("token", _("验证码错误次数过多，请 %(seconds)d 秒后再试。") % {"seconds": wait})
        else:
            form.add_error("token", _("验证码不正确或已过期。"))
    return render(request, "registration/login_verify.html", {"form": form, "channels": channels})


# -- second factor setup --------------------------------------------------------------------
@login_required
def otp_setup(request):
    user = request.user
    context = {
        "confirmed": [d for d in otp.devices_for_user(user, confirmed=True) if d.__class__.__name__ != "StaticDevice"],
        "required": settings.CHAINPARTY_REQUIRE_2FA and scope.is_staff_member(user),
        "channels": [(c.key(), otp.channel_label(c.key())) for c in otp.outside_channels(user)],
        "form": TokenForm(),
    }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    try:
        if action == "totp_start":
            device = otp.totp_start(user=user)
            context.update(totp=device, qr=otp.qr_svg_data_uri(device.config_url), secret=_base32(device))
        elif action == "totp_confirm":
            device = get_object_or_404(TOTPDevice, pk=request.POST.get("device"), user=user, confirmed=False)
            try:
                codes = otp.totp_confirm(user=user, device=device, token=request.POST.get("token", ""))
            except ValidationError as error:
                context.update(totp=device, qr=otp.qr_svg_data_uri(device.config_url), secret=_base32(device))
                context["form"] = TokenForm(request.POST)
                context["form"].add_error("token", error.messages[0])
            else:
                otp_login(request, device)
                return render(request, "registration/otp_codes.html", {"codes": codes})
        elif action == "channel_start":
            context["channel_device"] = otp.channel_start(user=user, channel_key=request.POST.get("channel", ""))
        elif action == "channel_confirm":
            device = get_object_or_404(ChannelDevice, pk=request.POST.get("device"), user=user, confirmed=False)
            try:
                codes = otp.channel_confirm(user=user, device=device, token=request.POST.get("token", ""))
            except ValidationError as error:
                context["channel_device"] = device
                context["form"] = TokenForm(request.POST)
                context["form"].add_error("token", error.messages[0])
            else:
                otp_login(request, device)
                return render(request, "registration/otp_codes.html", {"codes": codes})
        elif action == "codes":
            if not otp.has_second_factor(user):
                raise ValidationError(_("请先启用双因素认证。"))
            return render(request, "registration/otp_codes.html", {"codes": otp.recovery_codes_renew(user=user)})
        elif action == "remove":
            if context["required"]:
                raise ValidationError(_("您的岗位必须使用双因素认证，不能停用。如更换手机，请联系平台管理员。"))
            otp.second_factor_remove(actor=user, user=user)
            messages.success(request, _("已停用双因素认证。"))
            return redirect("security:otp_setup")
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("security:otp_setup")
    return render(request, "registration/otp_setup.html", context)


def _base32(device):
    import base64

    return base64.b32encode(device.bin_key).decode()


# -- locked accounts ------------------------------------------------------------------------
def _require_staff(user):
    if scope.staff_region_paths(user) == []:
        raise PermissionDenied(_("只有组织部工作人员和平台管理员可以解锁账号。"))


@login_required
def locked_accounts(request):
    _require_staff(request.user)
    accounts = selectors.locked_accounts(actor=request.user)
    return render(request, "registration/locked_accounts.html", {"accounts": accounts})


@login_required
@require_POST
def account_unlock(request, user_id):
    _require_staff(request.user)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if not scope.looks_after(request.user, person):
        raise Http404
    services.account_unlock(actor=request.user, user=person)
    messages.success(request, _("已解除 %(name)s 的登录锁定。") % {"name": person.display_name})
    return redirect("security:locked_accounts")


@login_required
@require_POST
def second_factor_reset(request, user_id):
    """Staff remove a person's second factor (a lost phone); the person enrols again."""
    _require_staff(request.user)
    person = get_object_or_404(get_user_model(), pk=user_id)
    if not scope.looks_after(request.user, person):
        raise Http404
    otp.second_factor_remove(actor=request.user, user=person)
    messages.success(request, _("已停用 %(name)s 的双因素认证。") % {"name": person.display_name})
    return redirect("security:locked_accounts")
