"""Who and what a meeting of an alliance may involve: departments in reach, member enterprises, people
the alliance may invite, places in its region. Checked in the services so that no caller can invite,
notify or name an account from elsewhere on the platform."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from chainparty import roles

from ...models import (
    Alliance,
    Department,
    DepartmentUserObjectPermission,
    Enterprise,
    Membership,
    within_regions_q,
)
from ...selectors import seat_candidates


def department_in_reach(alliance: Alliance, department: Department) -> bool:
    """A department of the alliance's region, of a region under it or of one above it."""
    return alliance.region.is_within(department.region_id) or department.region.is_within(alliance.region_id)


def is_current_member(alliance: Alliance, enterprise: Enterprise) -> bool:
    return Membership.objects.filter(alliance=alliance, enterprise=enterprise, left_on__isnull=True).exists()


def outside_reach(alliance: Alliance, users: Iterable) -> list:
    """Those of `users` a meeting of `alliance` may not involve: whoever is neither a seat candidate
    (`alliances.selectors.seat_candidates`) nor an active handler of a department in reach. Checked
    here so that no caller can invite, notify or name an account from elsewhere on the platform."""
    users = [u for u in users if u is not None]
    ids = {u.pk for u in users}
    if not ids:
        return []
    reachable = Department.objects.filter(
        Q(region_id__in=alliance.region.ancestor_ids()) | within_regions_q(alliance.region)
    )
    handlers = DepartmentUserObjectPermission.objects.filter(
        permission__codename=roles.HANDLE_DEPARTMENT,
        content_object__in=reachable,
        user_id__in=ids,
        user__is_active=True,
    )
    allowed = set(seat_candidates(alliance=alliance).filter(pk__in=ids).values_list("pk", flat=True))
    allowed |= set(handlers.values_list("user_id", flat=True))
    return [u for u in users if u.pk not in allowed]


def check_people(alliance: Alliance, *, chair, recorder, chosen_users) -> None:
    errors = {}
    if outside_reach(alliance, [chair]):
        errors["chair"] = _("主持人不在本联盟可邀请的人员范围内。")
    if outside_reach(alliance, [recorder]):
        errors["recorder"] = _("记录人不在本联盟可邀请的人员范围内。")
    # Counted, not named: naming them would read back names the secretary may not see.
    outside = outside_reach(alliance, chosen_users)
    if outside:
        errors["chosen_users"] = _("所选人员中有 %d 人不在本联盟可邀请的人员范围内。") % len(outside)
    if errors:
        raise ValidationError(errors)


def check_place_and_host(alliance: Alliance, *, place_zone, host_enterprise, invited_departments) -> None:
    errors = {}
    if place_zone is not None and not place_zone.region.is_within(alliance.region_id):
        errors["place_zone"] = _("会议地点所在片区不在本联盟所属区域内。")
    if host_enterprise is not None and not is_current_member(alliance, host_enterprise):
        errors["host_enterprise"] = _("承办企业须是本联盟的在册成员企业。")
    outside = [d.name for d in invited_departments if not department_in_reach(alliance, d)]
    if outside:
        errors["invited_departments"] = _("以下部门不在本联盟所在区域：%s") % "、".join(outside)
    if errors:
        raise ValidationError(errors)
