"""chainparty.sweeps: due items delivered once as one digest per recipient, stale reminders never
fire, abandoned claims are taken up by age; eagerly under a frozen clock, and two sweeps at once
on PostgreSQL."""

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection

from chainparty import sweeps
from chainparty.models import DueItem, Notification, TaskHeartbeat
from chainparty.notifications import Message
from chainparty.tasks import sweep_due_items
from tests import factories
from tests.conftest import need_service

Status = DueItem.Status
# Monday 1 June 2026, 09:00 in Shanghai.
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _at(minutes=0, **delta):
    return START + dt.timedelta(minutes=minutes, **delta)


def _clock(minutes=0, **delta):
    return time_machine.travel(_at(minutes, **delta), tick=False)


def _meeting_reminder(meeting_id, starts_at, recipients, *, title=None):
    return sweeps.schedule(
        kind="meeting_reminder",
        source_key=f"meeting:{meeting_id}",
        version=starts_at,
        recipients=recipients,
        due_at=starts_at - dt.timedelta(hours=1),
        message=Message(
            title=title or f"会议{meeting_id}一小时后召开",
            body=f"召开时间：{starts_at:%m月%d日 %H:%M}",
            url=f"/alliances/meetings/{meeting_id}/",
        ),
    )


def _notes(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


@pytest.mark.django_db
def test_due_items_are_delivered_once_as_one_digest_per_recipient(django_capture_on_commit_callbacks):
    chair, member, latecomer = factories.UserFactory.create_batch(3)
    with _clock():
        _meeting_reminder(1, _at(hours=2), [chair, member])
        _meeting_reminder(2, _at(hours=2), [chair])
        _meeting_reminder(3, _at(hours=5), [latecomer])
    with _clock(hours=1), django_capture_on_commit_callbacks(execute=True):
        assert sweeps.sweep_due() == {"reclaimed": 0, "delivered": 3, "failed": 0}
        assert sweeps.sweep_due() == {"reclaimed": 0, "delivered": 0, "failed": 0}
    [digest] = _notes(chair)
    assert digest.title == "您有 2 条提醒"
    assert digest.body.splitlines() == ["会议1一小时后召开", "会议2一小时后召开"]
    [single] = _notes(member)
    assert (single.title, single.body) == ("会议1一小时后召开", "召开时间：06月01日 11:00")
    assert single.url == "/alliances/meetings/1/"
    assert _notes(latecomer) == []  # not due yet
    assert sorted(m.to[0] for m in mail.outbox) == sorted([chair.email, member.email])
    with _clock(hours=4):
        assert sweeps.sweep_due()["delivered"] == 1
    assert [n.title for n in _notes(latecomer)] == ["会议3一小时后召开"]
    assert set(DueItem.objects.values_list("status", "reason")) == {(Status.DELIVERED, "")}


@pytest.mark.django_db
def test_a_moved_meeting_never_fires_its_stale_reminder():
    member = factories.UserFactory()
    with _clock():
        _meeting_reminder(7, _at(hours=3), [member])
        _meeting_reminder(7, _at(hours=3), [member])  # the same version again: one row
        _meeting_reminder(7, _at(days=1, hours=3), [member])  # moved to tomorrow
    stale = DueItem.objects.get(version=sweeps.version_text(_at(hours=3)))
    assert (stale.status, stale.reason) == (Status.CANCELLED, "已过时")
    with _clock(hours=2):
        assert sweeps.sweep_due()["delivered"] == 0  # today's reminder was computed from the old time
    assert _notes(member) == []
    with _clock(days=1, hours=2):
        assert sweeps.sweep_due()["delivered"] == 1
    [note] = _notes(member)
    assert note.body == "召开时间：06月02日 12:00"
    assert DueItem.objects.filter(source_key="meeting:7").count() == 2


@pytest.mark.django_db
def test_the_same_moment_in_another_time_zone_is_the_same_version():
    """A start time read back from the database is in UTC, one from a form in Shanghai time: the
    same moment must give the same key, or rescheduling an unchanged meeting would send twice."""
    member = factories.UserFactory()
    with _clock():
        _meeting_reminder(9, _at(hours=3), [member])
        _meeting_reminder(9, _at(hours=3).astimezone(dt.UTC), [member])
    [item] = DueItem.objects.all()
    assert item.status == Status.PENDING and item.version == "2026-06-01T04:00:00+00:00"
    with pytest.raises(ValueError):
        _meeting_reminder(9, _at(hours=3).replace(tzinfo=None), [member])


@pytest.mark.django_db
def test_a_meeting_moved_after_its_reminder_was_claimed_does_not_fire_it():
    member = factories.UserFactory()
    with _clock():
        _meeting_reminder(6, _at(hours=1), [member])
    with _clock(1):
        claimed = sweeps._claim_due(_at(1), batch_size=10)  # a sweep has claimed the row...
        _meeting_reminder(6, _at(days=1), [member])  # ...when the meeting is moved to tomorrow
        assert sweeps._deliver_claimed(claimed, _at(1)) == {"delivered": 0, "failed": 0}
    assert _notes(member) == []
    stale = DueItem.objects.get(version=sweeps.version_text(_at(hours=1)))
    assert (stale.status, stale.reason) == (Status.CANCELLED, "已过时")


@pytest.mark.django_db
def test_moving_back_revives_the_reminder_and_dropping_a_recipient_cancels_theirs():
    chair, member = factories.UserFactory.create_batch(2)
    with _clock():
        _meeting_reminder(8, _at(hours=3), [chair, member])
        _meeting_reminder(8, _at(hours=6), [chair, member])
        _meeting_reminder(8, _at(hours=3), [chair])  # back to the first time, without the member
    with _clock(hours=2):
        assert sweeps.sweep_due()["delivered"] == 1
    assert [n.body for n in _notes(chair)] == ["召开时间：06月01日 12:00"]
    assert _notes(member) == []
    assert DueItem.objects.filter(status=Status.CANCELLED).count() == 3


@pytest.mark.django_db
def test_cancel_stops_what_is_not_yet_sent():
    member = factories.UserFactory()
    with _clock():
        _meeting_reminder(4, _at(hours=2), [member])
        _meeting_reminder(5, _at(hours=2), [member])
        assert sweeps.cancel("meeting:4") == 1
    with _clock(hours=1):
        sweeps.sweep_due()
        assert sweeps.cancel("meeting:5") == 0  # already delivered: nothing to take back
    assert [n.title for n in _notes(member)] == ["会议5一小时后召开"]
    assert DueItem.objects.get(source_key="meeting:4").reason == "已取消"


@pytest.mark.django_db
def test_an_abandoned_claim_is_taken_up_by_age_and_a_fresh_one_is_left_alone():
    abandoned_for, fresh_for = factories.UserFactory.create_batch(2)
    with _clock():
        _meeting_reminder(1, _at(hours=1), [abandoned_for])
        _meeting_reminder(2, _at(hours=1), [fresh_for])
    # A worker claimed the first row at 09:00 and died; another claimed the second at 09:05.
    DueItem.objects.filter(recipient=abandoned_for).update(status=Status.CLAIMED, claimed_at=_at(), attempts=1)
    DueItem.objects.filter(recipient=fresh_for).update(status=Status.CLAIMED, claimed_at=_at(5), attempts=1)
    with _clock(11):
        assert sweeps.sweep_due() == {"reclaimed": 1, "delivered": 1, "failed": 0}
    assert [n.title for n in _notes(abandoned_for)] == ["会议1一小时后召开"]
    assert _notes(fresh_for) == []
    assert DueItem.objects.get(recipient=fresh_for).status == Status.CLAIMED
    assert DueItem.objects.get(recipient=abandoned_for).attempts == 2


@pytest.mark.django_db
def test_a_claim_abandoned_on_its_last_attempt_ends_failed_with_a_reason():
    member = factories.UserFactory()
    with _clock():
        _meeting_reminder(1, _at(hours=1), [member])
    DueItem.objects.update(status=Status.CLAIMED, claimed_at=_at(), attempts=sweeps.MAX_ATTEMPTS)
    with _clock(11):
        assert sweeps.sweep_due()["reclaimed"] == 0
    item = DueItem.objects.get()
    assert item.status == Status.FAILED and "中断" in item.reason and item.finished_at == _at(11)
    assert _notes(member) == []


@pytest.mark.django_db
def test_an_inactive_recipient_ends_failed_with_a_reason():
    active = factories.UserFactory()
    gone = factories.UserFactory(is_active=False)
    with _clock():
        _meeting_reminder(1, _at(hours=1), [active, gone])
        assert sweeps.sweep_due()["delivered"] == 1
    item = DueItem.objects.get(recipient=gone)
    assert (item.status, item.reason) == (Status.FAILED, "接收人账号已停用")
    assert _notes(gone) == [] and len(_notes(active)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("people", [2, 40])
def test_the_sweep_query_count_does_not_grow_with_the_rows(django_assert_max_num_queries, people):
    recipients = factories.UserFactory.create_batch(people)
    with _clock():
        for meeting_id in (1, 2, 3):
            _meeting_reminder(meeting_id, _at(hours=1), recipients)
        with django_assert_max_num_queries(15):
            assert sweeps.sweep_due(batch_size=1000)["delivered"] == 3 * people
    assert Notification.objects.count() == people  # one digest each


@pytest.mark.django_db
def test_small_batches_deliver_everything_once():
    recipients = factories.UserFactory.create_batch(7)
    with _clock():
        _meeting_reminder(1, _at(hours=1), recipients)
        assert sweeps.sweep_due(batch_size=3)["delivered"] == 7
    assert Notification.objects.count() == 7
    assert not DueItem.objects.exclude(status=Status.DELIVERED).exists()


@pytest.mark.django_db
def test_the_beat_task_sweeps_and_records_its_run():
    member = factories.UserFactory()
    with _clock():
        _meeting_reminder(1, _at(hours=1), [member])
        assert sweep_due_items.delay().get()["delivered"] == 1
    assert len(_notes(member)) == 1
    assert TaskHeartbeat.objects.get(name="chainparty.tasks.sweep_due_items").runs == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_deliver_each_row_once(monkeypatch):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for row locks between concurrent transactions")
    recipients = factories.UserFactory.create_batch(6)
    with _clock():
        for meeting_id in range(1, 6):
            _meeting_reminder(meeting_id, _at(hours=1), recipients)
    claim = sweeps.claim

    def slow_claim(*args, **kwargs):
        rows = claim(*args, **kwargs)
        time.sleep(0.3)  # hold the row locks, so the other sweep has to skip them
        return rows

    monkeypatch.setattr(sweeps, "claim", slow_claim)
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(index):
        try:
            barrier.wait()
            results[index] = sweeps.sweep_due(now=_at(), batch_size=4)
        except Exception as error:  # collected and asserted below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["delivered"] for r in results) == 30
    assert all(r["delivered"] > 0 for r in results), "both sweeps took a share"
    assert not DueItem.objects.exclude(status=Status.DELIVERED).exists()
    for user in recipients:
        text = "\n".join(f"{n.title}\n{n.body}" for n in Notification.objects.filter(recipient=user))
        assert all(text.count(f"会议{meeting_id}一小时后召开") == 1 for meeting_id in range(1, 6)), text
    mail.outbox = []
