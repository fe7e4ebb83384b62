"""Validators every app uses for what people type: dates within a sane range, telephone numbers, long
texts, and ids in query strings. Models carry them (so services' `full_clean()` enforces them, and
model forms and serializers show the same messages); filters use the fields in chainparty.filters."""

import datetime as dt
import re

from django.core.exceptions import BadRequest, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The portal's dates are working dates: policies, deals, deadlines, meetings, terms. Outside this range
# a date is a typo (0001-01-01, 9999-12-31), and at its edges date arithmetic and the conversion to
# UTC overflow.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

# Long free texts (a need's description, an answer, a policy's summary): several pages of Chinese.
LONG_TEXT_MAX = 5000
# A policy's full text may be longer.
DOCUMENT_TEXT_MAX = 50000

# Ids are bigints: at most 18 ASCII digits keep them below 2**63.
_ASCII_ID = re.compile(r"[0-9]{1,18}", re.ASCII)

# 11-digit mainland mobile (optionally +86), or a landline: optional area code 0xx(x), 7-8 digits,
# optional extension. ASCII digits only: `\d` would accept Arabic-Indic and full-width digits.
_PHONE = re.compile(
    r"(?:\+?86[- ]?)?1[3-9][0-9]{9}"
    r"|(?:0[1-9][0-9]{1,2}[- ]?)?[0-9]{7,8}(?:(?:-|转| ?ext\.? ?| ?x ?)[0-9]{1,6})?"
    r"|(?:400|800)[- ]?[0-9]{3}[- ]?[0-9]{4}",
    re.ASCII,
)


@deconstructible
class DateRangeValidator:
    """Refuse dates outside [minimum, maximum] with a Chinese message naming the range."""

    code = "date_out_of_range"

    def __init__(self, minimum: dt.date = DATE_MIN, maximum: dt.date = DATE_MAX):
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        if not self.minimum <= day <= self.maximum:
            raise ValidationError(
                _("日期应在 %(min)s 至 %(max)s 之间。"),
                code=self.code,
                params={"min": self.minimum.isoformat(), "max": self.maximum.isoformat()},
            )

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and (self.minimum, self.maximum) == (other.minimum, other.maximum)


validate_date = DateRangeValidator()


def validate_phone(value: str) -> None:
    """A mainland mobile number (13812345678) or a landline (0537-7212345, 7212345, with an extension)."""
    if value and not _PHONE.fullmatch(value.strip()):
        raise ValidationError(
            _("请输入有效的电话号码：11位手机号码，或带区号的固定电话（如 0537-7212345）。"), code="phone"
        )


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """MaxLengthValidator with the portal's Chinese message (TextField's max_length is not enforced)."""

    message = gettext_lazy("内容过长：最多 %(limit_value)d 个字符（当前 %(show_value)d 个）。")


validate_long_text = TextLengthValidator(LONG_TEXT_MAX)
validate_document_text = TextLengthValidator(DOCUMENT_TEXT_MAX)


class InvalidParameter(BadRequest):
    """A query or form parameter that cannot be read (an id that is not ASCII digits). Answered 400,
    with this message on the page (chainparty.views.bad_request) or in the API."""


def is_ascii_id(value) -> bool:
    """True for a string of 1-18 ASCII digits. Python's `str.isdigit()` and `int()` also accept '²' and
    Arabic-Indic or full-width digits, which the database then refuses (a 500)."""
    return isinstance(value, str) and _ASCII_ID.fullmatch(value) is not None


def parse_id(value, *, name: str = "id") -> int | None:
    """The id in a query parameter: None when absent or empty; InvalidParameter (400) when it is not an id."""
    if value is None or value == "":
        return None
    if not is_ascii_id(value):
        raise InvalidParameter(_("参数“%(name)s”应为数字编号。") % {"name": name})
    return int(value)


def parse_ids(values, *, name: str = "id") -> list[int]:
    return [parse_id(value, name=name) for value in values if value != ""]
