"""Resources (资源清单), policies (政策清单) with their push and read tracking, matches and
cooperations (促成合作)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Cooperation",
    "Match",
    "Policy",
    "PolicyCategory",
    "PolicyDelivery",
    "Resource",
]


def policy_attachment_path(instance, filename):
    # The uploaded name never reaches the file system: a random name under the month's folder.
    return timezone.localdate().strftime(f"policies/%Y/%m/{uuid.uuid4().hex}.pdf")


class Resource(models.Model):
    """Something a member enterprise or a factor department can offer others (资源清单)."""

    class Category(models.TextChoices):
        CAPACITY = "capacity", _("产能")
        EQUIPMENT = "equipment", _("设备")
        TECHNOLOGY = "technology", _("技术")
        TRAINING = "training", _("人才培训")
        SPACE = "space", _("场地")
        LOGISTICS = "logistics", _("物流")
        ORDER = "order", _("订单")
        FUNDING = "funding", _("资金")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        PAUSED = "paused", _("已暂停")
        EXPIRED = "expired", _("已过期")

    enterprise = models.ForeignKey(
        "alliances.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("提供企业"),
    )
    department = models.ForeignKey(
        "alliances.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("提供部门"),
    )
    category = models.CharField(_("资源类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("资源名称"), max_length=100)
    description = models.TextField(_("资源说明"), blank=True)
    quantity = models.CharField(_("数量/规模"), max_length=50, blank=True, help_text=_("例如：300台/月、50人/期"))
    zone = models.ForeignKey(
        "alliances.WorkZone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("所在片区"),
    )
    # Copied from the owner so lists and matching filter by region without a join.
    region = models.ForeignKey(
        "alliances.Region", on_delete=models.PROTECT, related_name="resources", verbose_name=_("所属区域")
    )
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    tokens = models.TextField(_("分词"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False, department__isnull=True)
                | Q(enterprise__isnull=True, department__isnull=False),
                name="resource_enterprise_xor_department",
                violation_error_message=_("资源必须由一家企业或一个部门提供，二者选一。"),
            ),
        ]
        indexes = [
            # Matching and the filtered lists: status + category + region, newest first.
            models.Index(fields=["status", "category", "region", "-updated_at"], name="resource_match"),
            models.Index(fields=["region", "-updated_at"], name="resource_region_recent"),
            models.Index(fields=["status", "valid_until"], name="resource_expiry"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("demands:resource_detail", args=[self.pk])

    @property
    def owner(self):
        return self.enterprise or self.department

    @property
    def is_expired(self):
        return self.status == self.Status.EXPIRED or (
            self.valid_until is not None and self.valid_until < timezone.localdate()
        )

    @property
    def effective_status(self):
        """What users see: an active resource past its date shows as expired before the nightly sweep."""
        return self.Status.EXPIRED if self.is_expired else self.Status(self.status)

    def clean(self):
        if self.zone_id and self.region_id and self.zone.region_id != self.region_id:
            raise ValidationError({"zone": _("所在片区不属于资源提供方所在区域。")})


class Policy(models.Model):
    """A policy a department publishes (政策清单) and pushes to the enterprises it applies to."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Category(models.TextChoices):
        TALENT = "talent", _("人才引育")
        FINANCE = "finance", _("金融信贷")
        LAND = "land", _("用地保障")
        TECHNOLOGY = "technology", _("科技创新")
        MARKET = "market", _("市场开拓")
        LOGISTICS = "logistics", _("物流运输")
        TAX = "tax", _("税费优惠")
        APPROVAL = "approval", _("审批服务")
        ENVIRONMENT = "environment", _("安全环保")
        INDUSTRY = "industry", _("产业扶持")
        OTHER = "other", _("其他")

    department = models.ForeignKey(
        "alliances.Department", on_delete=models.PROTECT, related_name="policies", verbose_name=_("发布部门")
    )
    # The publishing department's region: the policy reaches enterprises in it and below it.
    region = models.ForeignKey(
        "alliances.Region", on_delete=models.PROTECT, related_name="policies", verbose_name=_("适用区域")
    )
    title = models.CharField(_("政策名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100)
    summary = models.TextField(_("政策摘要"))
    body = models.TextField(_("政策正文"), blank=True)
    # Checked (a PDF by content, at most 20 MB) by the services when uploaded, not on every full_clean.
    attachment = models.FileField(_("PDF 附件"), upload_to=policy_attachment_path, blank=True, max_length=200)
    attachment_name = models.CharField(_("附件名称"), max_length=100, blank=True, editable=False)
    industries = models.JSONField(_("适用行业"), default=list, blank=True)
    sizes = models.JSONField(_("适用企业规模"), default=list, blank=True)
    target_regions = models.ManyToManyField(
        "alliances.Region", blank=True, related_name="+", verbose_name=_("限定区域")
    )
    target_zones = models.ManyToManyField(
        "alliances.WorkZone", blank=True, related_name="policies", verbose_name=_("限定片区")
    )
    target_alliances = models.ManyToManyField(
        "alliances.Alliance", blank=True, related_name="policies", verbose_name=_("限定联盟")
    )
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)
    contact = models.CharField(_("咨询联系人及电话"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )
    # Kept by the services so lists show 知晓率 without counting deliveries per row.
    delivered_count = models.PositiveIntegerField(_("推送企业数"), default=0, editable=False)
    read_count = models.PositiveIntegerField(_("已读企业数"), default=0, editable=False)
    tokens = models.TextField(_("分词"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策清单")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="policy_valid_to_after_from",
                violation_error_message=_("有效期止不能早于有效期起。"),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "region", "-published_at"], name="policy_state_region"),
            models.Index(fields=["department", "-updated_at"], name="policy_department"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("demands:policy_detail", args=[self.pk])

    @property
    def categories(self):
        """Category codes, from the (usually prefetched) category rows."""
        return [row.category for row in self.category_rows.all()]

    @property
    def awareness_rate(self):
        """知晓率 in percent: enterprises that opened it over enterprises it was pushed to."""
        return round(100 * self.read_count / self.delivered_count, 1) if self.delivered_count else None

    @property
    def is_current(self):
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("有效期止不能早于有效期起。")
        if not isinstance(self.industries, list) or not all(isinstance(i, str) for i in self.industries):
            errors["industries"] = _("适用行业应为行业名称列表。")
        sizes = {value for value, _label in _enterprise_sizes()}
        if not isinstance(self.sizes, list) or not set(self.sizes) <= sizes:
            errors["sizes"] = _("适用企业规模无效。")
        if errors:
            raise ValidationError(errors)


def _enterprise_sizes():
    from alliances.models import Enterprise

    return Enterprise.Size.choices


class PolicyCategory(models.Model):
    """One category of a policy; a row per category keeps the filter indexable on every database."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="category_rows")
    category = models.CharField(_("政策类别"), max_length=20, choices=Policy.Category.choices)

    class Meta:
        verbose_name = _("政策类别")
        verbose_name_plural = _("政策类别")
        constraints = [models.UniqueConstraint(fields=["policy", "category"], name="policy_category_once")]
        indexes = [models.Index(fields=["category", "policy"], name="policy_category_lookup")]

    def __str__(self):
        return self.get_category_display()


class PolicyDelivery(models.Model):
    """A policy pushed to one enterprise, and when its secretary first opened it."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("政策"))
    enterprise = models.ForeignKey(
        "alliances.Enterprise", on_delete=models.CASCADE, related_name="policy_deliveries", verbose_name=_("企业")
    )
    delivered_at = models.DateTimeField(_("推送时间"), default=timezone.now)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("首次阅读时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("阅读人"),
    )

    class Meta:
        verbose_name = _("政策推送")
        verbose_name_plural = _("政策推送")
        ordering = ["-delivered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["policy", "enterprise"], name="policy_delivery_once")]
        indexes = [
            models.Index(fields=["enterprise", "read_at", "-delivered_at"], name="policy_inbox"),
            models.Index(fields=["policy", "read_at"], name="policy_delivery_read"),
        ]

    def __str__(self):
        return f"{self.policy} → {self.enterprise}"

    @property
    def is_read(self):
        return self.read_at is not None


class Match(models.Model):
    """A need paired with a resource or a policy; both sides confirm before it becomes a cooperation."""

    class Kind(models.TextChoices):
        RESOURCE = "resource", _("资源")
        POLICY = "policy", _("政策")

    need = models.ForeignKey("demands.Need", on_delete=models.CASCADE, related_name="matches", verbose_name=_("需求"))
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="matches", verbose_name=_("资源")
    )
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="matches", verbose_name=_("政策")
    )
    score = models.FloatField(_("匹配度"), default=0)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐人")
    )
    proposed_at = models.DateTimeField(_("推荐时间"), default=timezone.now)
    need_confirmed_at = models.DateTimeField(_("需求方确认时间"), null=True, blank=True)
    need_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("需求方确认人"),
    )
    provider_confirmed_at = models.DateTimeField(_("提供方确认时间"), null=True, blank=True)
    provider_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提供方确认人"),
    )

    class Meta:
        verbose_name = _("供需对接")
        verbose_name_plural = _("供需对接")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resource__isnull=False, policy__isnull=True)
                | Q(resource__isnull=True, policy__isnull=False),
                name="match_resource_xor_policy",
                violation_error_message=_("对接必须指向一项资源或一项政策，二者选一。"),
            ),
            models.UniqueConstraint(
                fields=["need", "resource"], condition=Q(resource__isnull=False), name="match_need_resource_once"
            ),
            models.UniqueConstraint(
                fields=["need", "policy"], condition=Q(policy__isnull=False), name="match_need_policy_once"
            ),
        ]

    def __str__(self):
        return f"{self.need} ↔ {self.offer}"

    @property
    def kind(self):
        return self.Kind.RESOURCE if self.resource_id else self.Kind.POLICY

    @property
    def kind_label(self):
        return self.Kind(self.kind).label

    @property
    def offer(self):
        return self.resource or self.policy

    @property
    def is_confirmed(self):
        return self.need_confirmed_at is not None and self.provider_confirmed_at is not None


class Cooperation(models.Model):
    """促成合作: what one member did for another, with its value, from a match or recorded directly."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.PROTECT, related_name="cooperations", verbose_name=_("所属联盟")
    )
    need = models.ForeignKey(
        "demands.Need",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cooperations",
        verbose_name=_("对应需求"),
    )
    match = models.OneToOneField(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="cooperation", verbose_name=_("来源对接")
    )
    provider_enterprise = models.ForeignKey(
        "alliances.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cooperations_provided",
        verbose_name=_("提供方企业"),
    )
    provider_department = models.ForeignKey(
        "alliances.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cooperations_provided",
        verbose_name=_("提供方部门"),
    )
    receiver_enterprise = models.ForeignKey(
        "alliances.Enterprise",
        on_delete=models.PROTECT,
        related_name="cooperations_received",
        verbose_name=_("受益企业"),
    )
    description = models.TextField(_("合作内容"))
    value_wan = models.DecimalField(
        _("合作金额（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    date = models.DateField(_("合作日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("促成合作")
        verbose_name_plural = _("促成合作")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_enterprise__isnull=False, provider_department__isnull=True)
                | Q(provider_enterprise__isnull=True, provider_department__isnull=False),
                name="cooperation_one_provider",
                violation_error_message=_("合作提供方必须是一家企业或一个部门，二者选一。"),
            ),
            models.CheckConstraint(
                condition=Q(value_wan__isnull=True) | Q(value_wan__gte=0),
                name="cooperation_value_not_negative",
                violation_error_message=_("合作金额不能为负数。"),
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "-date"], name="cooperation_alliance_date"),
            models.Index(fields=["-date", "-id"], name="cooperation_recent"),
        ]

    def __str__(self):
        return f"{self.provider} → {self.receiver_enterprise}"

    def get_absolute_url(self):
        return reverse("demands:cooperation_detail", args=[self.pk])

    @property
    def provider(self):
        return self.provider_enterprise or self.provider_department

    def clean(self):
        if self.provider_enterprise_id and self.provider_enterprise_id == self.receiver_enterprise_id:
            raise ValidationError({"receiver_enterprise": _("提供方和受益企业不能是同一家企业。")})
