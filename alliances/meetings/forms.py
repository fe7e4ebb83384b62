"""Forms of the meeting pages. They parse and offer choices; every rule is checked once, in
`alliances.meetings.services`, whose messages `chainparty.forms_utils.add_service_errors` shows."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from chainparty.forms_utils import FastSelect, style_fields

from ..models import (
    Decision,
    Department,
    Enterprise,
    Invitation,
    Meeting,
    MeetingAttachment,
    WorkZone,
    within_regions_q,
)
from ..selectors import seat_candidates
from .services import AgendaEdit, DecisionDraft

#: `<input type="datetime-local">`: the browser sends "2026-12-01T09:00", which DateTimeField reads
#: (ISO) in the portal's time zone.
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _person_label(user):
    return user.display_name


class MeetingForm(forms.Form):
    """Schedule a meeting of one alliance."""

    kind = forms.ChoiceField(label=_("会议类型"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    place_zone = forms.ModelChoiceField(label=_("地点（片区）"), queryset=WorkZone.objects.none(), required=False)
    place_address = forms.CharField(
        label=_("地点"), max_length=200, required=False, help_text=_("填写具体地址，或选择片区。")
    )
    chair = forms.ModelChoiceField(label=_("主持人"), queryset=None, required=False)
    chair_name = forms.CharField(
        label=_("主持人姓名"), max_length=50, required=False, help_text=_("主持人没有平台账号时填写。")
    )
    recorder = forms.ModelChoiceField(label=_("记录人"), queryset=None, required=False)
    recorder_name = forms.CharField(label=_("记录人姓名"), max_length=50, required=False)
    host_enterprise = forms.ModelChoiceField(label=_("承办企业"), queryset=Enterprise.objects.none(), required=False)
    invited_departments = forms.ModelMultipleChoiceField(
        label=_("邀请部门"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("所选部门的办理人将收到会议通知。"),
    )
    agenda = forms.CharField(
        label=_("议题"), widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text=_("每行一个议题。")
    )
    chosen_users = forms.ModelMultipleChoiceField(
        label=_("特邀人员"),
        queryset=None,
        required=False,
        help_text=_("党委班子成员、成员企业党组织书记和邀请部门的办理人会自动邀请。"),
    )
    chosen_names = forms.CharField(
        label=_("其他特邀人员"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("没有平台账号的人员，每行一个姓名。"),
    )

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        people = seat_candidates(alliance=alliance)
        for name in ("chair", "recorder", "chosen_users"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _person_label
        self.fields["place_zone"].queryset = WorkZone.objects.filter(within_regions_q(alliance.region)).order_by("name")
        self.fields["host_enterprise"].queryset = Enterprise.objects.filter(
            memberships__alliance=alliance, memberships__left_on__isnull=True
        ).order_by("name")
        self.fields["invited_departments"].queryset = Department.objects.filter(
            within_regions_q(alliance.region)
        ).order_by("name")
        style_fields(self)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ("kind", "title", "starts_at", "ends_at", "place_zone", "place_address")},
            **{name: data[name] for name in ("chair", "chair_name", "recorder", "recorder_name", "host_enterprise")},
            "invited_departments": list(data["invited_departments"]),
            "agenda": data["agenda"].splitlines(),
            "chosen_users": list(data["chosen_users"]),
            "chosen_names": data["chosen_names"].splitlines(),
        }


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("新的开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("新的结束时间"), widget=DATETIME)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, meeting, **kwargs):
        kwargs.setdefault(
            "initial", {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "version": meeting.version}
        )
        super().__init__(*args, **kwargs)
        style_fields(self)


class MeetingEditForm(forms.Form):
    """Edit a scheduled meeting's title, place and agenda: each item's text (emptied: removed) and
    its order number, then new items one per line at the end."""

    title = forms.CharField(label=_("会议名称"), max_length=200)
    place_zone = forms.ModelChoiceField(label=_("地点（片区）"), queryset=WorkZone.objects.none(), required=False)
    place_address = forms.CharField(
        label=_("地点"), max_length=200, required=False, help_text=_("填写具体地址，或选择片区。")
    )
    new_agenda = forms.CharField(
        label=_("新增议题"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("每行一个，排在已有议题之后。"),
    )

    def __init__(self, *args, meeting, **kwargs):
        self.items = list(meeting.agenda_items.order_by("position"))
        initial = {"title": meeting.title, "place_zone": meeting.place_zone_id, "place_address": meeting.place_address}
        for item in self.items:
            initial.update({f"item_{item.pk}": item.title, f"order_{item.pk}": item.position})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["place_zone"].queryset = WorkZone.objects.filter(
            within_regions_q(meeting.alliance.region)
        ).order_by("name")
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=_("议题 %d") % item.position, max_length=200, required=False, help_text=_("清空则删除该议题。")
            )
            self.fields[f"order_{item.pk}"] = forms.IntegerField(label=_("议题 %d 的顺序") % item.position, min_value=1)
        self.order_fields(["title", "place_zone", "place_address"])
        style_fields(self)

    def agenda(self) -> list:
        """The agenda as `services.meeting_update` takes it: kept items by their order number (ties
        keep the old order), then the new lines."""
        data = self.cleaned_data
        kept = sorted(
            (item for item in self.items if data[f"item_{item.pk}"].strip()),
            key=lambda item: (data[f"order_{item.pk}"], item.position),
        )
        edits = [AgendaEdit(title=data[f"item_{item.pk}"], id=item.pk) for item in kept]
        return edits + [AgendaEdit(title=line) for line in data["new_agenda"].splitlines() if line.strip()]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "place_zone": data["place_zone"],
            "place_address": data["place_address"],
            "agenda": self.agenda(),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AnswerForm(forms.Form):
    """The invitee's answer: attend, send a substitute (name) or on leave (reason)."""

    ANSWERS = [
        (a.value, a.label) for a in (Invitation.Answer.ATTEND, Invitation.Answer.SUBSTITUTE, Invitation.Answer.LEAVE)
    ]

    answer = forms.ChoiceField(label=_("答复"), choices=ANSWERS, widget=forms.RadioSelect)
    substitute_name = forms.CharField(label=_("代参会人姓名"), max_length=50, required=False)
    leave_reason = forms.CharField(label=_("请假原因"), max_length=200, required=False)

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        if invitation.answer != Invitation.Answer.PENDING:
            kwargs.setdefault(
                "initial",
                {
                    "answer": invitation.answer,
                    "substitute_name": invitation.substitute_name,
                    "leave_reason": invitation.leave_reason,
                },
            )
        kwargs.setdefault("prefix", f"inv{invitation.pk}")
        super().__init__(*args, **kwargs)
        style_fields(self)


#: The name of the attendance input of one invitation; any posted name of this shape is read, so an
#: id that is not this meeting's invitation reaches the service (which refuses it with its message).
ATTENDANCE_FIELD = re.compile(r"^attendance-([0-9]{1,18})$")


class AttendanceForm(forms.Form):
    """One choice per invitee of the meeting (出席 / 缺席 / 请假 / 代为出席 / 未登记)."""

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for invitation in meeting.invitations.all():
            name = f"attendance-{invitation.pk}"
            self.fields[name] = forms.ChoiceField(
                label=invitation.person_name,
                choices=Invitation.Attendance.choices,
                required=False,  # only what is posted is recorded
                initial=_suggested_attendance(invitation),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.rows.append((invitation, name))

    def attendance(self) -> dict[int, str]:
        """{invitation id: value} for every attendance input posted, this meeting's or not."""
        posted = {}
        for key in self.data:
            match = ATTENDANCE_FIELD.match(key)
            if match:
                posted[int(match.group(1))] = self.cleaned_data.get(key, self.data.get(key))
        return posted

    def bound_rows(self):
        return [(invitation, self[name]) for invitation, name in self.rows]


def _suggested_attendance(invitation):
    """What to preselect: what was recorded, else what the invitee answered."""
    if invitation.attendance != Invitation.Attendance.UNRECORDED:
        return invitation.attendance
    return {
        Invitation.Answer.ATTEND: Invitation.Attendance.PRESENT,
        Invitation.Answer.SUBSTITUTE: Invitation.Attendance.SUBSTITUTE,
        Invitation.Answer.LEAVE: Invitation.Attendance.LEAVE,
    }.get(invitation.answer, Invitation.Attendance.PRESENT)


class MinutesForm(forms.Form):
    """The summary and what was said on each agenda item (纪要)."""

    summary = forms.CharField(label=_("会议摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary"].initial = meeting.summary
        self.items = []
        for item in meeting.agenda_items.all():
            name = f"minutes-{item.pk}"
            self.fields[name] = forms.CharField(
                label=f"{item.position}. {item.title}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=item.minutes,
            )
            self.items.append((item, name))
        style_fields(self)

    def minutes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[name] for item, name in self.items}


class DecisionForm(forms.Form):
    """One new decision: its text, one owner (department, enterprise or person) and a time limit."""

    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none(), required=False)
    enterprise = forms.ModelChoiceField(label=_("责任企业"), queryset=Enterprise.objects.none(), required=False)
    user = forms.ModelChoiceField(label=_("责任人"), queryset=None, required=False)
    due_workdays = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=365, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        region = meeting.alliance.region
        self.fields["department"].queryset = Department.objects.filter(within_regions_q(region)).order_by("name")
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            memberships__alliance_id=meeting.alliance_id, memberships__left_on__isnull=True
        ).order_by("name")
        self.fields["user"].queryset = seat_candidates(alliance=meeting.alliance)
        self.fields["user"].label_from_instance = _person_label
        style_fields(self)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ("text", "department", "enterprise", "user", "due_workdays"))

    def draft(self) -> DecisionDraft:
        data = self.cleaned_data
        return DecisionDraft(
            text=data["text"],
            # The service refuses a missing time limit with its own message.
            due_workdays=data["due_workdays"] or 0,
            department=data["department"],
            enterprise=data["enterprise"],
            user=data["user"],
        )


DecisionFormSet = forms.formset_factory(DecisionForm, extra=3, max_num=20)


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Decision.Status.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Their content is checked by the service (chainparty.uploads)."""

    def clean(self, data, initial=None):
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=MeetingAttachment.Kind.choices)
    files = MultipleFileField(
        label=_("文件"),
        required=False,
        widget=MultipleFileInput(attrs={"multiple": True, "accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
        help_text=_("照片：JPG、PNG；签到表：PDF、JPG、PNG。可多选。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class RegionFilterForm(forms.Form):
    """The organisation department's filters on every meeting of its region."""

    # Ids and names only, rendered in Python: a province's staff see hundreds of alliances.
    alliance = forms.TypedChoiceField(
        label=_("产业链党委"), coerce=int, empty_value=None, required=False, widget=FastSelect
    )
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部")), *Meeting.Kind.choices], required=False)
    month = forms.DateField(
        label=_("月份"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    state = forms.ChoiceField(label=_("状态"), choices=[("", _("全部")), *Meeting.State.choices], required=False)

    def __init__(self, *args, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].choices = [("", _("全部")), *alliances.values_list("pk", "name")]
        style_fields(self)
