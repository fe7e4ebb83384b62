"""People pages: organisation staff and alliance secretaries manage the accounts of the people who
work where they do (desktop pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliances import people
from chainparty import privacy
from chainparty.accounts.views import secret_page
from chainparty.forms_utils import add_service_errors
from chainparty.paging import paginate
from chainparty.security.scope import may_recover
from chainparty.security.selectors import is_locked

from . import forms, selectors, services
from .permissions import MANAGE, person_get_for_user, require_people_manager

SECRET_TEMPLATE = "alliances/people/secret.html"


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
    return render(request, "alliances/people/person_list.html", context)


@login_required
def person_detail(request, pk):
    person = person_get_for_user(user=request.user, person_id=pk)
    locked = is_locked(person)
    context = {
        "person": person,
        "roles": selectors.roles_of([person.pk]).get(person.pk, []),
        "can_manage": people.may_manage_person(request.user, person),
        "is_locked": locked,
        "may_unlock": locked and may_recover(request.user, person),
    }
    return render(request, "alliances/people/person_detail.html", context)


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
            return secret_page(request, {**context, "created": True}, template=SECRET_TEMPLATE)
    context = {"form": form, "title": _("新增人员"), "back": reverse("people_list"), "wide": False}
    return render(request, "form.html", context, status=400 if form.errors else 200)


@login_required
def person_edit(request, pk):
    person = person_get_for_user(user=request.user, person_id=pk, action=MANAGE)
    # Staff who may change the account but have no need to know the number never get it in the form.
    masked = "" if privacy.may_read_phone(viewer=request.user, person=person) else privacy.mask_phone(person.mobile)
    initial = {
        "real_name": person.real_name,
        "mobile": "" if masked else person.mobile,
        "email": person.email,
        "wecom_userid": person.wecom_userid,
        "affiliation": forms.affiliation_value(person.affiliation_unit),
    }
    form = forms.PersonForm(
        request.POST or None, initial=initial, actor=request.user, creating=False, masked_mobile=masked
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.person_update(
                    actor=request.user,
                    person=person,
                    real_name=data["real_name"],
                    mobile=data["mobile"] or person.mobile,
                    email=data["email"],
                    affiliation_unit=data["affiliation"],
                    wecom_userid=data["wecom_userid"],
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
    return secret_page(request, context, template=SECRET_TEMPLATE)


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
