"""What an id in the visits' write API may name, for chainparty.api.ScopedPrimaryKeyRelatedField:
the caller's reach, so an id outside it is answered exactly as an id that does not exist (no
existence oracle). The services keep their own, narrower rules (a companion in term on the day, a
department of the guide's region, a current membership of the enterprise): an id those refuse is
one the caller may already reach.

Each function takes the serializer's context: the request and, for a need raised on a visit, the
view's `visit`. Without them no id is valid."""

from django.db.models import Q

from alliances.access import scope_for
from alliances.models import Alliance, Department, Membership, Region, within_regions_q

from .models import Guide
from .permissions import visible_guides


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _regions(user):
    """The regions a visit the caller logs may involve: their own guides' regions (a guide names
    companions of their sending unit's region) and the regions they view as staff or leaders (staff
    log on a guide's behalf), each with the regions under it."""
    scope = scope_for(user)
    if scope.sees_everything:
        return None
    own = Guide.objects.filter(user=user).values("region_id")
    return Region.objects.filter(Q(pk__in=own) | Q(pk__in=scope.viewed_region_ids))


def companion_guides(context):
    """Guides who may be named as companions: those of the caller's regions (and below), and
    any guide the caller may see."""
    user = _user(context)
    if user is None:
        return Guide.objects.none()
    regions = _regions(user)
    if regions is None:
        return Guide.objects.all()
    return Guide.objects.filter(within_regions_q(regions) | Q(pk__in=visible_guides(user).values("pk")))


def companion_departments(context):
    """Departments of the caller's regions (and below): the companions' departments."""
    user = _user(context)
    if user is None:
        return Department.objects.none()
    regions = _regions(user)
    if regions is None:
        return Department.objects.all()
    return Department.objects.filter(within_regions_q(regions))


def need_alliances(context):
    """Alliances the visited enterprise is a current member of (need_file's rule)."""
    visit = context.get("visit")
    if visit is None or _user(context) is None:
        return Alliance.objects.none()
    members = Membership.objects.filter(enterprise_id=visit.enterprise_id, left_on__isnull=True)
    return Alliance.objects.filter(pk__in=members.values("alliance_id"))
