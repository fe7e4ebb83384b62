"""Holiday overrides for the years the chinese_calendar package does not know (issue 8 §3): they win
over the package and the weekday fallback, every process follows them (this one at once, the others
within the revision TTL), next year's missing notice is shown and told from 1 November, and only
platform administrators write them."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chainparty import demo, holidays, roles, tasks, workdays
from chainparty.models import AuditLog, CalendarDay, Notification
from tests import factories

pytestmark = pytest.mark.django_db

HOLIDAY, WORK = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY
SPRING_MONDAY = dt.date(2027, 2, 8)  # 初三, a Monday: a weekday to the fallback
MAKEUP_SATURDAY = dt.date(2027, 2, 20)


@pytest.fixture(autouse=True)
def fresh_calendar(db):
    """Rows written directly (as another process would) are in the process snapshot; the test's
    rollback removes them from the table only. Before the rollback, remove them and reload, so the
    snapshot left behind is the empty calendar the next test finds."""
    workdays.refresh()
    yield
    CalendarDay.objects.all().delete()
    workdays.refresh()
    workdays.is_workday(SPRING_MONDAY)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def shift(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings):
    settings.CALENDAR_REVISION_TTL = 30
    fake = FakeClock()
    monkeypatch.setattr(workdays, "_clock", fake)
    return fake


@pytest.fixture
def platform_admin():
    user = factories.UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=roles.PLATFORM_ADMIN_GROUP)[0])
    return user


def _aware(*args):
    return timezone.make_aware(dt.datetime(*args))


def test_without_overrides_2027_falls_back_to_weekdays():
    assert workdays.is_workday(dt.date(2027, 1, 1))  # 元旦, a Friday: counted as a working day
    assert workdays.is_workday(SPRING_MONDAY)
    assert not workdays.is_known_year(2027)
    assert workdays.is_known_year(2026)


def test_an_override_wins_and_deadlines_use_it_at_once(platform_admin):
    before = workdays.add_workdays(dt.date(2027, 2, 5), 1)
    assert before == SPRING_MONDAY
    assert workdays.workdays_between(dt.date(2027, 2, 5), dt.date(2027, 2, 21)) == 10

    holidays.calendar_day_save(actor=platform_admin, date=SPRING_MONDAY, kind=HOLIDAY, name="春节")
    holidays.calendar_day_save(actor=platform_admin, date=MAKEUP_SATURDAY, kind=WORK, name="春节")

    assert not workdays.is_workday(SPRING_MONDAY)
    assert workdays.is_workday(MAKEUP_SATURDAY)
    assert workdays.add_workdays(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 9)
    assert workdays.workdays_between(dt.date(2027, 2, 5), dt.date(2027, 2, 21)) == 10  # one off, one on
    assert workdays.workdays_between(dt.date(2027, 2, 5), dt.date(2027, 2, 19)) == 9  # 2/8 off
    assert workdays.latest_deadline_late_by(dt.date(2027, 2, 9), 2) == dt.date(2027, 2, 4)
    assert workdays.is_known_year(2027)
    entry = AuditLog.objects.filter(action=AuditLog.Action.CALENDAR_UPDATE).first()
    assert entry.actor == platform_admin and entry.data["date"] == "2027-02-20"


def test_an_override_also_wins_over_the_package():
    holidays.calendar_day_save(actor=None, date=dt.date(2026, 12, 31), kind=HOLIDAY, name="测试")
    assert not workdays.is_workday(dt.date(2026, 12, 31))  # a Thursday the package calls a working day


def test_deleting_an_override_takes_effect_at_once(platform_admin):
    day = holidays.calendar_day_save(actor=platform_admin, date=SPRING_MONDAY, kind=HOLIDAY, name="春节")
    assert not workdays.is_workday(SPRING_MONDAY)
    holidays.calendar_day_delete(actor=platform_admin, day=day)
    assert workdays.is_workday(SPRING_MONDAY)
    assert not CalendarDay.objects.exists()


def test_a_committed_save_is_seen_after_commit_and_a_rolled_back_one_is_forgotten(
    platform_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        holidays.calendar_day_save(actor=platform_admin, date=SPRING_MONDAY, kind=HOLIDAY)
    assert not workdays.is_workday(SPRING_MONDAY)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        holidays.calendar_day_save(actor=platform_admin, date=MAKEUP_SATURDAY, kind=WORK)
        assert workdays.is_workday(MAKEUP_SATURDAY), "the saving transaction sees its own day"
        raise Undo
    assert not workdays.is_workday(MAKEUP_SATURDAY), "the rolled-back day is not kept in the snapshot"
    assert not workdays.is_workday(SPRING_MONDAY)


def test_another_process_follows_within_the_revision_ttl(clock):
    assert workdays.is_workday(SPRING_MONDAY)  # this process loads its snapshot
    # Another process saves: the row is there, this process has not been told.
    CalendarDay.objects.create(date=SPRING_MONDAY, kind=HOLIDAY, name="春节")
    clock.shift(29)
    assert workdays.is_workday(SPRING_MONDAY), "still trusted inside the TTL"
    clock.shift(2)
    assert not workdays.is_workday(SPRING_MONDAY), "followed once the TTL ran out"
    assert workdays.add_workdays(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 9)

    # A deletion elsewhere changes the revision too (the count).
    CalendarDay.objects.filter(date=SPRING_MONDAY).delete()
    clock.shift(31)
    assert workdays.is_workday(SPRING_MONDAY)


def test_time_travel_alone_does_not_reread_the_calendar(django_assert_num_queries):
    workdays.is_workday(SPRING_MONDAY)
    with time_machine.travel(_aware(2026, 6, 1, 9, 0), tick=False) as traveller, django_assert_num_queries(0):
        workdays.is_workday(SPRING_MONDAY)
        traveller.shift(dt.timedelta(days=30))
        workdays.add_workdays(dt.date(2026, 6, 1), 5)


def test_another_process_simulated_by_clearing_the_local_state():
    assert workdays.is_workday(SPRING_MONDAY)
    CalendarDay.objects.create(date=SPRING_MONDAY, kind=HOLIDAY, name="春节")
    workdays.refresh()
    assert not workdays.is_workday(SPRING_MONDAY)


def test_the_hot_path_makes_no_query_after_the_first_load(clock, django_assert_num_queries):
    CalendarDay.objects.create(date=SPRING_MONDAY, kind=HOLIDAY, name="春节")
    workdays.is_workday(SPRING_MONDAY)
    with django_assert_num_queries(0):
        for offset in range(400):
            workdays.is_workday(dt.date(2027, 1, 1) + dt.timedelta(days=offset))
        workdays.add_workdays(dt.date(2027, 1, 1), 30)
        workdays.workdays_between(dt.date(2026, 12, 1), dt.date(2027, 3, 1))
        assert not workdays.is_workday(SPRING_MONDAY)
    clock.shift(31)
    with django_assert_num_queries(1):  # the revision, unchanged: the rows are not read again
        for offset in range(400):
            workdays.is_workday(dt.date(2027, 1, 1) + dt.timedelta(days=offset))


def test_the_hot_path_makes_no_query_inside_the_saving_transaction(platform_admin, django_assert_num_queries):
    holidays.calendar_day_save(actor=platform_admin, date=SPRING_MONDAY, kind=HOLIDAY)
    workdays.is_workday(SPRING_MONDAY)
    with django_assert_num_queries(0):
        for offset in range(100):
            workdays.is_workday(dt.date(2027, 1, 1) + dt.timedelta(days=offset))


def test_bad_days_are_refused_with_a_chinese_message(platform_admin):
    with pytest.raises(ValidationError, match="调休上班日应为周六或周日"):
        holidays.calendar_day_save(actor=platform_admin, date=SPRING_MONDAY, kind=WORK)
    with pytest.raises(ValidationError, match="不在 2027 年"):
        holidays.calendar_year_replace(
            actor=platform_admin, year=2027, days=[holidays.DaySpec(date=dt.date(2028, 1, 1), kind=HOLIDAY)]
        )
    assert not CalendarDay.objects.exists()


def test_year_replace_makes_the_year_exactly_the_notice(platform_admin):
    days = [
        holidays.DaySpec(date=SPRING_MONDAY, kind=HOLIDAY, name="春节"),
        holidays.DaySpec(date=MAKEUP_SATURDAY, kind=WORK, name="春节"),
    ]
    holidays.calendar_year_replace(actor=platform_admin, year=2027, days=days)
    other_year = holidays.calendar_day_save(actor=platform_admin, date=dt.date(2028, 1, 3), kind=HOLIDAY)
    holidays.calendar_year_replace(
        actor=platform_admin, year=2027, days=[holidays.DaySpec(date=dt.date(2027, 1, 1), kind=HOLIDAY, name="元旦")]
    )
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1), other_year.date]
    assert workdays.is_workday(SPRING_MONDAY) and not workdays.is_workday(MAKEUP_SATURDAY)
    assert not workdays.is_workday(dt.date(2027, 1, 1))
    entry = AuditLog.objects.filter(action=AuditLog.Action.CALENDAR_UPDATE, data__year=2027).first()
    assert entry.data["removed"] == ["2027-02-08", "2027-02-20"] and entry.data["added"] == ["2027-01-01"]


def test_only_platform_admins_and_superusers_write(platform_admin):
    staff = factories.UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        holidays.calendar_day_save(actor=staff, date=SPRING_MONDAY, kind=HOLIDAY)
    assert holidays.may_edit_calendar(platform_admin)
    assert holidays.may_edit_calendar(factories.UserFactory(is_superuser=True))
    assert not CalendarDay.objects.exists()


# -- next year's notice missing -------------------------------------------------------------------
def test_missing_next_year_from_the_first_of_november():
    assert not workdays.missing_next_year(dt.date(2026, 10, 31))
    assert workdays.missing_next_year(dt.date(2026, 11, 1))
    assert workdays.missing_next_year(dt.date(2026, 12, 31))
    assert not workdays.missing_next_year(dt.date(2025, 11, 1)), "2026 is in the package"
    holidays.calendar_day_save(actor=None, date=dt.date(2027, 1, 1), kind=HOLIDAY, name="元旦")
    assert not workdays.missing_next_year(dt.date(2026, 11, 1))


def test_the_daily_task_tells_platform_staff_once_per_year(platform_admin):
    superuser = factories.UserFactory(is_superuser=True)
    factories.UserFactory(is_superuser=True, is_active=False)
    bystander = factories.UserFactory(is_staff=True)
    with time_machine.travel(_aware(2026, 10, 31, 8, 30), tick=False):
        assert tasks.warn_missing_holidays.delay().get() == 0
    with time_machine.travel(_aware(2026, 11, 1, 8, 30), tick=False):
        assert tasks.warn_missing_holidays.delay().get() == 2
    with time_machine.travel(_aware(2026, 11, 2, 8, 30), tick=False):
        assert tasks.warn_missing_holidays.delay().get() == 0, "told once per person and year"
    sent = Notification.objects.filter(kind=holidays.MISSING_NEXT_YEAR_KIND)
    assert {n.recipient for n in sent} == {platform_admin, superuser}
    assert bystander not in {n.recipient for n in sent}
    assert all("2027" in n.title and n.url == reverse("admin:chainparty_calendarday_changelist") for n in sent)

    holidays.calendar_year_replace(actor=platform_admin, year=2027, days=demo.DAYS_2027)
    with time_machine.travel(_aware(2027, 11, 1, 8, 30), tick=False):
        assert tasks.warn_missing_holidays.delay().get() == 2, "next autumn, 2028 is missing"
    with time_machine.travel(_aware(2026, 11, 3, 8, 30), tick=False):
        assert tasks.warn_missing_holidays.delay().get() == 0, "2027 entered: nothing more to say"


def test_the_status_page_warns_while_next_year_is_missing(client):
    client.force_login(factories.UserFactory(is_staff=True))
    with time_machine.travel(_aware(2026, 10, 31, 9, 0), tick=False):
        assert "尚未录入" not in client.get(reverse("system_status")).content.decode()
    with time_machine.travel(_aware(2026, 11, 1, 9, 0), tick=False):
        page = client.get(reverse("system_status")).content.decode()
        assert "尚未录入 2027 年的法定节假日和调休安排" in page
        holidays.calendar_day_save(actor=None, date=dt.date(2027, 1, 1), kind=HOLIDAY, name="元旦")
        assert "尚未录入" not in client.get(reverse("system_status")).content.decode()


# -- admin ------------------------------------------------------------------------------------------
def test_the_admin_changelist_warns_and_platform_admins_write(client, platform_admin):
    client.force_login(platform_admin)
    with time_machine.travel(_aware(2026, 11, 1, 9, 0), tick=False):
        page = client.get(reverse("admin:chainparty_calendarday_changelist"))
        assert page.status_code == 200 and "尚未录入 2027 年" in page.content.decode()
        response = client.post(
            reverse("admin:chainparty_calendarday_add"),
            {"date": "2027-02-08", "kind": HOLIDAY, "name": "春节", "note": ""},
        )
        assert response.status_code == 302
        assert not workdays.is_workday(SPRING_MONDAY)
        assert "尚未录入" not in client.get(reverse("admin:chainparty_calendarday_changelist")).content.decode()
    day = CalendarDay.objects.get()
    assert day.created_by == platform_admin
    assert AuditLog.objects.filter(action=AuditLog.Action.CALENDAR_UPDATE, actor=platform_admin).exists()


def test_the_admin_year_page_replaces_the_year(client, platform_admin):
    client.force_login(platform_admin)
    url = reverse("admin:chainparty_calendarday_year")
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": "2027", "days": "2027-02-08 放假 春节\n2027-02-20 上班 春节 演示\n"})
    assert response.status_code == 302
    assert not workdays.is_workday(SPRING_MONDAY) and workdays.is_workday(MAKEUP_SATURDAY)
    assert CalendarDay.objects.get(date=MAKEUP_SATURDAY).note == "演示"
    refused = client.post(url, {"year": "2027", "days": "2027-02-09 工作 春节"})
    assert refused.status_code == 200 and "类别应为" in refused.content.decode()
    assert CalendarDay.objects.count() == 2


def test_other_staff_read_the_calendar_but_cannot_write_it(client, platform_admin):
    day = holidays.calendar_day_save(actor=platform_admin, date=SPRING_MONDAY, kind=HOLIDAY, name="春节")
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(reverse("admin:chainparty_calendarday_changelist")).status_code == 200
    response = client.post(
        reverse("admin:chainparty_calendarday_add"), {"date": "2027-02-09", "kind": HOLIDAY, "name": "春节"}
    )
    assert response.status_code == 403
    change = client.post(
        reverse("admin:chainparty_calendarday_change", args=[day.pk]),
        {"date": "2027-02-08", "kind": WORK, "name": "春节"},
    )
    assert change.status_code == 403
    delete = client.post(reverse("admin:chainparty_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert client.get(reverse("admin:chainparty_calendarday_year")).status_code == 403
    day.refresh_from_db()
    assert day.kind == HOLIDAY and CalendarDay.objects.count() == 1


def test_non_staff_cannot_open_the_calendar_admin(client):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("admin:chainparty_calendarday_changelist")).status_code == 302


# -- demo -----------------------------------------------------------------------------------------
def test_demo_enters_2027_labelled_and_never_over_staff_days():
    assert demo.load() == len(demo.DAYS_2027)
    assert demo.load() == 0
    assert set(CalendarDay.objects.values_list("note", flat=True)) == {"演示数据（以国务院办公厅通知为准）"}
    assert not workdays.is_workday(dt.date(2027, 1, 1))
    assert not workdays.is_workday(dt.date(2027, 2, 8))
    assert workdays.is_workday(dt.date(2027, 2, 20))
    assert not workdays.is_workday(dt.date(2027, 10, 1))
    for spec in demo.DAYS_2027:
        if spec.kind == WORK:
            assert spec.date.weekday() >= 5
