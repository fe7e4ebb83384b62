"""Who may see and act on guides, teams, assignments, visits, building goals and evaluations: the
one place that answers it. Helpers named `<model>_get_for_user` return the object when the user may
see it (else 404) and may act as `action` (else 403), as alliances/permissions.py and
demands/permissions do.

Who:
- organisation staff (and platform admins) manage everything in their region; leaders of a region
  see it;
- a guide sees themselves, their teams, their assignments, the visits to the enterprises they serve
  (today) and the visits they went on, and logs visits and files needs for their enterprises;
- an enterprise's Party secretary sees their enterprise's visits, confirms or disputes them, and
  rates the reports of the guides serving the enterprise;
- a department's handlers see the guides their department sent (and those guides' teams,
  assignments and visits).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.access import scope_for

from .models import (
    Assignment,
    BuildingGoal,
    EvaluationPeriod,
    Guide,
    GuideReport,
    Team,
    TeamMember,
    Visit,
    VisitPerson,
)
from .serving import guides_serving_q

VIEW = "view"
MANAGE = "manage"
CONFIRM = "confirm"
EDIT = "edit"
RATE = "rate"

NOT_FOUND = _("未找到，或您无权查看。")


def manages_region(user, region) -> bool:
    """Organisation staff of `region` (or a region above it) and platform admins."""
    scope = scope_for(user)
    if scope.is_global_admin:
        return True
    return bool(scope.managed_region_ids) and region.is_within(*scope.managed_region_ids)


def views_region(user, region) -> bool:
    """Staff or leaders of `region` (or a region above it), and whoever sees everything: those who
    read a region's desk details (assignments, raters). Viewing some other region is not enough."""
    scope = scope_for(user)
    if scope.sees_everything:
        return True
    return bool(scope.viewed_region_ids) and region.is_within(*scope.viewed_region_ids)


# -- visibility, as Q objects on each model -------------------------------------------------------
def guides_q(scope) -> Q:
    if scope.sees_everything:
        return Q()
    q = scope.in_viewed_region()
    if scope.user_id:  # themselves and their teammates
        teams = TeamMember.objects.filter(guide__user_id=scope.user_id).values("team_id")
        q |= Q(user_id=scope.user_id) | Q(pk__in=TeamMember.objects.filter(team__in=teams).values("guide_id"))
    if scope.department_ids:
        q |= Q(department__in=scope.department_ids)
    if scope.enterprise_ids:
        q |= guides_serving_q(starts_on=timezone.localdate(), enterprises=sorted(scope.enterprise_ids))
    return q


def teams_q(scope) -> Q:
    if scope.sees_everything:
        return Q()
    q = scope.in_viewed_region()
    if scope.user_id:
        q |= Q(pk__in=TeamMember.objects.filter(guide__user_id=scope.user_id).values("team_id"))
    if scope.department_ids:
        q |= Q(department__in=scope.department_ids) | Q(
            pk__in=TeamMember.objects.filter(guide__department__in=scope.department_ids).values("team_id")
        )
    return q


def assignments_q(scope) -> Q:
    if scope.sees_everything:
        return Q()
    return (
        scope.in_viewed_region()
        | Q(guide__in=Guide.objects.filter(guides_q(scope)).values("pk"))
        | Q(team__in=Team.objects.filter(teams_q(scope)).values("pk"))
    )


def visits_q(scope) -> Q:
    if scope.sees_everything:
        return Q()
    q = scope.in_viewed_region()
    if scope.enterprise_ids:
        q |= Q(enterprise__in=scope.enterprise_ids)
    if scope.is_guide:
        q |= scope.guides_enterprise_q(prefix="enterprise__")
    if scope.user_id:
        q |= Q(pk__in=VisitPerson.objects.filter(guide__user_id=scope.user_id).values("visit_id"))
    if scope.department_ids:
        q |= Q(guide__department__in=scope.department_ids) | Q(
            pk__in=VisitPerson.objects.filter(department__in=scope.department_ids).values("visit_id")
        )
    return q


def building_goals_q(scope) -> Q:
    if scope.sees_everything:
        return Q()
    q = scope.in_viewed_region()
    if scope.enterprise_ids:
        q |= Q(enterprise__in=scope.enterprise_ids)
    if scope.is_guide:
        q |= scope.guides_enterprise_q(prefix="enterprise__")
    if scope.user_id:
        q |= Q(guide__user_id=scope.user_id)
    return q


def reports_q(scope) -> Q:
    if scope.sees_everything:
        return Q()
    return scope.in_viewed_region(prefix="period__") | Q(guide__in=Guide.objects.filter(guides_q(scope)).values("pk"))


def visible_guides(user):
    return Guide.objects.filter(guides_q(scope_for(user)))


def visible_teams(user):
    return Team.objects.filter(teams_q(scope_for(user)))


def visible_assignments(user):
    return Assignment.objects.filter(assignments_q(scope_for(user)))


def visible_visits(user):
    return Visit.objects.filter(visits_q(scope_for(user)))


def visible_building_goals(user):
    return BuildingGoal.objects.filter(building_goals_q(scope_for(user)))


def visible_reports(user):
    return GuideReport.objects.filter(reports_q(scope_for(user)))


# -- abilities ----------------------------------------------------------------------------------
def can_confirm_visit(user, visit: Visit) -> bool:
    """The visited enterprise's Party secretary, while the visit waits for an answer."""
    return visit.enterprise_id in scope_for(user).enterprise_ids and visit.confirmation == Visit.Confirmation.PENDING


def can_edit_visit(user, visit: Visit) -> bool:
    """The guides who went (photos, needs raised) and the region's staff."""
    if manages_region(user, visit.region):
        return True
    return visit.people.filter(guide__user_id=user.pk).exists()


def can_rate_report(user, report: GuideReport) -> bool:
    """A Party secretary of an enterprise the guide served in the period, or the region's staff
    (the service decides which enterprise and checks again)."""
    if report.period.state != EvaluationPeriod.State.OPEN:
        return False
    if manages_region(user, report.guide.region):
        return True
    from .services.evaluation import served_enterprise_ids

    scope = scope_for(user)
    if not scope.enterprise_ids:
        return False
    period = report.period
    served = served_enterprise_ids(guide=report.guide, starts_on=period.starts_on, ends_on=period.ends_on)
    return bool(served & scope.enterprise_ids)


# -- one helper per model ------------------------------------------------------------------------
def _get(queryset, visible_q, pk):
    obj = queryset.filter(visible_q, pk=pk).order_by().first()
    if obj is None:
        raise Http404(str(NOT_FOUND))
    return obj


def _refuse(message):
    raise PermissionDenied(str(message))


def guide_get_for_user(*, user, guide_id, action=VIEW, queryset=None) -> Guide:
    """VIEW: see above; MANAGE: the organisation staff of the guide's region."""
    qs = queryset if queryset is not None else Guide.objects.select_related("region", "department", "zone", "user")
    guide = _get(qs, guides_q(scope_for(user)), guide_id)
    if action == MANAGE and not manages_region(user, guide.region):
        _refuse(_("只有本区域组织部工作人员可以管理指导员。"))
    return guide


def team_get_for_user(*, user, team_id, action=VIEW, queryset=None) -> Team:
    qs = queryset if queryset is not None else Team.objects.select_related("region", "department")
    team = _get(qs, teams_q(scope_for(user)), team_id)
    if action == MANAGE and not manages_region(user, team.region):
        _refuse(_("只有本区域组织部工作人员可以管理指导组。"))
    return team


def assignment_get_for_user(*, user, assignment_id, action=VIEW, queryset=None) -> Assignment:
    qs = (
        queryset
        if queryset is not None
        else Assignment.objects.select_related("region", "guide", "team", "zone", "enterprise", "alliance")
    )
    assignment = _get(qs, assignments_q(scope_for(user)), assignment_id)
    if action == MANAGE and not manages_region(user, assignment.region):
        _refuse(_("只有本区域组织部工作人员可以调整联系安排。"))
    return assignment


def visit_get_for_user(*, user, visit_id, action=VIEW, queryset=None) -> Visit:
    """VIEW; CONFIRM: the enterprise's secretary while pending; EDIT: the guides who went or staff."""
    qs = queryset if queryset is not None else Visit.objects.select_related("region", "enterprise", "guide", "team")
    visit = _get(qs, visits_q(scope_for(user)), visit_id)
    if action == CONFIRM and not can_confirm_visit(user, visit):
        if visit.enterprise_id in scope_for(user).enterprise_ids:
            _refuse(_("该走访记录已%s。") % visit.confirmation_label)
        _refuse(_("只有被走访企业的党组织书记可以确认或对走访提出异议。"))
    if action == EDIT and not can_edit_visit(user, visit):
        _refuse(_("只有参加走访的指导员或本区域组织部工作人员可以修改走访记录。"))
    return visit


def building_goal_get_for_user(*, user, goal_id, action=VIEW, queryset=None) -> BuildingGoal:
    """VIEW; MANAGE: the region's staff and the guides serving the enterprise today."""
    qs = queryset if queryset is not None else BuildingGoal.objects.select_related("enterprise__region", "guide")
    goal = _get(qs, building_goals_q(scope_for(user)), goal_id)
    if action == MANAGE:
        scope = scope_for(user)
        if not (manages_region(user, goal.enterprise.region) or scope.guides_enterprise(goal.enterprise)):
            _refuse(_("只有联系该企业的指导员或本区域组织部工作人员可以更新组建进展。"))
    return goal


def report_get_for_user(*, user, report_id, action=VIEW, queryset=None) -> GuideReport:
    """VIEW: whoever sees the guide, and the region's staff; RATE: see `can_rate_report`."""
    qs = queryset if queryset is not None else GuideReport.objects.select_related("period__region", "guide__region")
    report = _get(qs, reports_q(scope_for(user)), report_id)
    if action == RATE and not can_rate_report(user, report):
        _refuse(_("只有指导员所联系企业的党组织书记或组织部工作人员可以评价述职。"))
    return report
