"""Every write to policies (政策清单): create, edit, publish, withdraw, push to enterprises, mark read.

Access is checked by the caller through demands.permissions.policies; these functions enforce what
must hold whoever calls them (validity, state, idempotency).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.models import Department
from alliances.selectors import enterprise_secretaries
from chainparty.errors import StateError
from chainparty.notifications import Message, notify_bulk
from chainparty.uploads import PDF, check_upload

from ..models import Policy, PolicyCategory, PolicyDelivery
from ..selectors.policies import policy_targets
from ..text import token_string

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


def _target_errors(policy, *, target_regions, target_zones, target_alliances) -> dict:
    errors = {}
    if any(not r.is_within(policy.region) for r in target_regions):
        errors["target_regions"] = [_("限定区域必须在发布部门所在区域之内。")]
    if any(not z.region.is_within(policy.region) for z in target_zones):
        errors["target_zones"] = [_("限定片区必须在发布部门所在区域之内。")]
    if any(not a.region.is_within(policy.region) for a in target_alliances):
        errors["target_alliances"] = [_("限定联盟必须在发布部门所在区域之内。")]
    return errors


def _category_errors(categories) -> dict:
    if not categories:
        return {"categories": [_("请至少选择一个政策类别。")]}
    invalid = set(categories) - set(Policy.Category.values)
    if invalid:
        return {"categories": [_("政策类别无效：%s") % "、".join(sorted(invalid))]}
    return {}


def _validity_errors(policy) -> dict:
    """The validity rule, validated here and nowhere else: the policy form and the API show this
    message on 有效期止. (The database's check constraint only guards rows written past the services.)"""
    if policy.valid_from and policy.valid_to and policy.valid_to < policy.valid_from:
        return {"valid_to": [_("有效期止不能早于有效期起。")]}
    return {}


def _attachment_errors(attachment) -> tuple[str, dict]:
    """Check an uploaded attachment is a PDF (by content): its sanitised display name, or the errors."""
    try:
        return check_upload(attachment, allowed=(PDF,)).name, {}
    except ValidationError as error:
        return "", {"attachment": error.messages}


def _raise_if_invalid(policy, errors: dict) -> None:
    """One ValidationError with every problem of the submission, each on its field: what the caller
    found, the validity rule, then the model's field checks for the fields not already wrong (which
    also keeps the check constraint from repeating the validity message as a non-field error)."""
    errors = {**errors, **_validity_errors(policy)}
    try:
        policy.full_clean(exclude=[name for name in errors if name != NON_FIELD_ERRORS])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _set_categories(policy, categories):
    policy.category_rows.exclude(category__in=categories).delete()
    PolicyCategory.objects.bulk_create(
        [PolicyCategory(policy=policy, category=c) for c in categories], ignore_conflicts=True
    )


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
    attachment_name, errors = _attachment_errors(attachment) if attachment else ("", {})
    categories = sorted(set(categories or ()))
    policy = Policy(
        department=department,
        region_id=department.region_id,
        title=title,
        summary=summary,
        issuer=issuer or department.name,
        doc_number=doc_number,
        body=body,
        attachment=attachment or "",
        attachment_name=attachment_name,
        industries=_clean_industries(industries),
        sizes=sorted(set(sizes or ())),
        valid_from=valid_from,
        valid_to=valid_to,
        contact=contact,
        created_by=user,
    )
    errors.update(_category_errors(categories))
    errors.update(
        _target_errors(
            policy,
            target_regions=list(target_regions),
            target_zones=list(target_zones),
            target_alliances=list(target_alliances),
        )
    )
    _raise_if_invalid(policy, errors)
    policy.tokens = _policy_tokens(policy, categories)
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
        raise StateError(_("已撤回的政策不能再修改。"))
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
    errors = {}
    if "attachment" in fields:
        # None keeps the current file, False (a cleared form field) removes it.
        if fields["attachment"] is None:
            fields.pop("attachment")
        elif fields["attachment"] is False:
            fields["attachment"] = ""
            fields["attachment_name"] = ""
        elif not getattr(fields["attachment"], "_committed", False):
            fields["attachment_name"], errors = _attachment_errors(fields["attachment"])
    for name, value in fields.items():
        setattr(policy, name, value)
    if categories is not None:
        categories = sorted(set(categories))
        errors.update(_category_errors(categories))
    current_targets = {name: list(getattr(policy, name).all()) for name in POLICY_TARGETS}
    errors.update(_target_errors(policy, **{**current_targets, **targets}))
    _raise_if_invalid(policy, errors)
    if categories is not None:
        _set_categories(policy, categories)
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
        raise StateError(_("已撤回的政策不能再次发布，请新建政策。"))
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
    from ..tasks.policies import push_policy  # the tasks module imports this one

    push_policy.delay(policy_id)


@transaction.atomic
def policy_withdraw(*, policy: Policy, user) -> Policy:
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if policy.state != Policy.State.PUBLISHED:
        raise StateError(_("只有已发布的政策可以撤回。"))
    policy.state = Policy.State.WITHDRAWN
    policy.save(update_fields=["state", "updated_at"])
    return policy


def _policy_message(policy: Policy) -> Message:
    return Message(
        title=_("新政策：%s") % policy.title,
        body=_("%(issuer)s 发布了《%(title)s》，与贵企业相关，请及时查阅。")
        % {"issuer": policy.issuer, "title": policy.title},
        url=reverse("demands:policy_detail", args=[policy.pk]),
        kind="policy",
    )


def _policy_dedupe_key(policy_id, enterprise_id) -> str:
    """One key per policy and enterprise: notify_bulk adds the recipient, so each secretary hears once."""
    return f"policy:{policy_id}:e{enterprise_id}"


def policy_notify_deliveries(*, policy_id: int, batch_size: int = 200) -> int:
    """Tell each reached enterprise's secretaries about the policy; returns the deliveries notified.

    Runs in a task after publishing. A delivery is marked notified only when its enterprise had a
    secretary to tell; the others stay pending until one is appointed (policy_notify_enterprise).
    Deliveries are marked after their notifications are stored; a crash in between is harmless
    because notify_bulk() is deduplicated per policy, enterprise and recipient.
    """
    policy = Policy.objects.select_related("department").filter(pk=policy_id, state=Policy.State.PUBLISHED).first()
    if policy is None:
        return 0
    message = _policy_message(policy)
    handled, after = 0, 0
    while True:
        pending = list(
            PolicyDelivery.objects.filter(policy=policy, notified_at__isnull=True, pk__gt=after)
            .order_by("pk")
            .values_list("pk", "enterprise_id")[:batch_size]
        )
        if not pending:
            return handled
        after = pending[-1][0]
        secretaries = enterprise_secretaries([e for _pk, e in pending])
        told = [(pk, e) for pk, e in pending if secretaries.get(e)]
        items = [
            (user, message, _policy_dedupe_key(policy.pk, enterprise_id))
            for _pk, enterprise_id in told
            for user in secretaries[enterprise_id]
        ]
        with transaction.atomic():  # one batch: its notifications and its marks together
            notify_bulk(items)
            PolicyDelivery.objects.filter(pk__in=[pk for pk, _e in told]).update(notified_at=timezone.now())
        handled += len(told)


def policy_notify_enterprise(*, enterprise_id: int) -> int:
    """Tell the enterprise's secretaries of every policy pushed to it that is still published, in force
    and unread; returns the notifications created.

    Runs when a secretary is appointed, so someone appointed after a push still hears of it. Those
    already told are skipped by notify_bulk's key, so running it again sends nothing twice.
    """
    secretaries = enterprise_secretaries([enterprise_id]).get(enterprise_id, [])
    if not secretaries:
        return 0
    today = timezone.localdate()
    deliveries = list(
        PolicyDelivery.objects.filter(
            Q(policy__valid_to__isnull=True) | Q(policy__valid_to__gte=today),
            enterprise_id=enterprise_id,
            read_at__isnull=True,
            policy__state=Policy.State.PUBLISHED,
        )
        .select_related("policy")
        .order_by("delivered_at", "pk")
    )
    items = [
        (user, _policy_message(d.policy), _policy_dedupe_key(d.policy_id, enterprise_id))
        for d in deliveries
        for user in secretaries
    ]
    with transaction.atomic():
        created = notify_bulk(items)
        PolicyDelivery.objects.filter(pk__in=[d.pk for d in deliveries], notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
    return created


@transaction.atomic
def policy_mark_read(*, policy: Policy, user, enterprise_ids) -> int:
    """Record the first reading of `policy` by each of the given enterprises; later readings change nothing."""
    read = PolicyDelivery.objects.filter(policy=policy, enterprise__in=enterprise_ids, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=user
    )
    if read:
        Policy.objects.filter(pk=policy.pk).update(read_count=F("read_count") + read)
    return read
