"""The import job: an uploaded workbook of an import kind, its check report and its apply."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def import_file_path(instance, filename):
    """Uploaded workbooks are stored under a random name in the private storage (no /media/ route);
    the user's file name is kept in `ImportJob.filename`."""
    return f"imports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """One uploaded workbook of an import kind (chainparty.imports): checked in the background, its
    report kept, then applied on confirmation, all rows in one transaction or none.

    `kind` names a kind of `chainparty.imports.registry.import_kinds`; `region_ref` is the id of
    the region (alliances.Region, which chainparty does not import) the file is imported into, with
    its path and name as they were, so the job list is read without the app."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("已检查")
        APPLYING = "applying", _("导入中")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导入类别"), max_length=50)
    kind_label = models.CharField(_("导入类别名称"), max_length=50, blank=True)
    region_ref = models.PositiveBigIntegerField(_("区域编号"), null=True, blank=True)
    region_name = models.CharField(_("区域"), max_length=50, blank=True)
    region_path = models.CharField(_("区域路径"), max_length=255, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("上传人"),
    )
    filename = models.CharField(_("文件名"), max_length=150)
    file = models.FileField(_("文件"), upload_to=import_file_path, max_length=200)
    marked_file = models.FileField(_("标注后的文件"), upload_to=import_file_path, max_length=200, blank=True)
    accept_fixes = models.BooleanField(_("采用建议的修正"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    counts = models.JSONField(_("行数"), default=dict, blank=True)
    report = models.JSONField(_("检查结果"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_job_user_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="import_job_progress_percent"),
        ]

    def __str__(self):
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.UPLOADED, self.State.CHECKING, self.State.APPLYING)

    @property
    def may_confirm(self) -> bool:
        return self.state == self.State.CHECKED and not self.report.get("refused", True) and bool(self.file)

    @property
    def file_removed(self) -> bool:
        """The workbook was deleted after IMPORT_FILE_RETENTION_DAYS (the report stays)."""
        return not self.file
