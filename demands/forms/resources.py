"""The resource form. Owner choices are limited to what the user may reach."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.models import Enterprise, WorkZone
from chainparty.forms_utils import DATE, style_fields

from ..models import Resource
from ..permissions.resources import resource_owner_choices


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
