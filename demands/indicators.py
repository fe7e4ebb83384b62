"""The needs figures this app owns (collected, solved, on time, satisfaction, results), counted by
the same selector as the needs list's totals, and the needs buttons shown beside them."""

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.access import scope_for
from chainparty.indicators import Group, Indicator, Link, registry

from .permissions.needs import may_file_needs
from .selectors.needs import need_totals


def region_totals(user):
    """Every needs figure the user may see, in one grouped query."""
    return need_totals(user=user)


def _manages(user) -> bool:
    scope = scope_for(user)
    return bool(scope.managed_alliance_ids) or scope.is_org_staff


def _percent(rate) -> str:
    return "" if rate is None else f"{rate}%"


NEEDS = registry.add_group(
    Group(
        key="needs",
        label=gettext_lazy("需求办理情况"),
        order=20,
        shown=lambda user: not scope_for(user).is_empty,
        # One scan of every need in view: the page shows first and the figures follow.
        deferred=True,
        links=(
            Link(
                gettext_lazy("我的需求"), "demands:my_needs", shown=lambda user: scope_for(user).is_enterprise_secretary
            ),
            Link(gettext_lazy("提交需求"), "demands:need_create", shown=may_file_needs, style="party", icon="plus-lg"),
            Link(gettext_lazy("待受理"), "demands:need_incoming", shown=_manages),
            Link(gettext_lazy("超期督办"), "demands:need_overdue", shown=_manages, style="outline-danger"),
            Link(
                gettext_lazy("待办"),
                "demands:assignment_list",
                shown=lambda user: scope_for(user).is_handler or scope_for(user).is_enterprise_secretary,
            ),
            Link(gettext_lazy("全部需求"), "demands:need_list"),
        ),
    )
)

registry.register(
    Indicator(
        key="needs_collected",
        label=gettext_lazy("收集需求"),
        group=NEEDS.key,
        order=10,
        source=region_totals,
        value=lambda t: t.collected,
        link="demands:need_list",
    ),
    Indicator(
        key="needs_solved",
        label=gettext_lazy("已解决"),
        group=NEEDS.key,
        order=20,
        source=region_totals,
        value=lambda t: t.solved,
        note=lambda t: _percent(t.solved_rate),
    ),
    Indicator(
        key="needs_on_time",
        label=gettext_lazy("按期办结"),
        group=NEEDS.key,
        order=30,
        source=region_totals,
        value=lambda t: t.on_time,
        note=lambda t: "" if t.on_time_rate is None else _("按期率 %(rate)s%%") % {"rate": t.on_time_rate},
    ),
    Indicator(
        key="needs_satisfaction",
        label=gettext_lazy("满意率"),
        group=NEEDS.key,
        order=40,
        source=region_totals,
        value=lambda t: t.satisfaction_rate,
        unit="%",
        note=lambda t: _("%(count)s 条已评价") % {"count": t.rated},
    ),
    Indicator(
        key="needs_open",
        label=gettext_lazy("在办"),
        group=NEEDS.key,
        order=50,
        source=region_totals,
        value=lambda t: t.open,
        note=lambda t: _("超期 %(count)s") % {"count": t.overdue},
        alert=lambda t: t.overdue > 0,
    ),
    Indicator(
        key="needs_funding_solved",
        label=gettext_lazy("落实融资"),
        group=NEEDS.key,
        order=60,
        source=region_totals,
        value=lambda t: floatformat(t.funding_wan, "-2"),
        unit=gettext_lazy("万元"),
    ),
    Indicator(
        key="needs_land_solved",
        label=gettext_lazy("落实用地"),
        group=NEEDS.key,
        order=70,
        source=region_totals,
        value=lambda t: floatformat(t.land_mu, "-2"),
        unit=gettext_lazy("亩"),
    ),
    Indicator(
        key="needs_people_solved",
        label=gettext_lazy("落实用工"),
        group=NEEDS.key,
        order=80,
        source=region_totals,
        value=lambda t: t.people,
        unit=gettext_lazy("人"),
    ),
)
