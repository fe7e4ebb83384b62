"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS, issue 10 §2.1)."""

import string

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (
    ("lower", lambda ch: ch in string.ascii_lowercase),
    ("upper", lambda ch: ch in string.ascii_uppercase),
    ("digit", lambda ch: ch.isdigit()),
    ("other", lambda ch: not (ch in string.ascii_letters or ch.isdigit())),
)


def character_classes(password: str) -> int:
    """How many of lowercase, uppercase, digits and other characters the password uses."""
    return sum(1 for _name, test in CHARACTER_CLASSES if any(test(ch) for ch in password))


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a Chinese message: Django 5.2's catalogue no longer matches the English
    message it raises (its msgid changed), so the stock validator answers in English."""

    def get_error_message(self):
        return _("密码太短，至少需要%(count)d个字符。") % {"count": self.min_length}

    def get_help_text(self):
        return _("密码至少需要%(count)d个字符。") % {"count": self.min_length}


class CharacterClassesValidator:
    """At least `min_classes` of the four character classes (MLPS 2.0 level 3: complexity)."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、其他符号四类中的至少%(count)d类。") % {"count": self.min_classes}


class PasswordHistoryValidator:
    """Not one of the user's last `count` passwords (their hashes are kept in PasswordHistory)."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.count <= 0:
            return
        from .models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(self._message(), code="password_reused")

    def _message(self):
        return ngettext(
            "新密码不能与最近使用过的密码相同。",
            "新密码不能与最近%(count)d次使用过的密码相同。",
            self.count,
        ) % {"count": self.count}

    def get_help_text(self):
        return self._message()

    def password_changed(self, password, user=None):
        """Django calls this after a user with a new password is saved: keep its hash, and only as
        many as the rule looks back."""
        if user is None or user.pk is None:
            return
        from . import receivers, services

        services.password_history_record(user=user, keep=max(self.count, 1))
        receivers.on_password_changed(user)
