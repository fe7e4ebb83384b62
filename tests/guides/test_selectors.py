"""Who no one has visited (issue 9 §2): 我的企业 overdue first, the not-visited lists, coverage per
zone and alliance, load per guide; each in a number of queries that does not grow with rows."""

import datetime as dt

import pytest

from guides import selectors, services
from guides.models import Assignment, Visit
from tests import factories

pytestmark = pytest.mark.django_db


def _visit(enterprise, guide, day, **kw):
    return factories.VisitFactory(enterprise=enterprise, guide=guide, visited_on=day, **kw)


def test_my_enterprises_overdue_first_with_last_visit_and_open_needs(
    world, personas, frozen, django_assert_max_num_queries
):
    guide = factories.GuideFactory(region=world.county)
    services.assignment_create(actor=None, guide=guide, zone=world.zone, starts_on=dt.date(2025, 1, 1))
    monthly = factories.EnterpriseFactory(region=world.county, zone=world.zone, name="每月企业")
    services.assignment_create(
        actor=None, guide=guide, enterprise=monthly, starts_on=dt.date(2025, 1, 1), cadence=Assignment.Cadence.MONTHLY
    )
    _visit(world.lead, guide, dt.date(2026, 4, 20))  # this quarter: visited
    _visit(world.member, guide, dt.date(2026, 3, 1))  # last quarter: due
    _visit(monthly, guide, dt.date(2026, 3, 30))  # monthly, nothing in April or May: overdue
    _visit(
        monthly,
        guide,
        dt.date(2026, 5, 2),
        confirmation=Visit.Confirmation.DISPUTED,
        dispute_reason="未来访",
        confirmed_at=dt.datetime(2026, 5, 3, tzinfo=dt.UTC),
    )  # disputed: does not count
    with django_assert_max_num_queries(3):  # whom the guide serves (assignments, zones' enterprises), the list
        rows = list(selectors.guide_enterprises(guide=guide))
    assert [(e.name, e.status, e.last_visit) for e in rows] == [
        ("每月企业", selectors.OVERDUE, dt.date(2026, 3, 30)),
        (world.member.name, selectors.DUE, dt.date(2026, 3, 1)),
        (world.lead.name, selectors.VISITED, dt.date(2026, 4, 20)),
    ]
    assert rows[0].monthly and not rows[1].monthly


def test_not_visited_lists_and_coverage(world, personas, frozen, django_assert_max_num_queries):
    guide = factories.GuideFactory(region=world.county, department=world.department)
    services.assignment_create(actor=None, guide=guide, enterprise=world.lead, starts_on=dt.date(2025, 1, 1))
    for _ in range(5):
        factories.EnterpriseFactory(region=world.county, zone=world.zone)
    _visit(world.lead, guide, dt.date(2026, 5, 5))
    _visit(world.member, guide, dt.date(2026, 2, 5))
    with django_assert_max_num_queries(2):  # the staff's scope, the list
        quarter = list(selectors.enterprise_visit_list(user=personas.org_staff, period=selectors.QUARTER))
    assert world.lead not in quarter and world.member in quarter and len(quarter) == 6
    ever = selectors.enterprise_visit_list(user=personas.org_staff, period=selectors.EVER)
    assert world.member not in ever and ever.count() == 5
    mine = selectors.enterprise_visit_list(user=personas.org_staff, not_visited=False, department=world.department)
    assert list(mine) == [world.lead]
    assert list(selectors.enterprise_visit_list(user=personas.outsider)) == []
    with django_assert_max_num_queries(3):
        guides = selectors.enterprise_guides([e.pk for e in quarter] + [world.lead.pk])
    persona_guide = personas.guide.guide_profile  # serves the zone the lead enterprise is in
    assert set(guides[world.lead.pk]) == {guide, persona_guide}
    assert all(guides[e.pk] == [persona_guide] for e in quarter if e.zone_id == world.zone.pk)

    with django_assert_max_num_queries(1):
        zones = selectors.coverage_by_zone(user=personas.org_staff, starts_on=dt.date(2026, 4, 1), ends_on=frozen)
    row = next(r for r in zones if r["zone_id"] == world.zone.pk)
    assert (row["total"], row["visited_count"]) == (7, 1) and row["rate"] == pytest.approx(1 / 7)
    with django_assert_max_num_queries(1):
        alliances = selectors.coverage_by_alliance(
            user=personas.org_staff, starts_on=dt.date(2026, 4, 1), ends_on=frozen
        )
    assert [(r["alliance_id"], r["total"], r["visited_count"]) for r in alliances] == [(world.alliance.pk, 2, 1)]


def test_guide_load_counts_enterprises_organisations_and_members(world, frozen, django_assert_max_num_queries):
    from alliances import services as org_services
    from alliances.models import PartyOrganization

    org_services.party_organization_create(
        name="鸿瑞轩党支部",
        kind=PartyOrganization.Kind.BRANCH,
        region=world.county,
        enterprises=[world.lead],
        members=20,
        probationary_members=2,
    )
    solo = factories.GuideFactory(region=world.county)
    services.assignment_create(actor=None, guide=solo, alliance=world.alliance, starts_on=dt.date(2025, 1, 1))
    team = factories.GuideTeamFactory(region=world.county)
    member = factories.GuideTeamMemberFactory(team=team).guide
    services.assignment_create(actor=None, team=team, enterprise=world.member, starts_on=dt.date(2025, 1, 1))
    idle = factories.GuideFactory(region=world.county)
    with django_assert_max_num_queries(6):
        loads = selectors.guide_load(guides=[solo, member, idle])
    assert (loads[solo.pk].enterprises, loads[solo.pk].party_organizations, loads[solo.pk].members) == (2, 1, 22)
    assert (loads[member.pk].enterprises, loads[member.pk].party_organizations) == (1, 0)
    assert loads[idle.pk].enterprises == 0
