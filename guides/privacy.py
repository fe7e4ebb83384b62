"""Who reads a guide's phone (Guide.phone) in full (chainparty.privacy): the guide themselves, the
organisation staff of the guide's region, the handlers of the department that sent them, and the
Party secretaries of the enterprises they serve today (who need to call them). Everyone else who
sees the guide reads it masked."""

from django.utils import timezone

from alliances.access import scope_for
from chainparty import privacy

from .models import Guide
from .permissions import manages_region
from .serving import guides_serving_q


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
