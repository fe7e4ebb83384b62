"""The indicators registry: apps declare their figures, the home page composes them."""

import ast
import datetime as dt
import html
import itertools
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from chainparty.indicators import Group, Indicator, Registry, registry
from demands.models import Need
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
_numbers = itertools.count(1)


def _need(*, enterprise, alliance, state, **fields):
    """A need stored as it would stand after its workflow (the figures read rows, not services)."""
    return Need.objects.create(
        number=f"XQ-2026-{next(_numbers):06d}",
        enterprise=enterprise,
        alliance=alliance,
        region=enterprise.region,
        category=Need.Category.LABOR,
        title="缺少熟练缝纫工",
        description="旺季订单增加。",
        contact_name="李书记",
        contact_phone="13800000001",
        state=state,
        **fields,
    )


@pytest.fixture
def needs_world(world):
    """Four needs in the county (three of the lead enterprise, one of the member) and one elsewhere."""
    factories.PartyOrganizationFactory(region=world.county).enterprises.add(world.lead)
    alliance, lead = world.alliance, world.lead
    _need(
        enterprise=lead,
        alliance=alliance,
        state=Need.State.RATED,
        answered_on_time=True,
        rating=Need.Rating.SATISFIED,
        people_solved=19,
        funding_wan_solved=Decimal("120.50"),
    )
    _need(
        enterprise=lead,
        alliance=alliance,
        state=Need.State.CLOSED,
        answered_on_time=False,
        rating=Need.Rating.UNSATISFIED,
        land_mu_solved=Decimal("3.25"),
    )
    _need(enterprise=lead, alliance=alliance, state=Need.State.DISPATCHED, deadline=dt.date(2020, 1, 6))
    _need(enterprise=world.member, alliance=alliance, state=Need.State.SUBMITTED)
    elsewhere = factories.AllianceFactory(region=world.other_county)
    _need(enterprise=world.outsider_enterprise, alliance=elsewhere, state=Need.State.SUBMITTED)
    return world


def _figures(page: str) -> dict:
    """{indicator key: "value unit · note"} as the page shows it, tags stripped."""
    cards = re.findall(r'data-indicator="([\w-]+)">(.*?)</div></div></div>', page, re.S)
    text = {key: " ".join(re.sub(r"<[^>]+>", " ", body).split()) for key, body in cards}
    return {key: html.unescape(value) for key, value in text.items()}


def _needs_fragment(client):
    return client.get(reverse("indicator_panel", args=["needs"]))


# -- the registry ----------------------------------------------------------------------------------
def test_registry_composes_groups_of_two_apps_and_computes_each_source_once():
    calls = []

    def meetings_source(user):
        calls.append("meetings")
        return {"held": 7, "planned": 9}

    def visits_source(user):
        calls.append("visits")
        return 3

    local = Registry()
    local.add_group(Group(key="visits", label="走访", order=20))
    local.add_group(Group(key="meetings", label="会议", order=10))
    local.register(
        Indicator(key="visits_made", label="走访次数", group="visits", source=visits_source, value=lambda n: n),
        Indicator(
            key="planned", label="计划", group="meetings", order=2, source=meetings_source, value=lambda d: d["planned"]
        ),
        Indicator(
            key="held", label="已召开", group="meetings", order=1, source=meetings_source, value=lambda d: d["held"]
        ),
    )

    figures = local.compute(user=None)
    assert [(f.key, f.value) for f in figures] == [("held", 7), ("planned", 9), ("visits_made", 3)]
    assert sorted(calls) == ["meetings", "visits"]  # two indicators, one meetings query

    calls.clear()
    assert [f.value for f in local.compute(user=None, keys=["visits_made"])] == [3]
    assert calls == ["visits"]  # a chosen subset computes nothing else
    assert [p.group.key for p in local.panels(user=None)] == ["meetings", "visits"]


def test_the_shared_registry_holds_figures_of_alliances_and_demands(needs_world, personas):
    groups = [group.key for group in registry.groups()]
    assert groups.index("coverage") < groups.index("needs")
    figures = {
        f.key: f.value for f in registry.compute(user=personas.org_staff, keys=["party_coverage", "needs_solved"])
    }
    assert figures == {"party_coverage": 50.0, "needs_solved": 2}


def test_an_indicator_names_a_registered_group():
    local = Registry()
    with pytest.raises(Exception, match="unknown group"):
        local.register(Indicator(key="x", label="x", group="nowhere", source=lambda u: 0, value=lambda d: d))


# -- the home page ---------------------------------------------------------------------------------
def test_home_shows_org_staff_coverage_and_region_needs_totals(needs_world, personas, client_for):
    client = client_for(personas.org_staff)
    page = client.get(reverse("home")).content.decode()
    assert _figures(page) == {
        "alliances": "1 产业链党委（联盟）",
        "enterprises": "2 可见企业",
        "party_coverage": "50.0 % 党组织覆盖率",
        "uncovered_enterprises": "1 未建党组织企业",
    }
    assert f"{reverse('alliances:enterprise_list')}?party=uncovered" in page
    assert reverse("indicator_panel", args=["needs"]) in page  # the needs totals follow the page

    figures = _figures(_needs_fragment(client).content.decode())
    assert figures == {
        "needs_collected": "4 收集需求",
        "needs_solved": "2 已解决 50.0%",
        "needs_on_time": "1 按期办结 按期率 50.0%",
        "needs_satisfaction": "50.0 % 满意率 2 条已评价",
        "needs_open": "2 在办 超期 1",
        "needs_funding_solved": "120.50 万元 落实融资",
        "needs_land_solved": "3.25 亩 落实用地",
        "needs_people_solved": "19 人 落实用工",
    }


def test_enterprise_secretary_sees_their_enterprise_figures(needs_world, personas, client_for):
    client = client_for(personas.enterprise_secretary)
    page = client.get(reverse("home")).content.decode()
    assert _figures(page) == {
        "alliances": "1 产业链党委（联盟）",
        "enterprises": "1 可见企业",
        "party_coverage": "100.0 % 党组织覆盖率",
        "uncovered_enterprises": "0 未建党组织企业",
    }
    figures = _figures(_needs_fragment(client).content.decode())
    assert figures["needs_collected"] == "3 收集需求"  # not the member enterprise's need
    assert figures["needs_open"] == "1 在办 超期 1"


NEEDS_LINKS = {
    "my_needs": "我的需求",
    "need_create": "提交需求",
    "need_incoming": "待受理",
    "need_overdue": "超期督办",
    "assignment_list": "待办",
    "need_list": "全部需求",
}


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("org_staff", {"need_create", "need_incoming", "need_overdue", "need_list"}),
        ("leader", {"need_list"}),
        ("secretary", {"need_create", "need_incoming", "need_overdue", "need_list"}),
        ("enterprise_secretary", {"my_needs", "need_create", "assignment_list", "need_list"}),
        ("handler", {"assignment_list", "need_list"}),
        ("guide", {"need_create", "need_list"}),
    ],
)
def test_needs_buttons_on_the_home_page_follow_the_persona(world, personas, client_for, persona, links):
    page = client_for(getattr(personas, persona)).get(reverse("home")).content.decode()
    section = page.split('id="indicators-needs"', 1)[1].split("</section>", 1)[0]
    shown = {name for name in NEEDS_LINKS if f'href="{reverse(f"demands:{name}")}"' in section}
    assert shown == links
    assert all(NEEDS_LINKS[name] in section for name in links)


def test_a_person_without_duties_sees_no_needs(world, personas, client_for):
    client = client_for(personas.outsider)
    page = client.get(reverse("home")).content.decode()
    assert "尚未分配任何职责" in page
    assert 'id="indicators-needs"' not in page and _figures(page)["enterprises"] == "0 可见企业"
    assert _needs_fragment(client).status_code == 404
    assert client.get(reverse("indicator_panel", args=["no-such-group"])).status_code == 404


def test_indicator_fragment_needs_login(client):
    response = client.get(reverse("indicator_panel", args=["needs"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("alliances", [1, 8])
def test_home_queries_do_not_grow_with_alliances_or_needs(
    world, personas, client_for, django_assert_max_num_queries, alliances
):
    for n in range(alliances):
        alliance = factories.AllianceFactory(region=world.county, lead_enterprise=world.lead)
        member = factories.EnterpriseFactory(region=world.county)
        factories.MembershipFactory(alliance=alliance, enterprise=member)
        factories.PartyOrganizationFactory(region=world.county).enterprises.add(member)
        for state in (Need.State.SUBMITTED, Need.State.RATED, Need.State.DISPATCHED):
            _need(enterprise=member, alliance=alliance, state=state, rating="satisfied" if n % 2 else "")
    client = client_for(personas.org_staff)
    with django_assert_max_num_queries(7):
        assert client.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(4):
        figures = _figures(_needs_fragment(client).content.decode())
    assert figures["needs_collected"] == f"{3 * alliances} 收集需求"


# -- dependency direction --------------------------------------------------------------------------
#: The root URLconf and the API root name every app's routes: they are where the project is put
#: together, not a piece of `chainparty` that other apps build on.
COMPOSITION_ROOTS = {"chainparty/urls.py", "chainparty/api_router.py"}


def _upward_imports(app: str, above: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in COMPOSITION_ROOTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            found += [f"{relative}: {m}" for m in modules if m.split(".")[0] in above]
    return found


def test_alliances_and_chainparty_import_nothing_above_them():
    assert _upward_imports("alliances", ("demands", "guides")) == []
    assert _upward_imports("chainparty", ("alliances", "demands", "guides")) == []


def test_the_home_page_template_names_no_needs_pages():
    template = (ROOT / "templates" / "home.html").read_text(encoding="utf-8")
    assert "demands:" not in template and "needs_nav" not in template
