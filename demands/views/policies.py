"""Policy pages, with the enterprise's inbox. Thin: parse, check access through
demands.permissions.policies, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.access import scope_for
from chainparty import uploads
from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from ..forms import policies as forms
from ..matching import suggest_needs_for_policy
from ..models import Policy
from ..permissions import policies as access
from ..permissions.matches import can_propose_match
from ..selectors import policies as selectors
from ..services import policies as services
from ._common import _run


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
    template = "demands/policies/_policy_rows.html" if request.htmx else "demands/policies/policy_list.html"
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
    can_manage = Policy.objects.filter(access.policy_managed_q(request.user), pk=pk).exists()
    sees_all = access.sees_all_readers(request.user, policy)
    show_readers = policy.state != Policy.State.DRAFT and (can_manage or sees_all or scope.seat_alliance_ids)
    context = {
        "policy": policy,
        "can_manage": can_manage,
        "show_readers": show_readers,
        "my_reading": selectors.policy_reading(policy=policy, user=request.user),
    }
    if show_readers:
        read_filter = {"1": True, "0": False}.get(request.GET.get("read", ""))
        deliveries = selectors.policy_deliveries(policy=policy, user=request.user, read=read_filter, sees_all=sees_all)
        page, query = paginate(request, deliveries)
        awareness = selectors.policy_awareness(policy=policy, user=request.user, sees_all=sees_all)
        context.update(page=page, query=query, awareness=awareness)
    return render(request, "demands/policies/policy_detail.html", context)


@login_required
@require_POST
def policy_read(request, pk):
    """知晓 is the enterprise secretary's explicit "我已阅读"; opening the page records nothing."""
    policy = access.policy_get_for_user(user=request.user, policy_id=pk)
    access.require_read_as_enterprise(request.user, policy)
    enterprise_ids = scope_for(request.user).enterprise_ids
    _run(
        request,
        lambda: services.policy_mark_read(policy=policy, user=request.user, enterprise_ids=enterprise_ids),
        _("已记录：贵企业已阅读该政策。"),
    )
    return redirect(policy.get_absolute_url())


@login_required
def policy_attachment(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk)
    if not policy.attachment:
        raise Http404(_("该政策没有附件。"))
    return uploads.attachment_response(
        policy.attachment.open("rb"),
        filename=policy.attachment_name or f"{policy.title}.pdf",
        content_type="application/pdf",
        target=policy,
    )


@login_required
def policy_need_suggestions(request, pk):
    policy = access.policy_get_for_user(user=request.user, policy_id=pk)
    suggestions = (
        suggest_needs_for_policy(policy=policy, user=request.user) if policy.state == Policy.State.PUBLISHED else []
    )
    for suggestion in suggestions:
        suggestion.object.can_propose = can_propose_match(request.user, suggestion.object)
    return render(
        request,
        "demands/matches/_need_suggestions.html",
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
        "demands/policies/policy_inbox.html",
        {
            "page": page,
            "query": query,
            "unread_only": unread_only,
            "unread_count": selectors.policy_inbox_unread_count(user=request.user),
            "is_enterprise_secretary": bool(scope_for(request.user).enterprise_ids),
        },
    )
