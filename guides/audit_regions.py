"""Where guides work, for the audit log's records about a person (sign-ins, account changes): the
region of the unit that sent them (see `chainparty.audit.PersonRegions`)."""

from chainparty import audit

from .models import Guide


@audit.person_regions.register
def guide_region_paths(users):
    return [Guide.objects.filter(user__in=users).values_list("region__path", flat=True)]
