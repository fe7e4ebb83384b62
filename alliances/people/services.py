"""Every write about other people's accounts (the people pages). The actor has been checked by
`permissions` for the person; these check what the actor asks for (the unit a person is affiliated
with, the password rules), and a reset, deactivation or reactivation checks `may_manage_person` again.

The account changes themselves (created, deactivated, reactivated, profile and password changed)
are recorded by `chainparty.receivers` from the User model's signals; a reset records in addition
how it was done (a link or a temporary password), which the model cannot know.
"""

import secrets
import string

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from alliances import people
from chainparty import audit

User = get_user_model()

GENERATED_USERNAME_TRIES = 20
TEMPORARY_PASSWORD_LENGTH = 12


def _set_affiliation(person, unit) -> None:
    person.affiliation_type = ContentType.objects.get_for_model(unit)
    person.affiliation_id = unit.pk
    person.affiliation = str(unit)[: User._meta.get_field("affiliation").max_length]


def _check_affiliation(actor, unit) -> None:
    if unit is None:
        raise ValidationError({"affiliation": _("请选择所属单位。")})
    if not people.may_affiliate(actor, unit):
        raise ValidationError({"affiliation": _("所选单位不在您的管理范围内。")})


def generate_username() -> str:
    """`cp` and six digits, free at the time of asking. Not the mobile number: usernames are shown
    where mobile numbers are masked."""
    for _attempt in range(GENERATED_USERNAME_TRIES):
        candidate = f"cp{secrets.randbelow(10**6):06d}"
        if not User.objects.filter(username=candidate).exists():
            return candidate
    raise ValidationError({"username": _("未能生成可用的用户名，请手工填写。")})


@transaction.atomic
def person_create(*, actor, real_name: str, mobile: str, affiliation_unit, email: str = "", username: str = ""):
    """A new account for someone working in `affiliation_unit`, with no usable password yet: staff
    hand over a one-time link or a temporary password next (`password_reset_link`,
    `password_set_temporary`)."""
    _check_affiliation(actor, affiliation_unit)
    person = User(
        username=username.strip() or generate_username(),
        real_name=real_name.strip(),
        mobile=mobile.strip(),
        email=email.strip(),
    )
    if not person.real_name:
        raise ValidationError({"real_name": _("请填写姓名。")})
    if not person.mobile:
        raise ValidationError({"mobile": _("请填写手机号码。")})
    _set_affiliation(person, affiliation_unit)
    person.set_unusable_password()
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_update(
    *, actor, person, real_name: str, mobile: str, affiliation_unit, email: str = "", wecom_userid: str | None = None
):
    _require_manage(actor, person)
    fields = {"real_name": real_name.strip(), "mobile": mobile.strip(), "email": email.strip()}
    if wecom_userid is not None:  # None: the caller does not edit it
        fields["wecom_userid"] = wecom_userid.strip()
    if not fields["real_name"]:
        raise ValidationError({"real_name": _("请填写姓名。")})
    for name, value in fields.items():
        setattr(person, name, value)
    changed = [*fields]
    if affiliation_unit != person.affiliation_unit:
        _check_affiliation(actor, affiliation_unit)
        _set_affiliation(person, affiliation_unit)
        changed += ["affiliation_type", "affiliation_id", "affiliation"]
    person.full_clean()
    person.save(update_fields=changed)
    return person


def _record_reset(person, method: str) -> None:
    audit.record(
        action=audit.Action.PASSWORD_RESET,
        target=person,
        region_path=audit.person_region_path(person),
        data={"method": method},
    )


def _require_manage(actor, person) -> None:
    """The views ask `permissions.person_get_for_user(action=MANAGE)` first; the services check the
    same rule again, so no other caller resets or deactivates an account the actor may not manage
    (a fellow staff member of the same region, staff above, a platform role)."""
    if not people.may_manage_person(actor, person):
        raise PermissionDenied(_("该人员担任的职务超出您的管理范围，您可以查看，但无权修改其账号。"))


def _require_active(person) -> None:
    if not person.is_active:
        raise ValidationError(_("该账号已停用，请先启用。"))


@transaction.atomic
def password_reset_link(*, actor, person, base_url: str) -> str:
    """A one-time link to set a new password (Django's reset token: it stops working once the
    password changes or the person signs in, and after PASSWORD_RESET_TIMEOUT). Shown to the
    staff member to pass on, and e-mailed to the person when they have an address."""
    _require_manage(actor, person)
    _require_active(person)
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(person)}
    )
    _record_reset(person, "link")
    if person.email:
        address, name = person.email, person.display_name
        subject = _("产业链党建联盟平台：设置登录密码")
        body = _(
            "%(name)s，您好：\n\n请打开以下链接设置登录密码（链接仅可使用一次）：\n%(link)s\n\n用户名：%(username)s\n"
        ) % {
            "name": name,
            "link": link,
            "username": person.username,
        }
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True)
        )
    return link


def _temporary_password(person) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = (
            "".join(secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH - 2))
            + secrets.choice("@#%&*+=?")
            + secrets.choice(string.digits)
        )
        try:
            password_validation.validate_password(candidate, person)
        except ValidationError:
            continue
        return candidate


@transaction.atomic
def password_set_temporary(*, actor, person) -> str:
    """A temporary password the person must change at their first sign-in. Their sessions end (the
    password changed)."""
    from chainparty.security.services import password_require_change

    _require_manage(actor, person)
    _require_active(person)
    password = _temporary_password(person)
    person.set_password(password)
    person.save(update_fields=["password"])
    password_require_change(user=person)
    _record_reset(person, "temporary")
    return password


@transaction.atomic
def person_deactivate(*, actor, person):
    """The person can no longer sign in; their sessions end (`chainparty.security`) and their API
    tokens stop working (the token check reads `is_active`)."""
    if person.pk == actor.pk:
        raise PermissionDenied(_("不能停用自己的账号。"))
    _require_manage(actor, person)
    if not person.is_active:
        return person
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


@transaction.atomic
def person_reactivate(*, actor, person):
    _require_manage(actor, person)
    if person.is_active:
        return person
    person.is_active = True
    person.save(update_fields=["is_active"])
    return person
