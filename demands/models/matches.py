"""Matches (a need paired with a resource or a policy) and the cooperations (促成合作) they lead to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty.validators import validate_date, validate_long_text

from .policies import Policy
from .resources import Resource

__all__ = ["Cooperation", "Match"]


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
    description = models.TextField(_("合作内容"), validators=[validate_long_text])
    value_wan = models.DecimalField(
        _("合作金额（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    date = models.DateField(_("合作日期"), validators=[validate_date])
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
