"""What `demands` keeps about objects of the apps below it, for `chainparty.links`: the need a
meeting's decision became, with its state, so 问题销号 of that need shows on the decision (and its
number in the 议定事项 sheet of the monthly minutes workbook, under 转办诉求编号)."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chainparty.links import LinkedRecord, register

from .models import Need
from .selectors.meetings import decision_need_states


def decision_need_number():
    """The number of the need filed from the decision of the row (one at most: the unique index
    need_one_per_decision), as a subquery the workbook's decisions query carries."""
    return Subquery(Need.objects.filter(decision_id=OuterRef("pk")).order_by().values("number")[:1])


@register("alliances.decision", column=_("转办诉求编号"), column_value=decision_need_number)
def decision_needs(decision_ids):
    return {
        decision_id: [
            LinkedRecord(
                kind="need",
                kind_label=str(_("需求")),
                id=need.pk,
                label=need.number,
                title=need.title,
                state=need.state,
                state_label=str(need.state_label),
                done=need.state in Need.FINAL_STATES,
                url=reverse("demands:need_detail", args=[need.pk]),
            )
        ]
        for decision_id, need in decision_need_states(decision_ids).items()
    }
