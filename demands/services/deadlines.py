"""Deadline rules: working days allowed per region, urgency and category."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import DeadlineRule
from ..permissions import needs as access
from ..selectors import needs as selectors


# -- deadline rules -------------------------------------------------------------------------------
@transaction.atomic
def deadline_rules_ensure_defaults() -> int:
    """Create the platform defaults (一般 15 / 紧急 5 / 特急 2 working days) where missing."""
    created = 0
    for urgency, days in selectors.DEFAULT_WORKDAYS.items():
        _rule, was_created = DeadlineRule.objects.get_or_create(
            region=None, urgency=urgency, category="", defaults={"workdays": days}
        )
        created += was_created
    return created


@transaction.atomic
def deadline_rule_save(*, actor, region, urgency: str, category: str = "", workdays: int) -> DeadlineRule:
    """Set the working days for (region, urgency, category), creating the rule if needed."""
    if not access.can_edit_deadline_rule(actor, region):
        raise PermissionDenied(
            _("只有平台管理员可以修改全平台规则。") if region is None else _("您不能修改该区域的办理时限规则。")
        )
    rule = (
        DeadlineRule.objects.select_for_update(of=("self",))
        .order_by()
        .filter(Q(region=region) if region is not None else Q(region__isnull=True), urgency=urgency, category=category)
        .first()
    )
    if rule is None:
        rule = DeadlineRule(region=region, urgency=urgency, category=category, workdays=workdays)
        rule.full_clean()
        rule.save()
        return rule
    rule.workdays = workdays
    rule.full_clean()
    rule.save(update_fields=["workdays"])
    return rule


@transaction.atomic
def deadline_rule_delete(*, actor, rule: DeadlineRule) -> None:
    if not access.can_edit_deadline_rule(actor, rule.region):
        raise PermissionDenied(_("您不能删除该办理时限规则。"))
    rule.delete()
