"""Demo data for the working-day calendar: 2027, the first year the `chinese_calendar` package lacks.

The State Council publishes 2027's notice in the autumn of 2026; until then these days are a demo,
labelled as such in every row's note. What is certain and what is assumed:

- certain (《全国年节及纪念日放假办法》, 2024 revision, and the 2027 lunar and solar-term dates):
  元旦 1 January; 春节 除夕 to 初三, 5–8 February (除夕 is 腊月廿九, 2027-02-05, as 腊月 has 29 days;
  春节 is 2027-02-06); 清明 5 April; 劳动节 1–2 May; 端午 9 June; 中秋 15 September; 国庆节 1–3 October;
- assumed (the way the 2025 and 2026 notices arranged similar weekdays): statutory days falling on a
  weekend moved to the next working days, the 春节, 劳动节 and 国庆 breaks stretched with make-up
  Saturdays or Sundays, and 端午 and 中秋 (both Wednesdays) left as single days.

`load()` enters the year only when it has no days yet, so real days entered by staff are never
replaced, and running load_demo twice changes nothing.
"""

import datetime as dt

from .holidays import DaySpec, calendar_year_replace
from .models import CalendarDay

DEMO_YEAR = 2027
DEMO_NOTE = "演示数据（以国务院办公厅通知为准）"

_HOLIDAY, _WORK = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY


def _span(first: str, last: str, name: str) -> list[DaySpec]:
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    days = []
    while day <= end:
        days.append(DaySpec(date=day, kind=_HOLIDAY, name=name, note=DEMO_NOTE))
        day += dt.timedelta(days=1)
    return days


def _workday(date: str, name: str) -> DaySpec:
    return DaySpec(date=dt.date.fromisoformat(date), kind=_WORK, name=name, note=DEMO_NOTE)


DAYS_2027 = [
    *_span("2027-01-01", "2027-01-03", "元旦"),  # Friday to Sunday: no make-up day needed
    _workday("2027-01-31", "春节"),  # Sunday
    *_span("2027-02-05", "2027-02-14", "春节"),  # 除夕 (Friday) to the second Sunday
    _workday("2027-02-20", "春节"),  # Saturday
    *_span("2027-04-03", "2027-04-05", "清明节"),  # Saturday to Monday, 清明 itself
    *_span("2027-05-01", "2027-05-05", "劳动节"),  # Saturday to Wednesday
    _workday("2027-05-08", "劳动节"),  # Saturday
    *_span("2027-06-09", "2027-06-09", "端午节"),  # Wednesday
    *_span("2027-09-15", "2027-09-15", "中秋节"),  # Wednesday
    _workday("2027-09-26", "国庆节"),  # Sunday
    *_span("2027-10-01", "2027-10-07", "国庆节"),  # Friday to Thursday
    _workday("2027-10-09", "国庆节"),  # Saturday
]


def load(stdout=None) -> int:
    """Enter 2027's demo calendar unless the year already has days; returns how many were entered."""
    if CalendarDay.objects.filter(date__year=DEMO_YEAR).exists():
        return 0
    saved = calendar_year_replace(actor=None, year=DEMO_YEAR, days=DAYS_2027)
    if stdout is not None:
        stdout.write(f"{DEMO_YEAR} 年节假日安排（{DEMO_NOTE}）：{len(saved)} 天")
    return len(saved)
