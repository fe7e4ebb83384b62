"""Guides, teams and assignments: lists, pages and the forms that set them up (organisation staff)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.access import visible_departments, visible_zones
from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from .. import selectors, services, staff_selectors
from ..forms import AssignmentForm, EndForm, GuideForm, StudioForm, TeamForm, TeamMemberForm
from ..models import Guide, Team, TeamMember
from ..permissions import (
    MANAGE,
    assignment_get_for_user,
    guide_get_for_user,
    manages_region,
    team_get_for_user,
    visible_guides,
    visible_teams,
)
from ..permissions_staff import may_manage_guides, require_guide_desk, require_guide_manager
from ._common import chosen, param_choice, param_id, today

TERM_CHOICES = [
    (staff_selectors.TERM_CURRENT, gettext_lazy("任期内")),
    (staff_selectors.TERM_ENDED, gettext_lazy("任期已满")),
]


# -- guides -------------------------------------------------------------------------------------
@login_required
def guide_list(request):
    require_guide_desk(request.user)
    user = request.user
    guides = visible_guides(user)
    departments = visible_departments(user).filter(pk__in=guides.values("department_id")).order_by("name")
    zones = visible_zones(user).filter(pk__in=guides.values("zone_id")).order_by("name")
    teams = visible_teams(user).order_by("name")
    filters = {
        "kind": param_choice(request, "kind", Guide.Kind.choices),
        "department": chosen(departments, param_id(request, "department")),
        "zone": chosen(zones, param_id(request, "zone")),
        "team": chosen(teams, param_id(request, "team")),
        "term": param_choice(request, "term", TERM_CHOICES),
        "q": request.GET.get("q", "").strip()[:50],
    }
    page, query = paginate(request, staff_selectors.guide_desk_list(user=user, **filters))
    loads = selectors.guide_load(guides=page.object_list)
    terms = staff_selectors.current_teams(g.pk for g in page.object_list)
    for guide in page.object_list:
        guide.load = loads[guide.pk]
        guide.current_terms = terms.get(guide.pk, [])
    context = {
        "page": page,
        "query": query,
        "filters": filters,
        "kinds": Guide.Kind.choices,
        "departments": departments,
        "zones": zones,
        "teams": teams,
        "terms": TERM_CHOICES,
        "can_manage": may_manage_guides(user),
    }
    return render(request, "guides/staff/guide_list.html", context)


@login_required
def guide_detail(request, pk):
    guide = guide_get_for_user(user=request.user, guide_id=pk)
    context = {
        "guide": guide,
        "can_manage": manages_region(request.user, guide.region),
        **staff_selectors.guide_page(guide=guide, user=request.user),
    }
    return render(request, "guides/staff/guide_detail.html", context)


@login_required
def guide_create(request):
    require_guide_manager(request.user)
    form = GuideForm(request.POST or None, user=request.user, initial={"term_start": today()})
    return form_page(
        request,
        form=form,
        context={"title": _("新增党建指导员"), "back": "guides:guide_list"},
        on_valid=lambda f: services.guide_create(actor=request.user, **f.service_kwargs()),
        success_message=lambda guide: _("已新增指导员 %s。") % guide.name,
    )


@login_required
def guide_edit(request, pk):
    guide = guide_get_for_user(user=request.user, guide_id=pk, action=MANAGE)
    form = GuideForm(request.POST or None, user=request.user, guide=guide, initial=GuideForm.initial_for(guide))
    return form_page(
        request,
        form=form,
        context={"title": _("编辑指导员：%s") % guide.name, "back": guide.get_absolute_url()},
        on_valid=lambda f: services.guide_update(actor=request.user, guide=guide, **f.service_kwargs()),
        success_message=_("指导员信息已保存。"),
    )


@login_required
def guide_studio(request, pk):
    guide = guide_get_for_user(user=request.user, guide_id=pk, action=MANAGE)
    initial = {"studio_name": guide.studio_name, "granted_on": guide.studio_granted_on or today()}
    form = StudioForm(request.POST or None, user=request.user, initial=initial)

    def name(f):
        return services.guide_name_studio(
            actor=request.user,
            guide=guide,
            studio_name=f.cleaned_data["studio_name"],
            granted_on=f.cleaned_data["granted_on"],
        )

    return form_page(
        request,
        form=form,
        context={
            "title": _("命名红帆党建工作室：%s") % guide.name,
            "back": guide.get_absolute_url(),
            "note": _("对工作突出的指导员，以其姓名命名红帆党建工作室。"),
        },
        on_valid=name,
        success_message=lambda g: (
            _("已命名“%s”。") % g.studio_name if g.studio_name else _("已撤销红帆党建工作室命名。")
        ),
    )


# -- teams --------------------------------------------------------------------------------------
@login_required
def team_list(request):
    require_guide_desk(request.user)
    kind = param_choice(request, "kind", Team.Kind.choices)
    page, query = paginate(request, staff_selectors.team_desk_list(user=request.user, kind=kind))
    leaders = staff_selectors.leaders(t.pk for t in page.object_list)
    for team in page.object_list:
        team.leader = leaders.get(team.pk)
    context = {
        "page": page,
        "query": query,
        "kind": kind,
        "kinds": Team.Kind.choices,
        "can_manage": may_manage_guides(request.user),
    }
    return render(request, "guides/staff/team_list.html", context)


@login_required
def team_detail(request, pk):
    team = team_get_for_user(user=request.user, team_id=pk)
    context = {
        "team": team,
        "can_manage": manages_region(request.user, team.region),
        **staff_selectors.team_page(team=team),
    }
    return render(request, "guides/staff/team_detail.html", context)


@login_required
def team_create(request):
    require_guide_manager(request.user)
    form = TeamForm(request.POST or None, user=request.user, initial={"formed_on": today()})
    return form_page(
        request,
        form=form,
        context={"title": _("新建指导组"), "back": "guides:team_list"},
        on_valid=lambda f: services.team_create(actor=request.user, **f.cleaned_data),
        success_message=lambda team: _("已新建指导组 %s。") % team.name,
    )


@login_required
def team_member_add(request, pk):
    team = team_get_for_user(user=request.user, team_id=pk, action=MANAGE)
    form = TeamMemberForm(request.POST or None, user=request.user, team=team, initial={"starts_on": today()})

    def add(f):
        services.team_member_add(actor=request.user, team=team, **f.cleaned_data)
        return team

    return form_page(
        request,
        form=form,
        context={"title": _("添加成员：%s") % team.name, "back": team.get_absolute_url()},
        on_valid=add,
        success_message=_("已添加成员。"),
    )


@login_required
def team_member_end(request, pk):
    member = get_object_or_404(TeamMember.objects.select_related("guide"), pk=pk)
    team = team_get_for_user(user=request.user, team_id=member.team_id, action=MANAGE)
    form = EndForm(request.POST or None, user=request.user, initial={"ends_on": today()})

    def end(f):
        services.team_member_end(actor=request.user, member=member, ends_on=f.cleaned_data["ends_on"])
        return team

    return form_page(
        request,
        form=form,
        context={
            "title": _("%(guide)s 离开 %(team)s") % {"guide": member.guide.name, "team": team.name},
            "back": team.get_absolute_url(),
        },
        on_valid=end,
        success_message=_("成员已离开指导组，记录保留。"),
    )


# -- assignments --------------------------------------------------------------------------------
_PREFILL = ("guide", "team", "zone", "enterprise", "alliance")


@login_required
def assignment_create(request):
    require_guide_manager(request.user)
    initial = {"starts_on": today()}
    for name in _PREFILL:
        pk = param_id(request, name)
        if pk is not None:
            initial[name] = pk
            if name in ("zone", "enterprise", "alliance"):
                initial["target"] = name
    form = AssignmentForm(request.POST or None, user=request.user, initial=initial)
    back = request.GET.get("back", "")
    # A path on this site only: "/\evil.example" passes a startswith("/") test, and browsers read it
    # as "//evil.example".
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())):
        back = "guides:guide_list"

    def create(f):
        return services.assignment_create(actor=request.user, **f.service_kwargs()).assignee

    return form_page(
        request,
        form=form,
        context={"title": _("安排联系企业"), "back": back, "wide": True},
        on_valid=create,
        success_message=_("联系安排已保存。"),
    )


@login_required
def assignment_end(request, pk):
    assignment = assignment_get_for_user(user=request.user, assignment_id=pk, action=MANAGE)
    form = EndForm(request.POST or None, user=request.user, initial={"ends_on": today()})

    def end(f):
        ends_on = f.cleaned_data["ends_on"]
        return services.assignment_end(actor=request.user, assignment=assignment, ends_on=ends_on).assignee

    return form_page(
        request,
        form=form,
        context={
            "title": _("结束联系安排：%s") % assignment,
            "back": assignment.assignee.get_absolute_url(),
            "note": _("结束后保留历史记录；结束日期当天仍可联系该对象。"),
        },
        on_valid=end,
        success_message=_("联系安排已结束。"),
    )
