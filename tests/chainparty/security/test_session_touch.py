"""The session checks cost no query on most requests: the last-seen stamp (UserSession.last_seen_at
and the session's own) is written at most once a minute (middleware.TOUCH_INTERVAL), so page query
budgets do not pay for it."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chainparty.security.models import UserSession

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 6, 1, 0, tzinfo=dt.UTC)


def _writes(client, path="/"):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    return [q for q in sql if "security_usersession" in q or q.startswith('UPDATE "django_session"')]


def test_last_seen_is_written_at_most_once_a_minute(with_password, browser_login):
    with time_machine.travel(START, tick=False) as clock:
        client, _ = browser_login("handler")
        clock.move_to(START + dt.timedelta(seconds=30))
        assert _writes(client) == []
        assert _writes(client, "/notifications/") == []
        clock.move_to(START + dt.timedelta(seconds=61))
        touched = _writes(client)
        assert len([q for q in touched if q.startswith('UPDATE "security_usersession"')]) == 1
        assert UserSession.objects.get(user__username="handler").last_seen_at == START + dt.timedelta(seconds=61)
        clock.move_to(START + dt.timedelta(seconds=90))
        assert _writes(client) == []
