"""Reads for the people pages, scoped to the actor through `alliances.people`'s rules."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliances import people
from alliances.access import seats_in_force
from alliances.models import (
    DepartmentUserObjectPermission,
    EnterpriseUserObjectPermission,
    RegionUserObjectPermission,
    WorkZoneUserObjectPermission,
)
from chainparty import privacy, roles

User = get_user_model()

#: A mobile number is shared by few accounts; more than this are not searched by number.
MOBILE_MATCHES_MAX = 50

#: Role filter: key -> (label, table, codenames). "seat" is a committee seat in force.
ROLE_FILTERS = {
    "org_staff": (_("组织部工作人员"), RegionUserObjectPermission, [roles.MANAGE_REGION]),
    "leader": (_("领导（只读）"), RegionUserObjectPermission, [roles.VIEW_REGION]),
    "enterprise_secretary": (_("企业党组织书记"), EnterpriseUserObjectPermission, [roles.MANAGE_ENTERPRISE]),
    "handler": (_("部门办理人"), DepartmentUserObjectPermission, [roles.HANDLE_DEPARTMENT]),
    "guide": (_("党建指导员"), WorkZoneUserObjectPermission, [roles.GUIDE_ZONE]),
    "seat": (_("党委班子成员"), None, None),
}
AFFILIATION_FILTERS = {
    "enterprise": _("企业"),
    "department": _("职能部门"),
    "region": _("组织部"),
}


def _holders(key):
    _label, table, codenames = ROLE_FILTERS[key]
    if table is None:
        return seats_in_force().values("user_id")
    return table.objects.filter(permission__codename__in=codenames).values("user_id")


def _mobile_matches(user, persons, search: str) -> list[int]:
    """The people whose full mobile number is `search`, among those whose number `user` may read in
    full (chainparty.privacy). A match on a number one reads masked would confirm who owns it."""
    matching = list(persons.filter(mobile=search).values_list("pk", flat=True)[:MOBILE_MATCHES_MAX])
    return sorted(privacy.need_to_know.visible(user, matching)) if matching else []


def person_list(*, user, search: str = "", role: str = "", affiliation: str = "", active: str = ""):
    """The people `user` reaches, filtered; newest accounts first."""
    persons = User.objects.filter(people.people_q(user))
    if search:
        persons = persons.filter(
            Q(real_name__icontains=search)
            | Q(username__icontains=search)
            | Q(affiliation__icontains=search)
            | Q(pk__in=_mobile_matches(user, persons, search))
        )
    if role in ROLE_FILTERS:
        persons = persons.filter(pk__in=_holders(role))
    if affiliation in AFFILIATION_FILTERS:
        model = {"enterprise": "enterprise", "department": "department", "region": "region"}[affiliation]
        persons = persons.filter(affiliation_type=ContentType.objects.get_by_natural_key("alliances", model))
    if active in ("1", "0"):
        persons = persons.filter(is_active=active == "1")
    return persons.order_by("-date_joined", "-id")


def roles_of(user_ids) -> dict:
    """{user id: [(role label, object name)]}: one query per kind of role, whatever the number of people."""
    found = {}
    for label, table, codenames in ROLE_FILTERS.values():
        if table is None:
            rows = seats_in_force().filter(user__in=user_ids).select_related("alliance")
            for seat in rows:
                found.setdefault(seat.user_id, []).append((seat.get_role_display(), seat.alliance.name))
            continue
        rows = table.objects.filter(user__in=user_ids, permission__codename__in=codenames).select_related(
            "content_object"
        )
        for row in rows:
            found.setdefault(row.user_id, []).append((label, str(row.content_object)))
    return found
