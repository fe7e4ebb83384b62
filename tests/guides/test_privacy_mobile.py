"""A guide's account mobile for organisation staff (chainparty.privacy): read in full by the staff of
the region that sent the guide and of the regions of the assignments the guide serves under today
(guides.serving, themselves or through a team), no longer from the retired guide grant on zones;
masked for a leader, for staff elsewhere and once the assignment has ended."""

import datetime as dt

import pytest

from alliances import services as alliance_services
from chainparty import privacy
from guides import services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_staff(world):
    user = factories.UserFactory(username="staff_yanzhou", real_name="兖州区组织部")
    alliance_services.region_grant(region=world.other_county, user=user, manage=True, system=True)
    return user


def _guide_from_other_county(world, username):
    user = factories.UserFactory(username=username, real_name="兖州指导员", mobile="13900001111")
    return services.guide_create(
        actor=None, user=user, department=world.other_department, term_start=dt.date(2025, 1, 1)
    )


def _reads(viewer, person):
    return privacy.may_read_phone(viewer=viewer, person=person)


def test_staff_of_the_region_a_guide_serves_in_today_read_the_mobile(world, personas, other_staff, frozen):
    guide = _guide_from_other_county(world, "guide_yz")
    assert not _reads(personas.org_staff, guide.user)
    services.assignment_create(actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1))
    assert _reads(personas.org_staff, guide.user)
    # The sending region's staff read it all along; a leader of the county has no need to know.
    assert _reads(other_staff, guide.user)
    assert not _reads(personas.leader, guide.user)
    assert privacy.phone_for_viewer(viewer=personas.leader, person=guide.user) == "139****1111"


def test_through_a_team_and_only_while_the_assignment_is_in_force(world, personas, other_staff, frozen):
    team = factories.GuideTeamFactory(region=world.county)
    member = factories.GuideTeamMemberFactory(team=team, guide=_guide_from_other_county(world, "guide_team")).guide
    factories.GuideAssignmentFactory(
        guide=None, team=team, enterprise=None, zone=world.zone, target="zone", region=world.county
    )
    assert _reads(personas.org_staff, member.user)
    ended = _guide_from_other_county(world, "guide_ended")
    factories.GuideAssignmentFactory(
        guide=ended, enterprise=world.member, region=world.county, ends_on=dt.date(2026, 3, 31)
    )
    assert not _reads(personas.org_staff, ended.user)
    # A county guide is not the other county's to read.
    local = services.guide_create(
        actor=None,
        user=factories.UserFactory(username="guide_local", mobile="13900002222"),
        department=world.department,
        term_start=dt.date(2025, 1, 1),
    )
    assert _reads(personas.org_staff, local.user)
    assert not _reads(other_staff, local.user)
