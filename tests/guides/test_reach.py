"""A guide's reach (issue 9 §3) comes from guides.Assignment alone, by date, through the one grants
query of alliances.access: an enterprise assigned directly, a zone, an alliance's members, or any
of those through a team the guide belongs to on the day."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from alliances.access import scope_for, visible_enterprises
from demands.permissions.needs import enterprises_for_filing, filing_sources
from guides import services
from guides.models import Assignment, Team, TeamMember
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 12, 10, 0)), tick=False):
        yield


def _fresh(user):
    """A user object as the next request would load it (no cached scope)."""
    return type(user).objects.get(pk=user.pk)


def test_persona_guide_reaches_the_zone_through_an_assignment(world, personas):
    scope = scope_for(personas.guide)
    assert scope.is_guide and scope.zone_ids == {world.zone.pk}
    assert set(visible_enterprises(personas.guide)) == {world.lead, world.member}
    assert world.outsider_enterprise not in visible_enterprises(personas.guide)


def test_an_enterprise_assigned_directly_and_nothing_else(world):
    guide = factories.GuideFactory(region=world.county)
    services.assignment_create(actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1))
    user = _fresh(guide.user)
    assert scope_for(user).guided_enterprise_ids == {world.member.pk}
    assert set(visible_enterprises(user)) == {world.member}
    assert filing_sources(user=user, enterprise=world.member) == ["visit"]
    assert filing_sources(user=user, enterprise=world.lead) == []
    assert list(enterprises_for_filing(user)) == [world.member]


def test_alliance_assignment_reaches_its_member_enterprises_on_the_day(world):
    guide = factories.GuideFactory(region=world.county)
    services.assignment_create(actor=None, guide=guide, alliance=world.alliance, starts_on=dt.date(2026, 1, 1))
    # lead and member are members since 2023; the outsider joins next month: not reached yet.
    factories.MembershipFactory(
        alliance=world.alliance, enterprise=world.outsider_enterprise, joined_on=dt.date(2026, 6, 1)
    )
    assert scope_for(_fresh(guide.user)).guided_enterprise_ids == {world.lead.pk, world.member.pk}
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0)), tick=False):
        reached = scope_for(_fresh(guide.user)).guided_enterprise_ids
    assert reached == {world.lead.pk, world.member.pk, world.outsider_enterprise.pk}


def test_team_assignment_reaches_members_only_during_their_term(world):
    team = factories.GuideTeamFactory(region=world.county)
    leader = factories.GuideFactory(region=world.county, rank="county")
    member = factories.GuideFactory(region=world.county)
    services.team_member_add(actor=None, team=team, guide=leader, role=TeamMember.Role.LEADER, starts_on=TODAY)
    joined = services.team_member_add(actor=None, team=team, guide=member, starts_on=dt.date(2026, 5, 20))
    services.assignment_create(actor=None, team=team, enterprise=world.lead, starts_on=dt.date(2026, 1, 1))

    assert scope_for(_fresh(leader.user)).guided_enterprise_ids == {world.lead.pk}
    assert not scope_for(_fresh(member.user)).is_guide  # joins on the 20th
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 20, 9, 0)), tick=False):
        assert scope_for(_fresh(member.user)).guided_enterprise_ids == {world.lead.pk}
        services.team_member_end(actor=None, member=joined, ends_on=dt.date(2026, 5, 31))
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 31, 23, 0)), tick=False):
        assert scope_for(_fresh(member.user)).guided_enterprise_ids == {world.lead.pk}  # last day
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 6, 1, 0, 30)), tick=False):
        assert not scope_for(_fresh(member.user)).is_guide


def test_assignment_dates_give_and_take_reach_without_a_sweep(world):
    guide = factories.GuideFactory(region=world.county)
    assignment = services.assignment_create(
        actor=None, guide=guide, enterprise=world.lead, starts_on=dt.date(2026, 5, 13), cadence="monthly"
    )
    assert not scope_for(_fresh(guide.user)).is_guide  # starts tomorrow
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 13, 0, 5)), tick=False):
        assert world.lead.pk in scope_for(_fresh(guide.user)).guided_enterprise_ids
        services.assignment_end(actor=None, assignment=assignment, ends_on=dt.date(2026, 5, 13))
        assert world.lead.pk in scope_for(_fresh(guide.user)).guided_enterprise_ids  # its last day
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 14, 0, 5)), tick=False):
        assert not scope_for(_fresh(guide.user)).is_guide
    assignment.refresh_from_db()
    assert assignment.ends_on == dt.date(2026, 5, 13)  # history kept, not deleted
    assert Assignment.objects.filter(guide=guide).count() == 1


def test_the_scope_is_still_one_query(world, django_assert_num_queries):
    guide = factories.GuideFactory(region=world.county)
    team = factories.GuideTeamFactory(region=world.county, kind=Team.Kind.RED_COLLAR)
    factories.GuideTeamMemberFactory(team=team, guide=guide)
    services.assignment_create(actor=None, team=team, alliance=world.alliance)
    services.assignment_create(actor=None, guide=guide, zone=world.zone)
    user = _fresh(guide.user)
    with django_assert_num_queries(1):
        scope = scope_for(user)
    assert scope.zone_ids == {world.zone.pk} and scope.guided_enterprise_ids == {world.lead.pk, world.member.pk}
