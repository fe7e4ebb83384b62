"""Party-organisation building (组建党组织) and member development (发展党员).

For an enterprise without a Party organisation, a goal tracks the stage of the work (摸排 → 有党员 →
筹建中 → 已组建 by 单独建, 联合建 or 兜底建); it ends when the organisation is recorded in
`alliances` (`party_organization`). Members developed and activists are recorded one by one by
date, so a year's development is a sum of rows, not a retyped figure.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ._common import now, today, user_fk
from .people import Guide

__all__ = ["BuildingGoal", "BuildingGoalStage", "MemberDevelopment"]


class BuildingGoal(models.Model):
    class Stage(models.TextChoices):
        SURVEY = "survey", _("摸排")
        HAS_MEMBERS = "has_members", _("有党员")
        PREPARING = "preparing", _("筹建中")
        FOUNDED = "founded", _("已组建")
        DROPPED = "dropped", _("已终止")

    class Method(models.TextChoices):
        SINGLE = "single", _("单独建")
        JOINT = "joint", _("联合建")
        FALLBACK = "fallback", _("兜底建")

    OPEN_STAGES = (Stage.SURVEY, Stage.HAS_MEMBERS, Stage.PREPARING)

    enterprise = models.ForeignKey(
        "alliances.Enterprise", on_delete=models.PROTECT, related_name="building_goals", verbose_name=_("企业")
    )
    region = models.ForeignKey(
        "alliances.Region",
        on_delete=models.PROTECT,
        related_name="building_goals",
        verbose_name=_("所属区域"),
        editable=False,
        db_index=False,
    )
    guide = models.ForeignKey(
        Guide,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="building_goals",
        verbose_name=_("责任指导员"),
    )
    stage = models.CharField(_("进展阶段"), max_length=20, choices=Stage.choices, default=Stage.SURVEY)
    method = models.CharField(_("组建方式"), max_length=10, choices=Method.choices, blank=True)
    party_organization = models.ForeignKey(
        "alliances.PartyOrganization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="building_goals",
        verbose_name=_("组建的党组织"),
    )
    opened_on = models.DateField(_("立项日期"), default=today)
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("党组织组建目标")
        verbose_name_plural = _("党组织组建目标")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(closed_on__isnull=True),
                name="building_goal_one_open_per_enterprise",
                violation_error_message=_("该企业已有进行中的党组织组建目标。"),
            ),
            models.CheckConstraint(
                condition=~Q(stage="founded")
                | (Q(party_organization__isnull=False, closed_on__isnull=False) & ~Q(method="")),
                name="building_goal_founded_has_organization",
                violation_error_message=_("已组建须写明组建方式和组建的党组织。"),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["founded", "dropped"], closed_on__isnull=False)
                | Q(stage__in=["survey", "has_members", "preparing"], closed_on__isnull=True),
                name="building_goal_closed_when_final",
                violation_error_message=_("只有已组建或已终止的目标有完成日期。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="building_goal_closes_after_opening",
                violation_error_message=_("完成日期不能早于立项日期。"),
            ),
        ]
        indexes = [models.Index(fields=["region", "stage"], name="building_goal_region_stage")]

    def __str__(self):
        return f"{self.enterprise} · {self.get_stage_display()}"

    @property
    def stage_label(self):
        return self.Stage(self.stage).label

    @property
    def is_open(self):
        return self.closed_on is None


class BuildingGoalStage(models.Model):
    """One step of a goal's history: the stage it moved to, when, by whom."""

    goal = models.ForeignKey(BuildingGoal, on_delete=models.CASCADE, related_name="stages", verbose_name=_("组建目标"))
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=BuildingGoal.Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=BuildingGoal.Stage.choices)
    changed_on = models.DateField(_("日期"), default=today)
    note = models.TextField(_("说明"), blank=True)
    changed_by = user_fk(_("操作人"))
    changed_at = models.DateTimeField(_("记录时间"), default=now)

    class Meta:
        verbose_name = _("组建进展")
        verbose_name_plural = _("组建进展")
        ordering = ["goal", "changed_on", "id"]

    def __str__(self):
        return f"{self.goal_id}: {self.from_stage} → {self.to_stage}"


class MemberDevelopment(models.Model):
    """One person recorded as an activist (入党积极分子), a development candidate (发展对象) or a
    member developed (发展党员, admitted as a probationary member) on a date, at an enterprise."""

    class Kind(models.TextChoices):
        ACTIVIST = "activist", _("入党积极分子")
        CANDIDATE = "candidate", _("发展对象")
        DEVELOPED = "developed", _("发展党员")

    enterprise = models.ForeignKey(
        "alliances.Enterprise",
        on_delete=models.PROTECT,
        related_name="member_developments",
        verbose_name=_("企业"),
    )
    region = models.ForeignKey(
        "alliances.Region",
        on_delete=models.PROTECT,
        related_name="member_developments",
        verbose_name=_("所属区域"),
        editable=False,
        db_index=False,
    )
    party_organization = models.ForeignKey(
        "alliances.PartyOrganization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_developments",
        verbose_name=_("所在党组织"),
    )
    goal = models.ForeignKey(
        BuildingGoal,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_developments",
        verbose_name=_("组建目标"),
    )
    guide = models.ForeignKey(
        Guide,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_developments",
        verbose_name=_("联系指导员"),
        db_index=False,
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    person_name = models.CharField(_("姓名"), max_length=50)
    recorded_on = models.DateField(_("日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = user_fk(_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=now)

    class Meta:
        verbose_name = _("党员发展记录")
        verbose_name_plural = _("党员发展记录")
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "person_name", "recorded_on"],
                name="member_development_once",
                violation_error_message=_("该人员的这条记录已登记。"),
            )
        ]
        indexes = [
            models.Index(fields=["region", "kind", "recorded_on"], name="member_development_region"),
            models.Index(fields=["guide", "recorded_on"], name="member_development_guide"),
        ]

    def __str__(self):
        return f"{self.person_name} · {self.get_kind_display()} · {self.recorded_on}"

    @property
    def kind_label(self):
        return self.Kind(self.kind).label
