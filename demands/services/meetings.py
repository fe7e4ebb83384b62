"""Needs and meetings (issue 8 §1): a decision (议定事项) turned into a need in one step, and needs put
on an agenda item for joint consultation (难题会商). Both are recorded on the need's timeline.

Meetings live in `alliances`, below this app: this module reads them and checks rights with
`alliances.meetings.permissions`; `alliances` learns about the links only through
`chainparty.links` (see demands/links.py).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.meetings.permissions import can_manage_meeting
from alliances.models import AgendaItem, Decision, Enterprise, Meeting
from chainparty.errors import StateError

from ..models import AgendaNeed, Need, NeedEvent
from .filing import need_file
from .transitions import _record

TITLE_LENGTH = Need._meta.get_field("title").max_length


def _meeting_label(meeting: Meeting) -> str:
    return f"{meeting.alliance.name} {timezone.localtime(meeting.starts_at):%Y-%m-%d}《{meeting.title}》"


def _meeting_data(meeting: Meeting) -> dict:
    return {
        "meeting_id": meeting.pk,
        "meeting_title": meeting.title,
        "meeting_starts_at": meeting.starts_at.isoformat(),
        "alliance_id": meeting.alliance_id,
    }


def _title_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


@transaction.atomic
def need_from_decision(
    *,
    actor,
    decision: Decision,
    enterprise: Enterprise | None = None,
    category: str = Need.Category.OTHER,
    urgency: str = Need.Urgency.NORMAL,
    title: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Need:
    """File a need (source 会议) from a meeting's decision, in one step, for the alliance that met.

    The enterprise is the decision's owner enterprise, or `enterprise` when a department or a
    person owns it; the title is the decision's first line unless given, the description its text
    and where it was decided; the contact is the enterprise's unless given. The need is linked to
    the decision (`Need.decision`, read back from the decision through `chainparty.links`), and
    its timeline says which meeting decided it. A decision becomes at most one need: the
    decision's row is locked, so a second call (or a second person at the same moment) is refused
    with the need already filed."""
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("meeting__alliance__region", "owner_enterprise")
        .get(pk=decision.pk)
    )
    meeting = decision.meeting
    if actor is None or not can_manage_meeting(actor, meeting):
        raise PermissionDenied(_("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以将议定事项转为需求。"))
    existing = Need.objects.filter(decision=decision).only("number").first()
    if existing is not None:
        raise StateError(_("该议定事项已转为需求 %s，不能重复转办。") % existing.number, code="duplicate")
    if decision.status == Decision.Status.CANCELLED:
        raise StateError(_("已撤销的议定事项不能转为需求。"))
    if decision.owner_enterprise_id:
        if enterprise is not None and enterprise.pk != decision.owner_enterprise_id:
            raise ValidationError(
                {"enterprise": _("该议定事项的责任企业是“%s”，需求须以该企业提出。") % decision.owner_enterprise.name}
            )
        enterprise = decision.owner_enterprise
    elif enterprise is None:
        raise ValidationError({"enterprise": _("该议定事项的责任方不是企业，请选择提出需求的企业。")})
    where = _meeting_label(meeting)
    need = need_file(
        actor=actor,
        enterprise=enterprise,
        alliance=meeting.alliance,
        category=category,
        urgency=urgency,
        source=Need.Source.MEETING,
        contact_name=contact_name,
        contact_phone=contact_phone,
        title=(title or "").strip() or _title_from(decision.text),
        description=_("%(text)s\n\n（来源：%(where)s 议定事项第 %(position)d 项，责任单位：%(owner)s）")
        % {"text": decision.text, "where": where, "position": decision.position, "owner": decision.owner_label},
    )
    need.decision = decision
    need.save(update_fields=["decision", "updated_at"])
    _record(
        need,
        actor=actor,
        action=NeedEvent.Action.FROM_DECISION,
        note=_("%(where)s 议定事项第 %(position)d 项") % {"where": where, "position": decision.position},
        data={**_meeting_data(meeting), "decision_id": decision.pk, "decision_position": decision.position},
    )
    return need


@transaction.atomic
def agenda_link_needs(*, actor, agenda_item: AgendaItem, needs: Iterable[Need]) -> list[AgendaNeed]:
    """Put needs of the meeting's alliance on one of its agenda items for joint consultation
    (难题会商). Needs already on the item are left as they are; each newly linked need's timeline
    shows the meeting. Returns the new links."""
    agenda_item = AgendaItem.objects.select_related("meeting__alliance__region").get(pk=agenda_item.pk)
    meeting = Meeting.objects.select_for_update().select_related("alliance__region").get(pk=agenda_item.meeting_id)
    if actor is None or not can_manage_meeting(actor, meeting):
        raise PermissionDenied(_("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以安排会商的需求。"))
    if meeting.state == Meeting.State.CANCELLED:
        raise StateError(_("会议已取消，不能再安排会商的需求。"))
    needs = {need.pk: need for need in needs}
    if not needs:
        raise ValidationError({"needs": _("请选择要会商的需求。")})
    rows = list(Need.objects.filter(pk__in=list(needs)).only("pk", "number", "alliance_id", "state"))
    strangers = [n.number for n in rows if n.alliance_id != meeting.alliance_id]
    if strangers or len(rows) != len(needs):
        raise ValidationError({"needs": _("以下需求不由本联盟受理，不能列入议题：%s") % "、".join(strangers or ["—"])})
    finished = [n.number for n in rows if n.state in Need.FINAL_STATES]
    if finished:
        raise ValidationError({"needs": _("以下需求已销号、不予受理或已合并，无需会商：%s") % "、".join(finished)})
    already = set(AgendaNeed.objects.filter(agenda_item=agenda_item).values_list("need_id", flat=True))
    new = [n for n in rows if n.pk not in already]
    links = AgendaNeed.objects.bulk_create(
        [AgendaNeed(agenda_item=agenda_item, need=need, linked_by=actor) for need in new]
    )
    note = _("%(where)s 议题 %(position)d：%(title)s") % {
        "where": _meeting_label(meeting),
        "position": agenda_item.position,
        "title": agenda_item.title,
    }
    data = {**_meeting_data(meeting), "agenda_item_id": agenda_item.pk, "agenda_position": agenda_item.position}
    for need in new:
        _record(need, actor=actor, action=NeedEvent.Action.DISCUSS, note=note, data=data)
    return links
