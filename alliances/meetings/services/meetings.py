"""Scheduling a meeting, moving it, cancelling it and editing it."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty import audit
from chainparty.errors import StateError

from ...access import seats_in_force
from ...models import (
    AgendaItem,
    Alliance,
    Department,
    Enterprise,
    Invitation,
    Meeting,
    MeetingSchedule,
    Membership,
    WorkZone,
)
from ...selectors import department_handlers, enterprise_secretaries
from .. import reminders
from .common import (
    State,
    audit_meeting,
    check_times,
    lock_meeting,
    notify_invitees,
    require_manager,
    when_text,
)
from .reach import check_people, check_place_and_host


def _default_invitations(meeting: Meeting, *, departments, chosen_users, chosen_names) -> list[Invitation]:
    """Committee seats in force on the meeting's day, the secretaries of member enterprises, the
    handlers of invited departments, then the chosen people; an account is invited once, under the
    first reason found in that order."""
    invitations, seen_users = [], set()

    def add(*, user=None, person_name="", **fields):
        if user is not None:
            if user.pk in seen_users or not user.is_active:
                return
            seen_users.add(user.pk)
            person_name = person_name or user.display_name
        invitations.append(Invitation(meeting=meeting, user=user, person_name=person_name[:50], **fields))

    seats = (
        seats_in_force(on=meeting.local_date)
        .filter(alliance=meeting.alliance)
        .select_related("user")
        .order_by("role", "pk")
    )
    for seat in seats:
        add(
            user=seat.user,
            person_name=seat.person_name,
            source=Invitation.Source.SEAT,
            enterprise_id=seat.enterprise_id,
            department_id=seat.department_id,
        )
    member_ids = list(
        Membership.objects.filter(alliance=meeting.alliance, left_on__isnull=True, enterprise__isnull=False)
        .order_by("joined_on", "pk")
        .values_list("enterprise_id", flat=True)
    )
    secretaries = enterprise_secretaries(member_ids)
    for enterprise_id in member_ids:
        for user in secretaries.get(enterprise_id, []):
            add(user=user, source=Invitation.Source.ENTERPRISE_SECRETARY, enterprise_id=enterprise_id)
    handlers = department_handlers([d.pk for d in departments])
    for department in departments:
        for user in handlers.get(department.pk, []):
            add(user=user, source=Invitation.Source.DEPARTMENT, department_id=department.pk)
    for user in chosen_users:
        add(user=user, source=Invitation.Source.CHOSEN)
    for name in chosen_names:
        if name.strip():
            add(person_name=name.strip(), source=Invitation.Source.CHOSEN)
    return invitations


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    alliance: Alliance,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place_zone: WorkZone | None = None,
    place_address: str = "",
    chair=None,
    chair_name: str = "",
    recorder=None,
    recorder_name: str = "",
    host_enterprise: Enterprise | None = None,
    invited_departments: Iterable[Department] = (),
    agenda: Sequence[str] = (),
    chosen_users: Iterable = (),
    chosen_names: Iterable[str] = (),
    schedule: MeetingSchedule | None = None,
    occurrence_date: dt.date | None = None,
) -> Meeting:
    """Schedule a meeting of `alliance` with its agenda (titles in order) and default invitees
    (see `_default_invitations`; the chair and recorder are invited too), and send them "会议通知"
    when it has not started yet. A meeting in the past may be recorded (补录): nobody is notified."""
    require_manager(actor, alliance)
    check_times(starts_at, ends_at)
    departments = list(invited_departments)
    check_place_and_host(
        alliance, place_zone=place_zone, host_enterprise=host_enterprise, invited_departments=departments
    )
    chosen_users = list(chosen_users)
    check_people(alliance, chair=chair, recorder=recorder, chosen_users=chosen_users)
    meeting = Meeting(
        alliance=alliance,
        kind=kind,
        title=(title or "").strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place_zone=place_zone,
        place_address=(place_address or "").strip(),
        chair=chair,
        chair_name=(chair_name or (chair.display_name if chair else "")).strip(),
        recorder=recorder,
        recorder_name=(recorder_name or (recorder.display_name if recorder else "")).strip(),
        host_enterprise=host_enterprise,
        schedule=schedule,
        occurrence_date=occurrence_date,
        created_by=actor,
    )
    if not meeting.place_address and place_zone is None:
        raise ValidationError({"place_address": _("请填写会议地点或选择片区。")})
    meeting.full_clean()
    meeting.save()
    meeting.invited_departments.set(departments)
    titles = [t.strip() for t in agenda if t and t.strip()]
    _check_agenda_lengths(titles)
    items = [AgendaItem(meeting=meeting, position=n, title=t) for n, t in enumerate(titles, start=1)]
    AgendaItem.objects.bulk_create(items)
    people = [u for u in (chair, recorder) if u is not None] + list(chosen_users)
    Invitation.objects.bulk_create(
        _default_invitations(meeting, departments=departments, chosen_users=people, chosen_names=chosen_names)
    )
    audit_meeting(meeting, audit.Action.MEETING_SCHEDULE, actor=actor, kind=meeting.kind, starts_at=meeting.starts_at)
    reminders.meeting_changed(meeting)
    if not meeting.has_started:
        notify_invitees(
            meeting.pk,
            key="scheduled",
            title=_("会议通知：%s") % meeting.title,
            body=_("%(alliance)s定于 %(when)s 在%(place)s召开%(kind)s，请及时答复是否参加。")
            % {
                "alliance": alliance,
                "when": when_text(meeting),
                "place": meeting.place,
                "kind": meeting.get_kind_display(),
            },
        )
    return meeting


@transaction.atomic
def meeting_move(
    *, actor, meeting: Meeting, starts_at: dt.datetime, ends_at: dt.datetime, expected_version: int | None = None
) -> Meeting:
    """Move a scheduled meeting that has not started to a new time in the future. Bumps `version`
    and keeps the previous start in `moved_from`; invitees get "会议时间变更". `expected_version`
    (the version the mover saw) refuses a move on top of someone else's."""
    check_times(starts_at, ends_at)
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
    if expected_version is not None and expected_version != meeting.version:
        raise StateError(_("会议时间已被他人调整，请刷新后再操作。"), code="stale")
    if meeting.state != State.SCHEDULED:
        raise StateError(_("会议当前为“%s”，不能调整时间。") % meeting.get_state_display())
    if meeting.has_started:
        raise StateError(_("会议已经开始，不能再调整时间。"))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("新的开始时间已经过去，请选择以后的时间。")})
    if starts_at == meeting.starts_at and ends_at == meeting.ends_at:
        raise ValidationError({"starts_at": _("新的时间与原定时间相同。")})
    previous = meeting.starts_at
    meeting.moved_from, meeting.starts_at, meeting.ends_at = previous, starts_at, ends_at
    meeting.version += 1
    meeting.full_clean()
    meeting.save(update_fields=["moved_from", "starts_at", "ends_at", "version", "updated_at"])
    audit_meeting(meeting, audit.Action.MEETING_MOVE, actor=actor, moved_from=previous, starts_at=starts_at)
    reminders.meeting_changed(meeting)
    notify_invitees(
        meeting.pk,
        key=f"moved:v{meeting.version}",
        title=_("会议时间变更：%s") % meeting.title,
        body=_("原定 %(old)s 召开的会议调整为 %(when)s，地点：%(place)s。")
        % {"old": f"{timezone.localtime(previous):%Y-%m-%d %H:%M}", "when": when_text(meeting), "place": meeting.place},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting, with a reason; invitees are told (if it had not started)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写取消原因。")})
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
    if meeting.state != State.SCHEDULED:
        raise StateError(_("会议当前为“%s”，不能取消。") % meeting.get_state_display())
    meeting.state, meeting.cancel_reason, meeting.cancelled_at = State.CANCELLED, reason[:500], timezone.now()
    meeting.full_clean()
    meeting.save(update_fields=["state", "cancel_reason", "cancelled_at", "updated_at"])
    audit_meeting(meeting, audit.Action.MEETING_CANCEL, actor=actor, reason=meeting.cancel_reason)
    reminders.meeting_cancelled(meeting)
    if not meeting.has_started:
        notify_invitees(
            meeting.pk,
            key="cancelled",
            title=_("会议取消：%s") % meeting.title,
            body=_("原定 %(when)s 召开的会议已取消。原因：%(reason)s")
            % {"when": when_text(meeting), "reason": meeting.cancel_reason},
        )
    return meeting


# -- editing -------------------------------------------------------------------------------------
#: "Leave it as it is" for `meeting_update`'s optional arguments (None is a value: no zone).
UNCHANGED = object()


@dataclass(frozen=True)
class AgendaEdit:
    """One agenda item as `meeting_update` leaves it: `id` of an item of this meeting to keep (its
    text becomes `title`), or None for a new one. The list's order is the new order; an item left
    out is removed."""

    title: str
    id: int | None = None


def _check_agenda_lengths(titles: Sequence[str]) -> None:
    """An agenda item longer than its column is refused with its number, never cut short."""
    limit = AgendaItem._meta.get_field("title").max_length
    long = [str(n) for n, title in enumerate(titles, start=1) if len(title) > limit]
    if long:
        raise ValidationError(
            {"agenda": _("第 %(items)s 项议题超过 %(limit)d 字，请精简。") % {"items": "、".join(long), "limit": limit}}
        )


def _agenda_plan(meeting: Meeting, edits: Sequence[AgendaEdit]) -> tuple[list[AgendaItem], list[AgendaItem]]:
    """(the items in their new order, unsaved ones new; the items to remove), after the checks."""
    current = {item.pk: item for item in meeting.agenda_items.all()}
    ids = [edit.id for edit in edits if edit.id is not None]
    if any(pk not in current for pk in ids) or len(set(ids)) != len(ids):
        raise ValidationError({"agenda": _("所修改的议题不属于本次会议，或重复出现。")})
    blank = [n for n, edit in enumerate(edits, start=1) if not (edit.title or "").strip()]
    if blank:
        raise ValidationError({"agenda": _("第 %s 项议题未填写内容。") % "、".join(map(str, blank))})
    _check_agenda_lengths([edit.title.strip() for edit in edits])
    kept = []
    for edit in edits:
        item = current[edit.id] if edit.id is not None else AgendaItem(meeting=meeting)
        item.title = edit.title.strip()
        kept.append(item)
    removed = [item for pk, item in current.items() if pk not in set(ids)]
    referred = [item.title for item in removed if _referred_to(item)]
    if referred:
        raise ValidationError({"agenda": _("以下议题已列入会商的需求，请先移出需求再删除：%s") % "、".join(referred)})
    return kept, removed


def _referred_to(item: AgendaItem) -> bool:
    """Whether a row of another app points at the item (a need put on it for 难题会商, kept by
    `demands`): removing the item would silently delete that link, so it is refused. Read through
    the model's reverse relations, so nothing here imports the apps above."""
    return any(
        relation.related_model.objects.filter(**{relation.field.name: item}).exists()
        for relation in AgendaItem._meta.related_objects
    )


def _agenda_save(meeting: Meeting, kept: list[AgendaItem], removed: list[AgendaItem]) -> None:
    AgendaItem.objects.filter(pk__in=[item.pk for item in removed]).delete()
    existing = [item for item in kept if item.pk]
    # Positions are unique per meeting: park the kept ones out of the way, then number everything.
    AgendaItem.objects.filter(pk__in=[item.pk for item in existing]).update(position=F("position") + 10_000)
    for position, item in enumerate(kept, start=1):
        item.position = position
        item.full_clean()
    AgendaItem.objects.bulk_update(existing, ["title", "position"])
    AgendaItem.objects.bulk_create([item for item in kept if not item.pk])


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title=UNCHANGED,
    place_zone=UNCHANGED,
    place_address=UNCHANGED,
    agenda=UNCHANGED,
) -> Meeting:
    """Edit a scheduled meeting that has not started: its title, its place (a work zone, an address
    or both; one of them is needed) and its agenda (`AgendaEdit`s in their new order: items kept
    with new text, new ones, and those left out removed, unless a need is on them). Arguments not
    given stay as they are. A cancelled, held or started meeting is not edited: what it was is its
    record. Audited with what changed; invitees are told when the title or the place changed."""
    meeting = lock_meeting(meeting)
    require_manager(actor, meeting.alliance)
    if meeting.state != State.SCHEDULED:
        raise StateError(_("会议当前为“%s”，不能修改。") % meeting.get_state_display())
    if meeting.has_started:
        raise StateError(_("会议已经开始，不能再修改。"))
    before = {"title": meeting.title, "place": meeting.place}
    changed = []
    if title is not UNCHANGED:
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": _("请填写会议名称。")})
        if title != meeting.title:
            meeting.title, changed = title, [*changed, _("会议名称")]
    if place_zone is not UNCHANGED or place_address is not UNCHANGED:
        zone = meeting.place_zone if place_zone is UNCHANGED else place_zone
        address = meeting.place_address if place_address is UNCHANGED else (place_address or "").strip()
        if zone is None and not address:
            raise ValidationError({"place_address": _("请填写会议地点或选择片区。")})
        check_place_and_host(meeting.alliance, place_zone=zone, host_enterprise=None, invited_departments=[])
        if (zone, address) != (meeting.place_zone, meeting.place_address):
            meeting.place_zone, meeting.place_address, changed = zone, address, [*changed, _("会议地点")]
    plan = None
    if agenda is not UNCHANGED:
        plan = _agenda_plan(meeting, list(agenda))
        old = [(item.pk, item.title) for item in meeting.agenda_items.order_by("position")]
        if [(item.pk, item.title) for item in plan[0]] != old:
            changed.append(_("议题"))
    if not changed:
        raise ValidationError(_("没有需要保存的修改。"))
    meeting.full_clean()
    meeting.save(update_fields=["title", "place_zone", "place_address", "updated_at"])
    if plan is not None:
        _agenda_save(meeting, *plan)
    entry_data = {"changed": changed}
    if before["title"] != meeting.title:
        entry_data["previous"] = before["title"]
    entry = audit_meeting(meeting, audit.Action.MEETING_UPDATE, actor=actor, **entry_data)
    if before != {"title": meeting.title, "place": meeting.place}:
        notify_invitees(
            meeting.pk,
            key=f"updated:{entry.pk}",
            title=_("会议信息变更：%s") % meeting.title,
            body=_("%(when)s 召开的会议，名称：%(title)s，地点：%(place)s。")
            % {"when": when_text(meeting), "title": meeting.title, "place": meeting.place},
        )
    return meeting
