"""What `guides` keeps about objects of the apps below it, for `chainparty.links`: the visit a
need was raised on (source 走访), shown with the need (its page, its API, the needs export's 来源走访
column) without `demands` importing this app."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from chainparty.links import LinkedRecord, register

from .models import Visit, VisitNeed


def _url(visit_id) -> str:
    try:
        return reverse("guides:visit_detail", args=[visit_id])
    except NoReverseMatch:  # the pages are not installed
        return ""


def _label(visit) -> str:
    return f"{visit.visited_on:%Y-%m-%d} {visit.guide.name if visit.guide_id else ''}".strip()


@register("demands.need", column=_("来源走访"))
def need_visits(need_ids):
    links = VisitNeed.objects.filter(need_id__in=list(need_ids)).select_related("visit__guide", "visit__enterprise")
    return {
        link.need_id: [
            LinkedRecord(
                kind="visit",
                kind_label=str(_("走访")),
                id=link.visit_id,
                label=_label(link.visit),
                title=str(
                    _("%(kind)s：%(enterprise)s")
                    % {"kind": link.visit.kind_label, "enterprise": link.visit.enterprise.name}
                ),
                state=link.visit.confirmation,
                state_label=str(link.visit.confirmation_label),
                done=link.visit.confirmation != Visit.Confirmation.PENDING,
                url=_url(link.visit_id),
            )
        ]
        for link in links
    }
