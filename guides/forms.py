"""Forms of the staff desk (guides, teams, assignments, building goals, member development,
evaluation). They parse and offer choices within the regions the acting user manages; the rules
are the services' (their messages land on the form through `add_service_errors`). The phone
pages' forms are in guides/forms_phone.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.access import manageable_regions, scope_for
from alliances.models import Alliance, Department, Enterprise, PartyOrganization, WorkZone
from chainparty.forms_utils import DATE, FastSelect, style_fields
from chainparty.validators import validate_date

from .models import Assignment, BuildingGoal, EvaluationPeriod, Guide, MemberDevelopment, Team, TeamMember

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _managed(model, user, **filters):
    """Rows of `model` (with a `region`) in the regions `user` manages."""
    return model.objects.filter(scope_for(user).in_managed_region(), **filters)


class StaffForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        style_fields(self)


# -- guides -------------------------------------------------------------------------------------
class GuideForm(StaffForm):
    username = forms.CharField(
        label=_("账号（登录名）"), max_length=150, help_text=_("指导员登录平台使用的账号，须先在人员账号中建立。")
    )
    name = forms.CharField(label=_("姓名"), max_length=50, required=False, help_text=_("不填则使用账号姓名。"))
    kind = forms.ChoiceField(label=_("类别"), choices=Guide.Kind.choices)
    department = forms.ModelChoiceField(label=_("派出部门"), queryset=Department.objects.none(), required=False)
    zone = forms.ModelChoiceField(label=_("派出园区（片区）党工委"), queryset=WorkZone.objects.none(), required=False)
    rank = forms.ChoiceField(label=_("职级"), choices=Guide.Rank.choices, initial=Guide.Rank.STAFF)
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    term_start = forms.DateField(label=_("选派日期"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE, required=False)
    note = forms.CharField(label=_("备注"), widget=TEXTAREA, required=False)

    def __init__(self, *args, guide: Guide | None = None, **kwargs):
        self.guide = guide
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _managed(Department, self.user).order_by("name")
        self.fields["zone"].queryset = _managed(WorkZone, self.user).order_by("name")
        if guide is not None:
            del self.fields["username"]
            self.fields["name"].required = True

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("未找到账号“%s”，请先新增人员。") % username)
        return user

    def clean(self):
        data = super().clean()
        if bool(data.get("department")) == bool(data.get("zone")):
            raise forms.ValidationError(_("请选择派出部门或派出园区（片区）党工委，二者选一。"))
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if "username" in data:
            data["user"] = data.pop("username")
        data["term_end"] = data.get("term_end")
        return data

    @classmethod
    def initial_for(cls, guide: Guide) -> dict:
        names = ("name", "kind", "department", "zone", "rank", "position", "phone", "term_start", "term_end", "note")
        return {name: getattr(guide, name) for name in names}


class StudioForm(StaffForm):
    studio_name = forms.CharField(
        label=_("工作室名称"),
        max_length=100,
        required=False,
        help_text=_("如“李明红帆党建工作室”；清空后保存即撤销命名。"),
    )
    granted_on = forms.DateField(label=_("命名日期"), widget=DATE, required=False)


# -- teams --------------------------------------------------------------------------------------
class TeamForm(StaffForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=Team.Kind.choices)
    region = forms.ModelChoiceField(label=_("所属区域"), queryset=None)
    department = forms.ModelChoiceField(label=_("牵头部门"), queryset=Department.objects.none(), required=False)
    formed_on = forms.DateField(label=_("组建日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), widget=TEXTAREA, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = manageable_regions(self.user).order_by("path")
        self.fields["department"].queryset = _managed(Department, self.user).order_by("name")


class TeamMemberForm(StaffForm):
    guide = forms.ModelChoiceField(label=_("指导员"), queryset=None, widget=FastSelect)
    role = forms.ChoiceField(label=_("角色"), choices=TeamMember.Role.choices, initial=TeamMember.Role.MEMBER)
    starts_on = forms.DateField(label=_("加入日期"), widget=DATE)

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["guide"].queryset = _managed(Guide, self.user).order_by("name")


class EndForm(StaffForm):
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE, help_text=_("最后一天（含）。"))


# -- assignments --------------------------------------------------------------------------------
class AssignmentForm(StaffForm):
    guide = forms.ModelChoiceField(label=_("指导员"), queryset=None, required=False, widget=FastSelect)
    team = forms.ModelChoiceField(label=_("指导组"), queryset=None, required=False)
    target = forms.ChoiceField(label=_("联系对象类型"), choices=Assignment.Target.choices)
    zone = forms.ModelChoiceField(label=_("工作片区"), queryset=None, required=False)
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None, required=False, widget=FastSelect)
    alliance = forms.ModelChoiceField(label=_("联盟（其成员企业）"), queryset=None, required=False)
    cadence = forms.ChoiceField(label=_("走访频次"), choices=Assignment.Cadence.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE, required=False, help_text=_("不填为长期。"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False, help_text=_("如“三包三联”。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["guide"].queryset = _managed(Guide, self.user).order_by("name")
        fields["team"].queryset = _managed(Team, self.user, disbanded_on__isnull=True).order_by("name")
        fields["zone"].queryset = _managed(WorkZone, self.user).order_by("name")
        fields["enterprise"].queryset = _managed(Enterprise, self.user).order_by("name")
        fields["alliance"].queryset = _managed(Alliance, self.user).order_by("name")
        fields["cadence"].initial = Assignment.Cadence.QUARTERLY
        for name in ("guide", "team", "zone", "enterprise", "alliance"):
            fields[name].empty_label = _("（不选）")

    def clean(self):
        data = super().clean()
        if bool(data.get("guide")) == bool(data.get("team")):
            self.add_error("guide", _("请选择一名指导员或一个指导组，二者选一。"))
        target = data.get("target")
        chosen = [name for name in ("zone", "enterprise", "alliance") if data.get(name)]
        if target and chosen != [target]:
            self.add_error("target", _("请只选择与联系对象类型一致的一个片区、企业或联盟。"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        target = data["target"]
        return {
            "guide": data.get("guide"),
            "team": data.get("team"),
            target: data[target],
            "cadence": data["cadence"],
            "starts_on": data["starts_on"],
            "ends_on": data.get("ends_on"),
            "note": data.get("note", ""),
        }


# -- building -----------------------------------------------------------------------------------
class BuildingGoalOpenForm(StaffForm):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None, widget=FastSelect)
    guide = forms.ModelChoiceField(label=_("责任指导员"), queryset=None, required=False, widget=FastSelect)
    opened_on = forms.DateField(label=_("立项日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), widget=TEXTAREA, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        covered = PartyOrganization.enterprises.through.objects.values("enterprise_id")
        self.fields["enterprise"].queryset = _managed(Enterprise, self.user).exclude(pk__in=covered).order_by("name")
        self.fields["guide"].queryset = _managed(Guide, self.user).order_by("name")
        self.fields["guide"].empty_label = _("（不指定）")


class BuildingGoalAdvanceForm(StaffForm):
    stage = forms.ChoiceField(label=_("进展阶段"), choices=BuildingGoal.Stage.choices)
    changed_on = forms.DateField(label=_("日期"), widget=DATE)
    method = forms.ChoiceField(
        label=_("组建方式"),
        choices=[("", _("（已组建时选择）")), *BuildingGoal.Method.choices],
        required=False,
    )
    party_organization = forms.ModelChoiceField(
        label=_("组建的党组织"),
        queryset=None,
        required=False,
        help_text=_("已组建时，选择已在“党组织”中登记、覆盖该企业的党组织。"),
    )
    note = forms.CharField(label=_("说明"), widget=TEXTAREA, required=False, help_text=_("终止时须说明原因。"))

    def __init__(self, *args, goal: BuildingGoal, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_organization"].queryset = organizations
        self.fields["party_organization"].empty_label = _("（不选）")
        self.fields["stage"].choices = [c for c in BuildingGoal.Stage.choices if c[0] != goal.stage]


class MemberDevelopmentForm(StaffForm):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None, widget=FastSelect)
    kind = forms.ChoiceField(label=_("类别"), choices=MemberDevelopment.Kind.choices)
    person_name = forms.CharField(label=_("姓名"), max_length=50)
    recorded_on = forms.DateField(
        label=_("日期"), widget=DATE, help_text=_("确定为积极分子、发展对象或接收为预备党员的日期。")
    )
    party_organization = forms.ModelChoiceField(label=_("所在党组织"), queryset=None, required=False)
    guide = forms.ModelChoiceField(label=_("联系指导员"), queryset=None, required=False, widget=FastSelect)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = _managed(Enterprise, self.user).order_by("name")
        self.fields["party_organization"].queryset = _managed(PartyOrganization, self.user).order_by("name")
        self.fields["party_organization"].empty_label = _("（不选）")
        self.fields["guide"].queryset = _managed(Guide, self.user).order_by("name")
        self.fields["guide"].empty_label = _("（不指定）")


# -- evaluation ---------------------------------------------------------------------------------
class EvaluationPeriodForm(StaffForm):
    region = forms.ModelChoiceField(label=_("区域"), queryset=None)
    kind = forms.ChoiceField(label=_("周期"), choices=EvaluationPeriod.Kind.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    name = forms.CharField(label=_("名称"), max_length=100, required=False, help_text=_("不填则自动命名。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = manageable_regions(self.user).order_by("path")

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data


class RatingForm(StaffForm):
    score = forms.TypedChoiceField(
        label=_("评分"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(label=_("评价意见"), widget=TEXTAREA, required=False)


class CoverageRangeForm(forms.Form):
    """A custom period for the coverage page (`?date_from=&date_to=`), in the shared date range
    (chainparty.validators), not after today, the start not after the end."""

    date_from = forms.DateField(label=_("起始日期"), widget=DATE, validators=[validate_date])
    date_to = forms.DateField(label=_("截止日期"), widget=DATE, validators=[validate_date])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("请同时填写起始日期和截止日期。")
            field.error_messages["invalid"] = _("请输入有效的日期，例如 2026-01-01。")
        style_fields(self)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("date_from"), data.get("date_to")
        if starts_on and ends_on:
            if starts_on > ends_on:
                self.add_error("date_to", _("截止日期不能早于起始日期。"))
            elif ends_on > timezone.localdate():
                self.add_error("date_to", _("截止日期不能晚于今天。"))
        return data
