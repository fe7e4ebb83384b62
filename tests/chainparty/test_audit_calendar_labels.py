"""The audit page reads the working-day calendar's overrides in Chinese: a day saved, changed or
deleted, and a year's notice entered at once, each with its details labelled."""

import datetime as dt

import pytest
from django.urls import reverse

from chainparty import audit, holidays, workdays
from chainparty.models import AuditLog, CalendarDay
from tests import factories

pytestmark = pytest.mark.django_db
HOLIDAY, WORK = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY


@pytest.fixture(autouse=True)
def fresh_calendar(db):
    workdays.refresh()
    yield
    CalendarDay.objects.all().delete()
    workdays.refresh()


def _labels(entry) -> dict:
    return {str(label): value for label, value in audit.describe(entry)}


def _entries():
    return list(AuditLog.objects.filter(action=AuditLog.Action.CALENDAR_UPDATE).order_by("id"))


def test_a_day_saved_changed_and_deleted_is_described_in_chinese():
    day = holidays.calendar_day_save(actor=None, date=dt.date(2027, 2, 8), kind=HOLIDAY, name="春节")
    holidays.calendar_day_save(actor=None, date=dt.date(2027, 2, 9), kind=HOLIDAY, name="春节", day=day)
    holidays.calendar_day_delete(actor=None, day=CalendarDay.objects.get())
    saved, changed, deleted = (_labels(entry) for entry in _entries())

    assert saved == {"日期": "2027-02-08", "类别": HOLIDAY, "名称": "春节"}
    assert changed["日期"] == "2027-02-09" and changed["修改前"] == {"date": "2027-02-08", "kind": HOLIDAY}
    assert deleted["已删除"] is True and deleted["日期"] == "2027-02-09"


def test_a_years_notice_is_described_with_its_counts_and_dates():
    holidays.calendar_year_replace(
        actor=None,
        year=2027,
        days=[
            holidays.DaySpec(date=dt.date(2027, 1, 1), kind=HOLIDAY, name="元旦"),
            holidays.DaySpec(date=dt.date(2027, 2, 20), kind=WORK, name="春节"),
        ],
    )
    [entry] = _entries()
    described = _labels(entry)
    assert described["年度"] == 2027 and described["放假天数"] == 1 and described["调休上班天数"] == 1
    assert described["新增日期"] == ["2027-01-01", "2027-02-20"]


def test_the_audit_page_shows_the_days_details_with_their_labels(client_for):
    holidays.calendar_day_save(actor=None, date=dt.date(2027, 2, 8), kind=HOLIDAY, name="春节")
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    page = client_for(admin).get(reverse("alliances:audit_list")).content.decode()
    assert "日期：2027-02-08" in page and "名称：春节" in page
