"""The one way to tell people something.

`notify()` is the entry point every app calls. It stores an in-app notification per recipient
(unique `dedupe_key`, so the same reminder is never stored twice) and one delivery row per outside
channel; the rows are sent after commit by a Celery task that claims each row atomically.

Channels are classes named by dotted path in ``settings.NOTIFICATION_CHANNELS``. A new channel
(SMS, WeCom…) subclasses :class:`Channel` and is added there; callers do not change.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification, NotificationDelivery

logger = logging.getLogger(__name__)


class Channel:
    """Extension point: deliver one notification to its recipient outside the portal."""

    #: Stored on each delivery row; defaults to the class's dotted path.
    identifier: str = ""
    #: In-app notifications are the stored rows themselves and need no delivery.
    needs_delivery = True

    @classmethod
    def key(cls):
        return cls.identifier or f"{cls.__module__}.{cls.__qualname__}"

    def can_reach(self, user) -> bool:
        return True

    def send(self, notification: Notification) -> None:
        """Send or raise; a raised error marks the delivery failed with its message."""
        raise RuntimeError("Channel subclasses must implement send().")


class InAppChannel(Channel):
    needs_delivery = False

    def send(self, notification):
        return None


class EmailChannel(Channel):
    def can_reach(self, user):
        return bool(user.email)

    def send(self, notification):
        link = f"{settings.PORTAL_BASE_URL}{notification.url}" if notification.url else ""
        body = "\n\n".join(part for part in (notification.body, link) if part)
        send_mail(
            subject=f"[ChainParty] {notification.title}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
        )


def channels():
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]


def channel_by_key(key):
    for channel in channels():
        if channel.key() == key:
            return channel
    return None


@dataclass(frozen=True)
class Message:
    title: str
    body: str = ""
    url: str = ""
    kind: str = ""


def notify(*, recipients, message: Message, dedupe_key: str) -> int:
    """Notify each recipient once per `dedupe_key`; returns how many notifications were created now.

    Safe to call twice or concurrently with the same key: the unique key decides who wins.
    """
    return notify_bulk((user, message, dedupe_key) for user in recipients)


def notify_bulk(items) -> int:
    """Notify many (recipient, message, dedupe_key) items at once, in a handful of queries whatever
    their number. Keys already stored are skipped, so a second or concurrent run sends nothing
    twice; returns how many notifications were created.
    """
    rows = {}
    for user, message, dedupe_key in items:
        if user is None or not user.is_active:
            continue
        key = f"{dedupe_key}:u{user.pk}"[:200]
        rows.setdefault(
            key,
            Notification(
                recipient=user,
                title=message.title[:200],
                body=message.body,
                url=message.url,
                kind=message.kind,
                dedupe_key=key,
            ),
        )
    if not rows:
        return 0
    existing = set(Notification.objects.filter(dedupe_key__in=list(rows)).values_list("dedupe_key", flat=True))
    fresh = {key: n for key, n in rows.items() if key not in existing}
    if not fresh:
        return 0
    Notification.objects.bulk_create(fresh.values(), ignore_conflicts=True, batch_size=500)
    stored = list(Notification.objects.filter(dedupe_key__in=list(fresh)).values_list("pk", "dedupe_key"))
    outside = [c for c in channels() if c.needs_delivery]
    deliveries = [
        NotificationDelivery(notification_id=pk, channel=channel.key())
        for pk, key in stored
        for channel in outside
        if channel.can_reach(fresh[key].recipient)
    ]
    created = len(stored)
    if deliveries:
        # A concurrent run may have stored the same rows: the (notification, channel) key keeps one.
        NotificationDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)
        pending = list(
            NotificationDelivery.objects.filter(
                notification_id__in=[pk for pk, _key in stored], status=NotificationDelivery.Status.PENDING
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _enqueue_deliveries(pending))
    return created


def _enqueue_deliveries(delivery_ids, chunk_size=50):
    """Few broker messages for many deliveries: each chunk runs deliver_notification in turn;
    every delivery is still claimed atomically, so an overlap never sends twice."""
    from .tasks import deliver_notification

    if delivery_ids:
        deliver_notification.chunks(((pk,) for pk in delivery_ids), chunk_size).apply_async()


def _enqueue_delivery(delivery_id):
    from .tasks import deliver_notification

    deliver_notification.delay(delivery_id)


def deliver(delivery_id: int) -> bool:
    """Send one delivery if nobody has claimed it yet. Returns True when this call sent it."""
    now = timezone.now()
    claimed = NotificationDelivery.objects.filter(pk=delivery_id, status=NotificationDelivery.Status.PENDING).update(
        status=NotificationDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    delivery = NotificationDelivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    channel = channel_by_key(delivery.channel)
    if channel is None:
        delivery.status = NotificationDelivery.Status.SKIPPED
        delivery.error = "channel not configured"
        delivery.save(update_fields=["status", "error"])
        return False
    try:
        channel.send(delivery.notification)
    except Exception as exc:  # a channel's failure must not lose the others
        logger.warning("notification delivery %s failed: %s", delivery_id, exc)
        delivery.status = NotificationDelivery.Status.FAILED
        delivery.error = str(exc)[:2000]
        delivery.save(update_fields=["status", "error"])
        return False
    delivery.status = NotificationDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.save(update_fields=["status", "sent_at"])
    return True


def pending_delivery_ids(limit=500):
    """Deliveries never picked up (e.g. the broker was down at commit), and failed ones to retry."""
    stale = timezone.now() - timezone.timedelta(minutes=2)
    retry = NotificationDelivery.objects.filter(status=NotificationDelivery.Status.FAILED, attempts__lt=3)
    retry.update(status=NotificationDelivery.Status.PENDING)
    return list(
        NotificationDelivery.objects.filter(status=NotificationDelivery.Status.PENDING)
        .filter(notification__created_at__lt=stale)
        .values_list("pk", flat=True)[:limit]
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
