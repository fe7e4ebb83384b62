"""Matching quality: the right resource or policy comes first, with reasons a secretary can read."""

import datetime as dt

import pytest

from alliances import services as org
from alliances.models import Region
from demands.matching import suggest_for_need, suggest_needs_for_policy, suggest_needs_for_resource
from demands.models import Need, Resource
from demands.services import resources as services
from demands.text import similarity, token_set, tokenize
from tests import factories
from tests.demands.offers_support import farm_chain, make_need, make_policy, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(world):
    return farm_chain(world)


def test_wuzheng_capacity_ranks_first_for_the_harvester_order_with_reasons(farm):
    suggestions = suggest_for_need(need=farm["need"])
    top = suggestions[0]
    assert (top.kind, top.object) == ("resource", farm["capacity"])
    assert "类别匹配：订单/市场 → 产能" in top.reasons
    assert "同属农机装备产业链" in top.reasons
    assert "同一区域：兖州区" in top.reasons
    keywords = next(reason for reason in top.reasons if reason.startswith("关键词："))
    assert "收获机" in keywords and "玉米" in keywords
    assert 0 < top.score <= 1
    assert all(top.score > s.score for s in suggestions[1:])
    # Another county's textile capacity is not even a candidate for a Yanzhou farm-machinery need.
    assert farm["distractors"][2] not in [s.object for s in suggestions]


def test_paused_expired_and_own_resources_are_not_suggested(farm):
    services.resource_set_status(resource=farm["capacity"], status=Resource.Status.PAUSED)
    own = make_resource(None, enterprise=farm["jindafeng"], title="玉米收获机产能", category="capacity")
    objects = [s.object for s in suggest_for_need(need=farm["need"])]
    assert farm["capacity"] not in objects and own not in objects


def test_policies_are_suggested_only_when_they_apply(world, personas):
    need = make_need(
        world.lead,
        world.alliance,
        category=Need.Category.FINANCING,
        title="扩大休闲服饰产能需要流动资金贷款",
        description="采购面料需要流动资金，申请贷款1000万元",
    )
    loan = make_policy(
        personas.handler,
        world.department,
        title="休闲服饰贷",
        summary="纺织服装中小企业单户最高可贷5000万元，用于流动资金周转",
        categories=["finance"],
        industries=["纺织服装"],
        publish=True,
    )
    make_policy(
        personas.handler,
        world.department,
        title="农机购置贷款贴息",
        summary="农机装备企业贷款贴息",
        categories=["finance"],
        industries=["农机装备"],
        publish=True,
    )
    other_county = factories.DepartmentFactory(name="兖州区金融服务中心", region=world.other_county)
    make_policy(personas.org_staff, other_county, title="兖州纺织贷", categories=["finance"], publish=True)
    make_policy(personas.handler, world.department, title="纺织服装贷款草稿", categories=["finance"])
    suggestions = suggest_for_need(need=need)
    assert [s.object for s in suggestions] == [loan]
    assert "类别匹配：融资 → 金融信贷" in suggestions[0].reasons
    assert "适用行业：纺织服装" in suggestions[0].reasons
    assert "适用区域：汶上县" in suggestions[0].reasons


def test_reverse_suggestions_show_only_open_needs_the_user_may_see(farm, world, personas):
    closed = make_need(
        farm["jindafeng"], farm["alliance"], category=Need.Category.MARKET, title="玉米收获机订单", state="closed"
    )
    secretary = factories.UserFactory(username="farm_secretary")
    org.seat_assign(
        alliance=farm["alliance"],
        role="secretary",
        person_name="农机党委书记",
        user=secretary,
        enterprise=farm["jindafeng"],
        term_start=dt.date(2022, 6, 1),
        system=True,
    )
    found = suggest_needs_for_resource(resource=farm["capacity"], user=secretary)
    assert [s.object for s in found] == [farm["need"]]
    assert closed not in [s.object for s in found]
    assert "同属农机装备产业链" in found[0].reasons
    # Wuzheng's own secretary does not see Jindafeng's needs, so nothing is suggested to them.
    assert suggest_needs_for_resource(resource=farm["capacity"], user=farm["wuzheng_secretary"]) == []
    assert suggest_needs_for_resource(resource=farm["capacity"], user=personas.outsider) == []


def test_needs_for_a_policy_are_those_of_its_targets(world, personas):
    wanted = make_need(world.lead, world.alliance, category=Need.Category.FINANCING, title="流动资金贷款")
    other_category = make_need(world.member, world.alliance, category=Need.Category.LAND, title="扩建用地")
    loan = make_policy(
        personas.handler, world.department, title="休闲服饰贷", industries=["纺织服装"], categories=["finance"]
    )
    found = [s.object for s in suggest_needs_for_policy(policy=loan, user=personas.secretary)]
    assert found == [wanted]
    assert other_category not in found


def test_suggestion_queries_do_not_grow_with_candidates(farm, django_assert_max_num_queries):
    yanzhou = Region.objects.get(pk=farm["wuzheng"].region_id)
    for n in range(60):
        enterprise = factories.EnterpriseFactory(region=yanzhou, industry="农机装备")
        make_resource(None, enterprise=enterprise, category="capacity", title=f"农机零部件加工产能{n}")
    need = Need.objects.get(pk=farm["need"].pk)
    with django_assert_max_num_queries(10):
        suggestions = suggest_for_need(need=need, limit=5)
    assert suggestions[0].object == farm["capacity"]


def test_similarity_prefers_specific_shared_words():
    need = frozenset(tokenize("急需玉米收获机整机外协产能"))
    good = token_set(" ".join(tokenize("玉米收获机闲置产能")))
    weak = token_set(" ".join(tokenize("服装缝制产能")))
    good_score, shared = similarity(need, good)
    weak_score, _ = similarity(need, weak)
    assert good_score > weak_score
    assert "收获机" in shared and "收获" not in shared
    assert similarity(need, frozenset()) == (0.0, [])
