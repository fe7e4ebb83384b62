"""Party-organisation building goals and member development records (issue 9 §1).

A goal is opened for an enterprise without a Party organisation in a guide's charge, moves through
摸排 → 有党员 → 筹建中 (back and forth as the work goes), and ends as 已组建 (单独建, 联合建 or 兜底建)
when the organisation is recorded in `alliances`: either by `building_goal_advance` naming it, or
by itself the moment a Party organisation covering the enterprise is recorded there
(`building_goals_close_for_organization`, called by guides/receivers.py). Who: the organisation
staff of the region, and the guides serving the enterprise today.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import scope_for
from alliances.models import Enterprise, PartyOrganization

from ..models import BuildingGoal, BuildingGoalStage, Guide, MemberDevelopment
from ..permissions import manages_region
from ._common import Action, record, save_new

Stage = BuildingGoal.Stage


def may_work_on(actor, enterprise: Enterprise) -> bool:
    """Organisation staff of the enterprise's region, and the guides serving it today."""
    if actor is None:
        return True  # the system (load_demo, imports)
    return manages_region(actor, enterprise.region) or scope_for(actor).guides_enterprise(enterprise)


def _require(actor, enterprise: Enterprise) -> None:
    if not may_work_on(actor, enterprise):
        raise PermissionDenied(_("只有联系该企业的指导员或本区域组织部工作人员可以执行此操作。"))


def _covered(enterprise: Enterprise) -> bool:
    return PartyOrganization.enterprises.through.objects.filter(enterprise=enterprise).exists()


@transaction.atomic
def building_goal_open(
    *, actor, enterprise: Enterprise, guide: Guide | None = None, opened_on: dt.date | None = None, note: str = ""
) -> BuildingGoal:
    """Open a goal to found a Party organisation at an enterprise that has none (one open goal each)."""
    enterprise = Enterprise.objects.select_for_update().select_related("region").get(pk=enterprise.pk)
    _require(actor, enterprise)
    if _covered(enterprise):
        raise ValidationError({"enterprise": _("“%s”已有党组织，无需立项组建。") % enterprise.name})
    if BuildingGoal.objects.filter(enterprise=enterprise, closed_on__isnull=True).exists():
        raise ValidationError({"enterprise": _("该企业已有进行中的党组织组建目标。")})
    if guide is None and actor is not None:
        guide = Guide.objects.filter(user=actor).first()
    opened_on = opened_on or timezone.localdate()
    goal = save_new(
        BuildingGoal(
            enterprise=enterprise,
            region=enterprise.region,
            guide=guide,
            opened_on=opened_on,
            note=note,
            created_by=actor,
        )
    )
    BuildingGoalStage.objects.create(goal=goal, to_stage=Stage.SURVEY, changed_on=opened_on, changed_by=actor)
    record(Action.BUILDING_STAGE, actor=actor, target=goal, stage=goal.stage, enterprise=enterprise.name)
    return goal


@transaction.atomic
def building_goal_advance(
    *,
    actor,
    goal: BuildingGoal,
    stage: str,
    changed_on: dt.date | None = None,
    method: str = "",
    party_organization: PartyOrganization | None = None,
    note: str = "",
) -> BuildingGoal:
    """Move an open goal to `stage`. 已组建 needs the method and the Party organisation recorded in
    alliances covering the enterprise; 已终止 needs a note saying why."""
    goal = BuildingGoal.objects.select_for_update(of=("self",)).select_related("enterprise__region").get(pk=goal.pk)
    _require(actor, goal.enterprise)
    if not goal.is_open:
        raise ValidationError({"stage": _("该组建目标已结束（%s）。") % goal.stage_label})
    if stage not in Stage.values:
        raise ValidationError({"stage": _("请选择有效的进展阶段。")})
    if stage == goal.stage:
        raise ValidationError({"stage": _("组建目标已处于“%s”阶段。") % goal.stage_label})
    changed_on = changed_on or timezone.localdate()
    if changed_on > timezone.localdate():
        raise ValidationError({"changed_on": _("日期不能晚于今天。")})
    if changed_on < goal.opened_on:
        raise ValidationError({"changed_on": _("日期不能早于立项日期。")})
    fields = {"stage": stage}
    if stage == Stage.FOUNDED:
        if method not in BuildingGoal.Method.values:
            raise ValidationError({"method": _("请选择组建方式：单独建、联合建或兜底建。")})
        if party_organization is None or not party_organization.enterprises.filter(pk=goal.enterprise_id).exists():
            raise ValidationError({"party_organization": _("请先在党组织中登记覆盖该企业的党组织，再标记为已组建。")})
        fields.update(method=method, party_organization=party_organization, closed_on=changed_on)
    elif stage == Stage.DROPPED:
        if not (note or "").strip():
            raise ValidationError({"note": _("终止组建目标须说明原因。")})
        fields.update(closed_on=changed_on)
    return _move(goal, fields, changed_on=changed_on, actor=actor, note=note)


def _move(goal: BuildingGoal, fields: dict, *, changed_on, actor, note="") -> BuildingGoal:
    from_stage = goal.stage
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.full_clean()
    goal.save(update_fields=[*fields, "updated_at"])
    BuildingGoalStage.objects.create(
        goal=goal, from_stage=from_stage, to_stage=goal.stage, changed_on=changed_on, note=note, changed_by=actor
    )
    record(Action.BUILDING_STAGE, actor=actor, target=goal, from_stage=from_stage, stage=goal.stage, note=note)
    return goal


def building_goals_close_for_organization(*, organization: PartyOrganization, enterprise_ids, actor=None) -> int:
    """Close as 已组建 the open goals of the enterprises `organization` now covers (it was recorded
    in alliances): 联合建 for a joint branch, 单独建 otherwise. Returns how many were closed."""
    method = (
        BuildingGoal.Method.JOINT
        if organization.kind == PartyOrganization.Kind.JOINT_BRANCH
        else BuildingGoal.Method.SINGLE
    )
    day = organization.founded_on or timezone.localdate()
    goals = BuildingGoal.objects.select_for_update().filter(
        enterprise_id__in=list(enterprise_ids), closed_on__isnull=True
    )
    closed = 0
    for goal in goals:
        on = max(day, goal.opened_on)
        fields = {"stage": Stage.FOUNDED, "method": method, "party_organization": organization, "closed_on": on}
        _move(goal, fields, changed_on=on, actor=actor, note=_("党组织“%s”已登记") % organization.name)
        closed += 1
    return closed


# -- member development -------------------------------------------------------------------------
@transaction.atomic
def member_development_record(
    *,
    actor,
    enterprise: Enterprise,
    kind: str,
    person_name: str,
    recorded_on: dt.date,
    party_organization: PartyOrganization | None = None,
    guide: Guide | None = None,
    note: str = "",
) -> MemberDevelopment:
    """Record one person as an activist, a development candidate or a member developed at an
    enterprise on a date (a year's development is the count of these rows)."""
    enterprise = Enterprise.objects.select_related("region").get(pk=enterprise.pk)
    _require(actor, enterprise)
    if recorded_on > timezone.localdate():
        raise ValidationError({"recorded_on": _("日期不能晚于今天。")})
    if party_organization is not None and not party_organization.enterprises.filter(pk=enterprise.pk).exists():
        raise ValidationError({"party_organization": _("所选党组织未覆盖该企业。")})
    if guide is None and actor is not None:
        guide = Guide.objects.filter(user=actor).first()
    goal = BuildingGoal.objects.filter(enterprise=enterprise, closed_on__isnull=True).first()
    development = save_new(
        MemberDevelopment(
            enterprise=enterprise,
            region=enterprise.region,
            party_organization=party_organization,
            goal=goal,
            guide=guide,
            kind=kind,
            person_name=(person_name or "").strip(),
            recorded_on=recorded_on,
            note=note,
            recorded_by=actor,
        )
    )
    record(
        Action.BUILDING_STAGE,
        actor=actor,
        target=development,
        enterprise=enterprise.name,
        kind=kind,
        recorded_on=recorded_on,
    )
    return development
