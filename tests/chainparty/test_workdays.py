import datetime as dt

import pytest

from chainparty import workdays

# The calendar reads its holiday overrides (chainparty.CalendarDay) from the database.
pytestmark = pytest.mark.django_db


def test_national_day_holiday_and_make_up_saturday():
    # 2026: 1–7 October off, Saturday 10 October is a make-up working day.
    assert not workdays.is_workday(dt.date(2026, 10, 5))
    assert workdays.is_workday(dt.date(2026, 10, 10))
    assert workdays.add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert workdays.add_workdays(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert workdays.workdays_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12)) == 4


def test_years_without_published_calendar_fall_back_to_weekdays():
    assert workdays.is_workday(dt.date(2031, 3, 3))  # a Monday
    assert not workdays.is_workday(dt.date(2031, 3, 1))  # a Saturday


def test_working_days_before_the_first_counted_year():
    assert workdays.workdays_between(dt.date(1999, 12, 31), dt.date(2000, 1, 4)) == 2


def test_latest_deadline_late_by_counts_back_over_the_national_day_holiday():
    # Friday 9 October 2026, after the National Day holiday: two working days back reaches into the
    # holiday, and every deadline up to it is at least two working days late.
    cutoff = workdays.latest_deadline_late_by(dt.date(2026, 10, 9), 2)
    assert cutoff == dt.date(2026, 10, 7)
    assert workdays.workdays_late(cutoff, dt.date(2026, 10, 9)) == 2
    assert workdays.workdays_late(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    assert workdays.workdays_between(cutoff + dt.timedelta(days=1), dt.date(2026, 10, 9)) == 1
