"""Everyone's own account pages: profile, password, API tokens and sessions (these work on a
phone), and the one-time link that sets a password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chainparty.forms_utils import add_service_errors
from chainparty.models import ApiToken
from chainparty.security.models import UserSession
from chainparty.security.selectors import user_sessions
from chainparty.security.services import session_rekey, user_session_revoke

from . import forms, selectors, services, tokens


def secret_page(request, context, *, template="accounts/secret.html"):
    """A page that shows a secret once (a link, a temporary password, a token): never cached."""
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def profile(request):
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user,
                mobile=form.cleaned_data["mobile"],
                email=form.cleaned_data["email"],
                wecom_userid=form.cleaned_data["wecom_userid"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("profile")
    context = {
        "form": form,
        "tokens": selectors.tokens_of(user=request.user)[:50],
        "token_form": forms.TokenForm(),
        "sessions": list(user_sessions(user=request.user)),
        "current_session_key": request.session.session_key,
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (old password, two new ones, AUTH_PASSWORD_VALIDATORS), in Chinese. It keeps
    this browser signed in (update_session_auth_hash); the person's other sessions end."""

    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        old_key = self.request.session.session_key
        # Django's view saves the password (the other sessions end: security.receivers) and keeps
        # this browser signed in under a new session key (update_session_auth_hash).
        response = super().form_valid(form)
        session_rekey(old_key=old_key, new_key=self.request.session.session_key)
        messages.success(self.request, _("密码已修改，其他设备上的登录已结束。"))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The one-time link staff hand over: set a password, then sign in."""

    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")
    title = gettext_lazy("设置登录密码")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已设置，请使用新密码登录。"))
        return response


@login_required
@require_POST
def token_create(request):
    form = forms.TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = tokens.token_issue(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return secret_page(request, {"token": token, "raw_token": raw})
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)
    return redirect("profile")


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌“%s”已吊销。") % token.name)
    return redirect("profile")


@login_required
@require_POST
def session_revoke(request, pk):
    user_session = get_object_or_404(UserSession, pk=pk, user=request.user)
    if user_session.session_key == request.session.session_key:
        messages.error(request, _("当前会话请使用“退出”按钮结束。"))
        return redirect("profile")
    user_session_revoke(actor=request.user, user_session=user_session)
    messages.success(request, _("该会话已结束。"))
    return redirect("profile")
