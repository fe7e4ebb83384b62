"""The audit log places a guide where they work today: the sending unit's region and the regions of
the assignments they serve under (guides.serving), no longer the retired guide grant on zones."""

import datetime as dt

import pytest

from chainparty import audit
from guides import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_guide_assigned_in_another_county_belongs_to_their_common_city(world, frozen):
    guide = factories.GuideFactory(region=world.county, department=world.department)
    assert audit.person_region_path(guide.user) == world.county.path
    services.assignment_create(
        actor=None, guide=guide, enterprise=world.outsider_enterprise, starts_on=dt.date(2026, 1, 1)
    )
    assert audit.person_region_path(guide.user) == world.city.path


def test_through_a_team_and_only_while_in_force(world, frozen):
    team = factories.GuideTeamFactory(region=world.other_county)
    member = factories.GuideTeamMemberFactory(
        team=team, guide=factories.GuideFactory(region=world.county, department=world.department)
    ).guide
    factories.GuideAssignmentFactory(
        guide=None, team=team, enterprise=world.outsider_enterprise, region=world.other_county
    )
    assert audit.person_region_path(member.user) == world.city.path
    # An assignment that ended places no one.
    ended = factories.GuideFactory(region=world.county, department=world.department)
    factories.GuideAssignmentFactory(
        guide=ended, enterprise=world.outsider_enterprise, region=world.other_county, ends_on=dt.date(2026, 3, 31)
    )
    assert audit.person_region_path(ended.user) == world.county.path
