import pytest
from django.core import mail
from django.urls import reverse

from chainparty import notifications
from chainparty.models import Notification, NotificationDelivery
from tests import factories

pytestmark = pytest.mark.django_db


def _send(users, key="k1"):
    return notifications.notify(
        recipients=users,
        message=notifications.Message(title="需求即将超期", body="请尽快办理", url="/"),
        dedupe_key=key,
    )


def test_notify_stores_in_app_and_sends_email_once(django_capture_on_commit_callbacks):
    user = factories.UserFactory(email="a@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        assert _send([user]) == 1
        assert _send([user]) == 0  # the same key again: nothing new
    assert Notification.objects.filter(recipient=user).count() == 1
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
    assert NotificationDelivery.objects.get().status == NotificationDelivery.Status.SENT


def test_delivery_is_claimed_once():
    user = factories.UserFactory(email="b@example.cn")
    _send([user])
    delivery = NotificationDelivery.objects.get()
    assert notifications.deliver(delivery.pk) is True
    assert notifications.deliver(delivery.pk) is False
    assert len(mail.outbox) == 1


class FailingChannel(notifications.Channel):
    def send(self, notification):
        raise OSError("短信网关不可用")


def test_a_failing_channel_is_recorded_and_retried(settings):
    settings.NOTIFICATION_CHANNELS = ["chainparty.notifications.InAppChannel", f"{__name__}.FailingChannel"]
    user = factories.UserFactory()
    _send([user])
    delivery = NotificationDelivery.objects.get()
    assert notifications.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == NotificationDelivery.Status.FAILED and "短信网关" in delivery.error


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
