"""Needs (需求清单) and their workflow: the need, its assignments to departments or resource
providers, the append-only timeline, attachments, deadline rules and the yearly number counter.

Workflows live in `demands.services.filing` and `workflow`; these classes hold fields, constraints and indexes.
"""

import uuid
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty import workdays
from chainparty.validators import validate_date, validate_long_text, validate_phone

__all__ = ["Assignment", "DeadlineRule", "Need", "NeedAttachment", "NeedCounter", "NeedEvent"]


def _now():
    """Field default looked up at call time, so a frozen clock (tests, back-dated demo history) applies."""
    return timezone.now()


class Need(models.Model):
    """What an enterprise needs, handled by one alliance, numbered `XQ-<year>-<000001>`."""

    class Category(models.TextChoices):
        LABOR = "labor", _("用工/人才")
        FINANCING = "financing", _("融资")
        LAND = "land", _("用地")
        TECHNOLOGY = "technology", _("技改/技术")
        MARKET = "market", _("订单/市场")
        LOGISTICS = "logistics", _("物流")
        POLICY = "policy", _("政策咨询")
        APPROVAL = "approval", _("审批手续")
        SAFETY = "safety", _("安全环保")
        OTHER = "other", _("其他")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")
        CRITICAL = "critical", _("特急")

    class Source(models.TextChoices):
        SELF_REPORTED = "self_reported", _("企业自报")
        VISIT = "visit", _("走访")
        MEETING = "meeting", _("会议")
        HOTLINE = "hotline", _("热线")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        IN_PROGRESS = "in_progress", _("办理中")
        ANSWERED = "answered", _("已办结")
        RATED = "rated", _("已回访")
        CLOSED = "closed", _("已销号")
        RETURNED = "returned", _("退回补充")
        REJECTED = "rejected", _("不予受理")
        MERGED = "merged", _("已合并")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    #: States in which the deadline runs (a department or provider is working on it).
    CLOCK_STATES = (State.DISPATCHED, State.IN_PROGRESS)
    #: States counted as solved in the results (解决).
    SOLVED_STATES = (State.ANSWERED, State.RATED, State.CLOSED)
    #: States that need no further action.
    FINAL_STATES = (State.CLOSED, State.REJECTED, State.MERGED)
    SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "alliances.Enterprise", on_delete=models.PROTECT, related_name="needs", verbose_name=_("企业")
    )
    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="needs", verbose_name=_("受理联盟")
    )
    # Copied from the enterprise when filed, so region scoping needs no join.
    region = models.ForeignKey(
        "alliances.Region", on_delete=models.PROTECT, related_name="needs", verbose_name=_("所属区域"), editable=False
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("详细描述"), validators=[validate_long_text])
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.SELF_REPORTED)
    funding_wan = models.DecimalField(_("融资金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    land_mu = models.DecimalField(_("用地面积（亩）"), max_digits=10, decimal_places=2, null=True, blank=True)
    people = models.PositiveIntegerField(_("用工人数"), null=True, blank=True)
    # What the answered parts report as solved (the results count these, not what was asked).
    funding_wan_solved = models.DecimalField(
        _("已落实融资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    land_mu_solved = models.DecimalField(
        _("已落实用地（亩）"), max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )
    people_solved = models.PositiveIntegerField(_("已招用人数"), null=True, blank=True, editable=False)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=30, validators=[validate_phone])
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filed_needs",
        verbose_name=_("填报人"),
    )
    filed_at = models.DateTimeField(_("提交时间"), default=_now)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    deadline = models.DateField(_("办理时限"), null=True, blank=True, validators=[validate_date])
    paused_at = models.DateTimeField(_("暂停计时时间"), null=True, blank=True)
    returned_from = models.CharField(_("退回前状态"), max_length=20, choices=State.choices, blank=True)
    answered_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("按期办结"), null=True, blank=True)
    rating = models.CharField(_("满意度"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True, validators=[validate_long_text])
    rated_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("合并至"),
    )
    reason = models.TextField(_("退回或不予受理理由"), blank=True, validators=[validate_long_text])
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The meeting decision (议定事项) this need was filed from (demands.services.meetings). PROTECT: the
    # need's origin stays on record, so a meeting whose decision became a need cannot be deleted.
    # Indexed by the unique partial index need_one_per_decision (built concurrently, demands.0006),
    # not by the implicit FK index, which a plain AddField would build under a write lock.
    decision = models.ForeignKey(
        "alliances.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("来源议定事项"),
        editable=False,
        db_index=False,
    )

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="need_merged_has_target",
                violation_error_message=_("已合并的需求必须指明合并至哪条需求。"),
            ),
            models.CheckConstraint(
                condition=Q(funding_wan__isnull=True) | Q(funding_wan__gte=0),
                name="need_funding_not_negative",
                violation_error_message=_("融资金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(land_mu__isnull=True) | Q(land_mu__gte=0),
                name="need_land_not_negative",
                violation_error_message=_("用地面积不能为负数。"),
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(decision__isnull=False),
                name="need_one_per_decision",
                violation_error_message=_("该议定事项已转为需求，不能重复转办。"),
            ),
        ]
        indexes = [
            # Lists: newest first, scoped by region, alliance or enterprise.
            models.Index(fields=["-filed_at", "-id"], name="need_recent"),
            models.Index(fields=["region", "-filed_at", "-id"], name="need_region_recent"),
            models.Index(fields=["alliance", "-filed_at", "-id"], name="need_alliance_recent"),
            models.Index(fields=["enterprise", "-filed_at", "-id"], name="need_enterprise_recent"),
            # Sparse scopes (a department's or a provider's needs) sort their ids by filing time read
            # from this index alone (demands.selectors.needs.IdsFirstQuerySet).
            models.Index(fields=["id", "filed_at"], name="need_id_filed_at"),
            # Counts by state within a region or alliance (index-only scans).
            models.Index(fields=["region", "state"], name="need_region_state"),
            models.Index(fields=["alliance", "state"], name="need_alliance_state"),
            # Overdue: open and past the deadline. Partial, so it only holds needs whose clock runs.
            models.Index(
                fields=["deadline", "alliance"],
                condition=Q(state__in=["dispatched", "in_progress"]),
                name="need_open_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("demands:need_detail", args=[self.pk])

    # Labels through the choices enums: Django's get_FOO_display() rebuilds a dict of every
    # choice on each call, which shows on lists of 25 rows.
    @property
    def state_label(self):
        return self.State(self.state).label

    @property
    def category_label(self):
        return self.Category(self.category).label

    @property
    def urgency_label(self):
        return self.Urgency(self.urgency).label

    @property
    def source_label(self):
        return self.Source(self.source).label

    @property
    def rating_label(self):
        return self.Rating(self.rating).label if self.rating else ""

    @property
    def clock_running(self):
        return self.state in self.CLOCK_STATES

    @cached_property
    def is_overdue(self):
        return self.clock_running and self.deadline is not None and self.deadline < workdays.local_today()

    @cached_property
    def overdue_workdays(self):
        """Working days past the deadline (0 when not overdue)."""
        if not self.is_overdue:
            return 0
        return workdays.workdays_late(self.deadline, workdays.local_today())

    @property
    def is_solved(self):
        return self.state in self.SOLVED_STATES

    def clean(self):
        if self.merged_into_id and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": _("需求不能合并到自身。")})


class NeedCounter(models.Model):
    """The last number issued in a year; locked with SELECT … FOR UPDATE when a need is filed."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last_number = models.PositiveIntegerField(_("已用编号"), default=0)

    class Meta:
        verbose_name = _("需求编号计数")
        verbose_name_plural = _("需求编号计数")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Assignment(models.Model):
    """One part of a dispatched need: a department (牵头 or 协办) or a member enterprise whose
    resource was matched to it. Each part has its own handler, deadline and answer."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        CO = "co", _("协办")

    class State(models.TextChoices):
        PENDING = "pending", _("待办理")
        IN_PROGRESS = "in_progress", _("办理中")
        ANSWERED = "answered", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤销")

    OPEN_STATES = (State.PENDING, State.IN_PROGRESS)

    class Escalation(models.IntegerChoices):
        NONE = 0, _("未督办")
        ALLIANCE = 1, _("一级督办（联盟）")
        ORGANIZATION = 2, _("二级督办（组织部）")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("需求"))
    role = models.CharField(_("分工"), max_length=10, choices=Role.choices, default=Role.LEAD)
    # Indexed by the (department | provider, state, deadline) indexes below, which start with them.
    department = models.ForeignKey(
        "alliances.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="need_assignments",
        verbose_name=_("办理部门"),
        db_index=False,
    )
    provider_enterprise = models.ForeignKey(
        "alliances.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provided_assignments",
        verbose_name=_("资源提供企业"),
        db_index=False,
    )
    resource = models.ForeignKey(
        "demands.Resource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("匹配资源"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="need_assignments",
        verbose_name=_("经办人"),
    )
    instruction = models.TextField(_("派单说明"), blank=True, validators=[validate_long_text])
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    deadline = models.DateField(_("办理时限"), validators=[validate_date])
    created_at = models.DateTimeField(_("派单时间"), default=_now)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    answer = models.TextField(_("办理结果"), blank=True, validators=[validate_long_text])
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("答复人"),
    )
    funding_wan_solved = models.DecimalField(
        _("落实融资（万元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    land_mu_solved = models.DecimalField(_("落实用地（亩）"), max_digits=10, decimal_places=2, null=True, blank=True)
    people_solved = models.PositiveIntegerField(_("招用人数"), null=True, blank=True)
    warned_at = models.DateTimeField(_("临期提醒时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("督办级别"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["need", "-role", "id"]  # the lead ("lead" > "co") first
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False, provider_enterprise__isnull=True)
                | Q(department__isnull=True, provider_enterprise__isnull=False),
                name="assignment_department_xor_provider",
                violation_error_message=_("派单对象必须是一个部门或一家资源提供企业，二者选一。"),
            ),
            models.UniqueConstraint(
                fields=["need"],
                condition=Q(role="lead"),
                name="assignment_one_lead_per_need",
                violation_error_message=_("每条需求只能有一个牵头单位。"),
            ),
            models.UniqueConstraint(
                fields=["need", "department"],
                condition=Q(department__isnull=False),
                name="assignment_department_once_per_need",
                violation_error_message=_("同一部门不能重复派单。"),
            ),
            models.UniqueConstraint(
                fields=["need", "provider_enterprise"],
                condition=Q(provider_enterprise__isnull=False),
                name="assignment_provider_once_per_need",
                violation_error_message=_("同一企业不能重复派单。"),
            ),
        ]
        indexes = [
            # 待办 of a department or a provider: open first, nearest deadline first.
            models.Index(fields=["department", "state", "deadline"], name="assignment_department_open"),
            models.Index(fields=["provider_enterprise", "state", "deadline"], name="assignment_provider_open"),
            # The needs a department or provider sees: need ids from the index alone.
            models.Index(fields=["department", "need"], name="assignment_department_need"),
            models.Index(fields=["provider_enterprise", "need"], name="assignment_provider_need"),
            # The escalation sweep only reads open parts, by deadline. escalation_level and warned_at
            # stay out of every index, so the sweep's updates can be HOT (no index writes).
            models.Index(
                fields=["deadline"],
                condition=Q(state__in=["pending", "in_progress"]),
                name="assignment_open_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.need.number} · {self.get_role_display()} · {self.assignee}"

    @property
    def assignee(self):
        return self.department or self.provider_enterprise

    # Labels through the enums (see Need.state_label).
    @property
    def role_label(self):
        return self.Role(self.role).label

    @property
    def state_label(self):
        return self.State(self.state).label

    @property
    def escalation_label(self):
        return self.Escalation(self.escalation_level).label

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES

    @cached_property
    def is_overdue(self):
        return self.is_open and self.deadline < workdays.local_today()

    @cached_property
    def overdue_workdays(self):
        if not self.is_overdue:
            return 0
        return workdays.workdays_late(self.deadline, workdays.local_today())


class NeedEventQuerySet(models.QuerySet):
    """The timeline is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise ValidationError(_("需求记录不可修改。"))

    def delete(self):
        raise ValidationError(_("需求记录不可删除。"))


class NeedEvent(models.Model):
    """One step on a need's timeline: who, when, from which state to which, what was said."""

    class Action(models.TextChoices):
        FILE = "file", _("提交需求")
        ACCEPT = "accept", _("受理")
        RETURN = "return", _("退回补充")
        RESUBMIT = "resubmit", _("补充后重新提交")
        REJECT = "reject", _("不予受理")
        MERGE = "merge", _("合并")
        DISPATCH = "dispatch", _("派单")
        START = "start", _("开始办理")
        ANSWER = "answer", _("答复")
        RATE = "rate", _("回访评价")
        REOPEN = "reopen", _("重新办理")
        CLOSE = "close", _("销号")
        WITHDRAW = "withdraw", _("撤销派单")
        ATTACH = "attach", _("上传附件")
        REMIND = "remind", _("临期提醒")
        SUPERVISE = "supervise", _("督办")
        FROM_DECISION = "from_decision", _("会议议定转为需求")
        DISCUSS = "discuss", _("列入会议议题")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="events", verbose_name=_("需求"))
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("派单"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=Need.State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=Need.State.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=_now, db_index=True)

    objects = NeedEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("需求记录")
        verbose_name_plural = _("需求记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["need", "created_at", "id"], name="need_event_timeline")]

    def __str__(self):
        return f"{self.need_id} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("需求记录不可修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("需求记录不可删除。"))

    @property
    def action_label(self):
        return self.Action(self.action).label

    @property
    def from_state_label(self):
        return Need.State(self.from_state).label if self.from_state else ""

    @property
    def to_state_label(self):
        return Need.State(self.to_state).label if self.to_state else ""

    @property
    def actor_label(self):
        return self.actor.display_name if self.actor_id else _("系统")


def _attachment_path(instance, filename):
    """Stored under a random name: the user's file name never reaches the file system."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"needs/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class NeedAttachment(models.Model):
    """A file attached to a need; served only through the access-checked download view."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("需求"))
    file = models.FileField(_("文件"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=_now)

    class Meta:
        verbose_name = _("需求附件")
        verbose_name_plural = _("需求附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("demands:need_attachment", args=[self.need_id, self.pk])


class DeadlineRule(models.Model):
    """Working days allowed from dispatch to answer. The most specific rule wins: the need's own
    region before its parents before the platform default (no region), and a rule for the need's
    category before the one for every category (blank category)."""

    region = models.ForeignKey(
        "alliances.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_rules",
        verbose_name=_("适用区域"),
        help_text=_("留空表示全平台默认。"),
    )
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Need.Urgency.choices)
    category = models.CharField(
        _("需求类别"),
        max_length=20,
        choices=Need.Category.choices,
        blank=True,
        help_text=_("留空表示该紧急程度下的所有类别。"),
    )
    workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("办理时限规则")
        verbose_name_plural = _("办理时限规则")
        ordering = ["region__code", "urgency", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "category"],
                condition=Q(region__isnull=True),
                name="deadline_rule_once_platform",
                violation_error_message=_("该紧急程度和类别的全平台规则已存在。"),
            ),
            models.UniqueConstraint(
                fields=["region", "urgency", "category"],
                condition=Q(region__isnull=False),
                name="deadline_rule_once_region",
                violation_error_message=_("该区域已有相同紧急程度和类别的规则。"),
            ),
            models.CheckConstraint(
                condition=Q(workdays__gte=1, workdays__lte=120),
                name="deadline_rule_workdays_range",
                violation_error_message=_("办理时限须在 1 至 120 个工作日之间。"),
            ),
        ]

    def __str__(self):
        scope = self.region.name if self.region_id else _("全平台")
        category = self.get_category_display() if self.category else _("所有类别")
        return f"{scope} · {self.get_urgency_display()} · {category}: {self.workdays}"
