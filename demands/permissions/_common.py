"""What the resource, policy and match access helpers share."""

from django.http import Http404
from django.utils.translation import gettext as _

from alliances.models import Membership

VIEW = "view"
MANAGE = "manage"


def _not_found():
    return Http404(_("未找到，或您无权查看。"))


def _active_members_of(alliances):
    return Membership.objects.filter(alliance__in=alliances, left_on__isnull=True)
