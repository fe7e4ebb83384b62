"""People pages (organisation staff, alliance secretaries; desktop) and everyone's own account
pages (profile, password, API tokens, sessions; these work on a phone)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliances import people
from chainparty.forms_utils import add_service_errors
from chainparty.models import ApiToken
from chainparty.paging import paginate
from chainparty.security.models import UserSession
from chainparty.security.selectors import is_locked, user_sessions
from chainparty.security.services import user_session_revoke

from . import forms, selectors, services, tokens
from .permissions import MANAGE, person_get_for_user, require_people_manager


def _secret_page(request, context):
    """A page that shows a secret once (a link, a temporary password, a token): never cached."""
    response = render(request, "accounts/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


# -- people ---------------------------------------------------------------------------------
@login_required
def person_list(request):
    require_people_manager(request.user)
    params = request.GET
    persons = selectors.person_list(
        user=request.user,
        search=params.get("q", "").strip(),
        role=params.get("role", ""),
        affiliation=params.get("affiliation", ""),
        active=params.get("active", ""),
    )
    page, query = paginate(request, persons)
    held = selectors.roles_of([person.pk for person in page])
    rows = [{"person": person, "roles": held.get(person.pk, [])} for person in page]
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "role_filters": [(key, label) for key, (label, *_rest) in selectors.ROLE_FILTERS.items()],
        "affiliation_filters": selectors.AFFILIATION_FILTERS.items(),
    }
    return render(request, "accounts/person_list.html", context)


@login_required
def person_detail(request, pk):
    person = person_get_for_user(user=request.user, person_id=pk)
    context = {
        "person": person,
        "roles": selectors.roles_of([person.pk]).get(person.pk, []),
        "can_manage": people.may_manage_person(request.user, person),
        "is_locked": is_locked(person),
    }
    return render(request, "accounts/person_detail.html", context)


def _credential(request, person, method):
    if method == "temporary":
        password = services.password_set_temporary(actor=request.user, person=person)
        return {"person": person, "temporary_password": password}
    link = services.password_reset_link(actor=request.user, person=person, base_url=request.build_absolute_uri("/"))
    return {"person": person, "reset_link": link, "emailed": bool(person.email)}


@login_required
def person_create(request):
    require_people_manager(request.user)
    initial = {"affiliation": request.GET.get("affiliation", "")}
    form = forms.PersonForm(request.POST or None, initial=initial, actor=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = services.person_create(
                    actor=request.user,
                    real_name=data["real_name"],
                    mobile=data["mobile"],
                    email=data["email"],
                    username=data["username"],
                    affiliation_unit=data["affiliation"],
                )
                context = _credential(request, person, data["credential"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _secret_page(request, {**context, "created": True})
    context = {"form": form, "title": _("新增人员"), "back": reverse("people_list"), "wide": False}
    return render(request, "form.html", context, status=400 if form.errors else 200)


@login_required
def person_edit(request, pk):
    person = person_get_for_user(user=request.user, person_id=pk, action=MANAGE)
    initial = {
        "real_name": person.real_name,
        "mobile": person.mobile,
        "email": person.email,
        "affiliation": forms.affiliation_value(person.affiliation_unit),
    }
    form = forms.PersonForm(request.POST or None, initial=initial, actor=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.person_update(
                    actor=request.user,
                    person=person,
                    real_name=data["real_name"],
                    mobile=data["mobile"],
                    email=data["email"],
                    affiliation_unit=data["affiliation"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("person_detail", pk=person.pk)
    back = reverse("person_detail", args=[person.pk])
    context = {"form": form, "title": _("编辑：%s") % person.display_name, "back": back}
    return render(request, "form.html", context, status=400 if form.errors else 200)


def _person_action(request, pk, act, success):
    person = person_get_for_user(user=request.user, person_id=pk, action=MANAGE)
    try:
        act(person)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, success % {"name": person.display_name})
    return redirect("person_detail", pk=person.pk)


@login_required
@require_POST
@never_cache
def person_reset(request, pk):
    person = person_get_for_user(user=request.user, person_id=pk, action=MANAGE)
    method = "temporary" if request.POST.get("method") == "temporary" else "link"
    try:
        context = _credential(request, person, method)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("person_detail", pk=person.pk)
    return _secret_page(request, context)


@login_required
@require_POST
def person_deactivate(request, pk):
    return _person_action(
        request,
        pk,
        lambda person: services.person_deactivate(actor=request.user, person=person),
        _("已停用 %(name)s 的账号，其登录会话均已结束。"),
    )


@login_required
@require_POST
def person_reactivate(request, pk):
    return _person_action(
        request,
        pk,
        lambda person: services.person_reactivate(actor=request.user, person=person),
        _("已启用 %(name)s 的账号。"),
    )


# -- one's own account ---------------------------------------------------------------------------
@login_required
def profile(request):
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                user=request.user, mobile=form.cleaned_data["mobile"], email=form.cleaned_data["email"]
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
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
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
            return _secret_page(request, {"token": token, "raw_token": raw})
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
