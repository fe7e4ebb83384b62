"""Resource pages. Thin: parse, check access through demands.permissions.resources, call a service or
selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from ..forms import resources as forms
from ..matching import suggest_needs_for_resource
from ..models import Resource
from ..permissions import resources as access
from ..permissions.matches import can_propose_match
from ..selectors import resources as selectors
from ..selectors.matches import matches_for_resource
from ..services import resources as services
from ._common import _int_param, _run


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
    template = "demands/resources/_resource_rows.html" if request.htmx else "demands/resources/resource_list.html"
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
        "demands/resources/resource_detail.html",
        {
            "resource": resource,
            "can_manage": access.can_manage_resource(request.user, resource),
            "matches": matches_for_resource(resource=resource),
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
        suggestion.object.can_propose = can_propose_match(request.user, suggestion.object)
    return render(
        request,
        "demands/matches/_need_suggestions.html",
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
