"""Reminder lead times before a meeting, as an alliance sets them (`Alliance.meeting_reminders`).

A spec is a comma-separated list of leads: ``Nd@HH:MM`` is N working days before the meeting's
day at that time (``1d@16:00``: the working day before at 16:00), ``Nh`` and ``Nm`` are hours and
minutes before its start. Pure parsing, no model imports, so the model field can validate with it.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_SPEC = "1d@16:00,2h"
_LEAD = re.compile(
    r"^(?:(?P<days>[1-9][0-9]?)d@(?P<hh>[01][0-9]|2[0-3]):(?P<mm>[0-5][0-9])|(?P<n>[1-9][0-9]{0,3})(?P<unit>[hm]))$"
)


@dataclass(frozen=True)
class Lead:
    spec: str  # normalised text, part of the reminder's kind
    workdays: int = 0
    at: dt.time | None = None
    delta: dt.timedelta | None = None


def parse_leads(spec: str) -> list[Lead]:
    """The leads of `spec` (blank: the default), without repeats; ValueError names a bad part."""
    leads, seen = [], set()
    for part in (spec or DEFAULT_SPEC).replace("，", ",").split(","):
        part = part.strip().lower()
        if not part:
            continue
        match = _LEAD.match(part)
        if match is None:
            raise ValueError(part)
        if match["days"]:
            lead = Lead(part, workdays=int(match["days"]), at=dt.time(int(match["hh"]), int(match["mm"])))
        else:
            n = int(match["n"])
            lead = Lead(part, delta=dt.timedelta(hours=n) if match["unit"] == "h" else dt.timedelta(minutes=n))
        if lead.spec not in seen:
            seen.add(lead.spec)
            leads.append(lead)
    return leads


def validate_reminder_leads(value: str) -> None:
    try:
        leads = parse_leads(value)
    except ValueError as error:
        raise ValidationError(
            _("无法识别的提醒时间“%s”。格式如：1d@16:00（提前 1 个工作日 16:00）、2h（提前 2 小时）、30m。")
            % error.args[0]
        ) from error
    if len(leads) > 5:
        raise ValidationError(_("会前提醒最多设置 5 个。"))
