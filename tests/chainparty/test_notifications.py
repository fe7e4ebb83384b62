import datetime as dt

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.urls import reverse

from chainparty import notifications, tasks
from chainparty.models import Notification, NotificationDelivery
from tests import factories

pytestmark = pytest.mark.django_db

Status = NotificationDelivery.Status
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _send(users, key="k1"):
    return notifications.notify(
        recipients=users,
        message=notifications.Message(title="需求即将超期", body="请尽快办理", url="/"),
        dedupe_key=key,
    )


def _later(minutes):
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


class FlakyChannel(notifications.Channel):
    """An SMS gateway that is down, or makes the task overrun its time limit, until told otherwise."""

    failure = OSError("短信网关不可用")
    sent = []

    def send(self, notification):
        if FlakyChannel.failure is not None:
            raise FlakyChannel.failure
        FlakyChannel.sent.append(notification.recipient.username)


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_CHANNELS = ["chainparty.notifications.InAppChannel", f"{__name__}.FlakyChannel"]
    FlakyChannel.failure, FlakyChannel.sent = OSError("短信网关不可用"), []
    yield FlakyChannel
    FlakyChannel.failure, FlakyChannel.sent = None, []


def test_notify_stores_in_app_and_sends_email_once(django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="a@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        assert _send([user]) == 1
        assert _send([user]) == 0  # the same key again: nothing new
    assert Notification.objects.filter(recipient=user).count() == 1
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert NotificationDelivery.objects.get().status == Status.SENT


def test_delivery_is_claimed_once():
    user = factories.UserFactory(email="b@example.cn")
    _send([user])
    delivery = NotificationDelivery.objects.get()
    assert notifications.deliver(delivery.pk) is True
    assert notifications.deliver(delivery.pk) is False
    assert len(mail.outbox) == 1


def test_a_failing_channel_is_recorded_and_retried(flaky):
    user = factories.UserFactory()
    with _later(0):
        _send([user])
        delivery = NotificationDelivery.objects.get()
        assert notifications.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and "短信网关" in delivery.error
    flaky.failure = None  # the gateway is back
    with _later(3):
        assert tasks.deliver_pending_notifications.delay().get() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert flaky.sent == [user.username]


def test_a_channel_that_keeps_failing_stops_after_three_attempts(flaky):
    with _later(0):
        _send([factories.UserFactory()])
        notifications.deliver(NotificationDelivery.objects.get().pk)
    for minutes in (3, 6, 9):
        with _later(minutes):
            tasks.deliver_pending_notifications.delay()
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 3)
    assert flaky.sent == []


def test_a_delivery_abandoned_mid_send_is_sent_by_a_later_retry_sweep():
    user = factories.UserFactory(email="c@example.cn")
    with _later(0):
        _send([user])
        # The worker claimed the row, then died before sending (killed, out of memory…).
        NotificationDelivery.objects.update(status=Status.SENDING, claimed_at=START, attempts=1)
    with _later(5):
        assert tasks.deliver_pending_notifications.delay().get() == 0  # maybe still sending: left alone
    assert mail.outbox == []
    with _later(11):
        tasks.deliver_pending_notifications.delay()
    assert [m.to for m in mail.outbox] == [["c@example.cn"]]
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)


def test_a_delivery_abandoned_on_its_last_attempt_ends_failed_with_a_reason():
    with _later(0):
        _send([factories.UserFactory()])
        NotificationDelivery.objects.update(status=Status.SENDING, claimed_at=START, attempts=3)
    with _later(11):
        assert notifications.pending_delivery_ids() == []
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == Status.FAILED and "发送中断" in delivery.error
    assert mail.outbox == []


def test_a_time_limit_is_not_swallowed_and_the_row_is_retried_later(flaky):
    flaky.failure = SoftTimeLimitExceeded()
    with _later(0):
        _send([factories.UserFactory(username="timed-out")])
        delivery = NotificationDelivery.objects.get()
        with pytest.raises(SoftTimeLimitExceeded):
            tasks.deliver_notifications.delay([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == Status.SENDING and delivery.error == ""  # not recorded as a channel failure
    flaky.failure = None
    with _later(11):
        tasks.deliver_pending_notifications.delay()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert flaky.sent == ["timed-out"]


def test_pending_delivery_ids_picks_what_is_due_again():
    with _later(0):
        _send(factories.UserFactory.create_batch(6))
    rows = list(NotificationDelivery.objects.order_by("pk"))
    never_picked_up, failed, failed_out, sending_fresh, sending_stale, sent = rows
    NotificationDelivery.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=1, error="x")
    NotificationDelivery.objects.filter(pk=failed_out.pk).update(status=Status.FAILED, attempts=3, error="x")
    NotificationDelivery.objects.filter(pk=sending_fresh.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=START + dt.timedelta(minutes=8)
    )
    NotificationDelivery.objects.filter(pk=sending_stale.pk).update(status=Status.SENDING, attempts=1, claimed_at=START)
    NotificationDelivery.objects.filter(pk=sent.pk).update(status=Status.SENT, attempts=1)
    with _later(1):
        assert notifications.pending_delivery_ids() == []  # just stored: the commit-time task sends them
    with _later(11):
        assert notifications.pending_delivery_ids() == [never_picked_up.pk, failed.pk, sending_stale.pk]
        assert notifications.pending_delivery_ids(limit=2) == [never_picked_up.pk, failed.pk]
    assert NotificationDelivery.objects.get(pk=failed_out.pk).status == Status.FAILED
    assert NotificationDelivery.objects.get(pk=sending_fresh.pk).status == Status.SENDING


def test_the_retry_sweep_sends_in_small_batches(settings, monkeypatch):
    settings.NOTIFICATION_DELIVERY_BATCH = 10
    with _later(0):
        _send(factories.UserFactory.create_batch(25))  # nothing enqueued: the broker was down at commit
    batches = []
    send_batch = tasks.deliver_notifications.delay
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda ids: batches.append(len(ids)) or send_batch(ids))
    with _later(3):
        assert tasks.deliver_pending_notifications.delay().get() == 25
    assert batches == [10, 10, 5]
    assert len(mail.outbox) == 25
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {Status.SENT}
    with _later(6):
        assert tasks.deliver_pending_notifications.delay().get() == 0
    assert len(mail.outbox) == 25


def test_bell_and_list_page(client):
    user = factories.UserFactory()
    other = factories.UserFactory()
    _send([user, other])
    client.force_login(user)
    html = client.get(reverse("notifications")).content.decode()
    assert "需求即将超期" in html and "未读" in html
    item = Notification.objects.get(recipient=user)
    assert client.get(reverse("notification_open", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.read_at is not None
    other_item = Notification.objects.get(recipient=other)
    client.get(reverse("notification_open", args=[other_item.pk]))
    other_item.refresh_from_db()
    assert other_item.read_at is None  # one user cannot read another's notification


@pytest.mark.parametrize("target", ["/\\evil.com", "//evil.com", "https://evil.com", "http://evil.com/needs/"])
def test_marking_read_never_redirects_off_site(client, target):
    user = factories.UserFactory()
    _send([user])
    client.force_login(user)
    response = client.post(reverse("notifications_read"), {"next": target})
    assert response.status_code == 302 and response.url == reverse("notifications")
    assert notifications.unread_count(user) == 0


def test_marking_read_follows_a_link_within_the_portal(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("notifications_read"), {"next": "/needs/?state=open"})
    assert response.status_code == 302 and response.url == "/needs/?state=open"


@pytest.mark.parametrize(("url", "expected"), [("/\\evil.com", None), ("//evil.com", None), ("/needs/", "/needs/")])
def test_opening_a_notification_goes_only_where_the_portal_is(client, url, expected):
    user = factories.UserFactory()
    notifications.notify(recipients=[user], message=notifications.Message(title="提醒", url=url), dedupe_key="open")
    client.force_login(user)
    response = client.get(reverse("notification_open", args=[Notification.objects.get(recipient=user).pk]))
    assert response.status_code == 302 and response.url == (expected or reverse("notifications"))


def test_a_send_whose_claim_was_taken_over_does_not_overwrite_the_new_claims_outcome(flaky, monkeypatch):
    """A slow send outlives its claim; the retry sweep reclaims the row and another worker sends
    it. The slow send's late failure must not mark the delivered row failed."""
    with _later(0):
        _send([factories.UserFactory()])
        delivery = NotificationDelivery.objects.get()

        def slow_then_fails(self, notification):
            # Meanwhile the row was reclaimed and sent by another worker.
            NotificationDelivery.objects.filter(pk=delivery.pk).update(
                status=Status.SENT, claimed_at=START + dt.timedelta(minutes=11)
            )
            raise OSError("短信网关超时")

        monkeypatch.setattr(FlakyChannel, "send", slow_then_fails)
        assert notifications.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (Status.SENT, "")
