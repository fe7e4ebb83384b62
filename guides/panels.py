"""The enterprise page's guides section (issue 9 §4), contributed through chainparty.panels so that
`alliances` (which renders the page) does not import this app: the guides serving the enterprise,
the assignments reaching it, its last visits and its building goal, as the user may see them."""

from alliances.access import scope_for
from chainparty.panels import Panel, register

from .permissions import manages_region, views_region
from .staff_selectors import enterprise_guides_panel


@register("alliances.enterprise")
def enterprise_guides(request, enterprise):
    user = request.user
    scope = scope_for(user)
    if scope.is_empty:
        return None
    panel = enterprise_guides_panel(enterprise=enterprise, user=user)
    can_manage = manages_region(user, enterprise.region)
    if not (panel.guides or panel.visits or panel.goal or can_manage):
        return None
    return Panel(
        template="guides/staff/_staff_enterprise_panel.html",
        context={"panel": panel, "can_manage": can_manage, "sees_assignments": views_region(user, enterprise.region)},
        order=50,
    )
