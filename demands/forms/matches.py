"""Forms for cooperations and matches. Alliance choices are limited to what the user may reach."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.access import visible_departments, visible_enterprises
from chainparty import filters
from chainparty.forms_utils import DATE, style_fields

from ..models import Cooperation
from ..permissions.matches import cooperation_alliances_for


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
    date = filters.DateField(label=_("合作日期"), required=False, widget=DATE)

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
