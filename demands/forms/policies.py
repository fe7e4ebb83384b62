"""The policy form. Department and target choices are limited to what the user may reach."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.models import Alliance, Enterprise, Region, WorkZone
from chainparty.forms_utils import DATE, style_fields

from ..models import Policy
from ..permissions.policies import policy_departments_for


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
        regions = Region.objects.filter(pk__in=departments.values("region_id"))
        if self.instance.pk:
            self.fields["department"].disabled = True
            self.fields["department"].queryset = type(self.instance.department).objects.filter(
                pk=self.instance.department_id
            )
            regions = [self.instance.region]
            self.initial["categories"] = list(self.instance.category_rows.values_list("category", flat=True))
            self.initial["industries"] = "、".join(self.instance.industries)
            self.initial["sizes"] = self.instance.sizes
        else:
            only = list(departments[:2])
            if len(only) == 1:  # a handler of one department publishes for it: preselect it
                self.fields["department"].initial = only[0].pk
                self.fields["department"].empty_label = None
        under = Region.objects.subtree_of(regions)
        self.fields["target_regions"].queryset = under.order_by("code")
        self.fields["target_zones"].queryset = WorkZone.objects.filter(region__in=under).order_by("name")
        self.fields["target_alliances"].queryset = Alliance.objects.filter(region__in=under).order_by("name")
        self.fields["attachment"].help_text = _("仅限 PDF，不超过 20 MB。")
        style_fields(self)

    def clean_industries(self):
        return _split_industries(self.cleaned_data.get("industries"))

    def _post_clean(self):
        # Model validation and the rules (validity dates, targets within the department's region) are the
        # service's: form_page shows its ValidationError on these fields.
        pass

    def service_fields(self):
        data = dict(self.cleaned_data)
        data.pop("department", None)
        return data
