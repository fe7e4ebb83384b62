"""The one way to tell people something.

`notify()` is the entry point every app calls. It stores an in-app notification per recipient
(unique `dedupe_key`, so the same reminder is never stored twice) and one delivery row per outside
channel; the rows are sent after commit by a Celery task that claims each row atomically.

Channels are classes named by dotted path in ``settings.NOTIFICATION_CHANNELS``. A new channel
subclasses :class:`Channel` and is added there; callers do not change. The SMS and WeCom channels
live in `chainparty.channels`.
"""

import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .bulk import insert_new
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

    @property
    def delivers_notifications(self) -> bool:
        """Whether `notify()` sends notifications through this channel. A channel may carry
        second-factor codes only (an SMS channel without an approved notice template)."""
        return True

    def can_reach(self, user) -> bool:
        return True

    def send(self, notification: Notification) -> None:
        """Send or raise; a raised error marks the delivery failed with its message."""
        raise RuntimeError("Channel subclasses must implement send().")

    def send_code(self, *, user, code: str, minutes: int) -> None:
        """Send a one-time login code to `user` now, or raise (never stored as a notification: it
        is a secret). A channel whose provider takes the code apart from the text (an SMS
        template's variable) overrides this."""
        self.send(
            Notification(
                recipient=user,
                title=_("登录验证码"),
                body=_(
                    "您的登录验证码是 %(code)s，%(minutes)d分钟内有效，仅可使用一次。"
                    "如非本人操作，请忽略并尽快修改密码。"
                )
                % {"code": code, "minutes": minutes},
                kind="security_code",
            )
        )


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
        if key not in rows:
            rows[key] = (user, message)
    if not rows:
        return 0
    now = Notification._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    stored = insert_new(
        Notification,
        ("recipient", "title", "body", "url", "kind", "dedupe_key", "created_at"),
        [
            (user.pk, message.title[:200], message.body, message.url, message.kind, key, now)
            for key, (user, message) in rows.items()
        ],
        returning="dedupe_key",
    )
    outside = [c for c in channels() if c.needs_delivery and c.delivers_notifications]
    pending = insert_new(
        NotificationDelivery,
        ("notification", "channel", "status", "attempts", "error"),
        [
            (pk, channel.key(), NotificationDelivery.Status.PENDING.value, 0, "")
            for pk, key in stored
            for channel in outside
            if channel.can_reach(rows[key][0])
        ],
    )
    if pending:
        delivery_ids = [pk for pk, *_rest in pending]
        transaction.on_commit(lambda: _enqueue_deliveries(delivery_ids))
    return len(stored)


def _enqueue_deliveries(delivery_ids):
    """Queue the deliveries stored by one commit. One task per small batch (see
    `delivery_batch_size`), so each runs well inside the task time limit; more than one batch go
    as one message to the worker, which queues the batches (`queue_delivery_batches`), so a sweep
    committing thousands of deliveries does not wait on the broker once per batch. Every delivery
    is still claimed atomically, so an overlap never sends twice."""
    from .tasks import queue_delivery_batches

    if len(delivery_ids) > delivery_batch_size():
        # A short argsrepr: Celery's own repr of hundreds of ids cost more than sending them.
        queue_delivery_batches.apply_async((list(delivery_ids),), argsrepr=f"([{len(delivery_ids)} ids],)")
    else:
        queue_delivery_batches_now(delivery_ids)


def queue_delivery_batches_now(delivery_ids):
    """One `deliver_notifications` task per batch of `delivery_batch_size()` deliveries."""
    from .tasks import deliver_notifications

    size = delivery_batch_size()
    for start in range(0, len(delivery_ids), size):
        deliver_notifications.delay(list(delivery_ids[start : start + size]))


def delivery_batch_size() -> int:
    """Deliveries sent by one task. Ten e-mails at the 20 s SMTP timeout take at most 200 s, under
    the 240 s soft time limit even when the mail server hangs."""
    return getattr(settings, "NOTIFICATION_DELIVERY_BATCH", 10)


def claim_timeout() -> timezone.timedelta:
    """Age after which a "sending" delivery is taken to have lost its worker. Longer than the hard
    task time limit (300 s), so a send still running is never claimed twice."""
    return getattr(settings, "NOTIFICATION_CLAIM_TIMEOUT", timezone.timedelta(minutes=10))


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
    except (SoftTimeLimitExceeded, TimeLimitExceeded):
        # The task ran out of time, the channel did not fail: the row stays "sending" and is
        # reclaimed by age (`pending_delivery_ids`), and the worker learns its task was cut short.
        raise
    except Exception as exc:  # a channel's failure must not lose the others
        logger.warning("notification delivery %s failed: %s", delivery_id, exc)
        _end_claim(delivery_id, now, status=NotificationDelivery.Status.FAILED, error=str(exc)[:2000])
        return False
    _end_claim(delivery_id, now, status=NotificationDelivery.Status.SENT, sent_at=timezone.now())
    return True


def _end_claim(delivery_id, claimed_at, **fields) -> None:
    """End the delivery only if it is still this call's claim: a claim reclaimed meanwhile by
    `pending_delivery_ids` belongs to another send, whose outcome must not be overwritten."""
    NotificationDelivery.objects.filter(
        pk=delivery_id, status=NotificationDelivery.Status.SENDING, claimed_at=claimed_at
    ).update(**fields)


MAX_DELIVERY_ATTEMPTS = 3


def pending_delivery_ids(limit=500):
    """Deliveries to send again: never picked up (e.g. the broker was down at commit), failed with
    attempts left, or claimed by a worker that died or was cut off mid-send. A delivery out of
    attempts ends failed with a reason, so none stays "sending" forever."""
    Status = NotificationDelivery.Status
    now = timezone.now()
    abandoned = NotificationDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - claim_timeout())
    abandoned.filter(attempts__gte=MAX_DELIVERY_ATTEMPTS).update(
        status=Status.FAILED, error=_("发送中断（任务进程退出或超时），已达最大尝试次数。")
    )
    abandoned.update(status=Status.PENDING)
    NotificationDelivery.objects.filter(status=Status.FAILED, attempts__lt=MAX_DELIVERY_ATTEMPTS).update(
        status=Status.PENDING
    )
    # Fresh rows are left to the task enqueued when their notification was committed.
    return list(
        NotificationDelivery.objects.filter(
            status=Status.PENDING, notification__created_at__lt=now - timezone.timedelta(minutes=2)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_pending() -> int:
    """Queue every delivery `pending_delivery_ids` returns, in small batches; returns how many."""
    delivery_ids = pending_delivery_ids()
    queue_delivery_batches_now(delivery_ids)  # in the worker already: no hop through the broker
    return len(delivery_ids)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
