"""Forms of the phone pages (issue 9 §2-3): logging a visit, raising a need from it, the enterprise's
dispute, a rating. They parse what was typed; the rules (a date in the future, an enterprise not in
the guide's charge, photos that fail the upload checks, ...) are the services', whose messages the
views put on these forms."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance, Enterprise
from chainparty.forms_utils import DATE, style_fields
from demands.models import Need

from . import phone_selectors, selectors
from .models import Guide, Visit

STAFF_ROWS = 3  # department staff who went along: rows offered on the form


class PhotoInput(forms.ClearableFileInput):
    """Photos from the phone's camera (or its gallery), several at once."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "environment", "multiple": True, **(attrs or {})})


class PhotoField(forms.FileField):
    """Any number of files; each is checked by the service (chainparty.uploads, JPG or PNG)."""

    widget = PhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        return [super(PhotoField, self).clean(item, initial) for item in items]


class EnterpriseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CompanionField(forms.ModelMultipleChoiceField):
    """Guides who went along. It offers `offered` (the guides the service will take) but accepts any
    guide's id, so whether one may go along is decided once, by the service, with its message."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Guide.objects.all(), **kwargs)

    def offer(self, offered) -> None:
        self.widget.choices = [(guide.pk, guide.name) for guide in offered]


class VisitFieldsMixin:
    """What a visit's log and correction forms share: the companions offered and the staff rows."""

    staff_count = STAFF_ROWS

    def _add_people_fields(self, guide: Guide, day) -> None:
        self.fields["companions"].offer(phone_selectors.companion_choices(guide=guide, day=day))
        self.fields["companions"].widget.attrs["size"] = 5
        departments = phone_selectors.department_choices(guide=guide)
        for index in range(1, self.staff_count + 1):
            self.fields[f"staff_name_{index}"] = forms.CharField(
                label=_("部门同行人员姓名"), required=False, max_length=50
            )
            self.fields[f"staff_department_{index}"] = forms.ModelChoiceField(
                label=_("所在部门"), queryset=departments, required=False, empty_label=_("（选择部门）")
            )

    def staff_rows(self):
        """[(name field, department field), ...] for the template."""
        return [(self[f"staff_name_{i}"], self[f"staff_department_{i}"]) for i in range(1, self.staff_count + 1)]

    def staff(self) -> list:
        data, staff = self.cleaned_data, []
        for index in range(1, self.staff_count + 1):
            name = (data.get(f"staff_name_{index}") or "").strip()
            department = data.get(f"staff_department_{index}")
            if name or department is not None:
                staff.append((name, department))
        return staff


class VisitLogForm(VisitFieldsMixin, forms.Form):
    enterprise = EnterpriseChoice(label=_("走访企业"), queryset=Enterprise.objects.none(), empty_label=_("请选择企业"))
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("走访类型"), choices=Visit.Kind.choices, initial=Visit.Kind.VISIT)
    team = forms.ModelChoiceField(label=_("以指导组名义"), queryset=None, required=False, empty_label=_("（个人走访）"))
    checklist = forms.MultipleChoiceField(
        label=_("工作内容"), choices=Visit.Checklist.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    findings = forms.CharField(
        label=_("发现的问题与工作情况"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    opinions = forms.CharField(
        label=_("收集的意见建议"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    opinions_count = forms.IntegerField(
        label=_("意见建议条数"),
        min_value=0,
        max_value=999,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    companions = CompanionField(label=_("同行指导员"), required=False, help_text=_("可多选。"))
    photos = PhotoField(label=_("现场照片"), help_text=_("可直接拍照或从相册选择，JPG 或 PNG，最多 9 张。"))
    # One per form shown: a second tap on 保存 (or the browser resending) finds the first visit.
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, guide: Guide, **kwargs):
        super().__init__(*args, **kwargs)
        day = timezone.localdate()
        self.guide = guide
        mine = selectors.guide_enterprises(guide=guide, day=day)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(pk__in=mine.values("pk")).order_by("name")
        self.fields["visited_on"].initial = day
        self.fields["visited_on"].widget.attrs["max"] = day.isoformat()
        self.fields["client_key"].initial = uuid.uuid4().hex
        teams = phone_selectors.current_teams(guide=guide, day=day)
        if teams.exists():
            self.fields["team"].queryset = teams
        else:
            del self.fields["team"]
        self._add_people_fields(guide, day)
        style_fields(self)
        for name in ("findings", "opinions"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "enterprise": data["enterprise"],
            "visited_on": data["visited_on"],
            "kind": data["kind"],
            "team": data.get("team"),
            "checklist": data["checklist"],
            "findings": data["findings"],
            "opinions": data["opinions"],
            "opinions_count": data["opinions_count"],
            "companions": list(data["companions"]),
            "staff": self.staff(),
            "photos": data["photos"],
            "client_key": data["client_key"],
        }


class VisitEditForm(VisitFieldsMixin, forms.Form):
    """Correcting a visit (its author, while the enterprise has not answered): the same fields as
    logging it, without the enterprise, the team and the photos."""

    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("走访类型"), choices=Visit.Kind.choices)
    checklist = VisitLogForm.base_fields["checklist"]
    findings = VisitLogForm.base_fields["findings"]
    opinions = VisitLogForm.base_fields["opinions"]
    opinions_count = VisitLogForm.base_fields["opinions_count"]
    companions = CompanionField(label=_("同行指导员"), required=False, help_text=_("可多选。"))

    def __init__(self, *args, visit: Visit, people, **kwargs):
        companions = [p.guide_id for p in people if p.guide_id and p.guide_id != visit.guide_id]
        initial = {
            "visited_on": visit.visited_on,
            "kind": visit.kind,
            "checklist": visit.checklist,
            "findings": visit.findings,
            "opinions": visit.opinions,
            "opinions_count": visit.opinions_count,
            "companions": companions,
        }
        staff = [p for p in people if not p.guide_id]
        self.staff_count = max(STAFF_ROWS, len(staff))  # every one listed stays editable
        for index, person in enumerate(staff, start=1):
            initial[f"staff_name_{index}"] = person.person_name
            initial[f"staff_department_{index}"] = person.department_id
        super().__init__(*args, initial=initial, **kwargs)
        self.visit = visit
        self.fields["visited_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self._add_people_fields(visit.guide, timezone.localdate())
        style_fields(self)
        for name in ("findings", "opinions"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ("visited_on", "kind", "checklist", "findings", "opinions")},
            "opinions_count": data["opinions_count"],
            "companions": list(data["companions"]),
            "staff": self.staff(),
        }


class VisitPhotosForm(forms.Form):
    photos = PhotoField(label=_("补充照片"), help_text=_("JPG 或 PNG，每次走访最多 9 张。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


NEED_FIELDS = [
    "category",
    "urgency",
    "title",
    "description",
    "funding_wan",
    "land_mu",
    "people",
    "contact_name",
    "contact_phone",
]


class NeedForm(forms.Form):
    """A need a guide raises for an enterprise (from a visit: the enterprise is the visit's). The
    fields are the Need model's; the filing service validates the need as a whole."""

    def __init__(self, *args, enterprise: Enterprise, description: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(Need, fields=NEED_FIELDS, widgets={"description": forms.Textarea(attrs={"rows": 4})})
        )
        self.fields["alliance"] = forms.ModelChoiceField(
            label=_("受理联盟"),
            queryset=Alliance.objects.filter(
                memberships__enterprise=enterprise, memberships__left_on__isnull=True
            ).order_by("name"),
            required=False,
            empty_label=_("自动（企业只加入一个联盟时）"),
        )
        self.order_fields(["category", "urgency", "title", "description", "alliance"])
        self.fields["contact_name"].required = False
        self.fields["contact_phone"].required = False
        self.fields["contact_name"].help_text = _("留空则使用企业登记的联系人。")
        if not self.is_bound and description:
            self.fields["description"].initial = description
        style_fields(self)

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in [*NEED_FIELDS, "alliance"]}


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=1000,
        required=False,  # the service asks for it, in Chinese
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择 1 至 5 分。"), "invalid_choice": _("评分须在 1 至 5 分之间。")},
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    enterprise = EnterpriseChoice(label=_("代表企业"), queryset=Enterprise.objects.none(), required=False)

    def __init__(self, *args, enterprise_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(pk__in=list(enterprise_ids)).order_by("name")
