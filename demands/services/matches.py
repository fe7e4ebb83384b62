"""Every write to matches and cooperations (促成合作). Access is checked by the caller through
demands.permissions.matches; these functions enforce state and idempotency."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance, Department, Enterprise, Membership
from alliances.selectors import enterprise_secretaries
from chainparty.errors import StateError
from chainparty.notifications import Message, notify

from ..matching import score_pair
from ..models import Cooperation, Match, Policy, Resource
from ..permissions.matches import NEED_SIDE, PROVIDER_SIDE
from ..selectors.matches import offer_handlers
from ._common import _save_new


# -- matches and cooperations ------------------------------------------------------------
def _offer_owner(offer):
    if isinstance(offer, Resource):
        return offer.enterprise, offer.department
    return None, offer.department


@transaction.atomic
def match_propose(*, need, user, resource: Resource | None = None, policy: Policy | None = None, sides=()) -> Match:
    """Pair a need with a resource or a policy (once: proposing again returns the same match).

    `sides` are the sides the proposer may confirm (see permissions.match_sides_for): proposing
    counts as their confirmation.
    """
    if (resource is None) == (policy is None):
        raise ValidationError(_("请选择一项资源或一项政策。"))
    if need.state in (*need.SOLVED_STATES, *need.FINAL_STATES):
        raise StateError(_("需求已办结或已关闭，不能再发起对接。"))
    offer = resource or policy
    if resource is not None and resource.enterprise_id == need.enterprise_id:
        raise ValidationError(_("不能把企业自己的资源匹配给自己的需求。"))
    if policy is not None and policy.state != Policy.State.PUBLISHED:
        raise StateError(_("只能匹配已发布的政策。"))
    if resource is not None and resource.effective_status != Resource.Status.ACTIVE:
        raise StateError(_("该资源已暂停或过期，不能匹配。"))
    same_pair = Match.objects.filter(need=need, resource=resource, policy=policy)
    existing = same_pair.first()
    if existing is not None:
        return existing
    suggestion = score_pair(need=need, offer=offer)
    match = Match(need=need, resource=resource, policy=policy, proposed_by=user)
    match.score, match.reasons = suggestion.score, suggestion.reasons
    # The pair's uniqueness is left to the database: a proposer who inserted since the check above
    # wins, and this one gets their match instead of an IntegrityError (or full_clean's message).
    match.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            match.save()
    except IntegrityError:
        existing = same_pair.first()
        if existing is None:
            raise
        return existing
    for side in sorted(sides):
        match = match_confirm(match=match, user=user, side=side)
    if not match.is_confirmed:
        transaction.on_commit(lambda: _notify_match(match.pk))
    return match


def _notify_match(match_id):
    match = Match.objects.select_related("need__enterprise", "resource", "policy").get(pk=match_id)
    url = reverse("demands:match_list")
    message = Message(
        title=_("供需对接待确认：%s") % match.need.title,
        body=_("需求“%(need)s”与“%(offer)s”被推荐对接，请确认。") % {"need": match.need.title, "offer": match.offer},
        url=url,
        kind="match",
    )
    recipients = []
    if match.need_confirmed_at is None:
        recipients += enterprise_secretaries([match.need.enterprise_id]).get(match.need.enterprise_id, [])
    if match.provider_confirmed_at is None:
        recipients += offer_handlers(offer=match.offer)
    notify(recipients=recipients, message=message, dedupe_key=f"match:{match.pk}:proposed")


@transaction.atomic
def match_confirm(
    *,
    match: Match,
    user,
    side: str,
    description: str = "",
    value_wan: Decimal | None = None,
    date: dt.date | None = None,
) -> Match:
    """One side confirms. The second confirmation turns the match into a cooperation (促成合作);
    `description`, `value_wan` and `date` describe it (defaults: the offer's title, no value, today)."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    now = timezone.now()
    if side == NEED_SIDE:
        if match.need_confirmed_at is not None:
            raise StateError(_("需求方已确认过该对接。"))
        match.need_confirmed_at, match.need_confirmed_by = now, user
        fields = ["need_confirmed_at", "need_confirmed_by"]
    elif side == PROVIDER_SIDE:
        if match.provider_confirmed_at is not None:
            raise StateError(_("提供方已确认过该对接。"))
        match.provider_confirmed_at, match.provider_confirmed_by = now, user
        fields = ["provider_confirmed_at", "provider_confirmed_by"]
    else:
        raise ValidationError(_("确认方无效。"))
    match.save(update_fields=fields)
    if match.is_confirmed:
        _cooperation_from_match(match=match, user=user, description=description, value_wan=value_wan, date=date)
    return match


def _cooperation_from_match(*, match, user, description, value_wan, date):
    need = match.need
    provider_enterprise, provider_department = _offer_owner(match.offer)
    return cooperation_record(
        user=user,
        alliance=need.alliance,
        need=need,
        match=match,
        provider_enterprise=provider_enterprise,
        provider_department=provider_department,
        receiver_enterprise=need.enterprise,
        description=description or _("%(offer)s 对接 %(need)s") % {"offer": match.offer, "need": need.title},
        value_wan=value_wan,
        date=date or timezone.localdate(),
    )


@transaction.atomic
def cooperation_record(
    *,
    user,
    alliance: Alliance,
    receiver_enterprise: Enterprise,
    description: str,
    date: dt.date,
    provider_enterprise: Enterprise | None = None,
    provider_department: Department | None = None,
    value_wan: Decimal | None = None,
    need=None,
    match: Match | None = None,
) -> Cooperation:
    errors = {}
    if date and date > timezone.localdate():
        errors["date"] = _("合作日期不能晚于今天。")
    if (
        receiver_enterprise is not None
        and not Membership.objects.filter(alliance=alliance, enterprise=receiver_enterprise).exists()
    ):
        errors["receiver_enterprise"] = _("受益企业不是本联盟的成员企业。")
    if need is not None and receiver_enterprise is not None and need.enterprise_id != receiver_enterprise.pk:
        errors["need"] = _("所选需求不属于受益企业。")
    if errors:
        raise ValidationError(errors)
    return _save_new(
        Cooperation(
            alliance=alliance,
            need=need,
            match=match,
            provider_enterprise=provider_enterprise,
            provider_department=provider_department,
            receiver_enterprise=receiver_enterprise,
            description=description,
            value_wan=value_wan,
            date=date,
            recorded_by=user,
        )
    )
