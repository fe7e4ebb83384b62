"""Forms of the need pages. They parse and check input; the services decide and write."""

from html import escape

from django import forms
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from alliances.access import manageable_regions, scope_for, visible_alliances, visible_departments
from alliances.models import Alliance, Department
from alliances.selectors import department_handlers
from chainparty import filters, uploads
from chainparty.forms_utils import DATE, style_fields

from ..models import DeadlineRule, Need, Resource
from ..permissions.needs import enterprises_for_filing
from ..selectors import needs as selectors

ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is checked by its content (demands.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": ACCEPTED_FILES}))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", _("可多选；仅限 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx），单个文件不超过 20 MB。")
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        cleaned, errors = [], []
        for item in items:
            item = super().clean(item, initial)
            try:
                uploads.check_upload(item)
            except ValidationError as error:
                errors.extend(error.messages)
            cleaned.append(item)
        if errors:
            raise ValidationError(errors)
        return cleaned


class VersionedForm(forms.Form):
    """Action forms carry the version the user saw; a newer one means someone else acted first."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        if need is not None:
            self.fields["version"].initial = need.version
        style_fields(self)

    @property
    def expected_version(self):
        return self.cleaned_data.get("version")


# -- lists ----------------------------------------------------------------------------------------
OVERDUE_CHOICES = [("", _("全部")), ("1", _("已超期")), ("0", _("未超期"))]


def _options(choices) -> str:
    return "".join(f'<option value="{escape(str(value))}">{escape(str(label))}</option>' for value, label in choices)


def _select(name, options, selected):
    """A <select> from ready <option> HTML (every value and label in it escaped), marking `selected`."""
    if selected:
        mark = f'<option value="{escape(str(selected))}">'
        options = options.replace(mark, mark[:-1] + " selected>", 1)
    return mark_safe(f'<select name="{name}" id="id_{name}" class="form-select form-select-sm">{options}</select>')


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("编号或标题"), required=False, max_length=50)
    state = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False)
    alliance = forms.ModelChoiceField(
        label=_("联盟"), queryset=Alliance.objects.none(), required=False, empty_label=_("全部")
    )
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Department.objects.none(), required=False, empty_label=_("全部")
    )
    overdue = forms.ChoiceField(label=_("超期"), choices=OVERDUE_CHOICES, required=False)
    filed_from = filters.DateField(label=_("提交日期自"), required=False, widget=DATE)
    filed_to = filters.DateField(label=_("至"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        everything = [("", _("全部"))]
        self.fields["state"].choices = everything + list(Need.State.choices)
        self.fields["category"].choices = everything + list(Need.Category.choices)
        self.fields["urgency"].choices = everything + list(Need.Urgency.choices)
        for name in ("alliance", "department"):
            # The options come from a per-user cache (options()); the user's queryset is built only
            # to validate a submitted value.
            chosen = self.is_bound and self.data.get(name)
            if chosen:
                self.fields[name].queryset = self._choice_queryset(name)
        style_fields(self)

    def _choice_queryset(self, name):
        visible = visible_alliances if name == "alliance" else visible_departments
        return visible(self.user).only("pk", "name").order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("filed_from") and data.get("filed_to") and data["filed_from"] > data["filed_to"]:
            self.add_error("filed_to", _("结束日期不能早于开始日期。"))
        return data

    CHOICES_CACHE_SECONDS = 300

    def _options(self, name) -> str:
        """<option> HTML of a filter. Alliances and departments are cached per user and reach for
        five minutes: they change rarely, and a province has thousands."""
        if name not in ("alliance", "department"):
            return _options(self.fields[name].choices)
        key = f"needs:filter:{name}:{self.user.pk}:{hash(scope_for(self.user))}"
        html = cache.get(key)
        if html is None:
            rows = self._choice_queryset(name).values_list("pk", "name")
            html = _options([("", _("全部")), *rows])
            cache.set(key, html, self.CHOICES_CACHE_SECONDS)
        return html

    def options(self) -> dict:
        """The filter bar's selects as HTML, built in Python: Django's select widgets and template
        loops are slow for the hundreds of alliances and departments of a city."""
        current = self.data if self.is_bound else {}
        names = ("state", "category", "urgency", "overdue", "alliance", "department")
        return {name: _select(name, self._options(name), current.get(name, "")) for name in names}

    def to_filters(self) -> selectors.NeedFilters:
        data = self.cleaned_data if self.is_valid() else {}
        overdue = {"1": True, "0": False}.get(data.get("overdue") or "")
        return selectors.NeedFilters(
            states=[data["state"]] if data.get("state") else [],
            category=data.get("category") or "",
            urgency=data.get("urgency") or "",
            alliance_id=data["alliance"].pk if data.get("alliance") else None,
            department_id=data["department"].pk if data.get("department") else None,
            overdue=overdue,
            filed_from=data.get("filed_from"),
            filed_to=data.get("filed_to"),
            search=data.get("q") or "",
        )


# -- filing ----------------------------------------------------------------------------------------
class NeedForm(forms.ModelForm):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=None, empty_label=_("请选择企业"))
    alliance = forms.ModelChoiceField(
        label=_("受理联盟"),
        queryset=None,
        required=False,
        empty_label=_("自动（企业只加入一个联盟时）"),
        help_text=_("企业加入多个联盟时请选择由哪个联盟受理。"),
    )
    source = forms.ChoiceField(label=_("来源"), choices=Need.Source.choices, required=False)
    attachments = MultipleFileField(label=_("附件"))

    class Meta:
        model = Need
        fields = [
            "enterprise",
            "alliance",
            "category",
            "urgency",
            "source",
            "title",
            "description",
            "funding_wan",
            "land_mu",
            "people",
            "contact_name",
            "contact_phone",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "funding_wan": _("融资类需求填写，单位万元。"),
            "land_mu": _("用地类需求填写，单位亩。"),
            "people": _("用工类需求填写。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises = enterprises_for_filing(user).order_by("name")
        self.fields["enterprise"].queryset = enterprises
        self.fields["alliance"].queryset = visible_alliances(user).order_by("name")
        scope = scope_for(user)
        if len(scope.enterprise_ids) == 1 and not self.is_bound:
            self.fields["enterprise"].initial = next(iter(scope.enterprise_ids))
        self.fields["contact_name"].required = False
        self.fields["contact_phone"].required = False
        self.fields["contact_name"].help_text = _("留空则使用企业登记的联系人。")
        style_fields(self)

    def service_fields(self):
        data = dict(self.cleaned_data)
        data["attachments"] = data.get("attachments") or []
        return data


# -- the alliance's actions ----------------------------------------------------------------------------
class NoteForm(VersionedForm):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(VersionedForm):
    into = forms.ModelChoiceField(label=_("合并至"), queryset=Need.objects.none(), empty_label=_("请选择重复的需求"))
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, need, **kwargs):
        super().__init__(*args, need=need, **kwargs)
        candidates = selectors.merge_candidates(need=need)
        self.fields["into"].queryset = Need.objects.filter(pk__in=[n.pk for n in candidates])
        self.fields["into"].choices = [("", _("请选择重复的需求"))] + [
            (n.pk, f"{n.number} {n.title}（{n.enterprise}）") for n in candidates
        ]


class SuggestionSlot(forms.Widget):
    """Where the suggested resources appear as choices: loaded by htmx after the page, since
    matching takes longer than the rest of the need page (the choices post as `lead_resource`)."""

    def __init__(self, *, url, attrs=None):
        super().__init__(attrs)
        self.url = url

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            '<div id="dispatch-suggestions" hx-get="{}" hx-trigger="load" hx-swap="innerHTML">'
            '<span class="text-muted small">{}</span></div>',
            self.url,
            _("正在匹配资源和政策…"),
        )


class HandlerSelect(forms.Select):
    """Each handler's option lists the departments they handle for (data-departments), so
    static/js/dispatch.js offers only the handlers of the department chosen in `department_field`."""

    def __init__(self, *, department_field, departments_of=None):
        super().__init__(attrs={"class": "form-select", "data-department-field": department_field})
        self.departments_of = departments_of or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        user_id = getattr(value, "value", value)
        if user_id:
            option["attrs"]["data-departments"] = " ".join(str(pk) for pk in self.departments_of.get(user_id, ()))
        return option


class DispatchForm(VersionedForm):
    lead_department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.none(), required=False, empty_label=_("（不派部门）")
    )
    lead_resource = forms.ModelChoiceField(
        label=_("或匹配成员资源"),
        queryset=Resource.objects.all(),
        required=False,
        help_text=_("由资源提供企业答复；与牵头部门二选一。"),
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=Department.objects.none(), required=False
    )
    lead_handler = forms.ModelChoiceField(
        label=_("牵头部门经办人"),
        queryset=None,
        required=False,
        empty_label=_("（部门全体办理人）"),
    )
    deadline = filters.DateField(
        label=_("办理时限"),
        required=False,
        widget=DATE,
        help_text=_("留空则按紧急程度和类别的工作日规则计算。"),
    )
    instruction = forms.CharField(label=_("派单说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, need, **kwargs):
        super().__init__(*args, need=need, **kwargs)
        selected = self["lead_resource"].value() or ""
        self.fields["lead_resource"].widget = SuggestionSlot(
            url=f"{reverse('demands:need_dispatch_suggestions', args=[need.pk])}?selected={selected}"
        )
        departments = selectors.dispatch_departments(need=need)
        ids = [d.pk for d in departments]
        handlers = department_handlers(ids)
        labels = [(d.pk, self._department_label(d, staffed=d.pk in handlers)) for d in departments]
        for name in ("lead_department", "co_departments"):
            self.fields[name].queryset = Department.objects.filter(pk__in=ids)
        self.fields["lead_department"].choices = [("", _("（不派部门）")), *labels]
        self.fields["co_departments"].choices = labels
        departments_of = {}
        for department_id, users in handlers.items():
            for user in users:
                departments_of.setdefault(user.pk, []).append(department_id)
        self.fields["lead_handler"].widget = HandlerSelect(
            department_field="lead_department", departments_of=departments_of
        )
        self.fields["lead_handler"].queryset = get_user_model().objects.filter(pk__in=departments_of)  # sets choices
        self.fields["co_departments"].widget.attrs["size"] = min(8, max(3, len(ids)))

    @staticmethod
    def _department_label(department, *, staffed):
        label = department.name
        if department.is_factor_member:
            label += str(_("（联盟要素单位）"))
        if not staffed:
            label += str(_("（暂无办理人）"))  # the service refuses it; say so before it is chosen
        return label

    # "A lead department or a resource, not both", and a department without handlers, are the
    # service's rules (workflow.need_dispatch); the view puts its messages on these fields.
    def service_fields(self):
        data = self.cleaned_data
        handlers = {}
        if data.get("lead_handler") and data.get("lead_department"):
            handlers[data["lead_department"].pk] = data["lead_handler"]
        return {
            "lead_department": data.get("lead_department"),
            "lead_resource": data.get("lead_resource"),
            "co_departments": list(data.get("co_departments") or []),
            "handlers": handlers,
            "deadline": data.get("deadline"),
            "instruction": data.get("instruction") or "",
        }


# -- the enterprise's actions -----------------------------------------------------------------------------
class ResubmitForm(VersionedForm):
    supplement = forms.CharField(label=_("补充说明"), widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("补充附件"))


class RateForm(VersionedForm):
    rating = forms.ChoiceField(label=_("满意度"), choices=Need.Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("选择“不满意”时必填，需求将退回重新办理。"),
    )


class AttachForm(VersionedForm):
    attachments = MultipleFileField(label=_("附件"), required=True)


# -- the handler's answer ----------------------------------------------------------------------------------
class AnswerForm(VersionedForm):
    answer = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 5}))
    people_solved = forms.IntegerField(label=_("招用人数"), required=False, min_value=0)
    funding_wan_solved = forms.DecimalField(
        label=_("落实融资（万元）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    land_mu_solved = forms.DecimalField(
        label=_("落实用地（亩）"), required=False, min_value=0, max_digits=10, decimal_places=2
    )


# -- deadline rules ----------------------------------------------------------------------------------
class DeadlineRuleForm(forms.ModelForm):
    region = forms.ModelChoiceField(label=_("适用区域"), queryset=None, required=False, empty_label=_("全平台默认"))

    class Meta:
        model = DeadlineRule
        fields = ["region", "urgency", "category", "workdays"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = manageable_regions(user).order_by("code")
        if not scope_for(user).is_global_admin:
            self.fields["region"].required = True
            self.fields["region"].empty_label = None
        self.fields["category"].choices = [("", _("所有类别")), *Need.Category.choices]
        style_fields(self)

    def validate_unique(self):
        """The service updates an existing rule for the same key instead of refusing it."""
