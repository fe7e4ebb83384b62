"""Needs from meetings: the meeting page's "转为需求" button posts here. Thin: access through
alliances.meetings.permissions (the meeting's managers), the write through
demands.services.meetings, the service's message shown on the page it came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.meetings.permissions import MANAGE, decision_get_for_user
from alliances.models import Enterprise
from chainparty.validators import is_ascii_id

from ..models import Need
from ..services import meetings as services
from ._common import _next_url, _run


def _choice(request, name, choices, default):
    value = request.POST.get(name, "")
    return value if value in choices.values else default


@login_required
@require_POST
def need_from_decision(request, decision_id):
    """Turn a decision into a need (POST enterprise when the decision's owner is not an enterprise;
    optional category and urgency). 404 for a decision the user may not see, 403 for one they may
    see but whose meeting they do not manage."""
    decision = decision_get_for_user(user=request.user, decision_id=decision_id, action=MANAGE)
    back = _next_url(request, decision.meeting.get_absolute_url())
    enterprise = None
    enterprise_id = request.POST.get("enterprise", "")
    if enterprise_id:
        enterprise = Enterprise.objects.filter(pk=enterprise_id).first() if is_ascii_id(enterprise_id) else None
        if enterprise is None:
            messages.error(request, _("请选择有效的企业。"))
            return redirect(back)
    need = _run(
        request,
        lambda: services.need_from_decision(
            actor=request.user,
            decision=decision,
            enterprise=enterprise,
            category=_choice(request, "category", Need.Category, Need.Category.OTHER),
            urgency=_choice(request, "urgency", Need.Urgency, Need.Urgency.NORMAL),
            contact_name=request.POST.get("contact_name", ""),
            contact_phone=request.POST.get("contact_phone", ""),
        ),
        _("议定事项已转为需求。"),
    )
    return redirect(need.get_absolute_url() if need is not None else back)
