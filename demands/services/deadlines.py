"""Deadline rules: working days allowed per region, urgency and category."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
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
    """Set the working days for (region, urgency, category), creating the rule if needed.

    Two people saving the same rule at once both find none and both insert: the insert runs in a
    savepoint with the rule's uniqueness left to the database, and the one who loses the race
    updates the winner's rule instead of meeting an IntegrityError (or, had the winner committed
    before the checks, full_clean's "already exists"). Setting a value is what both asked for, so
    the later save wins, as it does when the two saves do not overlap."""
    if not access.can_edit_deadline_rule(actor, region):
        raise PermissionDenied(
            _("只有平台管理员可以修改全平台规则。") if region is None else _("您不能修改该区域的办理时限规则。")
        )
    same_rule = DeadlineRule.objects.filter(
        Q(region=region) if region is not None else Q(region__isnull=True), urgency=urgency, category=category
    )
    rule = _locked(same_rule)
    if rule is None:
        rule = DeadlineRule(region=region, urgency=urgency, category=category, workdays=workdays)
        _validate_except_uniqueness(rule)
        try:
            with transaction.atomic():
                rule.save()
            return rule
        except IntegrityError:
            rule = _locked(same_rule)
            if rule is None:
                raise
    rule.workdays = workdays
    rule.full_clean()
    rule.save(update_fields=["workdays"])
    return rule


def _locked(rules):
    return rules.select_for_update(of=("self",)).order_by().first()


def _validate_except_uniqueness(rule: DeadlineRule) -> None:
    """Fields and the workdays range, but not the unique constraints: the insert decides those."""
    rule.full_clean(validate_constraints=False)
    # A constraint naming an excluded field is skipped: both unique ones name urgency.
    rule.validate_constraints(exclude={"urgency"})


@transaction.atomic
def deadline_rule_delete(*, actor, rule: DeadlineRule) -> None:
    if not access.can_edit_deadline_rule(actor, rule.region):
        raise PermissionDenied(_("您不能删除该办理时限规则。"))
    rule.delete()
