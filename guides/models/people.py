"""Guides (党建工作指导员 and the other kinds the seeds name), their teams (组团式) and assignments.

A guide's reach (the enterprises they see and may file needs for) comes from `Assignment` alone:
a guide or a team to a work zone, an enterprise or an alliance's members, from `starts_on` to
`ends_on`. `alliances.access` reads it for the day in its one grants query (guides registers the
SQL in its AppConfig.ready), so an assignment gives its rights from its first day and loses them
after its last, with no sweep, as committee seats do.

Overlaps that a partial unique index cannot express across two nullable columns and date ranges
(the same guide or team twice on the same target, one team of a kind at a time over past terms) are
refused by the services under a lock of the guide's or team's row; the constraints below catch
the open-ended cases a race could still produce.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ._common import now, today, user_fk

__all__ = ["Assignment", "Guide", "Team", "TeamMember"]


class Guide(models.Model):
    """A person sent to guide enterprises' Party work, by a department or a zone's Party committee."""

    class Kind(models.TextChoices):
        PARTY_BUILDING = "party_building", _("党建工作指导员")
        RED_SAIL = "red_sail", _("红帆指导员")
        RED_COLLAR = "red_collar", _("红领专家")
        STATIONED = "stationed", _("驻企干部")
        COMMISSIONER = "commissioner", _("党建专员")
        LIAISON = "liaison", _("政企联络员")

    class Rank(models.TextChoices):
        COUNTY = "county", _("县级")
        SECTION = "section", _("科级")
        STAFF = "staff", _("一般干部")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guide_profile", verbose_name=_("账号")
    )
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.PARTY_BUILDING)
    # The region whose organisation staff manage the guide: the sending unit's.
    region = models.ForeignKey(
        "alliances.Region",
        on_delete=models.PROTECT,
        related_name="guides",
        verbose_name=_("所属区域"),
        db_index=False,
    )
    department = models.ForeignKey(
        "alliances.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guides",
        verbose_name=_("派出部门"),
    )
    zone = models.ForeignKey(
        "alliances.WorkZone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_guides",
        verbose_name=_("派出园区（片区）党工委"),
    )
    rank = models.CharField(_("职级"), max_length=10, choices=Rank.choices, default=Rank.STAFF)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    term_start = models.DateField(_("选派日期"), default=today)
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    studio_name = models.CharField(_("红帆党建工作室"), max_length=100, blank=True)
    studio_granted_on = models.DateField(_("工作室命名日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("党建指导员")
        verbose_name_plural = _("党建指导员")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, zone__isnull=True)
                | Q(department__isnull=True, zone__isnull=False),
                name="guide_sent_by_department_xor_zone",
                violation_error_message=_("指导员须由一个部门或一个园区（片区）党工委选派，二者选一。"),
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="guide_term_ends_after_start",
                violation_error_message=_("任期结束日期不能早于选派日期。"),
            ),
            models.CheckConstraint(
                condition=Q(studio_name="", studio_granted_on__isnull=True)
                | (~Q(studio_name="") & Q(studio_granted_on__isnull=False)),
                name="guide_studio_named_with_date",
                violation_error_message=_("命名红帆党建工作室须同时填写名称和命名日期。"),
            ),
        ]
        indexes = [models.Index(fields=["region", "kind"], name="guide_region_kind")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guides:guide_detail", args=[self.pk])

    @property
    def kind_label(self):
        return self.Kind(self.kind).label

    @property
    def sender(self):
        return self.department or self.zone

    def in_term(self, day) -> bool:
        return self.term_start <= day and (self.term_end is None or self.term_end >= day)


class Team(models.Model):
    """A team sent 组团式: one leader (a county- or section-level cadre) and 2–3 members."""

    class Kind(models.TextChoices):
        RED_SAIL = "red_sail", _("红帆党建指导组")
        RED_COLLAR = "red_collar", _("红领专家服务队")
        CLIMBING = "climbing", _("助企攀登小组")
        OTHER = "other", _("其他工作组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "alliances.Region", on_delete=models.PROTECT, related_name="guide_teams", verbose_name=_("所属区域")
    )
    department = models.ForeignKey(
        "alliances.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide_teams",
        verbose_name=_("牵头部门"),
    )
    formed_on = models.DateField(_("组建日期"), default=today)
    disbanded_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=now)

    class Meta:
        verbose_name = _("指导组")
        verbose_name_plural = _("指导组")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="guide_team_name_unique_in_region",
                violation_error_message=_("本区域已有同名的指导组。"),
            ),
            models.CheckConstraint(
                condition=Q(disbanded_on__isnull=True) | Q(disbanded_on__gte=models.F("formed_on")),
                name="guide_team_disbanded_after_formed",
                violation_error_message=_("撤销日期不能早于组建日期。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guides:team_detail", args=[self.pk])

    @property
    def kind_label(self):
        return self.Kind(self.kind).label


class TeamMember(models.Model):
    """A guide's term in a team, as its leader (团长) or a member. History is kept: a member who
    leaves gets `ends_on`, never deleted."""

    class Role(models.TextChoices):
        LEADER = "leader", _("团长")
        MEMBER = "member", _("成员")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="members", verbose_name=_("指导组"))
    guide = models.ForeignKey(
        Guide, on_delete=models.PROTECT, related_name="team_terms", verbose_name=_("指导员"), db_index=False
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The team's kind, copied when the term starts, so "one team of a kind at a time" is a
    # constraint on this table alone.
    team_kind = models.CharField(_("指导组类别"), max_length=20, choices=Team.Kind.choices, editable=False)
    starts_on = models.DateField(_("开始日期"), default=today)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("指导组成员")
        verbose_name_plural = _("指导组成员")
        ordering = ["team", "role", "starts_on", "id"]  # "leader" < "member": the leader first
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="team_member_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="leader", ends_on__isnull=True),
                name="team_one_current_leader",
                violation_error_message=_("一个指导组只能有一名团长。"),
            ),
            models.UniqueConstraint(
                fields=["guide", "team_kind"],
                condition=Q(ends_on__isnull=True),
                name="team_member_one_team_of_a_kind",
                violation_error_message=_("该指导员已在同类指导组中，同一时间只能加入一个同类指导组。"),
            ),
        ]
        indexes = [models.Index(fields=["guide", "starts_on"], name="team_member_guide")]

    def __str__(self):
        return f"{self.team} · {self.guide} · {self.get_role_display()}"

    @property
    def role_label(self):
        return self.Role(self.role).label


class Assignment(models.Model):
    """A guide or a team assigned to a work zone, an enterprise, or an alliance's members, with
    dates and a visit cadence. Ended, never deleted: the history of who served whom is kept."""

    class Target(models.TextChoices):
        ZONE = "zone", _("工作片区")
        ENTERPRISE = "enterprise", _("企业")
        ALLIANCE = "alliance", _("联盟成员企业")

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("每月走访")
        QUARTERLY = "quarterly", _("每季度走访")

    guide = models.ForeignKey(
        Guide,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("指导员"),
        db_index=False,
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("指导组"),
        db_index=False,
    )
    target = models.CharField(_("联系对象类型"), max_length=20, choices=Target.choices)
    zone = models.ForeignKey(
        "alliances.WorkZone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide_assignments",
        verbose_name=_("工作片区"),
        db_index=False,
    )
    enterprise = models.ForeignKey(
        "alliances.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide_assignments",
        verbose_name=_("企业"),
        db_index=False,
    )
    alliance = models.ForeignKey(
        "alliances.Alliance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide_assignments",
        verbose_name=_("联盟"),
        db_index=False,
    )
    # The target's region, copied when assigned, so a region's staff list without joins.
    region = models.ForeignKey(
        "alliances.Region",
        on_delete=models.PROTECT,
        related_name="guide_assignments",
        verbose_name=_("所属区域"),
        editable=False,
        db_index=False,
    )
    cadence = models.CharField(_("走访频次"), max_length=10, choices=Cadence.choices, default=Cadence.QUARTERLY)
    starts_on = models.DateField(_("开始日期"), default=today)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = user_fk(_("安排人"))
    created_at = models.DateTimeField(_("安排时间"), default=now)
    ended_by = user_fk(_("结束人"))

    class Meta:
        verbose_name = _("联系安排")
        verbose_name_plural = _("联系安排")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(guide__isnull=False, team__isnull=True) | Q(guide__isnull=True, team__isnull=False),
                name="guide_assignment_guide_xor_team",
                violation_error_message=_("联系安排须指定一名指导员或一个指导组，二者选一。"),
            ),
            models.CheckConstraint(
                condition=Q(target="zone", zone__isnull=False, enterprise__isnull=True, alliance__isnull=True)
                | Q(target="enterprise", zone__isnull=True, enterprise__isnull=False, alliance__isnull=True)
                | Q(target="alliance", zone__isnull=True, enterprise__isnull=True, alliance__isnull=False),
                name="guide_assignment_one_target",
                violation_error_message=_("联系对象须是一个片区、一家企业或一个联盟，且与类型一致。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="guide_assignment_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]
        indexes = [
            # Reach (alliances.access) and 我的企业: a guide's or a team's assignments by date.
            models.Index(fields=["guide", "starts_on"], name="guide_assignment_guide"),
            models.Index(fields=["team", "starts_on"], name="guide_assignment_team"),
            # An enterprise's, zone's or alliance's guides (the enterprise page, the not-visited list).
            models.Index(fields=["enterprise", "starts_on"], name="guide_assignment_enterprise"),
            models.Index(fields=["zone", "starts_on"], name="guide_assignment_zone"),
            models.Index(fields=["alliance", "starts_on"], name="guide_assignment_alliance"),
            models.Index(fields=["region", "starts_on"], name="guide_assignment_region"),
        ]

    def __str__(self):
        return f"{self.assignee} → {self.target_object}"

    @property
    def assignee(self):
        return self.guide if self.guide_id else self.team

    @property
    def target_object(self):
        return {"zone": self.zone, "enterprise": self.enterprise, "alliance": self.alliance}.get(self.target)

    @property
    def target_label(self):
        return self.Target(self.target).label

    @property
    def cadence_label(self):
        return self.Cadence(self.cadence).label

    def in_force(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def overlaps(self, starts_on, ends_on) -> bool:
        """Whether [starts_on, ends_on] (None: open) meets this assignment's dates."""
        return (self.ends_on is None or starts_on <= self.ends_on) and (ends_on is None or ends_on >= self.starts_on)

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
