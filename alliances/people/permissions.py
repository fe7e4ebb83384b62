"""The one access helper for people's accounts: 404 when the actor does not reach the person,
403 when they reach them but may not act (a role above their own or outside their scope)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from alliances import people

VIEW = "view"
MANAGE = "manage"


def require_people_manager(user) -> None:
    """The people pages are for organisation staff and alliance secretaries."""
    if not people.is_people_manager(user):
        raise PermissionDenied(_("只有组织部工作人员和产业链党委书记可以管理人员账号。"))


def person_get_for_user(*, user, person_id, action=VIEW, queryset=None):
    require_people_manager(user)
    base = queryset if queryset is not None else get_user_model().objects.all()
    person = base.filter(people.people_q(user), pk=person_id).first()
    if person is None:
        raise Http404(_("未找到，或您无权查看。"))
    if action == MANAGE and not people.may_manage_person(user, person):
        raise PermissionDenied(_("该人员担任的职务超出您的管理范围，您可以查看，但无权修改其账号。"))
    return person
