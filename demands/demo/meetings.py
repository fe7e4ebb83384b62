"""Demo needs and meetings, once both are loaded (`alliances.meetings.demo`, then the needs):

- the textile committee's decision on Xinhuayuan's skilled workers becomes a need (source 会议) in
  one step, filed by the committee's secretary through `need_from_decision`;
- story 3's need (the supermarket's land and funding) is put on the 企业家下午茶's agenda for joint
  consultation (难题会商), so its timeline shows the meeting.

Both run at the moment of loading (the clock rule of the demo). Idempotent: a decision that already
became a need, or a need already on the agenda item, is left as it is.
"""

from alliances.meetings import demo as meetings_demo
from alliances.models import AgendaItem, Decision

from ..models import AgendaNeed, Need
from ..services.meetings import agenda_link_needs, need_from_decision
from .needs import STORY_3_TITLE

NEED_TITLE = "新花源纺织扩产急需熟练挡车工80名"


def load(org, *, stdout=None) -> None:
    need = _need_from_decision(org)
    _discuss_story_3(org)
    if stdout is not None and need is not None:
        stdout.write(f"会议议定事项转为需求：{need.number}")


def _need_from_decision(org) -> Need | None:
    decision = (
        Decision.objects.filter(meeting__alliance=org.alliances["ws_textile"], text=meetings_demo.NEED_DECISION_TEXT)
        .order_by("-meeting__starts_at")
        .first()
    )
    if decision is None or Need.objects.filter(decision=decision).exists():
        return None
    return need_from_decision(
        actor=org.users["textile_secretary"],
        decision=decision,
        category=Need.Category.LABOR,
        urgency=Need.Urgency.URGENT,
        title=NEED_TITLE,
    )


def _discuss_story_3(org) -> None:
    item = AgendaItem.objects.filter(
        meeting__alliance=org.alliances["yz_food"], meeting__title=meetings_demo.TEA_TITLE, position=1
    ).first()
    need = (
        Need.objects.filter(enterprise=org.enterprises["supermarket"], title=STORY_3_TITLE)
        .exclude(state__in=Need.FINAL_STATES)
        .first()
    )
    if item is None or need is None or AgendaNeed.objects.filter(agenda_item=item, need=need).exists():
        return
    agenda_link_needs(actor=org.users["food_secretary"], agenda_item=item, needs=[need])
