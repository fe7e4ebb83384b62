"""Reads about needs and meetings: which need each decision became, and the meetings a need was
discussed at. Each in one query whatever the number of ids."""

from ..models import AgendaNeed, Need


def decision_need_states(decision_ids) -> dict[int, Need]:
    """{decision id: the need filed from it} (number, title, state, closed_at), for the decisions
    that became a need; the need's state shows on the decision (问题销号)."""
    needs = Need.objects.filter(decision_id__in=list(decision_ids)).only(
        "pk", "number", "title", "state", "closed_at", "decision_id"
    )
    return {need.decision_id: need for need in needs}


def need_meetings(*, need: Need):
    """The agenda items `need` was put on, with their meetings and alliances, oldest meeting first."""
    return (
        AgendaNeed.objects.filter(need=need)
        .select_related("agenda_item__meeting__alliance")
        .order_by("agenda_item__meeting__starts_at", "pk")
    )
