"""Forms for resources, policies, matches and cooperations. Choices are limited to what the user may reach."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.access import visible_departments, visible_enterprises
from alliances.models import Alliance, Enterprise, Region, WorkZone
from chainparty.forms_utils import DATE, style_fields

from .models import Cooperation, Policy, Resource
from .permissions.matches import cooperation_alliances_for
from .permissions.policies import policy_departments_for
from .permissions.resources import resource_owner_choices


class ResourceForm(forms.ModelForm):
    owner = forms.ChoiceField(label=_("提供方"))

    class Meta:
        model = Resource
        fields = ["category", "title", "description", "quantity", "zone", "valid_until", "contact"]
        widgets = {"valid_until": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        enterprises, departments = resource_owner_choices(user)
        self._owners = {f"e{e.pk}": e for e in enterprises} | {f"d{d.pk}": d for d in departments}
        if self.instance.pk:
            del self.fields["owner"]
            region_id = self.instance.region_id
        else:
            self.fields["owner"].choices = [(key, str(owner)) for key, owner in self._owners.items()]
            region_ids = {owner.region_id for owner in self._owners.values()}
            region_id = next(iter(region_ids)) if len(region_ids) == 1 else None
        zones = WorkZone.objects.order_by("name")
        self.fields["zone"].queryset = (
            zones.filter(region_id=region_id)
            if region_id
            else zones.filter(region_id__in={o.region_id for o in self._owners.values()})
        )
        self.fields["zone"].help_text = _("留空时取企业所在片区。")
        style_fields(self)

    def owner_kwargs(self):
        owner = self._owners[self.cleaned_data["owner"]]
        return {"enterprise": owner} if isinstance(owner, Enterprise) else {"department": owner}

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self):
        # The service validates the row once it knows the owner (and its region).
        pass


def _split_industries(text):
    return [part for part in re.split(r"[、，,；;\s]+", text or "") if part]


class PolicyForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("政策类别"), choices=Policy.Category.choices, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.CharField(
        label=_("适用行业"),
        required=False,
        help_text=_("多个行业用顿号或逗号分隔，例如：纺织服装、服装；留空表示不限行业。"),
    )
    sizes = forms.MultipleChoiceField(
        label=_("适用企业规模"),
        required=False,
        choices=Enterprise.Size.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选表示不限规模。"),
    )

    class Meta:
        model = Policy
        fields = [
            "department",
            "title",
            "doc_number",
            "issuer",
            "categories",
            "summary",
            "body",
            "attachment",
            "industries",
            "sizes",
            "target_regions",
            "target_zones",
            "target_alliances",
            "valid_from",
            "valid_to",
            "contact",
        ]
        widgets = {
            "valid_from": DATE,
            "valid_to": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 8}),
            "attachment": forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        }
        help_texts = {
            "target_regions": _("留空表示发布部门所在区域的全部企业。"),
            "target_alliances": _("选择后只推送给这些联盟的成员企业。"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].required = False
        self.fields["issuer"].help_text = _("留空时取发布部门名称。")
        departments = policy_departments_for(user)
        self.fields["department"].queryset = departments
        region_paths = list(departments.values_list("region__path", flat=True).distinct())
        if self.instance.pk:
            self.fields["department"].disabled = True
            self.fields["department"].queryset = type(self.instance.department).objects.filter(
                pk=self.instance.department_id
            )
            region_paths = [self.instance.region.path]
            self.initial["categories"] = list(self.instance.category_rows.values_list("category", flat=True))
            self.initial["industries"] = "、".join(self.instance.industries)
            self.initial["sizes"] = self.instance.sizes
        else:
            only = list(departments[:2])
            if len(only) == 1:  # a handler of one department publishes for it: preselect it
                self.fields["department"].initial = only[0].pk
                self.fields["department"].empty_label = None
        under = Region.objects.none()
        for path in region_paths:
            under |= Region.objects.filter(path__startswith=path)
        self.fields["target_regions"].queryset = under.order_by("code")
        self.fields["target_zones"].queryset = WorkZone.objects.filter(region__in=under).order_by("name")
        self.fields["target_alliances"].queryset = Alliance.objects.filter(region__in=under).order_by("name")
        self.fields["attachment"].help_text = _("仅限 PDF，不超过 20 MB。")
        style_fields(self)

    def clean_industries(self):
        return _split_industries(self.cleaned_data.get("industries"))

    def clean(self):
        data = super().clean()
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("有效期止不能早于有效期起。"))
        return data

    def _post_clean(self):
        # Model validation happens in the service, which knows the department's region.
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("department", None)
        return data


class CooperationForm(forms.ModelForm):
    class Meta:
        model = Cooperation
        fields = [
            "alliance",
            "provider_enterprise",
            "provider_department",
            "receiver_enterprise",
            "description",
            "value_wan",
            "date",
        ]
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"provider_department": _("提供方是部门时填写，与提供方企业二选一。")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = cooperation_alliances_for(user)
        enterprises = visible_enterprises(user).order_by("name")
        self.fields["provider_enterprise"].queryset = enterprises
        self.fields["receiver_enterprise"].queryset = enterprises
        self.fields["provider_department"].queryset = visible_departments(user).order_by("name")
        style_fields(self)

    def clean(self):
        data = super().clean()
        if bool(data.get("provider_enterprise")) == bool(data.get("provider_department")):
            self.add_error("provider_enterprise", _("请在提供方企业和提供方部门中选择且只选择一个。"))
        return data

    def _post_clean(self):
        pass

    def service_fields(self):
        return dict(self.cleaned_data)


class MatchConfirmForm(forms.Form):
    """Filled by whoever confirms last: it describes the cooperation the match becomes."""

    description = forms.CharField(label=_("合作内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    value_wan = forms.DecimalField(
        label=_("合作金额（万元）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    date = forms.DateField(label=_("合作日期"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ProposeMatchForm(forms.Form):
    resource = forms.IntegerField(required=False)
    policy = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("resource")) == bool(data.get("policy")):
            raise forms.ValidationError(_("请选择一项资源或一项政策。"))
        return data
