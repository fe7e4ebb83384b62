"""Pages for resources, policies (with the inbox), matches and cooperations. Thin: parse, check
access through demands.permissions.lists, call a service or selector, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.access import scope_for, visible_alliances
from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from .. import forms_lists as forms
from ..matching import suggest_for_need, suggest_needs_for_policy, suggest_needs_for_resource
from ..models.lists import Cooperation, Policy, Resource
from ..permissions import lists as access
from ..permissions.needs import need_get_for_user
from ..selectors import lists as selectors
from ..services import lists as services


def _int_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _date_param(request, name):
    try:
        return dt.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


def _next_url(request, default):
    """Where to go after a POST: the page it came from when that is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _run(request, action, success_message):
    """Run a POST action; a refused one shows its Chinese message and changes nothing."""
    try:
        with transaction.atomic():
            result = action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None
    messages.success(request, success_message)
    return result


# -- resources ---------------------------------------------------------------------------
@login_required
def resource_list(request):
    zones = selectors.resource_zones(user=request.user)
    zone_id = _int_param(request, "zone")
    resources = selectors.resource_list(
        user=request.user,
        category=request.GET.get("category", ""),
        status=request.GET.get("status", ""),
        zone=zones.filter(pk=zone_id).first() if zone_id else None,
        owner=request.GET.get("owner", "").strip(),
        q=request.GET.get("q", "").strip(),
    )
    page, query = paginate(request, resources)
    context = {
        "page": page,
        "query": query,
        "zones": zones,
        "categories": Resource.Category.choices,
        "statuses": Resource.Status.choices,
        "can_create": access.may_create_resources(request.user),
    }
    template = "demands/lists/_resource_rows.html" if request.htmx else "demands/lists/resource_list.html"
    return render(request, template, context)


@login_required
def resource_create(request):
    access.require_resource_creator(request.user)
    form = forms.ResourceForm(request.POST or None, user=request.user)

    def create(f):
        return services.resource_create(user=request.user, **f.owner_kwargs(), **f.service_fields())

    return form_page(
        request,
        form=form,
        context={"title": _("发布资源"), "back": "demands:resource_list"},
        on_valid=create,
        success_message=_("资源已发布，联盟成员可以看到它。"),
    )


@login_required
def resource_edit(request, pk):
    resource = access.resource_get_for_user(user=request.user, resource_id=pk, action=access.MANAGE)
    form = forms.ResourceForm(request.POST or None, instance=resource, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("编辑资源：%s") % resource.title, "back": resource.get_absolute_url()},
        on_valid=lambda f: services.resource_update(resource=resource, **f.service_fields()),
        success_message=_("已保存。"),
    )


@login_required
def resource_detail(request, pk):
    resource = access.resource_get_for_user(
        user=request.user,
        resource_id=pk,
        queryset=Resource.objects.select_related("enterprise", "department", "zone", "region", "created_by"),
    )
    return render(
        request,
        "demands/lists/resource_detail.html",
        {
            "resource": resource,
            "can_manage": access.can_manage_resource(request.user, resource),
            "matches": selectors.matches_for_resource(resource=resource),
        },
    )


@login_required
def resource_need_suggestions(request, pk):
    """htmx fragment: open needs this resource could serve (only those the user may see)."""
    resource = access.resource_get_for_user(
        user=request.user, resource_id=pk, queryset=Resource.objects.select_related("region", "enterprise")
    )
    suggestions = suggest_needs_for_resource(resource=resource, user=request.user)
    for suggestion in suggestions:
        suggestion.object.can_propose = access.can_propose_match(request.user, suggestion.object)
    return render(
        request,
        "demands/lists/_need_suggestions.html",
        {"suggestions": suggestions, "offer_field": "resource", "offer": resource},
    )


@login_required
@require_POST
def resource_status(request, pk):
    resource = access.resource_get_for_user(user=request.user, resource_id=pk, action=access.MANAGE)
    status = request.POST.get("status", "")
    if status not in Resource.Status.values:
        messages.error(request, _("状态无效。"))
    else:
        _run(
            request,
            lambda: services.resource_set_status(resource=resource, status=status),
            _("资源状态已改为“%s”。") % Resource.Status(status).label,
        )
    return redirect(resource.get_absolute_url())


# -- policies ----------------------------------------------------------------------------
@login_required
def policy_list(request):
    scope = scope_for(request.user)
    policies = selectors.policy_list(
        user=request.user,
        category=request.GET.get("category", ""),
        state=request.GET.get("state", ""),
        q=request.GET.get("q", "").strip(),
        mine=request.GET.get("mine") == "1",
    )
    page, query = paginate(request, policies)
    context = {
        "page": page,
        "query": query,
        "categories": Policy.Category.choices,
        "states": Policy.State.choices,
        "can_create": access.may_publish_policies(request.user),
        "is_handler": bool(scope.department_ids),
    }
    template = "demands/lists/_policy_rows.html" if request.htmx else "demands/lists/policy_list.html"
    return render(request, template, context)


@login_required
def policy_create(request):
    access.require_policy_publisher(request.user)
    form = forms.PolicyForm(request.POST or None, request.FILES or None, user=request.user)

    def create(f):
        return services.policy_create(user=request.user, department=f.cleaned_data["department"], **f.service_fields())

    return form_page(
        request,
        form=form,
        context={"title": _("录入政策"), "back": "demands:policy_list", "wide": True},
        on_valid=create,
        success_message=_("政策已保存为草稿，核对后点击“发布并推送”。"),
    )


@login_required
def policy_edit(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk, action=access.MANAGE)
    if policy.state == Policy.State.WITHDRAWN:
        messages.error(request, _("已撤回的政策不能再修改。"))
        return redirect(policy.get_absolute_url())
    form = forms.PolicyForm(request.POST or None, request.FILES or None, instance=policy, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("编辑政策：%s") % policy.title, "back": policy.get_absolute_url(), "wide": True},
        on_valid=lambda f: services.policy_update(policy=policy, **f.service_fields()),
        success_message=_("已保存。已发布的政策如调整了适用范围，请再次发布以推送给新增企业。"),
    )


@login_required
def policy_detail(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk, queryset=selectors.policy_detail_queryset())
    scope = scope_for(request.user)
    if scope.enterprise_ids and policy.state != Policy.State.DRAFT:
        # Opening the policy is what 知晓 means: the first opening per enterprise is recorded.
        services.policy_mark_read(policy=policy, user=request.user, enterprise_ids=scope.enterprise_ids)
    can_manage = Policy.objects.filter(access.policy_managed_q(request.user), pk=pk).exists()
    sees_all = access.sees_all_readers(request.user, policy)
    show_readers = policy.state != Policy.State.DRAFT and (can_manage or sees_all or scope.seat_alliance_ids)
    context = {"policy": policy, "can_manage": can_manage, "show_readers": show_readers}
    if show_readers:
        read_filter = {"1": True, "0": False}.get(request.GET.get("read", ""))
        deliveries = selectors.policy_deliveries(policy=policy, user=request.user, read=read_filter, sees_all=sees_all)
        page, query = paginate(request, deliveries)
        awareness = selectors.policy_awareness(policy=policy, user=request.user, sees_all=sees_all)
        context.update(page=page, query=query, awareness=awareness)
    return render(request, "demands/lists/policy_detail.html", context)


@login_required
def policy_attachment(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk)
    if not policy.attachment:
        raise Http404(_("该政策没有附件。"))
    return FileResponse(
        policy.attachment.open("rb"),
        content_type="application/pdf",
        filename=policy.attachment_name or f"{policy.title}.pdf",
    )


@login_required
def policy_need_suggestions(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk)
    suggestions = (
        suggest_needs_for_policy(policy=policy, user=request.user) if policy.state == Policy.State.PUBLISHED else []
    )
    for suggestion in suggestions:
        suggestion.object.can_propose = access.can_propose_match(request.user, suggestion.object)
    return render(
        request,
        "demands/lists/_need_suggestions.html",
        {"suggestions": suggestions, "offer_field": "policy", "offer": policy},
    )


@login_required
@require_POST
def policy_publish(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk, action=access.MANAGE)
    result = _run(request, lambda: services.policy_publish(policy=policy, user=request.user), _("政策已发布。"))
    if result is not None:
        messages.info(request, _("本次新推送 %d 家企业，企业党组织书记将收到通知。") % result.new_deliveries)
    return redirect(policy.get_absolute_url())


@login_required
@require_POST
def policy_withdraw(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk, action=access.MANAGE)
    _run(request, lambda: services.policy_withdraw(policy=policy, user=request.user), _("政策已撤回。"))
    return redirect(policy.get_absolute_url())


@login_required
def policy_inbox(request):
    unread_only = request.GET.get("unread") == "1"
    deliveries = selectors.policy_inbox(user=request.user, unread_only=unread_only)
    page, query = paginate(request, deliveries)
    return render(
        request,
        "demands/lists/policy_inbox.html",
        {
            "page": page,
            "query": query,
            "unread_only": unread_only,
            "unread_count": selectors.policy_inbox_unread_count(user=request.user),
            "is_enterprise_secretary": bool(scope_for(request.user).enterprise_ids),
        },
    )


# -- matches -------------------------------------------------------------------------------
@login_required
def need_matches(request, need_id):
    """htmx fragment for the need page: suggested resources and policies, and the matches so far."""
    need = need_get_for_user(user=request.user, need_id=need_id)
    can_propose = access.can_propose_match(request.user, need)
    matches = list(selectors.matches_for_need(need=need))
    for match in matches:
        match.my_sides = access.match_sides_for(request.user, match)
    open_need = need.state not in (*need.SOLVED_STATES, *need.FINAL_STATES)
    suggestions = suggest_for_need(need=need) if can_propose and open_need else []
    proposed = {(m.kind, m.resource_id or m.policy_id) for m in matches}
    for suggestion in suggestions:
        suggestion.object.already_proposed = (suggestion.kind, suggestion.object.pk) in proposed
    return render(
        request,
        "demands/lists/_need_matches.html",
        {
            "need": need,
            "suggestions": suggestions,
            "matches": matches,
            "can_propose": can_propose and open_need,
            "confirm_form": forms.MatchConfirmForm(),
        },
    )


@login_required
@require_POST
def match_propose(request, need_id):
    need = need_get_for_user(user=request.user, need_id=need_id)
    access.require_can_propose(request.user, need)
    form = forms.ProposeMatchForm(request.POST)
    if not form.is_valid():
        for message in form.non_field_errors():
            messages.error(request, message)
        return redirect(need.get_absolute_url())
    if form.cleaned_data.get("resource"):
        offer = {"resource": access.resource_get_for_user(user=request.user, resource_id=form.cleaned_data["resource"])}
    else:
        offer = {"policy": access.policy_get_for_user(user=request.user, policy_id=form.cleaned_data["policy"])}
    sides = {access.NEED_SIDE} if need.enterprise_id in scope_for(request.user).enterprise_ids else set()
    _run(
        request,
        lambda: services.match_propose(need=need, user=request.user, sides=sides, **offer),
        _("已发起对接，等待双方确认。"),
    )
    return redirect(_next_url(request, need.get_absolute_url()))


@login_required
@require_POST
def match_confirm(request, pk):
    match = access.match_get_for_user(user=request.user, match_id=pk)
    sides = access.match_sides_for(request.user, match)
    side = request.POST.get("side", "")
    if side not in sides:
        raise PermissionDenied(_("您不是该对接的需求方或提供方，不能确认。"))
    form = forms.MatchConfirmForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}：{error}")
        return redirect("demands:match_list")
    result = _run(
        request,
        lambda: services.match_confirm(match=match, user=request.user, side=side, **form.cleaned_data),
        _("已确认对接。"),
    )
    if result is not None and result.is_confirmed:
        messages.info(request, _("双方均已确认，已登记为促成合作。"))
    return redirect(_next_url(request, reverse("demands:match_list")))


@login_required
def match_list(request):
    waiting = list(selectors.match_inbox(user=request.user)[:100])
    for match in waiting:
        match.my_sides = access.match_sides_for(request.user, match)
    return render(
        request,
        "demands/lists/match_list.html",
        {
            "waiting": waiting,
            "confirmed": selectors.match_recent_confirmed(user=request.user),
            "confirm_form": forms.MatchConfirmForm(),
        },
    )


# -- cooperations ---------------------------------------------------------------------------
@login_required
def cooperation_list(request):
    alliances = access.cooperation_alliances_for(request.user)
    visible = visible_alliances(request.user).order_by("name")
    alliance_id = _int_param(request, "alliance")
    cooperations = selectors.cooperation_list(
        user=request.user,
        alliance=visible.filter(pk=alliance_id).first() if alliance_id else None,
        date_from=_date_param(request, "from"),
        date_to=_date_param(request, "to"),
        q=request.GET.get("q", "").strip(),
    )
    page, query = paginate(request, cooperations)
    context = {
        "page": page,
        "query": query,
        "alliances": visible,
        "totals": selectors.cooperation_totals(cooperations),
        "can_create": alliances.exists(),
    }
    template = "demands/lists/_cooperation_rows.html" if request.htmx else "demands/lists/cooperation_list.html"
    return render(request, template, context)


@login_required
def cooperation_create(request):
    access.require_cooperation_recorder(request.user)
    form = forms.CooperationForm(request.POST or None, user=request.user)

    def create(f):
        access.require_cooperation_recorder(request.user, f.cleaned_data["alliance"])
        return services.cooperation_record(user=request.user, **f.service_fields())

    return form_page(
        request,
        form=form,
        context={"title": _("登记促成合作"), "back": "demands:cooperation_list"},
        on_valid=create,
        success_message=_("促成合作已登记。"),
    )


@login_required
def cooperation_detail(request, pk):
    cooperation = access.cooperation_get_for_user(
        user=request.user,
        cooperation_id=pk,
        queryset=Cooperation.objects.select_related(
            "alliance",
            "provider_enterprise",
            "provider_department",
            "receiver_enterprise",
            "need",
            "match__resource",
            "match__policy",
            "recorded_by",
        ),
    )
    return render(request, "demands/lists/cooperation_detail.html", {"cooperation": cooperation})
