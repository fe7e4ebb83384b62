"""Match and cooperation pages. Thin: parse, check access through demands.permissions.matches, call
a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.access import scope_for, visible_alliances
from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from ..forms import matches as forms
from ..matching import suggest_for_need
from ..models import Cooperation
from ..permissions import matches as access
from ..permissions.needs import need_get_for_user
from ..permissions.policies import policy_get_for_user
from ..permissions.resources import resource_get_for_user
from ..selectors import matches as selectors
from ..services import matches as services
from ._common import _date_param, _int_param, _next_url, _run


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
        "demands/matches/_need_matches.html",
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
        offer = {"resource": resource_get_for_user(user=request.user, resource_id=form.cleaned_data["resource"])}
    else:
        offer = {"policy": policy_get_for_user(user=request.user, policy_id=form.cleaned_data["policy"])}
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
        "demands/matches/match_list.html",
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
    template = "demands/matches/_cooperation_rows.html" if request.htmx else "demands/matches/cooperation_list.html"
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
    return render(request, "demands/matches/cooperation_detail.html", {"cooperation": cooperation})
