"""Party-organisation building (组建党组织): the goals and their stages, and member development
(发展党员 and activists) recorded by date, with the year's development as a sum."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from .. import services, staff_selectors
from ..forms import BuildingGoalAdvanceForm, BuildingGoalOpenForm, MemberDevelopmentForm
from ..models import BuildingGoal, MemberDevelopment
from ..permissions import MANAGE, building_goal_get_for_user
from ..permissions_staff import may_manage_guides, require_guide_manager, require_region_desk
from ._common import param_choice, param_id, param_year, today

STATES = [("open", gettext_lazy("进行中")), ("closed", gettext_lazy("已结束"))]


@login_required
def building_goal_list(request):
    require_region_desk(request.user)
    stage = param_choice(request, "stage", BuildingGoal.Stage.choices)
    state = param_choice(request, "state", STATES)
    q = request.GET.get("q", "").strip()[:50]
    goals = staff_selectors.building_goal_list(user=request.user, stage=stage, state=state, q=q)
    page, query = paginate(request, goals)
    context = {
        "page": page,
        "query": query,
        "stage": stage,
        "state": state,
        "q": q,
        "stages": BuildingGoal.Stage.choices,
        "states": STATES,
        "stage_counts": staff_selectors.building_stage_counts(user=request.user),
        "can_manage": may_manage_guides(request.user),
    }
    return render(request, "guides/staff/building_goal_list.html", context)


@login_required
def building_goal_open(request):
    require_guide_manager(request.user)
    initial = {"opened_on": today()}
    if (pk := param_id(request, "enterprise")) is not None:
        initial["enterprise"] = pk
    form = BuildingGoalOpenForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form=form,
        context={"title": _("新建党组织组建目标"), "back": "guides:building_goal_list"},
        on_valid=lambda f: services.building_goal_open(actor=request.user, **f.cleaned_data),
        success_message=lambda goal: _("已为 %s 立项组建党组织。") % goal.enterprise.name,
    )


def _may_manage(user, goal) -> bool:
    try:
        building_goal_get_for_user(user=user, goal_id=goal.pk, action=MANAGE)
    except PermissionDenied:
        return False
    return True


def _advance_form(request, goal, data=None):
    return BuildingGoalAdvanceForm(
        data,
        user=request.user,
        goal=goal,
        organizations=staff_selectors.goal_organizations(goal),
        initial={"changed_on": today()},
    )


@login_required
def building_goal_detail(request, pk):
    goal = building_goal_get_for_user(user=request.user, goal_id=pk)
    can_manage = goal.is_open and _may_manage(request.user, goal)
    developments = goal.enterprise.member_developments.select_related("guide").order_by("-recorded_on", "-id")
    page, query = paginate(request, developments)
    context = {
        "goal": goal,
        "stages": goal.stages.select_related("changed_by").order_by("changed_on", "id"),
        "page": page,
        "query": query,
        "can_manage": can_manage,
        "form": _advance_form(request, goal) if can_manage else None,
    }
    return render(request, "guides/staff/building_goal_detail.html", context)


@login_required
def building_goal_advance(request, pk):
    goal = building_goal_get_for_user(user=request.user, goal_id=pk, action=MANAGE)
    return form_page(
        request,
        form=_advance_form(request, goal, request.POST or None),
        context={"title": _("更新组建进展：%s") % goal.enterprise.name, "back": _goal_url(goal)},
        # A goal has no get_absolute_url (guides.models is not this module's): form_page goes "back".
        on_valid=lambda f: services.building_goal_advance(actor=request.user, goal=goal, **f.cleaned_data),
        success_message=lambda goal: _("组建进展已更新为“%s”。") % goal.stage_label,
    )


def _goal_url(goal):
    return reverse("guides:building_goal_detail", args=[goal.pk])


@login_required
def development_list(request):
    require_region_desk(request.user)
    year = param_year(request)
    kind = param_choice(request, "kind", MemberDevelopment.Kind.choices)
    page, query = paginate(request, staff_selectors.development_list(user=request.user, year=year, kind=kind))
    context = {
        "page": page,
        "query": query,
        "year": year,
        "years": range(today().year, today().year - 6, -1),
        "kind": kind,
        "kinds": MemberDevelopment.Kind.choices,
        "sums": staff_selectors.development_sums(user=request.user, year=year),
        "can_manage": may_manage_guides(request.user),
    }
    return render(request, "guides/staff/development_list.html", context)


@login_required
def development_create(request):
    require_guide_manager(request.user)
    initial = {"recorded_on": today(), "kind": MemberDevelopment.Kind.DEVELOPED}
    if (pk := param_id(request, "enterprise")) is not None:
        initial["enterprise"] = pk
    form = MemberDevelopmentForm(request.POST or None, user=request.user, initial=initial)

    def record(f):
        return services.member_development_record(actor=request.user, **f.cleaned_data)

    return form_page(
        request,
        form=form,
        context={"title": _("登记党员发展"), "back": "guides:development_list"},
        on_valid=record,
        success_message=lambda record: (
            _("已登记：%(name)s，%(kind)s。") % {"name": record.person_name, "kind": record.kind_label}
        ),
    )
