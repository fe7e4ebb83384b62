"""Visits (走访): who went where, when, what was done and found, photos, the needs raised, and the
enterprise's confirmation that the visit happened (so the counts that reach the county are not
self-reported alone)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ._common import now, user_fk
from .people import Guide, Team

__all__ = ["LastVisit", "Visit", "VisitNeed", "VisitPerson", "VisitPhoto"]


class Visit(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("走访")
        SANBAO = "sanbao", _("三包三联")
        POLICY = "policy", _("政策上门")
        GUIDANCE = "guidance", _("党建指导")
        STATIONED = "stationed", _("驻企")

    class Checklist(models.TextChoices):
        """What was done: `Visit.checklist` holds the values of those ticked."""

        FOUND_ORGANIZATION = "found_organization", _("组建党组织")
        DEVELOP_MEMBERS = "develop_members", _("发展党员")
        ORGANIZATIONAL_LIFE = "organizational_life", _("规范组织生活")
        POLICY_BRIEFING = "policy_briefing", _("政策宣讲")
        COLLECT_NEEDS = "collect_needs", _("收集诉求")
        OTHER = "other", _("其他")

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("待企业确认")
        CONFIRMED = "confirmed", _("企业已确认")
        DISPUTED = "disputed", _("企业有异议")

    enterprise = models.ForeignKey(
        "alliances.Enterprise",
        on_delete=models.PROTECT,
        related_name="guide_visits",
        verbose_name=_("企业"),
        db_index=False,
    )
    # Copied from the enterprise when logged, so region scoping and the county's counts need no join.
    region = models.ForeignKey(
        "alliances.Region",
        on_delete=models.PROTECT,
        related_name="guide_visits",
        verbose_name=_("所属区域"),
        editable=False,
        db_index=False,
    )
    visited_on = models.DateField(_("走访日期"))
    kind = models.CharField(_("走访类型"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    # The guide who logged it (主走访人); the others who went are VisitPerson rows.
    guide = models.ForeignKey(
        Guide,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="logged_visits",
        verbose_name=_("主走访指导员"),
        db_index=False,
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="visits", verbose_name=_("指导组")
    )
    checklist = models.JSONField(_("工作内容"), default=list, blank=True)
    findings = models.TextField(_("发现的问题与工作情况"), blank=True)
    opinions = models.TextField(_("收集的意见建议"), blank=True)
    opinions_count = models.PositiveIntegerField(_("意见建议条数"), default=0)
    confirmation = models.CharField(
        _("企业确认"), max_length=10, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    confirmed_by = user_fk(_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    dispute_reason = models.TextField(_("异议理由"), blank=True)
    # Who entered it: the guide, or organisation staff on the guide's behalf (reported by phone).
    logged_by = user_fk(_("登记人"))
    logged_at = models.DateTimeField(_("登记时间"), default=now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # A form token or the API's Idempotency-Key: a second submit of the same visit finds the first.
    client_key = models.CharField(_("提交标识"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(confirmation="disputed") | ~Q(dispute_reason=""),
                name="visit_dispute_has_reason",
                violation_error_message=_("对走访记录有异议时须说明理由。"),
            ),
            models.CheckConstraint(
                condition=Q(confirmation="pending") | Q(confirmed_at__isnull=False),
                name="visit_answered_has_time",
                violation_error_message=_("企业确认或提出异议时须记录时间。"),
            ),
            models.UniqueConstraint(
                fields=["logged_by", "client_key"],
                condition=~Q(client_key=""),
                name="visit_client_key_once",
                violation_error_message=_("该走访已经提交过。"),
            ),
        ]
        indexes = [
            # An enterprise's visits, newest first; its last visit (the not-visited lists).
            models.Index(fields=["enterprise", "-visited_on"], name="visit_enterprise_recent"),
            # A region's visits of a month or quarter (coverage, 走访台账).
            models.Index(fields=["region", "visited_on"], name="visit_region_date"),
            # A guide's visits, newest first.
            models.Index(fields=["guide", "-visited_on"], name="visit_guide_recent"),
            # Visits waiting for the enterprise's confirmation.
            models.Index(
                fields=["enterprise", "visited_on"], condition=Q(confirmation="pending"), name="visit_pending"
            ),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.enterprise}"

    def get_absolute_url(self):
        return reverse("guides:visit_detail", args=[self.pk])

    @property
    def kind_label(self):
        return self.Kind(self.kind).label

    @property
    def confirmation_label(self):
        return self.Confirmation(self.confirmation).label

    @property
    def checklist_labels(self):
        return [self.Checklist(value).label for value in self.checklist or () if value in self.Checklist.values]

    def clean(self):
        items = self.checklist or []
        if not isinstance(items, list) or any(item not in self.Checklist.values for item in items):
            raise ValidationError({"checklist": _("请从列表中选择工作内容。")})
        if len(set(items)) != len(items):
            self.checklist = list(dict.fromkeys(items))
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})


class VisitPerson(models.Model):
    """Someone who went on the visit: a guide, or department staff named as they are."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="people", verbose_name=_("走访记录"))
    guide = models.ForeignKey(
        Guide,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_people",
        verbose_name=_("指导员"),
        db_index=False,
    )
    user = user_fk(_("账号"))
    person_name = models.CharField(_("姓名"), max_length=50)
    department = models.ForeignKey(
        "alliances.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_people",
        verbose_name=_("所在部门"),
    )

    class Meta:
        verbose_name = _("走访人员")
        verbose_name_plural = _("走访人员")
        ordering = ["visit", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "guide"],
                condition=Q(guide__isnull=False),
                name="visit_person_guide_once",
                violation_error_message=_("同一指导员不能重复列为走访人员。"),
            ),
            models.CheckConstraint(
                condition=~Q(person_name=""),
                name="visit_person_named",
                violation_error_message=_("请填写走访人员姓名。"),
            ),
        ]
        # A guide's visits, including those another guide logged.
        indexes = [models.Index(fields=["guide", "visit"], name="visit_person_guide")]

    def __str__(self):
        return self.person_name


def visit_photo_path(instance, filename):
    """Stored under a random name: the user's file name never reaches the file system."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"visits/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class VisitPhoto(models.Model):
    """A photo of a visit; checked by `chainparty.uploads.check_upload` (JPG or PNG) and served only
    through an access-checked view."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("走访记录"))
    file = models.FileField(_("文件"), upload_to=visit_photo_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = user_fk(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=now)
    # A small JPEG made with Pillow when the photo is saved (or on first request for older photos).
    thumbnail = models.FileField(_("缩略图"), upload_to=visit_photo_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit", "uploaded_at", "id"]

    def __str__(self):
        return self.name


class VisitNeed(models.Model):
    """A need raised during a visit (filed with source 走访). The link lives here, above `demands`;
    the need's page reads it back through `chainparty.links` ("demands.need")."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="need_links", verbose_name=_("走访记录"))
    need = models.OneToOneField(
        "demands.Need", on_delete=models.PROTECT, related_name="visit_link", verbose_name=_("需求")
    )
    linked_by = user_fk(_("关联人"))
    linked_at = models.DateTimeField(_("关联时间"), default=now)

    class Meta:
        verbose_name = _("走访收集的需求")
        verbose_name_plural = _("走访收集的需求")
        ordering = ["visit", "id"]

    def __str__(self):
        return f"{self.visit_id} · {self.need_id}"


class LastVisit(models.Model):
    """An enterprise's last counted visit (not disputed): one row per enterprise ever visited, kept
    by the visit services (`guides.services.last_visits.last_visit_refresh`, called when a visit is
    logged, corrected, confirmed or disputed) and backfilled by migration 0004. The not-visited
    lists, coverage and the reminders read it instead of searching half a million visits for each
    enterprise's newest."""

    enterprise = models.OneToOneField(
        "alliances.Enterprise",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="guide_last_visit",
        verbose_name=_("企业"),
    )
    visited_on = models.DateField(_("最近走访日期"))

    class Meta:
        verbose_name = _("最近走访")
        verbose_name_plural = _("最近走访")

    def __str__(self):
        return f"{self.enterprise_id} {self.visited_on}"
