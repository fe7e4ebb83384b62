"""What the meeting pages (`views`), the schedule pages (`schedule_views`) and the schedules API
share: the alliance whose meetings the user manages, the organisation department's check, and running a service for a
bound form with its errors on the form."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.forms_utils import add_service_errors

from ..access import scope_for, visible_alliances
from ..models import Alliance
from ..permissions import alliance_get_for_user
from .permissions import manages_alliance

#: Who may manage an alliance's schedules: the schedule pages and /api/schedules/ say it alike.
SCHEDULE_MANAGERS_ONLY = gettext_lazy("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以管理会议计划。")


def managed_alliance(request, pk, *, message: str) -> Alliance:
    """The alliance `pk` if the user manages its meetings: 404 when they may not see it, 403 with
    `message` when they see it but do not manage it."""
    alliance = alliance_get_for_user(
        user=request.user, alliance_id=pk, queryset=visible_alliances(request.user).select_related("region")
    )
    if not manages_alliance(request.user, alliance):
        raise PermissionDenied(message)
    return alliance


def require_region_viewer(user) -> None:
    """Organisation staff and leaders: the region-wide meeting lists are theirs."""
    scope = scope_for(user)
    if not (scope.is_org_staff or scope.is_leader):
        raise PermissionDenied(_("只有组织部工作人员和领导可以查看全区会议。"))


def service_form(request, form, run) -> bool:
    """Run a service for a valid bound form inside one transaction; its errors land on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        with transaction.atomic():
            run()
    except ValidationError as error:  # StateError included: shown on top of the form
        add_service_errors(form, error)
        return False
    return True
