import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# [0-9], not \d: \d also matches full-width and Arabic-Indic digits.
mobile_validator = RegexValidator(r"^1[3-9][0-9]{9}$", _("请输入11位中国大陆手机号码。"))


class User(AbstractUser):
    """A person using the portal. Access comes from seats and object permissions, not from here."""

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[mobile_validator])
    # The person's account in the county's 企业微信, where notifications and login codes go
    # (chainparty.channels.wecom) when WeCom is configured.
    wecom_userid = models.CharField(
        _("企业微信账号"),
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.@-]+$", _("企业微信账号只能包含字母、数字和 _ . @ -。"))],
        help_text=_("企业微信通讯录中的账号（UserID），用于接收通知和登录验证码；不使用企业微信可不填。"),
    )
    affiliation = models.CharField(_("工作单位"), max_length=200, blank=True)
    # Where the person works: an enterprise, a department, or a region (its organisation
    # department). Generic because those models live in `alliances`, above this app;
    # `affiliation` keeps the unit's name for what prints it (exports).
    affiliation_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所属单位类型")
    )
    affiliation_id = models.PositiveBigIntegerField(_("所属单位编号"), null=True, blank=True)
    affiliation_unit = GenericForeignKey("affiliation_type", "affiliation_id")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        indexes = [models.Index(fields=["affiliation_type", "affiliation_id"], name="user_affiliation")]

    def __str__(self):
        return self.real_name or self.username

    @property
    def display_name(self):
        return self.real_name or self.username

    @property
    def region(self):
        """The region of the unit the person works in (a region's organisation department is that
        region), or None: records about the person's account land there (`audit.record`)."""
        unit = self.affiliation_unit
        if unit is None:
            return None
        return unit if hasattr(unit, "path") else getattr(unit, "region", None)

    def save(self, *args, **kwargs):
        # chainparty.receivers records account changes from this save's signals: one transaction
        # holds the row and its audit records, even for a caller that opened none (a shell). The
        # login's last_login stamp is never audited and keeps its single statement.
        if kwargs.get("update_fields") is not None and set(kwargs["update_fields"]) <= {"last_login"}:
            return super().save(*args, **kwargs)
        with transaction.atomic(savepoint=False):
            return super().save(*args, **kwargs)


class TaskHeartbeat(models.Model):
    """Last run of a periodic task, so staff can see that the worker and beat are alive."""

    name = models.CharField(_("任务"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("最近运行"))
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    hostname = models.CharField(_("主机"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")

    def __str__(self):
        return self.name


class Notification(models.Model):
    """An in-app notification. `dedupe_key` makes sending the same thing twice impossible."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notif_recipient_unread"),
        ]

    def __str__(self):
        return self.title


class NotificationDelivery(models.Model):
    """One notification through one outside channel (e-mail, SMS…); claimed atomically when sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("无需发送")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("通知")
    )
    channel = models.CharField(_("渠道"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "claimed_at"], name="delivery_status")]

    def __str__(self):
        return f"{self.notification_id}:{self.channel}"


class AuditLogImmutableError(Exception):
    """Raised on any attempt to change or remove an audit record."""


class AuditLogQuerySet(models.QuerySet):
    """Refuses bulk changes. A person who acted cannot be deleted (the actor is PROTECTed: people
    are deactivated, never deleted); deleting a content type still nulls the target's type."""

    def update(self, **kwargs):
        raise AuditLogImmutableError("audit records cannot be changed")

    def delete(self):
        raise AuditLogImmutableError("audit records cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogImmutableError("audit records cannot be changed")


class AuditLog(models.Model):
    """One append-only record of who did what to which object, when and from where.

    Written only through `chainparty.audit.record`. `region_path` is the materialised path of the
    region the event belongs to, so a region's staff read their part with one prefix match.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        SEAT_CREATE = "seat_create", _("任职")
        SEAT_UPDATE = "seat_update", _("修改任职")
        SEAT_END = "seat_end", _("卸任")
        MEMBERSHIP_CREATE = "membership_create", _("加入联盟")
        MEMBERSHIP_END = "membership_end", _("退出联盟")
        GRANT = "grant", _("授予权限")
        REVOKE = "revoke", _("收回权限")
        ROTATION_SET = "rotation_set", _("设置轮值")
        ACCOUNT_CREATE = "account_create", _("创建账号")
        ACCOUNT_UPDATE = "account_update", _("修改账号")
        ACCOUNT_DEACTIVATE = "account_deactivate", _("停用账号")
        ACCOUNT_ACTIVATE = "account_activate", _("启用账号")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        PASSWORD_RESET = "password_reset", _("重置密码")
        TOKEN_ISSUE = "token_issue", _("签发API令牌")
        TOKEN_REVOKE = "token_revoke", _("吊销API令牌")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        IMPORT = "import", _("导入")
        MEETING_SCHEDULE = "meeting_schedule", _("安排会议")
        MEETING_MOVE = "meeting_move", _("调整会议时间")
        MEETING_CANCEL = "meeting_cancel", _("取消会议")
        MINUTES_FILE = "minutes_file", _("归档会议纪要")
        MEETING_UPDATE = "meeting_update", _("修改会议")
        CALENDAR_UPDATE = "calendar_update", _("修改节假日安排")
        # login security (chainparty.security)
        LOCKOUT = "lockout", _("登录锁定")
        UNLOCK = "unlock", _("解除锁定")
        OTP_ENROL = "otp_enrol", _("启用双因素认证")
        OTP_REMOVE = "otp_remove", _("停用双因素认证")
        # guides (issue 9)
        GUIDE_CREATE = "guide_create", _("登记党建指导员")
        GUIDE_UPDATE = "guide_update", _("修改党建指导员")
        TEAM_CHANGE = "team_change", _("调整指导组")
        ASSIGNMENT_CREATE = "assignment_create", _("安排联系企业")
        ASSIGNMENT_END = "assignment_end", _("结束联系安排")
        VISIT_LOG = "visit_log", _("登记走访")
        VISIT_UPDATE = "visit_update", _("更正走访记录")
        VISIT_CONFIRM = "visit_confirm", _("确认走访")
        VISIT_DISPUTE = "visit_dispute", _("对走访提出异议")
        BUILDING_STAGE = "building_stage", _("更新党组织组建进展")
        EVALUATION = "evaluation", _("述职评价")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # PROTECT: an audit record keeps who acted. People are deactivated, never deleted; deleting one
    # who has acted raises ProtectedError. Null only for the platform's own actions (tasks, loading).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("对象类型")
    )
    target_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_path = models.CharField(_("区域路径"), max_length=255, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditLogImmutableError("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutableError("audit records cannot be deleted")


class DueItem(models.Model):
    """Something to tell one person at a set time (a reminder…), delivered by `chainparty.sweeps`.

    `delivery_key` names what the item was computed from (the kind, the source and its version,
    e.g. a meeting's start time, and the recipient), so scheduling again is an upsert and a moved
    event's old reminder is cancelled, never sent. Every row ends delivered, failed or cancelled,
    with a reason when it was not delivered.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        CLAIMED = "claimed", _("发送中")
        DELIVERED = "delivered", _("已发送")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类别"), max_length=40)
    source_key = models.CharField(_("来源"), max_length=100)
    version = models.CharField(_("来源版本"), max_length=64)
    delivery_key = models.CharField(_("投递键"), max_length=255, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("接收人")
    )
    due_at = models.DateTimeField(_("发送时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待发提醒")
        verbose_name_plural = _("待发提醒")
        indexes = [
            # The sweep's claim (pending, due, oldest first) and its reclaim of abandoned claims.
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="dueitem_pending_due"),
            models.Index(fields=["claimed_at"], condition=models.Q(status="claimed"), name="dueitem_claimed_age"),
            # schedule() and cancel(): the rows of one source.
            models.Index(fields=["source_key", "kind"], name="dueitem_source"),
        ]

    def __str__(self):
        return self.delivery_key


class CalendarDay(models.Model):
    """One day of the State Council's yearly holiday notice (国务院办公厅关于部分节假日安排的通知),
    entered by platform staff: a holiday (放假) or a make-up working day (调休上班). It takes
    precedence over the `chinese_calendar` package in `chainparty.workdays`, and a year with any
    such day is a published year there. Written only through `chainparty.holidays`."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50, blank=True, help_text=_("例如：春节、国庆节。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}".strip()

    def clean(self):
        # The notices only ever move work onto a weekend; a make-up "working day" on a weekday is a typo.
        if self.kind == self.Kind.MAKEUP_WORKDAY and self.date is not None and self.date.weekday() < 5:
            raise ValidationError({"kind": _("调休上班日应为周六或周日。")})


def export_file_path(instance, filename):
    """Stored under a random name; the download's name comes from `ExportJob.filename`."""
    return f"exports/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ExportJob(models.Model):
    """A workbook written in the background (a big export, or the monthly one beat makes): its
    progress while it runs, then a file that the `viewers` may download until `expires_at`.

    `workbook` names a workbook of `chainparty.exporters.workbooks` and `params` holds what its
    builder needs (a month, an alliance or a region): the app that offers the export builds the
    sheets from them and checks access again on download. `dedupe_key` makes a scheduled export
    run once however often beat fires.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    workbook = models.CharField(_("工作簿"), max_length=50)
    params = models.JSONField(_("参数"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    filename = models.CharField(_("文件名"), max_length=150)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    viewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="export_jobs", verbose_name=_("可下载人"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.FileField(_("文件"), upload_to=export_file_path, max_length=200, blank=True)
    rows = models.JSONField(_("行数"), default=dict, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    #: Claims so far: each worker that takes the job counts one, so a job whose workers keep dying
    #: is failed after `chainparty.exporters.EXPORT_JOB_MAX_ATTEMPTS` instead of being retried forever.
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("下载截止"))

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_job_progress_percent"),
        ]

    def __str__(self):
        return self.filename

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.DONE and bool(self.file) and not self.is_expired


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal token for API clients. Only the SHA-256 of the token is stored: the token itself
    is shown once, when it is issued (`chainparty.accounts.tokens`), and cannot be read back.
    `prefix` is its first characters, shown so the owner can tell tokens apart."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("所有人")
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16)
    token_hash = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_recent")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
