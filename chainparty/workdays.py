"""The one working-day calendar: statutory holidays and make-up working days (调休) of China.

Years the `chinese_calendar` package has not published yet fall back to Monday–Friday.
"""

import datetime as dt
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _cc
from django.utils import timezone

_KNOWN_YEARS = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)
_FIRST_COUNTED_YEAR = 2000


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    if day.year in _KNOWN_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself is not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


@lru_cache(maxsize=64)
def _year_prefix(year: int) -> tuple[int, ...]:
    """Running count of working days from 1 January up to and including each day of `year`."""
    counts, total, day = [], 0, dt.date(year, 1, 1)
    while day.year == year:
        total += is_workday(day)
        counts.append(total)
        day += dt.timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=256)
def _before_year(year: int) -> int:
    """Working days from the start of _FIRST_COUNTED_YEAR to the start of `year` (negative before it)."""
    if year < _FIRST_COUNTED_YEAR:
        return -sum(_year_prefix(earlier)[-1] for earlier in range(year, _FIRST_COUNTED_YEAR))
    total = 0
    for earlier in range(_FIRST_COUNTED_YEAR, year):
        total += _year_prefix(earlier)[-1]
    return total


def _ordinal(day: dt.date) -> int:
    return _before_year(day.year) + _year_prefix(day.year)[day.timetuple().tm_yday - 1]


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start. O(1) after the first call per year."""
    return _ordinal(end) - _ordinal(start)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 of `day` in the portal's time zone: a deadline 'on' a day lasts all of it."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_today() -> dt.date:
    return timezone.localdate()


def workdays_late(deadline: dt.date, today: dt.date) -> int:
    """How many working days `today` is past `deadline`, at least 1 (for something already late)."""
    return max(workdays_between(deadline, today), 1)


def latest_deadline_late_by(today: dt.date, days: int) -> dt.date:
    """The latest deadline that is at least `days` working days behind `today` (counting today when
    it is a working day). Not `add_workdays(today, -days)`: on a holiday that would count differently."""
    day, counted = today, 0
    while counted < days:
        counted += is_workday(day)
        day -= dt.timedelta(days=1)
    return day
