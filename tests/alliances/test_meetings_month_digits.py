"""Months, reminder leads and attendance fields in the meetings' API and pages take ASCII digits only
(review finding: `\\d` also matches full-width and Arabic-Indic digits, which int() reads, so
"٠٠٠٠-01" reached dt.date(0, 1, 1) and answered 500, and "２０２６-１１" was taken as a month)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.meetings import leads
from alliances.meetings.forms import ATTENDANCE_FIELD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("month", ["٢٠٢٦-٠١", "٠٠٠٠-01", "0000-01", "２０２６-11", "9999-12"])
def test_the_api_refuses_a_month_not_in_ascii_digits_or_out_of_range(personas, month):
    client = APIClient()
    client.force_authenticate(personas.secretary)
    response = client.get("/api/meetings/", {"month": month})
    assert response.status_code == 400, response.content
    assert "月份格式应为 YYYY-MM" in response.json()["month"][0]
    assert client.get("/api/meetings/", {"month": "2026-11"}).status_code == 200


def test_the_calendar_page_shows_the_current_month_for_a_full_width_month(world, personas, client_for):
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 9, 20, 10)), tick=False):
        client = client_for(personas.secretary)
        url = reverse("alliances:alliance_meetings", args=[world.alliance.pk])
        response = client.get(url, {"month": "２０２６-１１"})
        assert response.status_code == 200
        assert response.context["month_start"] == dt.date(2026, 9, 1)
        assert client.get(url, {"month": "2026-11"}).context["month_start"] == dt.date(2026, 11, 1)


def test_reminder_leads_and_attendance_fields_take_ascii_digits_only():
    with pytest.raises(ValueError):
        leads.parse_leads("1２h")
    with pytest.raises(ValueError):
        leads.parse_leads("1d@1６:00")
    assert leads.parse_leads("2h")[0].delta == dt.timedelta(hours=2)
    assert ATTENDANCE_FIELD.match("attendance-１２") is None
    assert ATTENDANCE_FIELD.match("attendance-12").group(1) == "12"
