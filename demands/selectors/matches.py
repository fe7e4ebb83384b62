"""Reads of matches and cooperations, scoped to a user, and who is told about a match."""

import datetime as dt

from django.db.models import Count, Q, Sum

from alliances.access import scope_for
from alliances.selectors import department_handlers, enterprise_secretaries

from ..models import Match
from ..permissions.matches import provider_side_q, visible_cooperations


# -- cooperations -----------------------------------------------------------------------
def cooperation_list(*, user, alliance=None, date_from: dt.date | None = None, date_to: dt.date | None = None, q=""):
    qs = visible_cooperations(user).select_related(
        "alliance", "provider_enterprise", "provider_department", "receiver_enterprise", "need"
    )
    if alliance is not None:
        qs = qs.filter(alliance=alliance)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if q:
        qs = qs.filter(
            Q(description__icontains=q)
            | Q(provider_enterprise__name__icontains=q)
            | Q(receiver_enterprise__name__icontains=q)
        )
    return qs.order_by("-date", "-id")


def cooperation_totals(qs):
    figures = qs.order_by().aggregate(count=Count("pk"), value=Sum("value_wan"))
    return {"count": figures["count"], "value_wan": figures["value"] or 0}


# -- matches -------------------------------------------------------------------------------
def _match_joins(qs):
    return qs.select_related(
        "need__enterprise",
        "resource__enterprise",
        "resource__department",
        "policy__department",
        "need_confirmed_by",
        "provider_confirmed_by",
        "cooperation",
    )


def matches_for_need(*, need):
    return _match_joins(Match.objects.filter(need=need)).order_by("-score", "-id")


def matches_for_resource(*, resource):
    return _match_joins(Match.objects.filter(resource=resource)).order_by("-proposed_at", "-id")


def match_inbox(*, user):
    """Matches waiting for this user's confirmation, on either side, newest first."""
    scope = scope_for(user)
    waiting = Q(need__enterprise__in=scope.enterprise_ids, need_confirmed_at__isnull=True) | (
        provider_side_q(user) & Q(provider_confirmed_at__isnull=True)
    )
    return _match_joins(Match.objects.filter(waiting)).order_by("-proposed_at", "-id")


def match_recent_confirmed(*, user, limit=20):
    scope = scope_for(user)
    mine = Q(need__enterprise__in=scope.enterprise_ids) | provider_side_q(user)
    confirmed = Q(need_confirmed_at__isnull=False, provider_confirmed_at__isnull=False)
    return _match_joins(Match.objects.filter(mine, confirmed)).order_by("-provider_confirmed_at", "-id")[:limit]


# -- people to notify ------------------------------------------------------------------------
def offer_handlers(*, offer) -> list:
    """Who answers for a resource or policy: its enterprise's secretaries or its department's handlers."""
    enterprise_id = getattr(offer, "enterprise_id", None)
    if enterprise_id:
        return enterprise_secretaries([enterprise_id]).get(enterprise_id, [])
    return department_handlers([offer.department_id]).get(offer.department_id, [])
