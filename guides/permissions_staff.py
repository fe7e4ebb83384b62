"""Who may open the staff desk of the guides app (lists of guides and teams, who no one has visited,
building goals, evaluation), on top of the per-object helpers in `guides.permissions`.

- The lists of guides and teams: whoever sees some by `guides.permissions` as a manager: the
  organisation staff and leaders of a region, and a department's handlers (the guides it sent).
- Who no one has visited, coverage, building goals and evaluation: organisation staff and leaders
  of a region (the selectors read their region), and platform admins and viewers.
- Setting up guides, teams, assignments and evaluation periods: organisation staff of a region.
Anyone else gets 403 (they are signed in and the desk exists; nothing of it is theirs).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from alliances.access import scope_for

from .models import EvaluationPeriod
from .permissions import MANAGE, NOT_FOUND, VIEW, manages_region


def may_use_guide_desk(user) -> bool:
    scope = scope_for(user)
    return bool(scope.sees_everything or scope.viewed_region_ids or scope.department_ids)


def may_see_region_desk(user) -> bool:
    scope = scope_for(user)
    return bool(scope.sees_everything or scope.viewed_region_ids)


def may_manage_guides(user) -> bool:
    return scope_for(user).is_org_staff


def require_guide_desk(user) -> None:
    if not may_use_guide_desk(user):
        raise PermissionDenied(_("只有组织部工作人员、区域领导和派出部门可以查看党建指导员。"))


def require_region_desk(user) -> None:
    if not may_see_region_desk(user):
        raise PermissionDenied(_("只有组织部工作人员和区域领导可以查看本页。"))


def require_guide_manager(user) -> None:
    if not may_manage_guides(user):
        raise PermissionDenied(_("只有组织部工作人员可以执行此操作。"))


def visible_periods(user):
    """Evaluation periods of the regions the user views as staff or leader (and platform-wide)."""
    return EvaluationPeriod.objects.filter(scope_for(user).in_viewed_region())


def evaluation_period_get_for_user(*, user, period_id, action=VIEW) -> EvaluationPeriod:
    """VIEW: staff and leaders of the period's region (else 404); MANAGE: its staff (else 403)."""
    period = visible_periods(user).select_related("region").filter(pk=period_id).first()
    if period is None:
        raise Http404(str(NOT_FOUND))
    if action == MANAGE and not manages_region(user, period.region):
        raise PermissionDenied(_("只有本区域组织部工作人员可以管理述职评价。"))
    return period
