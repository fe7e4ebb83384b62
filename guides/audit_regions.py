"""Where guides work, for the audit log's records about a person (sign-ins, account changes): the
region of the unit that sent them, and the regions of the assignments they serve under today,
themselves or through a team (guides.serving, the one definition of who serves whom). The guide
grant on work zones that alliances once recorded was retired by guides migration 0002: a guide's
zones are assignments now. See `chainparty.audit.PersonRegions`: a guide sent by a county and
assigned in another county belongs to their common city."""

from django.utils import timezone

from chainparty import audit

from .models import Assignment, Guide
from .serving import assignments_q


@audit.person_regions.register
def guide_region_paths(users):
    guides = Guide.objects.filter(user__in=users)
    serving_today = assignments_q(starts_on=timezone.localdate(), guides=guides.values("pk"))
    return [
        guides.values_list("region__path", flat=True),
        Assignment.objects.filter(serving_today).values_list("region__path", flat=True),
    ]
