"""Who reads a guide's phone (Guide.phone) in full (chainparty.privacy): the guide themselves, the
organisation staff of the guide's region, the handlers of the department that sent them, and the
Party secretaries of the enterprises they serve today (who need to call them). Everyone else who
sees the guide reads it masked.

A guide's account mobile (User.mobile) follows alliances.privacy's rule for the people holding a
role in a region: organisation staff read it when the guide works in a region they manage, that is
the region of the unit that sent them or of an assignment they serve under today, themselves or
through a team (guides.serving, as guides.audit_regions places them)."""

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from alliances.access import scope_for
from chainparty import privacy

from .models import Assignment, Guide
from .permissions import manages_region
from .serving import guides_serving_q, service_sql


@privacy.need_to_know.register
def staff_of_their_guides(viewer, person_ids):
    scope = scope_for(viewer)
    if not scope.managed_region_ids:
        return set()
    regions = scope.managed_regions().values("pk")
    guides = Guide.objects.filter(user__in=person_ids)
    serving, params = service_sql(starts_on=timezone.localdate(), guides=guides.values("pk"))
    regions_sql, regions_params = regions.query.sql_with_params()
    assigned_here = RawSQL(
        f"SELECT s.guide_id FROM ({serving}) s JOIN {Assignment._meta.db_table} a ON a.id = s.assignment_id "
        f"WHERE a.region_id IN ({regions_sql})",
        [*params, *regions_params],
    )
    return set(guides.filter(Q(region__in=regions) | Q(pk__in=assigned_here)).values_list("user_id", flat=True))


@privacy.contacts.register(Guide)
def guide_contact(viewer, guide):
    if guide.user_id == viewer.pk or manages_region(viewer, guide.region):
        return True
    scope = scope_for(viewer)
    if guide.department_id and guide.department_id in scope.department_ids:
        return True
    if not scope.enterprise_ids:
        return False
    serving = guides_serving_q(starts_on=timezone.localdate(), enterprises=sorted(scope.enterprise_ids))
    return Guide.objects.filter(serving, pk=guide.pk).exists()
