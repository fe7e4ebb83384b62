"""Who may open the phone pages of the guides app (issue 9 §2-3), on top of the per-object helpers in
`guides.permissions`:

- 我的企业, logging a visit and the visit history: a guide (a user with a Guide profile);
- 待确认走访 and 述职评价: an enterprise's Party secretary (the enterprises in their scope).
Anyone else is signed in and the page exists, but nothing of it is theirs: 403 with a Chinese reason.
A single visit or report is answered by `visit_get_for_user` / `report_get_for_user` (404/403).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from alliances.access import scope_for

from .models import Guide


def guide_of(user) -> Guide | None:
    """The user's guide profile (with its region), or None; read once per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_phone_guide"):
        user._phone_guide = Guide.objects.select_related("region").filter(user=user).first()
    return user._phone_guide


def require_guide(user) -> Guide:
    guide = guide_of(user)
    if guide is None:
        raise PermissionDenied(_("只有党建指导员可以使用此页面。"))
    return guide


def is_enterprise_secretary(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and scope_for(user).enterprise_ids)


def require_enterprise_secretary(user) -> frozenset:
    """The ids of the enterprises the user is Party secretary of (403 when none)."""
    if not is_enterprise_secretary(user):
        raise PermissionDenied(_("只有企业党组织书记可以使用此页面。"))
    return scope_for(user).enterprise_ids
