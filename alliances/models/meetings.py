"""Meetings of an alliance (会议): the meeting itself, its agenda and minutes, its invitations with
answers and attendance, its decisions (议定事项) and attachments, and the schedules (recurring
meetings) occurrences are created from.

Every write goes through `alliances.meetings.services`; reads through `alliances.meetings.selectors`;
access through `alliances.meetings.permissions`. This module holds fields, constraints, indexes and
small derived properties only.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty.validators import validate_date

from .organisation import Alliance, Department, Enterprise, WorkZone

__all__ = [
    "AgendaItem",
    "Decision",
    "Invitation",
    "Meeting",
    "MeetingAttachment",
    "MeetingKind",
    "MeetingSchedule",
    "ScheduleHost",
]


class MeetingKind(models.TextChoices):
    """What kind of meeting (or activity counted in the year's results) it is."""

    COMMITTEE = "committee", _("党委会议")
    JOINT = "joint", _("联席会议")
    SALON = "salon", _("红色沙龙")
    TEA = "tea", _("企业家下午茶")
    CONSULTATION = "consultation", _("专题协商会")
    PARTY_DAY = "party_day", _("主题党日")
    MICRO_LECTURE = "micro_lecture", _("微党课")
    TRAINING = "training", _("培训")
    OTHER = "other", _("其他")


def _user_fk(verbose_name, related_name="+"):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class MeetingSchedule(models.Model):
    """A recurring meeting of an alliance ("the first working day of each month at 09:00").

    Only the rule is stored here; expanding it into `Meeting` rows (a bounded horizon ahead, on the
    shared working-day calendar) belongs to the schedule services. Each occurrence is a Meeting with
    `schedule` and `occurrence_date` set, unique per (schedule, occurrence_date), so re-expanding a
    schedule never duplicates an occurrence.
    """

    class Rule(models.TextChoices):
        NTH_WORKDAY_OF_MONTH = "nth_workday_of_month", _("每月第 N 个工作日")
        LAST_WORKDAY_OF_MONTH = "last_workday_of_month", _("每月最后一个工作日")
        LAST_WORKDAY_OF_QUARTER = "last_workday_of_quarter", _("每季度最后一个工作日")
        WEEKLY = "weekly", _("每周固定星期")
        MONTHLY_WEEKDAY = "monthly_weekday", _("每月第 N 个星期几")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("星期一")
        TUESDAY = 1, _("星期二")
        WEDNESDAY = 2, _("星期三")
        THURSDAY = 3, _("星期四")
        FRIDAY = 4, _("星期五")
        SATURDAY = 5, _("星期六")
        SUNDAY = 6, _("星期日")

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="meeting_schedules", verbose_name=_("联盟")
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    rule = models.CharField(_("规则"), max_length=30, choices=Rule.choices)
    #: N of "the Nth working day" or "the Nth weekday" of the month (1-based).
    ordinal = models.PositiveSmallIntegerField(_("第几个"), null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices, null=True, blank=True)
    start_time = models.TimeField(_("开始时间"))
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), default=120)
    place_zone = models.ForeignKey(
        WorkZone, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("地点（片区）")
    )
    place_address = models.CharField(_("地点"), max_length=200, blank=True)
    starts_on = models.DateField(_("起始日期"), validators=[validate_date])
    ends_on = models.DateField(_("截止日期"), null=True, blank=True, validators=[validate_date])
    active = models.BooleanField(_("启用"), default=True)
    recorder = _user_fk(_("记录人账号"))
    recorder_name = models.CharField(_("记录人"), max_length=50, blank=True)
    #: The series this one continues after a "this and following" edit (its end is the day before).
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="continued_by", verbose_name=_("原计划")
    )
    created_by = _user_fk(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会议计划")
        verbose_name_plural = _("会议计划")
        ordering = ["alliance", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="meeting_schedule_ends_after_start",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(ordinal__isnull=True) | Q(ordinal__gte=1, ordinal__lte=23),
                name="meeting_schedule_ordinal_range",
                violation_error_message=_("“第几个”须在 1 到 23 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1),
                name="meeting_schedule_has_duration",
                violation_error_message=_("会议时长必须大于零。"),
            ),
        ]
        indexes = [models.Index(fields=["active", "alliance"], name="meeting_schedule_active")]

    def __str__(self):
        return f"{self.alliance} {self.title}"


class ScheduleHost(models.Model):
    """One enterprise in a schedule's host rotation (轮值承办), in the order staff set: each new
    occurrence is hosted by the next one after the previous occurrence's host; an enterprise that
    has left the alliance is skipped."""

    schedule = models.ForeignKey(
        MeetingSchedule, on_delete=models.CASCADE, related_name="hosts", verbose_name=_("会议计划")
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办企业"))
    position = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("轮值承办企业")
        verbose_name_plural = _("轮值承办企业")
        ordering = ["schedule", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "enterprise"],
                name="schedule_host_once",
                violation_error_message=_("该企业已在轮值承办名单中。"),
            ),
            models.UniqueConstraint(
                fields=["schedule", "position"],
                name="schedule_host_position_unique",
                violation_error_message=_("轮值顺序不能重复。"),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.enterprise}"


class Meeting(models.Model):
    """One meeting (or activity) of an alliance.

    State: scheduled → held (attendance recorded) → minutes_filed; scheduled → cancelled (with a
    reason). A move keeps the state "scheduled" and is visible through `moved_from` (the start
    before the latest move) and `version` (1, plus one per move). Reminders are keyed on
    `starts_at`, so a moved meeting's old reminders no longer match.
    """

    Kind = MeetingKind

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        CANCELLED = "cancelled", _("已取消")
        HELD = "held", _("已召开")
        MINUTES_FILED = "minutes_filed", _("纪要已归档")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("联盟"))
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), validators=[validate_date])
    ends_at = models.DateTimeField(_("结束时间"), validators=[validate_date])
    place_zone = models.ForeignKey(
        WorkZone,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("地点（片区）"),
    )
    place_address = models.CharField(_("地点"), max_length=200, blank=True)
    chair = _user_fk(_("主持人账号"))
    chair_name = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder = _user_fk(_("记录人账号"))
    recorder_name = models.CharField(_("记录人"), max_length=50, blank=True)
    host_enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
        verbose_name=_("承办企业"),
    )
    invited_departments = models.ManyToManyField(
        Department, blank=True, related_name="meetings_invited_to", verbose_name=_("邀请部门")
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    cancel_reason = models.CharField(_("取消原因"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    moved_from = models.DateTimeField(_("原定开始时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    summary = models.TextField(_("纪要摘要"), blank=True)
    minutes_filed_at = models.DateTimeField(_("纪要归档时间"), null=True, blank=True)
    minutes_filed_by = _user_fk(_("纪要归档人"))
    schedule = models.ForeignKey(
        MeetingSchedule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="occurrences",
        verbose_name=_("会议计划"),
    )
    occurrence_date = models.DateField(_("计划日期"), null=True, blank=True)
    created_by = _user_fk(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="cancelled") | ~Q(cancel_reason=""),
                name="meeting_cancel_has_reason",
                violation_error_message=_("取消会议须填写原因。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="minutes_filed") | Q(minutes_filed_at__isnull=False),
                name="meeting_minutes_filed_has_time",
                violation_error_message=_("纪要已归档的会议须有归档时间。"),
            ),
            models.CheckConstraint(
                condition=Q(occurrence_date__isnull=True) | Q(schedule__isnull=False),
                name="meeting_occurrence_has_schedule",
                violation_error_message=_("计划日期只用于由会议计划生成的会议。"),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="meeting_version_positive",
            ),
            models.UniqueConstraint(
                fields=["schedule", "occurrence_date"],
                condition=Q(schedule__isnull=False),
                name="meeting_one_per_occurrence",
                violation_error_message=_("该会议计划在这一天已有会议。"),
            ),
        ]
        indexes = [
            # An alliance's calendar and list; the region's list by time.
            models.Index(fields=["alliance", "starts_at"], name="meeting_alliance_starts"),
            models.Index(fields=["starts_at", "id"], name="meeting_starts"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d} {self.title}" if self.starts_at else self.title

    def get_absolute_url(self):
        # The meeting page is built by another piece of work; until its URL exists, link the alliance.
        try:
            return reverse("alliances:meeting_detail", args=[self.pk])
        except NoReverseMatch:
            return reverse("alliances:alliance_detail", args=[self.alliance_id])

    @property
    def is_moved(self) -> bool:
        return self.moved_from is not None

    @property
    def moved_count(self) -> int:
        """How many times the meeting was moved (each move bumps `version`)."""
        return self.version - 1

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def local_date(self):
        """The meeting's day in the portal's time zone (decisions' due dates count from it)."""
        return timezone.localtime(self.starts_at).date()

    @property
    def place(self) -> str:
        """Where, as shown to people: the address, else the work zone's name."""
        if self.place_address:
            return self.place_address
        return self.place_zone.name if self.place_zone_id else ""


class AgendaItem(models.Model):
    """One topic (议题) of a meeting, with what was said about it (纪要). Links to the needs
    discussed ("难题会商") are kept by `demands`, which sits above this app."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("会议"))
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("议题"), max_length=200)
    minutes = models.TextField(_("纪要"), blank=True)

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                violation_error_message=_("同一会议的议题序号不能重复。"),
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Invitation(models.Model):
    """One invitee of a meeting: their answer before it and their attendance after it.

    `user` is empty for people without an account (only `person_name`); an account is invited
    once per meeting.
    """

    class Source(models.TextChoices):
        SEAT = "seat", _("党委班子成员")
        ENTERPRISE_SECRETARY = "enterprise_secretary", _("成员企业党组织书记")
        DEPARTMENT = "department", _("邀请部门")
        CHOSEN = "chosen", _("特邀")

    class Answer(models.TextChoices):
        PENDING = "pending", _("待答复")
        ATTEND = "attend", _("参加")
        SUBSTITUTE = "substitute", _("委托他人")
        LEAVE = "leave", _("请假")

    class Attendance(models.TextChoices):
        UNRECORDED = "unrecorded", _("未登记")
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")
        LEAVE = "leave", _("请假")
        SUBSTITUTE = "substitute", _("代为出席")

    #: Attendance values that count as 实到.
    ATTENDED = (Attendance.PRESENT, Attendance.SUBSTITUTE)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("会议"))
    user = _user_fk(_("平台账号"), related_name="meeting_invitations")
    person_name = models.CharField(_("姓名"), max_length=50)
    source = models.CharField(_("邀请来源"), max_length=30, choices=Source.choices)
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在企业")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在部门")
    )
    answer = models.CharField(_("答复"), max_length=20, choices=Answer.choices, default=Answer.PENDING)
    substitute_name = models.CharField(_("代参会人"), max_length=50, blank=True)
    leave_reason = models.CharField(_("请假原因"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    attendance = models.CharField(
        _("出席情况"), max_length=20, choices=Attendance.choices, default=Attendance.UNRECORDED
    )
    attendance_recorded_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会邀请")
        verbose_name_plural = _("参会邀请")
        ordering = ["meeting", "source", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="invitation_one_per_user",
                violation_error_message=_("该人员已在本次会议的邀请名单中。"),
            ),
            models.CheckConstraint(
                condition=~Q(answer="substitute") | ~Q(substitute_name=""),
                name="invitation_substitute_named",
                violation_error_message=_("委托他人参会须填写代参会人姓名。"),
            ),
            models.CheckConstraint(
                condition=~Q(answer="leave") | ~Q(leave_reason=""),
                name="invitation_leave_has_reason",
                violation_error_message=_("请假须填写原因。"),
            ),
        ]

    def __str__(self):
        return self.person_name

    @property
    def has_attended(self) -> bool:
        return self.attendance in self.ATTENDED


class Decision(models.Model):
    """One decision (议定事项) of a meeting: exactly one owner (a department, an enterprise or a
    person), a due date counted in working days from the meeting's day, and a status."""

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("会议"))
    position = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))
    owner_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
        verbose_name=_("责任部门"),
    )
    owner_enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
        verbose_name=_("责任企业"),
    )
    owner_user = _user_fk(_("责任人"), related_name="meeting_decisions")
    owner_label = models.CharField(_("责任单位（人）"), max_length=100)
    due_workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_date = models.DateField(_("办结期限"), validators=[validate_date])
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_department__isnull=False, owner_enterprise__isnull=True, owner_user__isnull=True)
                | Q(owner_department__isnull=True, owner_enterprise__isnull=False, owner_user__isnull=True)
                | Q(owner_department__isnull=True, owner_enterprise__isnull=True, owner_user__isnull=False),
                name="decision_exactly_one_owner",
                violation_error_message=_("议定事项须有且只有一个责任方：部门、企业或个人。"),
            ),
            models.CheckConstraint(
                condition=Q(due_workdays__gte=1),
                name="decision_due_positive",
                violation_error_message=_("办理时限至少为 1 个工作日。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False),
                name="decision_done_has_time",
                violation_error_message=_("已完成的议定事项须有完成时间。"),
            ),
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="decision_position_unique",
                violation_error_message=_("同一会议的议定事项序号不能重复。"),
            ),
        ]
        indexes = [
            # "Decisions overdue": open ones by due date.
            models.Index(fields=["due_date"], condition=Q(status="open"), name="decision_open_due"),
        ]

    def __str__(self):
        return f"{self.position}. {self.text[:40]}"

    @property
    def owner(self):
        return self.owner_department or self.owner_enterprise or self.owner_user

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


def meeting_attachment_path(instance, filename):
    """Stored under a random name: the user's file name never reaches the file system."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"meetings/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class MeetingAttachment(models.Model):
    """A photo, the signed attendance sheet or another file of a meeting; checked by
    `chainparty.uploads.check_upload` and served only through an access-checked view."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        SIGN_IN = "sign_in", _("签到表")
        OTHER = "other", _("其他")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("会议"))
    file = models.FileField(_("文件"), upload_to=meeting_attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=120)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    content_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = _user_fk(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self):
        return self.name
