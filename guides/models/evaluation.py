"""述职评价: once a period (half a year by default) each guide writes a report; the Party secretaries
of the enterprises the guide serves rate it on the spot (1–5 and a comment), and organisation
staff add theirs. Results per guide, team and sending department are sums over `Rating`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ._common import now, user_fk
from .people import Guide

__all__ = ["EvaluationPeriod", "GuideReport", "Rating"]


class EvaluationPeriod(models.Model):
    class Kind(models.TextChoices):
        HALF_YEAR = "half_year", _("半年")
        YEAR = "year", _("年度")
        QUARTER = "quarter", _("季度")

    class State(models.TextChoices):
        OPEN = "open", _("评价中")
        CLOSED = "closed", _("已结束")

    region = models.ForeignKey(
        "alliances.Region", on_delete=models.PROTECT, related_name="evaluation_periods", verbose_name=_("所属区域")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("周期"), max_length=10, choices=Kind.choices, default=Kind.HALF_YEAR)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    created_by = user_fk(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=now)

    class Meta:
        verbose_name = _("述职评价周期")
        verbose_name_plural = _("述职评价周期")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "starts_on", "ends_on"],
                name="evaluation_period_once",
                violation_error_message=_("本区域该时段的述职评价已设立。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="evaluation_period_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return self.name


class GuideReport(models.Model):
    """A guide's 述职报告 for a period."""

    period = models.ForeignKey(
        EvaluationPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("评价周期")
    )
    guide = models.ForeignKey(
        Guide, on_delete=models.PROTECT, related_name="reports", verbose_name=_("指导员"), db_index=False
    )
    text = models.TextField(_("述职报告"))
    submitted_at = models.DateTimeField(_("提交时间"), default=now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("述职报告")
        verbose_name_plural = _("述职报告")
        ordering = ["period", "guide"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "guide"],
                name="guide_report_once_per_period",
                violation_error_message=_("该指导员本期已提交述职报告。"),
            )
        ]
        indexes = [models.Index(fields=["guide", "period"], name="guide_report_guide")]

    def __str__(self):
        return f"{self.period} · {self.guide}"


class Rating(models.Model):
    """A score (1–5) and a comment on a guide's report, by the secretary of an enterprise the guide
    serves (`enterprise` says which) or by organisation staff."""

    class RaterRole(models.TextChoices):
        SECRETARY = "secretary", _("企业党组织书记")
        STAFF = "staff", _("组织部工作人员")

    report = models.ForeignKey(
        GuideReport, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("述职报告")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("评价人")
    )
    rater_role = models.CharField(_("评价人身份"), max_length=10, choices=RaterRole.choices)
    enterprise = models.ForeignKey(
        "alliances.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guide_ratings",
        verbose_name=_("所在企业"),
    )
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), default=now)

    class Meta:
        verbose_name = _("述职评价")
        verbose_name_plural = _("述职评价")
        ordering = ["report", "rated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "rater"],
                name="rating_once_per_rater",
                violation_error_message=_("您已评价过这份述职报告。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="rating_score_range",
                violation_error_message=_("评分须在 1 至 5 分之间。"),
            ),
            models.CheckConstraint(
                condition=Q(rater_role="staff") | Q(enterprise__isnull=False),
                name="rating_secretary_names_enterprise",
                violation_error_message=_("企业党组织书记的评价须注明所在企业。"),
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.score}"
