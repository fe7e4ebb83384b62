"""Forms of the people pages: who a person is and where they work."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from alliances import people
from chainparty.forms_utils import style_fields
from chainparty.models import mobile_validator
from chainparty.validators import is_ascii_id

User = get_user_model()

username_validator = RegexValidator(
    r"^[A-Za-z0-9_.@+-]{3,150}$", _("用户名只能包含字母、数字和 _ . @ + -，至少 3 位。")
)


class AffiliationField(forms.ChoiceField):
    """One select over the units the actor may affiliate a person with, grouped by kind; the value
    is `<kind>:<id>`."""

    def __init__(self, *, actor, **kwargs):
        units = people.affiliation_units_for(actor)
        self.units = units
        choices = [("", "---------")]
        labels = {"region": _("组织部"), "department": _("职能部门"), "enterprise": _("企业")}
        for kind in ("region", "department", "enterprise"):
            options = [
                (f"{kind}:{unit.pk}", str(unit) + (_(" 组织部") if kind == "region" else "")) for unit in units[kind]
            ]
            if options:
                choices.append((labels[kind], options))
        super().__init__(choices=choices, **kwargs)

    def unit(self, value):
        if not value:
            return None
        kind, _sep, pk = value.partition(":")
        if kind not in self.units or not is_ascii_id(pk):
            return None
        return self.units[kind].filter(pk=int(pk)).first()


def affiliation_value(unit) -> str:
    return f"{unit._meta.model_name}:{unit.pk}" if unit is not None else ""


class PersonForm(forms.Form):
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=11, validators=[mobile_validator])
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("选填；填写后，重置密码链接会同时发送到该邮箱。")
    )

    def __init__(self, *args, actor, creating: bool, masked_mobile: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if masked_mobile:
            # The actor may change the account but not read its number (chainparty.privacy): the
            # field starts empty, and empty keeps the number on file.
            self.fields["mobile"].required = False
            self.fields["mobile"].help_text = _("当前号码 %(masked)s 已部分隐藏；留空则不修改。") % {
                "masked": masked_mobile
            }
        self.fields["affiliation"] = AffiliationField(actor=actor, label=_("所属单位"))
        if not creating:
            self.fields["wecom_userid"] = forms.CharField(
                label=_("企业微信账号"),
                required=False,
                max_length=64,
                help_text=_("企业微信通讯录中的账号（UserID），用于接收通知和登录验证码；不使用企业微信可不填。"),
            )
        if creating:
            self.fields["username"] = forms.CharField(
                label=_("用户名"),
                required=False,
                max_length=150,
                validators=[username_validator],
                help_text=_("留空则自动生成（cp 加 6 位数字）。"),
            )
            self.fields["credential"] = forms.ChoiceField(
                label=_("初始登录方式"),
                choices=[("link", _("一次性设置密码链接")), ("temporary", _("临时密码（首次登录须修改）"))],
                initial="link",
                widget=forms.RadioSelect,
            )
        style_fields(self)

    def clean_username(self):
        username = self.cleaned_data.get("username", "").strip()
        if username and User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return username

    def clean_affiliation(self):
        unit = self.fields["affiliation"].unit(self.cleaned_data.get("affiliation"))
        if unit is None:
            raise forms.ValidationError(_("请选择所属单位。"))
        return unit
