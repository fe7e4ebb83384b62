import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chainparty import audit, indicators
from chainparty.forms_utils import add_service_errors, form_page
from chainparty.models import AuditLog
from chainparty.paging import paginate
from chainparty.validators import parse_id

from . import forms, people, selectors, services
from .access import scope_for, visible_alliances, visible_zones
from .models import Department, Enterprise, Membership, PartyOrganization, Region, WorkZone
from .permissions import (
    MANAGE,
    alliance_get_for_user,
    department_get_for_user,
    enterprise_get_for_user,
    party_organization_get_for_user,
    require_org_staff,
    zone_get_for_user,
)


@login_required
def home(request):
    context = selectors.home_summary(user=request.user)
    return render(request, "home.html", {**context, "indicator_panels": indicators.registry.panels(user=request.user)})


# -- alliances ------------------------------------------------------------------------
@login_required
def alliance_list(request):
    alliances = selectors.alliance_list(user=request.user, search=request.GET.get("q", "").strip())
    page, query = paginate(request, alliances)
    return render(
        request,
        "alliances/alliance_list.html",
        {"page": page, "query": query, "can_create": scope_for(request.user).is_org_staff},
    )


@login_required
def alliance_detail(request, pk):
    alliance = alliance_get_for_user(
        user=request.user,
        alliance_id=pk,
        queryset=visible_alliances(request.user).select_related("region", "lead_enterprise"),
    )
    can_manage = visible_alliances(request.user).filter(scope_for(request.user).managed_alliances_q(), pk=pk).exists()
    context = {
        "alliance": alliance,
        "can_manage": can_manage,
        **selectors.alliance_detail(alliance=alliance, user=request.user),
    }
    if can_manage:
        context.update(
            membership_form=forms.MembershipForm(alliance=alliance),
            seat_form=forms.SeatForm(alliance=alliance),
            rotation_form=forms.RotationForm(alliance=alliance),
        )
    return render(request, "alliances/alliance_detail.html", context)


@login_required
def alliance_create(request):
    require_org_staff(request.user)
    form = forms.AllianceForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("新建产业链党委"), "back": "alliances:alliance_list"},
        on_valid=lambda f: services.alliance_create(**f.service_fields()),
        success_message=_("产业链党委已创建。"),
    )


@login_required
def alliance_edit(request, pk):
    alliance = alliance_get_for_user(user=request.user, alliance_id=pk, action=MANAGE)
    form = forms.AllianceForm(request.POST or None, instance=alliance, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("编辑：%s") % alliance.name, "back": alliance.get_absolute_url()},
        on_valid=lambda f: services.alliance_update(alliance=alliance, **_changed(f)),
        success_message=_("已保存。"),
    )


def _changed(form):
    return {name: form.cleaned_data[name] for name in form.Meta.fields if not form.fields[name].disabled}


def _alliance_subform(request, pk, form_class, service, success_message, **form_kwargs):
    """POST-only forms on the alliance page (add member, seat, rotation)."""
    alliance = alliance_get_for_user(user=request.user, alliance_id=pk, action=MANAGE)
    form = form_class(request.POST, alliance=alliance, **form_kwargs)
    if form.is_valid():
        try:
            service(alliance, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
    else:
        messages.success(request, success_message)
    return redirect(alliance.get_absolute_url())


@login_required
@require_POST
def membership_add(request, pk):
    def add(alliance, data):
        services.membership_add(alliance=alliance, **data)

    return _alliance_subform(request, pk, forms.MembershipForm, add, _("成员已加入。"))


@login_required
@require_POST
def membership_end(request, pk, membership_id):
    alliance = alliance_get_for_user(user=request.user, alliance_id=pk, action=MANAGE)
    membership = get_object_or_404(Membership, pk=membership_id, alliance=alliance)
    form = forms.MembershipEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写有效的退出日期。"))
        services.membership_end(membership=membership, left_on=form.cleaned_data["left_on"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已登记“%s”退出，历史记录保留。") % membership.member)
    return redirect(alliance.get_absolute_url())


@login_required
@require_POST
def seat_add(request, pk):
    def add(alliance, data):
        services.seat_assign(alliance=alliance, actor=request.user, **data)

    return _alliance_subform(request, pk, forms.SeatForm, add, _("班子成员已登记。"))


@login_required
@require_POST
def rotation_add(request, pk):
    def add(alliance, data):
        services.rotation_set(alliance=alliance, **data)

    return _alliance_subform(request, pk, forms.RotationForm, add, _("轮值书记已安排。"))


# -- enterprises -----------------------------------------------------------------------
@login_required
def enterprise_list(request):
    params = request.GET
    zones = visible_zones(request.user).order_by("name")
    alliances = visible_alliances(request.user).order_by("name")
    zone_id, alliance_id = parse_id(params.get("zone"), name="zone"), parse_id(params.get("alliance"), name="alliance")
    zone = zones.filter(pk=zone_id).first() if zone_id else None
    alliance = alliances.filter(pk=alliance_id).first() if alliance_id else None
    enterprises = selectors.enterprise_list(
        user=request.user,
        search=params.get("q", "").strip(),
        zone=zone,
        industry=params.get("industry", ""),
        alliance=alliance,
        party_status=params.get("party", ""),
        size=params.get("size", ""),
    )
    page, query = paginate(request, enterprises)
    context = {
        "page": page,
        "query": query,
        "zones": zones,
        "alliances": alliances,
        "industries": selectors.enterprise_industries(user=request.user),
        "sizes": Enterprise.Size.choices,
        "can_create": scope_for(request.user).is_org_staff,
    }
    template = "alliances/_enterprise_rows.html" if request.htmx else "alliances/enterprise_list.html"
    return render(request, template, context)


@login_required
def enterprise_detail(request, pk):
    enterprise = enterprise_get_for_user(
        user=request.user, enterprise_id=pk, queryset=Enterprise.objects.select_related("region", "zone")
    )
    can_manage = Enterprise.objects.filter(scope_for(request.user).managed_enterprises_q(), pk=pk).exists()
    context = {"enterprise": enterprise, "can_manage": can_manage, **selectors.enterprise_detail(enterprise=enterprise)}
    if people.may_grant_enterprise_secretary(request.user, enterprise):
        secretaries = selectors.enterprise_secretaries([enterprise.pk]).get(enterprise.pk, [])
        context.update(
            secretaries=secretaries,
            grant_form=forms.GrantForm(actor=request.user, holders=[user.pk for user in secretaries]),
        )
    return render(request, "alliances/enterprise_detail.html", context)


def _grant(request, obj, grant, success_message):
    """POST-only role grants on the enterprise and department pages."""
    form = forms.GrantForm(request.POST, actor=request.user, holders=[])
    if form.is_valid():
        try:
            grant(form.cleaned_data["user"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("人员：%s") % error)
    else:
        messages.success(request, success_message % {"name": form.cleaned_data["user"].display_name})
    return redirect(obj.get_absolute_url())


@login_required
@require_POST
def enterprise_grant_secretary(request, pk):
    enterprise = enterprise_get_for_user(user=request.user, enterprise_id=pk)
    if not people.may_grant_enterprise_secretary(request.user, enterprise):
        raise PermissionDenied(_("您无权为该企业授予党组织书记。"))
    return _grant(
        request,
        enterprise,
        lambda user: services.enterprise_grant_secretary(enterprise=enterprise, user=user, actor=request.user),
        _("已将 %(name)s 设为本企业党组织书记。"),
    )


@login_required
@require_POST
def department_add_handler(request, pk):
    department = department_get_for_user(user=request.user, department_id=pk)
    if not people.may_grant_handler(request.user, department):
        raise PermissionDenied(_("您无权为该部门指定办理人。"))
    return _grant(
        request,
        department,
        lambda user: services.department_add_handler(department=department, user=user, actor=request.user),
        _("已将 %(name)s 设为本部门办理人。"),
    )


@login_required
def enterprise_create(request):
    require_org_staff(request.user)
    form = forms.EnterpriseForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("新增企业"), "back": "alliances:enterprise_list"},
        on_valid=lambda f: services.enterprise_create(**f.service_fields()),
        success_message=_("企业已登记。"),
    )


@login_required
def enterprise_edit(request, pk):
    enterprise = enterprise_get_for_user(user=request.user, enterprise_id=pk, action=MANAGE)
    form = forms.EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("编辑：%s") % enterprise.name, "back": enterprise.get_absolute_url()},
        on_valid=lambda f: services.enterprise_update(enterprise=enterprise, **_changed(f)),
        success_message=_("已保存。"),
    )


@login_required
@require_POST
def enterprise_delete(request, pk):
    require_org_staff(request.user)
    enterprise = enterprise_get_for_user(user=request.user, enterprise_id=pk, action=MANAGE)
    try:
        services.enterprise_delete(enterprise=enterprise)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(enterprise.get_absolute_url())
    messages.success(request, _("企业“%s”已删除。") % enterprise.name)
    return redirect("alliances:enterprise_list")


# -- Party organisations, departments, zones --------------------------------------------
@login_required
def party_organization_list(request):
    organizations = selectors.party_organization_list(
        user=request.user, search=request.GET.get("q", "").strip(), kind=request.GET.get("kind", "")
    )
    page, query = paginate(request, organizations)
    uncovered = selectors.enterprise_list(user=request.user, party_status=selectors.PARTY_STATUS_UNCOVERED)
    return render(
        request,
        "alliances/party_organization_list.html",
        {
            "page": page,
            "query": query,
            "kinds": PartyOrganization.Kind.choices,
            "uncovered": uncovered[:50],
            "uncovered_count": uncovered.count(),
            "can_create": scope_for(request.user).is_org_staff,
        },
    )


@login_required
def party_organization_create(request):
    require_org_staff(request.user)
    form = forms.PartyOrganizationForm(request.POST or None, user=request.user)

    def create(f):
        data = f.service_fields()
        return services.party_organization_create(**data)

    return form_page(
        request,
        form=form,
        context={"title": _("新增党组织"), "back": "alliances:party_organization_list"},
        on_valid=create,
        success_message=_("党组织已登记。"),
    )


@login_required
def party_organization_edit(request, pk):
    organization = party_organization_get_for_user(user=request.user, organization_id=pk, action=MANAGE)
    form = forms.PartyOrganizationForm(request.POST or None, instance=organization, user=request.user)

    def update(f):
        data = _changed(f)
        return services.party_organization_update(organization=organization, **data)

    return form_page(
        request,
        form=form,
        context={"title": _("编辑：%s") % organization.name, "back": "alliances:party_organization_list"},
        on_valid=update,
        success_message=_("已保存。"),
    )


@login_required
def department_list(request):
    departments = selectors.department_list(
        user=request.user, search=request.GET.get("q", "").strip(), factor_group=request.GET.get("group", "")
    )
    page, query = paginate(request, departments)
    return render(
        request,
        "alliances/department_list.html",
        {
            "page": page,
            "query": query,
            "groups": Department.FactorGroup.choices,
            "can_create": scope_for(request.user).is_org_staff,
        },
    )


@login_required
def department_detail(request, pk):
    department = department_get_for_user(user=request.user, department_id=pk)
    can_manage = (
        scope_for(request.user).is_org_staff
        and Department.objects.filter(scope_for(request.user).in_managed_region(), pk=pk).exists()
    )
    handlers = selectors.department_handlers([department.pk]).get(department.pk, [])
    context = {
        "department": department,
        "handlers": handlers,
        "memberships": department.memberships.select_related("alliance").order_by("-joined_on"),
        "can_manage": can_manage,
    }
    if can_manage and people.may_grant_handler(request.user, department):
        context["grant_form"] = forms.GrantForm(actor=request.user, holders=[user.pk for user in handlers])
    return render(request, "alliances/department_detail.html", context)


@login_required
def department_create(request):
    require_org_staff(request.user)
    form = forms.DepartmentForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("新增职能部门"), "back": "alliances:department_list"},
        on_valid=lambda f: services.department_create(**f.service_fields()),
        success_message=_("部门已登记。"),
    )


@login_required
def department_edit(request, pk):
    department = department_get_for_user(user=request.user, department_id=pk, action=MANAGE)
    form = forms.DepartmentForm(request.POST or None, instance=department, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("编辑：%s") % department.name, "back": department.get_absolute_url()},
        on_valid=lambda f: services.department_update(department=department, **_changed(f)),
        success_message=_("已保存。"),
    )


@login_required
def zone_list(request):
    zones = selectors.zone_list(
        user=request.user, search=request.GET.get("q", "").strip(), kind=request.GET.get("kind", "")
    )
    page, query = paginate(request, zones)
    return render(
        request,
        "alliances/zone_list.html",
        {
            "page": page,
            "query": query,
            "kinds": WorkZone.Kind.choices,
            "can_create": scope_for(request.user).is_org_staff,
        },
    )


@login_required
def zone_create(request):
    require_org_staff(request.user)
    form = forms.ZoneForm(request.POST or None, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("新增工作片区"), "back": "alliances:zone_list"},
        on_valid=lambda f: services.zone_create(**f.service_fields()),
        success_message=_("片区已登记。"),
    )


@login_required
def zone_edit(request, pk):
    zone = zone_get_for_user(user=request.user, zone_id=pk, action=MANAGE)
    form = forms.ZoneForm(request.POST or None, instance=zone, user=request.user)
    return form_page(
        request,
        form=form,
        context={"title": _("编辑：%s") % zone.name, "back": "alliances:zone_list"},
        on_valid=lambda f: services.zone_update(zone=zone, **_changed(f)),
        success_message=_("已保存。"),
    )


# -- audit log --------------------------------------------------------------------------------
def _day_start(value: str, *, days_later: int = 0):
    """The start of the `YYYY-MM-DD` day (or of the day `days_later` after it) in the portal's time
    zone, or None when it is not a date or that day is out of range (a filter that is ignored)."""
    try:
        day = dt.date.fromisoformat(value) + dt.timedelta(days=days_later)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        start.astimezone(dt.UTC)  # the database compares in UTC: 0001-01-01 in Shanghai is not a year
    except (ValueError, OverflowError):
        return None
    return start


@login_required
def audit_list(request):
    """The audit log of the regions the user manages (everything for platform administrators)."""
    require_org_staff(request.user)
    scope = scope_for(request.user)
    paths = None
    if not scope.is_global_admin:
        paths = list(Region.objects.filter(pk__in=scope.managed_region_ids).values_list("path", flat=True))
    params = request.GET
    action = params.get("action", "")
    records = audit.entries(
        region_paths=paths,
        action=action if action in AuditLog.Action.values else "",
        person=params.get("person", "").strip(),
        since=_day_start(params.get("since", "")),
        until=_day_start(params.get("until", ""), days_later=1),
        text=params.get("q", "").strip(),
    )
    page, query = paginate(request, records, per_page=50, count=False)
    region_of = {entry.pk: (Region.ids_in_path(entry.region_path) or [None])[-1] for entry in page}
    names = dict(Region.objects.filter(pk__in=set(region_of.values()) - {None}).values_list("pk", "name"))
    rows = [
        {"entry": entry, "details": audit.describe(entry), "region": names.get(region_of[entry.pk], "")}
        for entry in page
    ]
    context = {"page": page, "rows": rows, "query": query, "actions": AuditLog.Action.choices}
    return render(request, "alliances/audit_list.html", context)
