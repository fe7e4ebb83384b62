"""Needs collected on paper (走访 or 会议 records kept in a county's 台账) entered afterwards, as the
Excel import of issue 11 does: filed through `need_file` like any other need, then dated on the day
they were raised, so the lists and the year's figures count them when they arose."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Need
from .filing import need_file

#: The hour of the day a need raised on a date is put at (the working day's start).
RAISED_AT = dt.time(9, 0)


def raised_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, RAISED_AT))


@transaction.atomic
def need_file_collected(*, actor, raised_on: dt.date, **fields) -> Need:
    """File a need collected on `raised_on` (not later than today) with `need_file`'s arguments; its
    number is the year it is entered, its filing time the day it was raised. The timeline's first
    entry keeps the time it was entered, by whom."""
    if raised_on > timezone.localdate():
        raise ValidationError({"raised_on": _("提出日期不能晚于今天。")})
    need = need_file(actor=actor, **fields)
    when = raised_at(raised_on)
    if when < need.filed_at:
        need.filed_at = when
        need.save(update_fields=["filed_at", "updated_at"])
    return need
