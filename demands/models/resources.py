"""Resources (资源清单): what a member enterprise or a factor department can offer others."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty.validators import validate_date, validate_long_text

__all__ = ["Resource"]


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
    description = models.TextField(_("资源说明"), blank=True, validators=[validate_long_text])
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
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, validators=[validate_date])
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
