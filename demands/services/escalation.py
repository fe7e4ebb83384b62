"""The escalation sweep (督办): warn handlers before a deadline, escalate overdue parts to the
alliance and then to the organisation department. Beat runs it through `demands.tasks.needs`."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.models import Region
from alliances.selectors import alliance_managers, region_staff
from chainparty import sweeps, workdays
from chainparty.notifications import Message, notify_bulk

from ..models import Assignment, Need, NeedEvent
from ..selectors import needs as selectors


# -- the escalation sweep (督办) --------------------------------------------------------------------
@dataclass(frozen=True)
class _Due:
    """What the sweep needs of one claimed part, read as plain values (thousands per run)."""

    pk: int
    need_id: int
    number: str
    title: str
    alliance_id: int
    region_ids: tuple
    deadline: dt.date
    redo_count: int
    label: str
    url: str
    escalation_level: int


_DUE_FIELDS = (
    "pk",
    "need_id",
    "need__number",
    "need__title",
    "need__alliance_id",
    "need__region__path",
    "deadline",
    "redo_count",
    "role",
    "department__name",
    "provider_enterprise__name",
    "escalation_level",
)


def _claim(condition: Q, update: dict, batch_size: int) -> list[_Due]:
    """Claim (`sweeps.claim`) up to `batch_size` open parts matching `condition`, reading what the
    messages need in the same statement, and mark them done before anything is sent: a second or
    concurrent sweep never sees them again."""
    rows = sweeps.claim(
        Assignment.objects.filter(condition, state__in=Assignment.OPEN_STATES, need__state__in=Need.CLOCK_STATES)
        .order_by("deadline", "pk")
        .values_list(*_DUE_FIELDS),
        update=update,
        batch_size=batch_size,
    )
    roles = dict(Assignment.Role.choices)
    # One reverse() per batch: the need page's URL differs only by its id.
    url = reverse("demands:need_detail", args=[0]).removesuffix("0/")
    return [
        _Due(
            pk=pk,
            need_id=need_id,
            number=number,
            title=title,
            alliance_id=alliance_id,
            region_ids=tuple(Region.ids_in_path(path)[::-1]),
            deadline=deadline,
            redo_count=redo_count,
            label=f"{dept or provider}（{roles[role]}）",
            url=f"{url}{need_id}/",
            escalation_level=level,
        )
        for pk, need_id, number, title, alliance_id, path, deadline, redo_count, role, dept, provider, level in rows
    ]


def _warned_users(rows) -> dict:
    """{assignment id: users}: the named handler, else the department's handlers or the provider's secretaries."""
    parts = list(
        Assignment.objects.filter(pk__in=[r.pk for r in rows])
        .select_related("handler")
        .only("pk", "department_id", "provider_enterprise_id", "handler")
    )
    return selectors.assignment_recipients(parts)


SWEEP_KEY_PREFIX = "need-sweep:"  # every sweep notification's dedupe key starts with it


def _digests(recipients_by_due, *, kind, step, single, many, url, line):
    """One notification per recipient per batch, listing every part it concerns: a secretary with
    forty overdue needs gets one message, not forty. The key is made of the parts (and their redo
    round and deadline), which a claim hands out once, so nothing is ever sent twice."""
    return sweeps.digest_notifications(
        recipients_by_due,
        key_prefix=f"{SWEEP_KEY_PREFIX}{step}:",
        fingerprint=lambda d: f"{d.pk}.{d.redo_count}.{d.deadline:%Y%m%d}",
        order=lambda d: (d.deadline, d.number),
        line=line,
        single=lambda d: Message(title=f"{d.number} {single % {'title': d.title}}", body=line(d), url=d.url, kind=kind),
        many=lambda dues, body: Message(title=many % {"n": len(dues)}, body=body, url=url, kind=kind),
    )


def _warn(rows, today, now):
    recipients = _warned_users(rows)
    note = _("办理时限临近（%(deadline)s），已提醒 %(part)s。")
    events = [
        NeedEvent(
            need_id=due.need_id,
            assignment_id=due.pk,
            action=NeedEvent.Action.REMIND,
            note=note % {"deadline": due.deadline, "part": due.label},
            data={"deadline": due.deadline.isoformat(), "recipients": len(recipients.get(due.pk, []))},
            created_at=now,
        )
        for due in rows
    ]
    line = _("%(number)s %(title)s：%(part)s 请于 %(deadline)s 前答复")
    outgoing = _digests(
        ((due, recipients.get(due.pk, [])) for due in rows),
        kind="need_warning",
        step="warn",
        single=_("办理时限临近：%(title)s"),
        many=_("%(n)d 项派单办理时限临近"),
        url=reverse("demands:assignment_list"),
        line=lambda d: line % {"number": d.number, "title": d.title, "part": d.label, "deadline": d.deadline},
    )
    return events, outgoing


_ESCALATION_NOTES = {
    (1,): gettext_lazy("超期督办（一级）：%(part)s 超过办理时限 %(days)d 个工作日，已通知联盟书记。"),
    (2,): gettext_lazy("超期督办（二级）：%(part)s 超过办理时限 %(days)d 个工作日，已报组织部。"),
    (1, 2): gettext_lazy("超期督办（一级、二级）：%(part)s 超过办理时限 %(days)d 个工作日，已通知联盟书记并报组织部。"),
}


def _escalations(rows, today, now, level2_before):
    """Level 1 for parts claimed at level 0, level 2 for those late enough; a part the sweep finds
    already that late (the sweep did not run for days) takes both steps at once, in one event."""
    managers = alliance_managers({due.alliance_id for due in rows if due.escalation_level == 0})
    staff = region_staff({rid for due in rows if due.deadline <= level2_before for rid in due.region_ids})
    notes = {levels: str(text) for levels, text in _ESCALATION_NOTES.items()}
    events, to_alliance, to_region = [], [], []
    for due in rows:
        late = workdays.workdays_late(due.deadline, today)
        levels = tuple(
            level for level, reached in ((1, due.escalation_level == 0), (2, due.deadline <= level2_before)) if reached
        )
        if 1 in levels:
            to_alliance.append((due, managers.get(due.alliance_id, [])))
        if 2 in levels:
            # The nearest organisation department with staff (county before city before province).
            to_region.append((due, next((staff[rid] for rid in due.region_ids if staff.get(rid)), [])))
        events.append(
            NeedEvent(
                need_id=due.need_id,
                assignment_id=due.pk,
                action=NeedEvent.Action.SUPERVISE,
                note=notes[levels] % {"part": due.label, "days": late},
                data={
                    "level": levels[-1],
                    "levels": list(levels),
                    "deadline": f"{due.deadline}",
                    "overdue_workdays": late,
                },
                created_at=now,
            )
        )
    line = _("%(number)s %(title)s：%(part)s 超期 %(days)d 个工作日")
    overdue_url = reverse("demands:need_overdue")

    def describe(due):
        late = workdays.workdays_late(due.deadline, today)
        return line % {"number": due.number, "title": due.title, "part": due.label, "days": late}

    outgoing = _digests(
        to_alliance,
        kind="need_escalation",
        step="l1",
        single=_("已超期，请督办：%(title)s"),
        many=_("%(n)d 项需求超期，请督办"),
        url=overdue_url,
        line=describe,
    ) + _digests(
        to_region,
        kind="need_escalation",
        step="l2",
        single=_("超期未办结，提请组织部督办：%(title)s"),
        many=_("%(n)d 项需求超期未办结，提请组织部督办"),
        url=overdue_url,
        line=describe,
    )
    return events, outgoing, len(to_alliance), len(to_region)


def _record(events, outgoing):
    NeedEvent.objects.bulk_create(events, batch_size=1000)
    notify_bulk(outgoing)


def escalation_sweep(*, batch_size: int | None = None) -> dict:
    """Warn the handlers of parts due within a working day, escalate overdue parts to the alliance
    (level 1) and, N working days later, to the organisation department (level 2).

    Each step claims its rows with `chainparty.sweeps` (SKIP LOCKED, then a conditional update)
    before it records the events and notifies, in one transaction per batch (`run_in_batches`): a
    second or concurrent sweep never sees the same part at the same level again, and notification
    keys are made of the parts, their redo round and deadline. A handful of queries per batch
    whatever its size; one digest per recipient.
    """
    batch_size = batch_size or getattr(settings, "NEEDS_SWEEP_BATCH", 1000)
    today = workdays.local_today()
    warn_until = workdays.add_workdays(today, getattr(settings, "NEEDS_WARNING_WORKDAYS", 1))
    level2_before = workdays.latest_deadline_late_by(today, getattr(settings, "NEEDS_ESCALATION_LEVEL2_WORKDAYS", 3))
    counts = {"warned": 0, "level1": 0, "level2": 0}
    warn = Q(warned_at__isnull=True, deadline__gte=today, deadline__lte=warn_until)
    escalate = Q(escalation_level=0, deadline__lt=today) | Q(escalation_level=1, deadline__lte=level2_before)
    new_level = Case(When(deadline__lte=level2_before, then=Value(2)), default=Value(1))

    def warn_step():
        now = timezone.now()
        rows = _claim(warn, {"warned_at": now}, batch_size)
        if rows:
            events, outgoing = _warn(rows, today, now)
            counts["warned"] += len(rows)
            _record(events, outgoing)
        return len(rows)

    def escalate_step():
        now = timezone.now()
        rows = _claim(escalate, {"escalated_at": now, "escalation_level": new_level}, batch_size)
        if rows:
            events, outgoing, first, second = _escalations(rows, today, now, level2_before)
            counts["level1"] += first
            counts["level2"] += second
            _record(events, outgoing)
        return len(rows)

    sweeps.run_in_batches(warn_step, batch_size=batch_size)
    sweeps.run_in_batches(escalate_step, batch_size=batch_size)
    return counts
