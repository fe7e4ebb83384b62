"""notify_bulk at sweep sizes: what one commit stores goes to the broker as one message, which the
worker turns into the small delivery batches; keys already stored are skipped by the insert."""

import pytest
from django.core import mail

from chainparty import notifications, tasks
from chainparty.models import Notification, NotificationDelivery
from tests import factories

pytestmark = pytest.mark.django_db


def _items(users, key):
    message = notifications.Message(title="会议提醒", body="请准时参加", url="/meetings/1/")
    return [(user, message, key) for user in users]


def test_many_deliveries_leave_the_commit_as_one_message_and_are_sent_in_small_batches(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY_BATCH = 10
    users = factories.UserFactory.create_batch(25)
    published, batches = [], []
    queue, deliver = tasks.queue_delivery_batches.apply_async, tasks.deliver_notifications.delay
    monkeypatch.setattr(
        tasks.queue_delivery_batches, "apply_async", lambda args, **options: published.append(args) or queue(args)
    )
    monkeypatch.setattr(tasks.deliver_notifications, "delay", lambda ids: batches.append(len(ids)) or deliver(ids))
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_bulk(_items(users, "due:abc")) == 25
    assert [len(ids) for (ids,) in published] == [25]  # one message from the committing process
    assert batches == [10, 10, 5]  # queued by the worker, each small enough for the time limit
    assert len(mail.outbox) == 25
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {NotificationDelivery.Status.SENT}


def test_a_few_deliveries_go_straight_to_their_batch(settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_DELIVERY_BATCH = 10
    published = []
    monkeypatch.setattr(tasks.queue_delivery_batches, "apply_async", lambda args, **options: published.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_bulk(_items(factories.UserFactory.create_batch(3), "k")) == 3
    assert published == [] and len(mail.outbox) == 3


def test_stored_keys_are_skipped_and_only_new_notifications_get_deliveries(django_capture_on_commit_callbacks):
    first, second = factories.UserFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notify_bulk(_items([first], "k")) == 1
        assert notifications.notify_bulk(_items([first, second, second], "k")) == 1
    assert Notification.objects.filter(recipient=first).count() == Notification.objects.filter(recipient=second).count()
    assert NotificationDelivery.objects.count() == 2 and len(mail.outbox) == 2
