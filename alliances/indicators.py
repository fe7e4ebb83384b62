"""The organisational figures this app owns: alliances, enterprises and Party-organisation coverage."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from chainparty.indicators import Group, Indicator, registry

from .access import visible_alliances, visible_enterprises
from .selectors import PARTY_STATUS_UNCOVERED, Coverage, coverage_of


@dataclass(frozen=True)
class CoverageFigures:
    alliances: int
    coverage: Coverage


def coverage_figures(user) -> CoverageFigures:
    """What the user may see of alliances and enterprises: two aggregate queries."""
    return CoverageFigures(
        alliances=visible_alliances(user).order_by().count(), coverage=coverage_of(visible_enterprises(user))
    )


COVERAGE = registry.add_group(Group(key="coverage", label=_("组织覆盖"), order=10))

registry.register(
    Indicator(
        key="alliances",
        label=_("产业链党委（联盟）"),
        group=COVERAGE.key,
        order=10,
        source=coverage_figures,
        value=lambda f: f.alliances,
        link="alliances:alliance_list",
    ),
    Indicator(
        key="enterprises",
        label=_("可见企业"),
        group=COVERAGE.key,
        order=20,
        source=coverage_figures,
        value=lambda f: f.coverage.enterprises,
        link="alliances:enterprise_list",
    ),
    Indicator(
        key="party_coverage",
        label=_("党组织覆盖率"),
        group=COVERAGE.key,
        order=30,
        source=coverage_figures,
        value=lambda f: f.coverage.rate,
        unit="%",
    ),
    Indicator(
        key="uncovered_enterprises",
        label=_("未建党组织企业"),
        group=COVERAGE.key,
        order=40,
        source=coverage_figures,
        value=lambda f: f.coverage.uncovered,
        link="alliances:enterprise_list",
        query=f"party={PARTY_STATUS_UNCOVERED}",
    ),
)
