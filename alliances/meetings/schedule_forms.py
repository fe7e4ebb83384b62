"""Forms of the schedule pages (会议计划). They parse and offer choices; every rule (a weekday for a
weekly rule, a place, hosts that are members, end dates) is checked once, in
`alliances.meetings.schedules`, whose messages `chainparty.forms_utils.add_service_errors` shows."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty.forms_utils import DATE, style_fields

from ..models import Enterprise, MeetingKind, MeetingSchedule, WorkZone, within_regions_q
from ..selectors import seat_candidates
from .forms import DATETIME

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
#: The fields a schedule's form shares with `schedules.EDITABLE`.
SERIES_FIELDS = (
    "kind",
    "title",
    "rule",
    "ordinal",
    "weekday",
    "start_time",
    "duration_minutes",
    "place_zone",
    "place_address",
    "recorder",
    "recorder_name",
)


def member_enterprises(alliance):
    return Enterprise.objects.filter(memberships__alliance=alliance, memberships__left_on__isnull=True).order_by("name")


class ScheduleForm(forms.Form):
    """Create a schedule (with its first host rotation, members in the order ticked) or edit one:
    the whole series from today, or from a chosen day on ("this and following")."""

    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    rule = forms.ChoiceField(label=_("规则"), choices=MeetingSchedule.Rule.choices)
    ordinal = forms.IntegerField(
        label=_("第几个"), required=False, help_text=_("“每月第 N 个工作日”或“每月第 N 个星期几”的 N。")
    )
    weekday = forms.TypedChoiceField(
        label=_("星期几"),
        choices=[("", "—"), *MeetingSchedule.Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("“每周固定星期”和“每月第 N 个星期几”需要选择。"),
    )
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME)
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), initial=120)
    place_zone = forms.ModelChoiceField(label=_("地点（片区）"), queryset=WorkZone.objects.none(), required=False)
    place_address = forms.CharField(label=_("地点"), max_length=200, required=False)
    recorder = forms.ModelChoiceField(label=_("记录人"), queryset=None, required=False)
    recorder_name = forms.CharField(label=_("记录人姓名"), max_length=50, required=False)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("截止日期"), widget=DATE, required=False, help_text=_("不填则长期有效。"))
    hosts = forms.ModelMultipleChoiceField(
        label=_("轮值承办企业"),
        queryset=Enterprise.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("创建后可在“轮值顺序”页面调整先后。"),
    )
    from_date = forms.DateField(
        label=_("生效日期"),
        widget=DATE,
        required=False,
        help_text=_("不填则从今天起修改整个计划；填写则该日及以后的会议按新设置（本次及以后）。"),
    )

    def __init__(self, *args, alliance, schedule=None, **kwargs):
        if schedule is not None:
            kwargs.setdefault("initial", {name: getattr(schedule, name) for name in SERIES_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["recorder"].queryset = seat_candidates(alliance=alliance)
        self.fields["recorder"].label_from_instance = lambda user: user.display_name
        self.fields["place_zone"].queryset = WorkZone.objects.filter(within_regions_q(alliance.region)).order_by("name")
        if schedule is None:
            del self.fields["from_date"]
            self.fields["hosts"].queryset = member_enterprises(alliance)
            self.fields["starts_on"].initial = timezone.localdate()
        else:  # dates are changed by "this and following" and by ending the schedule
            for name in ("starts_on", "ends_on", "hosts"):
                del self.fields[name]
        style_fields(self)

    def series_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in SERIES_FIELDS}
        fields["recorder_name"] = fields["recorder_name"] or ""
        return fields

    def create_fields(self) -> dict:
        data = self.cleaned_data
        # Ticked members keep the list's order; the rotation page reorders them.
        return {
            **self.series_fields(),
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "hosts": list(data["hosts"]),
        }


class HostMoveForm(forms.Form):
    """One change to the host rotation: move an enterprise up or down, remove it, add it at the end,
    or put it at a position (1 = first)."""

    OPS = [("up", _("上移")), ("down", _("下移")), ("remove", _("移除")), ("add", _("加入")), ("position", _("调整到"))]

    op = forms.ChoiceField(choices=OPS)
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())
    position = forms.IntegerField(label=_("位置"), required=False, min_value=1)

    def __init__(self, *args, schedule, **kwargs):
        super().__init__(*args, **kwargs)
        # Current hosts and every enterprise that is or was a member: one that left is refused by
        # the service with its message.
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            Q(memberships__alliance_id=schedule.alliance_id) | Q(pk__in=schedule.hosts.values("enterprise_id"))
        ).distinct()
        style_fields(self)

    def reordered(self, order: list) -> list:
        """`order` (enterprises) after the change."""
        data = self.cleaned_data
        enterprise, op = data["enterprise"], data["op"]
        order = list(order)
        index = next((n for n, e in enumerate(order) if e.pk == enterprise.pk), None)
        if op == "add":
            return [*order, enterprise] if index is None else order
        if index is None:
            return order
        order.pop(index)
        if op == "remove":
            return order
        target = {"up": index - 1, "down": index + 1}.get(op)
        if op == "position":
            target = (data["position"] or index + 1) - 1
        order.insert(max(0, min(target, len(order))), enterprise)
        return order


class EndForm(forms.Form):
    ends_on = forms.DateField(
        label=_("最后一天"), widget=DATE, help_text=_("该日以后尚未召开的会议将被取消，不再生成新的会议。")
    )
    reason = forms.CharField(label=_("原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"ends_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        style_fields(self)


SCOPES = [("this", _("仅本次")), ("following", _("本次及以后"))]


class OccurrenceMoveForm(forms.Form):
    """Move one occurrence of a series, or (本次及以后) set the series' time and duration from it."""

    scope = forms.ChoiceField(label=_("调整范围"), choices=SCOPES, initial="this", widget=forms.RadioSelect)
    starts_at = forms.DateTimeField(label=_("新的开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("新的结束时间"), widget=DATETIME)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, meeting, **kwargs):
        self.meeting = meeting
        kwargs.setdefault(
            "initial", {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "version": meeting.version}
        )
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self):
        data = super().clean()
        starts_at = data.get("starts_at")
        moved_day = starts_at is not None and timezone.localtime(starts_at).date() != self.meeting.occurrence_date
        if data.get("scope") == "following" and moved_day:
            # The series' dates come from its rule: "this and following" changes the time only.
            self.add_error("starts_at", _("“本次及以后”只能调整开始时间和时长；如需改日期，请修改会议计划的规则。"))
        return data

    def series_changes(self) -> dict:
        """The series' start time and duration (a meeting ending before it starts keeps a duration
        the service refuses with its message)."""
        starts_at, ends_at = self.cleaned_data["starts_at"], self.cleaned_data["ends_at"]
        minutes = int((ends_at - starts_at) / dt.timedelta(minutes=1))
        return {"start_time": timezone.localtime(starts_at).time().replace(second=0), "duration_minutes": minutes}


class OccurrenceCancelForm(forms.Form):
    scope = forms.ChoiceField(label=_("取消范围"), choices=SCOPES, initial="this", widget=forms.RadioSelect)
    reason = forms.CharField(label=_("取消原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
