"""Who serves an enterprise on a day (guides.serving): one definition, read alike by 我的企业, the
staff pages, the load per guide, the access rules, the reminders and 述职评价."""

import datetime as dt

import pytest

from guides import permissions, reminders, selectors, services
from guides.models import Assignment, EvaluationPeriod
from guides.phone_selectors import reports_to_rate
from tests import factories

pytestmark = pytest.mark.django_db

MONTHLY, QUARTERLY = Assignment.Cadence.MONTHLY, Assignment.Cadence.QUARTERLY


def _team_assignment(world, *, enterprise, starts_on, ends_on, member_from, member_to=None):
    """A team assigned to `enterprise` over [starts_on, ends_on] and a member in the team over
    [member_from, member_to]."""
    team = factories.GuideTeamFactory(region=world.county)
    member = factories.GuideTeamMemberFactory(team=team, starts_on=member_from, ends_on=member_to).guide
    factories.GuideAssignmentFactory(
        guide=None, team=team, enterprise=enterprise, region=world.county, starts_on=starts_on, ends_on=ends_on
    )
    return member


def test_a_member_who_joined_after_the_teams_assignment_ended_never_served_it(world, personas, frozen):
    """The team served the member enterprise January to February; the guide joined in March. Both
    overlap the half-year, not each other: the guide served no one in it and the enterprise's
    secretary may not rate them."""
    joined_late = _team_assignment(
        world,
        enterprise=world.member,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 2, 28),
        member_from=dt.date(2026, 3, 1),
    )
    first_half = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert services.served_enterprise_ids(guide=joined_late, starts_on=first_half[0], ends_on=first_half[1]) == set()
    period = EvaluationPeriod.objects.create(
        region=world.county, name="2026年上半年", starts_on=first_half[0], ends_on=first_half[1]
    )
    report = services.guide_report_submit(actor=joined_late.user, period=period, text="述职")
    secretary = personas.other_enterprise_secretary  # the member enterprise's
    assert reports_to_rate(user=secretary, enterprise_ids=[world.member.pk]) == []
    assert not permissions.can_rate_report(secretary, report)


def test_a_member_in_the_team_while_it_was_assigned_served_it(world, personas, frozen):
    served_together = _team_assignment(
        world,
        enterprise=world.member,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 2, 28),
        member_from=dt.date(2026, 2, 1),
    )
    ids = services.served_enterprise_ids(
        guide=served_together, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    assert ids == {world.member.pk}
    # ... but not in a range after the assignment ended, nor before the member joined.
    assert (
        services.served_enterprise_ids(
            guide=served_together, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 6, 30)
        )
        == set()
    )
    assert (
        services.served_enterprise_ids(
            guide=served_together, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 31)
        )
        == set()
    )


def test_an_enterprise_that_joined_the_alliance_after_the_assignment_ended_was_not_served(world, frozen):
    from alliances import services as org_services
    from alliances.models import Membership

    guide = factories.GuideFactory(region=world.county)
    factories.GuideAssignmentFactory(
        guide=guide,
        target="alliance",
        enterprise=None,
        alliance=world.alliance,
        region=world.county,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 1, 31),
    )
    newcomer = factories.EnterpriseFactory(region=world.county)
    org_services.membership_add(
        alliance=world.alliance,
        enterprise=newcomer,
        position=Membership.Position.UPSTREAM,
        joined_on=dt.date(2026, 3, 1),
    )
    served = services.served_enterprise_ids(guide=guide, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30))
    assert newcomer.pk not in served and world.member.pk in served


def _scene(world, personas):
    """Guide A: the member enterprise monthly, directly. Team T (guide B as member): the zone,
    quarterly. An ended assignment and a term that ended give nothing today."""
    a = factories.GuideFactory(region=world.county, department=world.department)
    services.assignment_create(
        actor=None, guide=a, enterprise=world.member, starts_on=dt.date(2025, 1, 1), cadence=MONTHLY
    )
    team = factories.GuideTeamFactory(region=world.county)
    b = factories.GuideTeamMemberFactory(team=team).guide
    gone = factories.GuideTeamMemberFactory(team=team, ends_on=dt.date(2026, 4, 30)).guide
    factories.GuideAssignmentFactory(
        guide=None, team=team, enterprise=None, target="zone", zone=world.zone, region=world.county
    )
    old = factories.GuideFactory(region=world.county)
    factories.GuideAssignmentFactory(guide=old, enterprise=world.lead, ends_on=dt.date(2026, 3, 31))
    return a, b, gone, old


def test_every_reader_agrees_on_who_serves_whom_today(world, personas, frozen):
    a, b, gone, old = _scene(world, personas)
    zone_guide = personas.guide.guide_profile  # the persona guide serves the zone
    expected = {
        a.pk: {world.member.pk},
        b.pk: {world.lead.pk, world.member.pk},
        zone_guide.pk: {world.lead.pk, world.member.pk},
        gone.pk: set(),
        old.pk: set(),
    }
    for guide_id, enterprises in expected.items():
        guide = type(a).objects.get(pk=guide_id)
        assert {e.pk for e in selectors.guide_enterprises(guide=guide)} == enterprises, guide
    loads = selectors.guide_load(guides=list(expected))
    assert {pk: load.enterprises for pk, load in loads.items()} == {pk: len(e) for pk, e in expected.items()}
    serving = selectors.enterprise_guides([world.lead.pk, world.member.pk])
    for enterprise in (world.lead, world.member):
        assert {g.pk for g in serving[enterprise.pk]} == {pk for pk, e in expected.items() if enterprise.pk in e}
    # The secretary of the member enterprise sees the guides serving it today.
    visible = set(permissions.visible_guides(personas.other_enterprise_secretary).values_list("pk", flat=True))
    assert {a.pk, b.pk, zone_guide.pk} <= visible and not {gone.pk, old.pk} & visible
    # Filtering the staff list by guide gives the same enterprises.
    for guide_id, enterprises in expected.items():
        guide = type(a).objects.get(pk=guide_id)
        rows = selectors.enterprise_visit_list(user=personas.org_staff, not_visited=False, guide=guide)
        assert {e.pk for e in rows} == enterprises


def test_cadence_belongs_to_the_assignment_on_the_pages_and_in_the_reminders(world, personas, frozen):
    """The member enterprise is monthly for A (their assignment) and quarterly for B (the team's):
    monthly on the staff list and in A's 我的企业, quarterly in B's; at the end of May (not a
    quarter's end) A is reminded of it and B is not."""
    a, b, _gone, _old = _scene(world, personas)
    factories.VisitFactory(enterprise=world.member, guide=a, visited_on=dt.date(2026, 4, 20))
    staff_rows = {e.pk: e for e in selectors.enterprise_visit_list(user=personas.org_staff, not_visited=False)}
    assert staff_rows[world.member.pk].status == selectors.DUE  # monthly: April visited, May not yet
    mine_a = {e.pk: e for e in selectors.guide_enterprises(guide=a)}
    mine_b = {e.pk: e for e in selectors.guide_enterprises(guide=b)}
    assert mine_a[world.member.pk].monthly and mine_a[world.member.pk].status == selectors.DUE
    assert not mine_b[world.member.pk].monthly and mine_b[world.member.pk].status == selectors.VISITED
    due = reminders.unvisited_by_guide(day=dt.date(2026, 5, 25), month_first=dt.date(2026, 5, 1))
    assert [item.enterprise_id for item in due[a.pk].enterprises] == [world.member.pk]
    assert b.pk not in due
    # At the end of June (a quarter's end) B is reminded of the lead enterprise (never visited) only.
    due = reminders.unvisited_by_guide(day=dt.date(2026, 6, 24), month_first=dt.date(2026, 6, 1))
    assert [item.enterprise_id for item in due[b.pk].enterprises] == [world.lead.pk]
