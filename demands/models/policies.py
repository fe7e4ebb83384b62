"""Policies (政策清单) with their push to enterprises and read tracking."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty.validators import validate_date, validate_document_text, validate_long_text

__all__ = ["Policy", "PolicyCategory", "PolicyDelivery"]


def policy_attachment_path(instance, filename):
    # The uploaded name never reaches the file system: a random name under the month's folder.
    return timezone.localdate().strftime(f"policies/%Y/%m/{uuid.uuid4().hex}.pdf")


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
    summary = models.TextField(_("政策摘要"), validators=[validate_long_text])
    body = models.TextField(_("政策正文"), blank=True, validators=[validate_document_text])
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
    valid_from = models.DateField(_("有效期起"), null=True, blank=True, validators=[validate_date])
    valid_to = models.DateField(_("有效期止"), null=True, blank=True, validators=[validate_date])
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
        # The validity dates are validated by demands.services.policies (issue 7 §4: once, in the service).
        errors = {}
        if not isinstance(self.industries, list) or not all(isinstance(i, str) for i in self.industries):
            errors["industries"] = _("适用行业应为行业名称列表。")
        sizes = dict(_enterprise_sizes())
        if not isinstance(self.sizes, list) or not all(isinstance(size, str) for size in self.sizes):
            errors["sizes"] = _("适用企业规模应为规模代码列表。")
        elif invalid := set(self.sizes) - set(sizes):
            choices = "、".join(f"{value}（{label}）" for value, label in sizes.items())
            errors["sizes"] = _("企业规模无效：%(invalid)s（可选 %(choices)s）") % {
                "invalid": "、".join(sorted(invalid)),
                "choices": choices,
            }
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
