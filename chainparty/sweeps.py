"""Sweeps: what is due is a database row, claimed in batches and sent as one digest per recipient.

Two layers, used by every app (CONVENTIONS.md, "Shared machinery"):

- Helpers for a sweep over an app's own table (escalation runs over open assignment parts):
  `claim` locks a batch with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it before anything is
  sent, `digest_notifications` turns (item, recipients) pairs into one message per recipient,
  `run_in_batches` repeats a step until a batch comes back short.
- `DueItem` rows for everything else (meeting and visit reminders): `schedule` stores one row per
  recipient under a delivery key made of what the reminder was computed from (the source's
  version, e.g. a meeting's start time), so a moved event's stale reminder is cancelled and never
  fires; `sweep_due`, run by Celery beat, claims what is due, sends digests through
  `notifications.notify_bulk` and ends each row delivered or failed with a reason. A claim whose
  worker died is taken up again by age, as zulip does with its scheduled messages.

On SQLite ``skip_locked`` is ignored; its IMMEDIATE transactions (settings) serialise sweeps.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .bulk import insert_new
from .models import DueItem
from .notifications import Message, notify_bulk

DIGEST_LINES = 30
DUE_KEY_PREFIX = "due:"  # every DueItem digest's dedupe key starts with it


# -- helpers for any sweep -------------------------------------------------------------------------
def _pk_of(row):
    if isinstance(row, models.Model):
        return row.pk
    if isinstance(row, dict):
        return row["pk"]
    return row[0]


def claim(queryset, *, update: dict, batch_size: int) -> list:
    """Lock up to `batch_size` rows of `queryset` that no other sweep holds and apply `update` to
    them (marking them taken) before anything is sent; returns the rows as the queryset yields them.

    Call it inside a transaction. `queryset` is ordered and may be shaped with `.values()` (include
    "pk") or `.values_list()` (with "pk" first), so a sweep reads what its messages need in the same
    statement. `update` must take the rows out of `queryset`'s filter, or the next batch finds them
    again.
    """
    rows = list(queryset.select_for_update(skip_locked=True, of=("self",))[:batch_size])
    if rows:
        queryset.model._base_manager.filter(pk__in=[_pk_of(row) for row in rows]).update(**update)
    return rows


def digest_notifications(
    pairs: Iterable,
    *,
    key_prefix: str,
    fingerprint: Callable,
    line: Callable,
    single: Callable,
    many: Callable,
    order: Callable | None = None,
    max_lines: int = DIGEST_LINES,
) -> list:
    """One message per recipient listing every item that concerns them, ready for `notify_bulk`.

    `pairs` yields (item, recipients). A recipient with one item gets `single(item)`, with several
    `many(items, body)` where body lists `line(item)` for at most `max_lines` of them. The dedupe
    key is `key_prefix` and a hash of the recipient's items' `fingerprint`s (what each was computed
    from): items a claim hands out once are never sent twice, and a changed item is sent again.
    """
    per_user, users = {}, {}
    for item, recipients in pairs:
        for user in recipients:
            per_user.setdefault(user.pk, []).append(item)
            users[user.pk] = user
    outgoing = []
    for user_pk, items in per_user.items():
        if order is not None:
            items.sort(key=order)
        digest = hashlib.sha1(",".join(fingerprint(item) for item in items).encode()).hexdigest()
        if len(items) == 1:
            message = single(items[0])
        else:
            lines = [line(item) for item in items[:max_lines]]
            if len(items) > max_lines:
                lines.append(_("……另有 %d 项") % (len(items) - max_lines))
            message = many(items, "\n".join(lines))
        outgoing.append((users[user_pk], message, f"{key_prefix}{digest}"))
    return outgoing


def run_in_batches(step: Callable[[], int], *, batch_size: int, atomic: bool = True) -> int:
    """Call `step` (which claims and handles at most `batch_size` rows, returning how many) until a
    batch comes back short; each call in its own transaction unless `atomic` is False (a step that
    commits its claim before sending manages its own). Returns the rows handled."""
    total = 0
    while True:
        if atomic:
            with transaction.atomic():
                handled = step()
        else:
            handled = step()
        total += handled
        if handled < batch_size:
            return total


# -- due items ---------------------------------------------------------------------------------------
def _setting(name, default):
    return getattr(settings, name, default)


def claim_timeout():
    """Age after which a claim is taken to have lost its worker: well above the task time limit."""
    return _setting("DUE_ITEM_CLAIM_TIMEOUT", timezone.timedelta(minutes=10))


MAX_ATTEMPTS = 3


def version_text(version) -> str:
    """The text a version is stored and keyed as. An aware datetime is written in UTC, so the same
    moment read back from the database (UTC) and from a form (Asia/Shanghai) gives one key; a
    naive one is refused, since it names no moment."""
    if isinstance(version, dt.datetime):
        if timezone.is_naive(version):
            raise ValueError("a datetime version must be aware")
        return version.astimezone(dt.UTC).isoformat()
    if isinstance(version, dt.date):
        return version.isoformat()
    return str(version)


def delivery_key(*, kind: str, source_key: str, version, recipient_id: int) -> str:
    return f"{kind}:{source_key}@{version_text(version)}:u{recipient_id}"


@transaction.atomic
def schedule(*, kind: str, source_key: str, version, recipients, due_at, message: Message) -> int:
    """Make `message` due at `due_at` for each of `recipients`, as computed from `version` of
    `source_key` (e.g. "meeting:12" at its start time). Returns how many rows are now pending.

    Scheduling the same version again changes nothing that was already sent. Pending rows of the
    same kind and source that this call does not name (another version, or someone no longer a
    recipient) are cancelled ("已过时"), so a moved meeting's old reminder never fires; a row
    cancelled earlier comes back when its version is current again. A row already claimed by a
    sweep is cancelled too: its sweep re-reads it under lock before sending and finds it cancelled.

    Call it in the transaction that changes the source, with the source's row locked
    (select_for_update), so two reschedules of one source cannot both stay pending.
    """
    version = version_text(version)
    items = []
    for user in {user.pk: user for user in recipients if user is not None}.values():
        item = DueItem(
            kind=kind,
            source_key=source_key,
            version=version,
            delivery_key=delivery_key(kind=kind, source_key=source_key, version=version, recipient_id=user.pk),
            recipient=user,
            due_at=due_at,
            title=message.title,
            body=message.body,
            url=message.url,
        )
        # Field checks only: the unique key is the upsert's, and the recipient is a saved user.
        item.full_clean(exclude={"recipient"}, validate_unique=False, validate_constraints=False)
        items.append(item)
    keys = [item.delivery_key for item in items]
    DueItem.objects.bulk_create(items, ignore_conflicts=True, batch_size=500)
    current = DueItem.objects.filter(delivery_key__in=keys)
    current.filter(status__in=[DueItem.Status.PENDING, DueItem.Status.CANCELLED]).update(
        status=DueItem.Status.PENDING,
        due_at=due_at,
        title=message.title,
        body=message.body,
        url=message.url,
        reason="",
        finished_at=None,
    )
    _cancel(DueItem.objects.filter(kind=kind, source_key=source_key).exclude(delivery_key__in=keys), _("已过时"))
    return len(items)


_NEW_FIELDS = (
    "kind",
    "source_key",
    "version",
    "delivery_key",
    "recipient",
    "due_at",
    "status",
    "attempts",
    "reason",
    "title",
    "body",
    "url",
    "created_at",
)


def new_rows(*, kind: str, source_key: str, version, recipients, due_at, message: Message) -> list[tuple]:
    """Rows for `add_new`: `message` due at `due_at` for each active recipient (one per person),
    as values ready for the database. For reminders made once per period from a sweep of their own
    (guides' monthly reminders), where nothing is rescheduled and thousands are made at once."""
    version = version_text(version)
    prepare = DueItem._meta.get_field("due_at").get_db_prep_save
    due, now = prepare(due_at, connection), prepare(timezone.now(), connection)
    pending = DueItem.Status.PENDING.value
    title = message.title[:200]
    return [
        (
            kind,
            source_key,
            version,
            delivery_key(kind=kind, source_key=source_key, version=version, recipient_id=pk),
            pk,
            due,
            pending,
            0,
            "",
            title,
            message.body,
            message.url,
            now,
        )
        for pk in {user.pk: user for user in recipients if user is not None and user.is_active}
    ]


def add_new(rows: list[tuple]) -> int:
    """Store the rows of `new_rows` whose delivery key is not stored yet (a second run, or a second
    worker at once, adds nothing: the unique key decides); returns how many were new. One
    ``INSERT … ON CONFLICT DO NOTHING`` per 500 rows, no model instances."""
    return len(insert_new(DueItem, _NEW_FIELDS, rows))


@transaction.atomic
def cancel(source_key: str, *, kind: str | None = None) -> int:
    """Cancel what is not yet sent for `source_key` (of one `kind`, or all); returns how many."""
    rows = DueItem.objects.filter(source_key=source_key)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return _cancel(rows, _("已取消"))


def _cancel(rows, reason) -> int:
    # Claimed rows too: _deliver_claimed sends only rows still CLAIMED under its lock.
    return rows.filter(status__in=[DueItem.Status.PENDING, DueItem.Status.CLAIMED]).update(
        status=DueItem.Status.CANCELLED, reason=reason, finished_at=timezone.now()
    )


def reclaim_abandoned(now) -> int:
    """Claims older than `claim_timeout()` lost their worker: due again, or failed with a reason
    once out of attempts. Returns how many are due again."""
    abandoned = DueItem.objects.filter(status=DueItem.Status.CLAIMED, claimed_at__lt=now - claim_timeout())
    abandoned.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DueItem.Status.FAILED, finished_at=now, reason=_("多次发送中断（任务进程退出或超时）")
    )
    return abandoned.update(status=DueItem.Status.PENDING)


def _claim_due(now, batch_size) -> dict:
    """Claim a batch in its own short transaction; returns {pk: attempts after this claim}, which
    identifies the claim when the batch is sent."""
    with transaction.atomic():
        rows = claim(
            DueItem.objects.filter(status=DueItem.Status.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", "attempts"),
            update={"status": DueItem.Status.CLAIMED, "claimed_at": now, "attempts": F("attempts") + 1},
            batch_size=batch_size,
        )
    return {pk: attempts + 1 for pk, attempts in rows}


def _single(item):
    return Message(title=item.title, body=item.body, url=item.url, kind=item.kind)


def _many(items, body):
    kinds = {item.kind for item in items}
    urls = {item.url for item in items}
    return Message(
        title=_("您有 %(n)d 条提醒") % {"n": len(items)},
        body=body,
        url=urls.pop() if len(urls) == 1 else "",
        kind=kinds.pop() if len(kinds) == 1 else "reminder",
    )


@transaction.atomic
def _deliver_claimed(claimed: dict, now, users: dict | None = None) -> dict:
    """Send the rows of one claim still held by it (a slow worker's rows may have been reclaimed
    meanwhile), one digest per recipient, and end each delivered or failed. `users` holds the
    recipients read so far by this sweep ({pk: user}); the batch reads only those it lacks."""
    users = {} if users is None else users
    rows = [
        row
        for row in DueItem.objects.select_for_update()
        .filter(pk__in=list(claimed), status=DueItem.Status.CLAIMED)
        .values_list(
            "pk", "attempts", "recipient_id", "kind", "title", "body", "url", "due_at", "delivery_key", named=True
        )
        if row.attempts == claimed[row.pk]
    ]
    missing = {row.recipient_id for row in rows} - users.keys()
    if missing:
        users.update(get_user_model()._base_manager.in_bulk(missing))
    inactive = [row.pk for row in rows if not users[row.recipient_id].is_active]
    active = [row for row in rows if users[row.recipient_id].is_active]
    notify_bulk(
        digest_notifications(
            ((row, [users[row.recipient_id]]) for row in active),
            key_prefix=DUE_KEY_PREFIX,
            fingerprint=lambda row: row.delivery_key,
            line=lambda row: row.title,
            single=_single,
            many=_many,
            order=lambda row: (row.due_at, row.pk),
        )
    )
    DueItem.objects.filter(pk__in=[row.pk for row in active]).update(
        status=DueItem.Status.DELIVERED, finished_at=now, reason=""
    )
    DueItem.objects.filter(pk__in=inactive).update(
        status=DueItem.Status.FAILED, finished_at=now, reason=_("接收人账号已停用")
    )
    return {"delivered": len(active), "failed": len(inactive)}


def sweep_due(*, now=None, batch_size: int | None = None) -> dict:
    """Send every due item: take up abandoned claims, then claim pending rows due by `now` in
    batches (SKIP LOCKED, committed before sending, so concurrent sweeps split the work), and send
    each batch as one digest per recipient. A handful of queries per batch whatever its size."""
    now = now or timezone.now()
    batch_size = batch_size or _setting("DUE_ITEM_SWEEP_BATCH", 500)
    counts = {"reclaimed": reclaim_abandoned(now), "delivered": 0, "failed": 0}
    # Recipients are read once per sweep, not once per batch: most have reminders in many batches.
    users = {}

    def step():
        claimed = _claim_due(now, batch_size)
        if claimed:
            for key, n in _deliver_claimed(claimed, now, users).items():
                counts[key] += n
        return len(claimed)

    run_in_batches(step, batch_size=batch_size, atomic=False)
    return counts
