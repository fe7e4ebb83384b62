from django import forms
from django.utils.translation import gettext_lazy as _

from chainparty.forms_utils import DATE, FastSelect, style_fields

from . import people
from .access import manageable_regions, visible_enterprises
from .models import (
    Alliance,
    CommitteeSeat,
    Department,
    Enterprise,
    Membership,
    PartyOrganization,
    RotatingChair,
    WorkZone,
    within_regions_q,
)
from .selectors import seat_candidates


class ScopedModelForm(forms.ModelForm):
    """A model form whose choices are limited to what the acting user may reach."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].queryset = manageable_regions(user)
        style_fields(self)

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EnterpriseForm(ScopedModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "industry",
            "size",
            "region",
            "zone",
            "address",
            "employees",
            "legal_representative",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["zone"].queryset = WorkZone.objects.filter(region__in=manageable_regions(user))
        if self.instance.pk and not self.fields["region"].queryset.filter(pk=self.instance.region_id).exists():
            # An enterprise secretary edits their own enterprise's details, not where it is registered.
            for name in ("region", "zone", "credit_code"):
                self.fields[name].disabled = True
            self.fields["region"].queryset = type(self.instance.region).objects.filter(pk=self.instance.region_id)
            self.fields["zone"].queryset = WorkZone.objects.filter(region_id=self.instance.region_id)

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = ["name", "chain", "kind", "region", "lead_enterprise", "founded_on", "meeting_cadence", "description"]
        widgets = {"founded_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["lead_enterprise"].queryset = visible_enterprises(user).order_by("name")
        if self.instance.pk and not self.fields["region"].queryset.filter(pk=self.instance.region_id).exists():
            self.fields["region"].disabled = True
            self.fields["region"].queryset = type(self.instance.region).objects.filter(pk=self.instance.region_id)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["enterprise", "department", "position", "joined_on", "note"]
        widgets = {"joined_on": DATE}

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        active = alliance.memberships.filter(left_on__isnull=True)
        # Whoever manages the alliance may recruit any enterprise of its region, not only visible ones.
        self.fields["enterprise"].queryset = (
            Enterprise.objects.filter(within_regions_q(alliance.region))
            .exclude(pk__in=active.exclude(enterprise=None).values("enterprise_id"))
            .order_by("name")
        )
        self.fields["department"].queryset = Department.objects.filter(
            region__in=alliance.region.ancestor_ids()
        ).exclude(pk__in=active.exclude(department=None).values("department_id"))
        self.fields["position"].required = False
        style_fields(self)

    def clean(self):
        data = super().clean()
        if bool(data.get("enterprise")) == bool(data.get("department")):
            raise forms.ValidationError(_("请选择一家企业或一个部门（二者选一）。"))
        if data.get("enterprise") and not data.get("position"):
            self.add_error("position", _("请选择企业在产业链上的位置。"))
        if data.get("department"):
            data["position"] = Membership.Position.FACTOR
        return data


class MembershipEndForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DATE)


class SeatForm(forms.ModelForm):
    class Meta:
        model = CommitteeSeat
        fields = ["role", "person_name", "user", "enterprise", "department", "term_start", "term_end"]
        widgets = {"term_start": DATE, "term_end": DATE}

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            pk__in=alliance.memberships.exclude(enterprise=None).values("enterprise_id")
        )
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=alliance.memberships.exclude(department=None).values("department_id")
        )
        self.fields["user"].queryset = seat_candidates(alliance=alliance)
        style_fields(self)

    def clean(self):
        data = super().clean()
        if not data.get("enterprise") and not data.get("department"):
            raise forms.ValidationError(_("请选择班子成员来自的成员企业或部门。"))
        return data


class RotationForm(forms.ModelForm):
    class Meta:
        model = RotatingChair
        fields = ["year", "quarter", "enterprise", "person_name"]

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.alliance = alliance
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            pk__in=alliance.memberships.filter(left_on__isnull=True).exclude(enterprise=None).values("enterprise_id")
        )
        style_fields(self)

    def validate_unique(self):
        # rotation_set replaces the chair of an already planned quarter instead of refusing it.
        pass


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "factor_group", "region", "phone"]


class ZoneForm(ScopedModelForm):
    class Meta:
        model = WorkZone
        fields = ["name", "kind", "region", "parent", "address", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["parent"].queryset = WorkZone.objects.filter(region__in=manageable_regions(user))


class PartyOrganizationForm(ScopedModelForm):
    class Meta:
        model = PartyOrganization
        fields = [
            "name",
            "kind",
            "region",
            "enterprises",
            "parent",
            "secretary_name",
            "members",
            "probationary_members",
            "activists",
            "founded_on",
        ]
        widgets = {"founded_on": DATE, "enterprises": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["enterprises"].queryset = visible_enterprises(user).order_by("name")
        self.fields["parent"].queryset = PartyOrganization.objects.filter(region__in=manageable_regions(user))
        if self.instance.pk and not self.fields["region"].queryset.filter(pk=self.instance.region_id).exists():
            for name in ("region", "enterprises", "parent", "kind"):
                self.fields[name].disabled = True
            self.fields["region"].queryset = type(self.instance.region).objects.filter(pk=self.instance.region_id)


class GrantForm(forms.Form):
    """Give a role on an enterprise or department page to an account the granting person reaches
    (alliances.people); the service checks again."""

    user = forms.ModelChoiceField(label=_("人员"), queryset=None, widget=FastSelect)

    def __init__(self, *args, actor, holders, **kwargs):
        super().__init__(*args, **kwargs)
        reached = people.people_reached(actor).filter(is_active=True).exclude(pk__in=holders)
        self.fields["user"].queryset = reached.order_by("real_name", "username")
        self.fields["user"].label_from_instance = lambda user: f"{user.display_name}（{user.username}）"
        style_fields(self)
