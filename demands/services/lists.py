"""Every write to resources, policies, matches and cooperations.

Access is checked by the caller through demands.permissions.lists; these functions enforce what
must hold whoever calls them (validity, state, idempotency).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Alliance, Department, Enterprise, Membership, WorkZone
from chainparty.notifications import Message, notify, notify_bulk
from chainparty.uploads import PDF, check_upload

from ..matching import score_pair
from ..models.lists import Cooperation, Match, Policy, PolicyCategory, PolicyDelivery, Resource
from ..permissions.lists import NEED_SIDE, PROVIDER_SIDE
from ..selectors.lists import offer_handlers, policy_targets
from ..selectors.needs import enterprise_secretaries
from ..text import token_string
from .needs import TransitionError


class StateConflict(TransitionError):
    """The action does not fit the row's current state (HTTP 409 in the API); nothing was changed.

    A kind of the needs' TransitionError, so pages and the API treat both alike."""


def _save_new(instance):
    instance.full_clean()
    instance.save()
    return instance


# -- resources ---------------------------------------------------------------------------
RESOURCE_FIELDS = ("category", "title", "description", "quantity", "zone", "valid_until", "status", "contact")


def _resource_tokens(resource):
    return token_string(resource.title, resource.description, resource.quantity)


@transaction.atomic
def resource_create(
    *,
    user,
    category: str,
    title: str,
    enterprise: Enterprise | None = None,
    department: Department | None = None,
    description: str = "",
    quantity: str = "",
    zone: WorkZone | None = None,
    valid_until: dt.date | None = None,
    contact: str = "",
) -> Resource:
    owner = enterprise or department
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("有效期不能早于今天。")})
    if zone is None and enterprise is not None:
        zone = enterprise.zone
    resource = Resource(
        enterprise=enterprise,
        department=department,
        region_id=owner.region_id if owner is not None else None,
        category=category,
        title=title,
        description=description,
        quantity=quantity,
        zone=zone,
        valid_until=valid_until,
        contact=contact,
        created_by=user,
    )
    resource.tokens = _resource_tokens(resource)
    return _save_new(resource)


@transaction.atomic
def resource_update(*, resource: Resource, **fields) -> Resource:
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%s") % "、".join(sorted(unknown)))
    valid_until = fields.get("valid_until", resource.valid_until)
    status = fields.get("status", resource.status)
    if status == Resource.Status.ACTIVE and valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("有效期已过，请先延长有效期再设为有效。")})
    for name, value in fields.items():
        setattr(resource, name, value)
    resource.tokens = _resource_tokens(resource)
    resource.full_clean()
    resource.save(update_fields=[*fields, "tokens", "updated_at"])
    return resource


@transaction.atomic
def resource_set_status(*, resource: Resource, status: str) -> Resource:
    if status == Resource.Status.EXPIRED:
        raise StateConflict(_("资源到期后自动过期，不能手工设为已过期。"))
    if resource.status == status:
        raise StateConflict(_("资源已经是“%s”状态。") % resource.get_status_display())
    return resource_update(resource=resource, status=status)


def resource_expire_due(*, today: dt.date | None = None) -> int:
    """Mark active resources past their date as expired. Safe to run any number of times."""
    today = today or timezone.localdate()
    return Resource.objects.filter(status=Resource.Status.ACTIVE, valid_until__lt=today).update(
        status=Resource.Status.EXPIRED, updated_at=timezone.now()
    )


# -- policies ----------------------------------------------------------------------------
POLICY_FIELDS = (
    "title",
    "doc_number",
    "issuer",
    "summary",
    "body",
    "attachment",
    "industries",
    "sizes",
    "valid_from",
    "valid_to",
    "contact",
)
POLICY_TARGETS = ("target_regions", "target_zones", "target_alliances")


def _clean_industries(industries):
    return sorted({item.strip() for item in industries or () if item and item.strip()})


def _policy_tokens(policy, categories):
    labels = [str(Policy.Category(c).label) for c in categories]
    return token_string(policy.title, policy.summary, " ".join(policy.industries), " ".join(labels))


def _check_targets(policy, *, target_regions, target_zones, target_alliances):
    errors = {}
    region_path = policy.region.path
    if any(region_path not in r.path for r in target_regions):
        errors["target_regions"] = _("限定区域必须在发布部门所在区域之内。")
    if any(region_path not in z.region.path for z in target_zones):
        errors["target_zones"] = _("限定片区必须在发布部门所在区域之内。")
    if any(region_path not in a.region.path for a in target_alliances):
        errors["target_alliances"] = _("限定联盟必须在发布部门所在区域之内。")
    if errors:
        raise ValidationError(errors)


def _attachment_name(attachment) -> str:
    """Check an uploaded attachment is a PDF (by content) and return its sanitised display name."""
    try:
        return check_upload(attachment, allowed=(PDF,)).name
    except ValidationError as error:
        raise ValidationError({"attachment": error.messages}) from error


def _set_categories(policy, categories):
    categories = sorted(set(categories or ()))
    if not categories:
        raise ValidationError({"categories": _("请至少选择一个政策类别。")})
    invalid = set(categories) - set(Policy.Category.values)
    if invalid:
        raise ValidationError({"categories": _("政策类别无效：%s") % "、".join(sorted(invalid))})
    policy.category_rows.exclude(category__in=categories).delete()
    PolicyCategory.objects.bulk_create(
        [PolicyCategory(policy=policy, category=c) for c in categories], ignore_conflicts=True
    )
    return categories


@transaction.atomic
def policy_create(
    *,
    user,
    department: Department,
    title: str,
    summary: str,
    categories,
    issuer: str = "",
    doc_number: str = "",
    body: str = "",
    attachment=None,
    industries=(),
    sizes=(),
    target_regions=(),
    target_zones=(),
    target_alliances=(),
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    contact: str = "",
) -> Policy:
    """A draft policy of `department`; nobody receives it until it is published."""
    policy = Policy(
        department=department,
        region_id=department.region_id,
        title=title,
        summary=summary,
        issuer=issuer or department.name,
        doc_number=doc_number,
        body=body,
        attachment=attachment or "",
        attachment_name=_attachment_name(attachment) if attachment else "",
        industries=_clean_industries(industries),
        sizes=sorted(set(sizes or ())),
        valid_from=valid_from,
        valid_to=valid_to,
        contact=contact,
        created_by=user,
    )
    categories = sorted(set(categories or ()))
    policy.full_clean()
    if not categories:
        raise ValidationError({"categories": _("请至少选择一个政策类别。")})
    _check_targets(
        policy,
        target_regions=list(target_regions),
        target_zones=list(target_zones),
        target_alliances=list(target_alliances),
    )
    policy.tokens = _policy_tokens(policy, [c for c in categories if c in Policy.Category.values])
    policy.save()
    _set_categories(policy, categories)
    policy.target_regions.set(target_regions)
    policy.target_zones.set(target_zones)
    policy.target_alliances.set(target_alliances)
    return policy


@transaction.atomic
def policy_update(*, policy: Policy, categories=None, **fields) -> Policy:
    """Edit a draft or published policy. Targets changed on a published one reach new enterprises
    only when it is published again."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if policy.state == Policy.State.WITHDRAWN:
        raise StateConflict(_("已撤回的政策不能再修改。"))
    targets = {name: list(fields.pop(name)) for name in POLICY_TARGETS if name in fields}
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改这些字段：%s") % "、".join(sorted(unknown)))
    if "industries" in fields:
        fields["industries"] = _clean_industries(fields["industries"])
    if "issuer" in fields and not (fields["issuer"] or "").strip():
        fields["issuer"] = policy.department.name
    if "sizes" in fields:
        fields["sizes"] = sorted(set(fields["sizes"] or ()))
    if "attachment" in fields:
        # None keeps the current file, False (a cleared form field) removes it.
        if fields["attachment"] is None:
            fields.pop("attachment")
        elif fields["attachment"] is False:
            fields["attachment"] = ""
            fields["attachment_name"] = ""
        elif not getattr(fields["attachment"], "_committed", False):
            fields["attachment_name"] = _attachment_name(fields["attachment"])
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    current_targets = {name: list(getattr(policy, name).all()) for name in POLICY_TARGETS}
    _check_targets(policy, **{**current_targets, **targets})
    if categories is not None:
        categories = _set_categories(policy, categories)
    else:
        categories = list(policy.category_rows.values_list("category", flat=True))
    policy.tokens = _policy_tokens(policy, categories)
    policy.save(update_fields=[*fields, "tokens", "updated_at"])
    for name, values in targets.items():
        getattr(policy, name).set(values)
    return policy


@dataclass(frozen=True)
class PublishResult:
    policy: Policy
    new_deliveries: int


@transaction.atomic
def policy_publish(*, policy: Policy, user) -> PublishResult:
    """Publish (or publish again) and push to every target that has not received it yet.

    Idempotent: the unique (policy, enterprise) delivery means a second publish adds only
    enterprises that became targets since; each enterprise's secretaries are told once.
    """
    policy = Policy.objects.select_for_update().select_related("region").get(pk=policy.pk)
    if policy.state == Policy.State.WITHDRAWN:
        raise StateConflict(_("已撤回的政策不能再次发布，请新建政策。"))
    if policy.valid_to is not None and policy.valid_to < timezone.localdate():
        raise ValidationError({"valid_to": _("政策已过有效期，不能发布。")})
    if not policy.category_rows.exists():
        raise ValidationError({"categories": _("请至少选择一个政策类别。")})
    now = timezone.now()
    if policy.state == Policy.State.DRAFT:
        policy.state = Policy.State.PUBLISHED
        policy.published_at = now
        policy.published_by = user
    already = PolicyDelivery.objects.filter(policy=policy).values("enterprise_id")
    new_ids = list(policy_targets(policy).exclude(pk__in=already).values_list("pk", flat=True))
    PolicyDelivery.objects.bulk_create(
        [PolicyDelivery(policy=policy, enterprise_id=pk, delivered_at=now) for pk in new_ids],
        batch_size=1000,
        ignore_conflicts=True,
    )
    policy.delivered_count = PolicyDelivery.objects.filter(policy=policy).count()
    policy.save(update_fields=["state", "published_at", "published_by", "delivered_count", "updated_at"])
    if new_ids:
        transaction.on_commit(lambda: _enqueue_policy_push(policy.pk))
    return PublishResult(policy=policy, new_deliveries=len(new_ids))


def _enqueue_policy_push(policy_id):
    from ..tasks.lists import push_policy  # the tasks module imports this one

    push_policy.delay(policy_id)


@transaction.atomic
def policy_withdraw(*, policy: Policy, user) -> Policy:
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if policy.state != Policy.State.PUBLISHED:
        raise StateConflict(_("只有已发布的政策可以撤回。"))
    policy.state = Policy.State.WITHDRAWN
    policy.save(update_fields=["state", "updated_at"])
    return policy


def policy_notify_deliveries(*, policy_id: int, batch_size: int = 200) -> int:
    """Tell each reached enterprise's secretaries about the policy; returns the deliveries handled.

    Runs in a task after publishing. Deliveries are marked as notified after their notifications
    are stored; a crash in between is harmless because notify() is deduplicated per policy and
    enterprise.
    """
    policy = Policy.objects.select_related("department").filter(pk=policy_id, state=Policy.State.PUBLISHED).first()
    if policy is None:
        return 0
    message = Message(
        title=_("新政策：%s") % policy.title,
        body=_("%(issuer)s 发布了《%(title)s》，与贵企业相关，请及时查阅。")
        % {"issuer": policy.issuer, "title": policy.title},
        url=reverse("demands:policy_detail", args=[policy.pk]),
        kind="policy",
    )
    handled = 0
    while True:
        pending = list(
            PolicyDelivery.objects.filter(policy=policy, notified_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "enterprise_id")[:batch_size]
        )
        if not pending:
            return handled
        secretaries = enterprise_secretaries([e for _pk, e in pending])
        items = [
            (user, message, f"policy:{policy.pk}:e{enterprise_id}")
            for _pk, enterprise_id in pending
            for user in secretaries.get(enterprise_id, [])
        ]
        with transaction.atomic():  # one batch: its notifications and its marks together
            notify_bulk(items)
            PolicyDelivery.objects.filter(pk__in=[pk for pk, _e in pending]).update(notified_at=timezone.now())
        handled += len(pending)


@transaction.atomic
def policy_mark_read(*, policy: Policy, user, enterprise_ids) -> int:
    """Record the first reading of `policy` by each of the given enterprises; later readings change nothing."""
    read = PolicyDelivery.objects.filter(policy=policy, enterprise__in=enterprise_ids, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=user
    )
    if read:
        Policy.objects.filter(pk=policy.pk).update(read_count=F("read_count") + read)
    return read


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
        raise StateConflict(_("需求已办结或已关闭，不能再发起对接。"))
    offer = resource or policy
    if resource is not None and resource.enterprise_id == need.enterprise_id:
        raise ValidationError(_("不能把企业自己的资源匹配给自己的需求。"))
    if policy is not None and policy.state != Policy.State.PUBLISHED:
        raise StateConflict(_("只能匹配已发布的政策。"))
    if resource is not None and resource.effective_status != Resource.Status.ACTIVE:
        raise StateConflict(_("该资源已暂停或过期，不能匹配。"))
    existing = Match.objects.filter(need=need, resource=resource, policy=policy).first()
    if existing is not None:
        return existing
    suggestion = score_pair(need=need, offer=offer)
    match = _save_new(
        Match(
            need=need,
            resource=resource,
            policy=policy,
            score=suggestion.score,
            reasons=suggestion.reasons,
            proposed_by=user,
        )
    )
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
            raise StateConflict(_("需求方已确认过该对接。"))
        match.need_confirmed_at, match.need_confirmed_by = now, user
        fields = ["need_confirmed_at", "need_confirmed_by"]
    elif side == PROVIDER_SIDE:
        if match.provider_confirmed_at is not None:
            raise StateConflict(_("提供方已确认过该对接。"))
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
