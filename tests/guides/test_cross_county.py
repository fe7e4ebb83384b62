"""A guide or a team is managed by the organisation staff of its region (issue 9 §3): staff of another
county may not assign it to their enterprises nor put it in their teams. Refused in the service (the
staff forms only offer the guides the user manages, a direct call or another client must not pass)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from alliances import services as org_services
from guides import services
from guides.models import Assignment, Team, TeamMember
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_county_guide(world, frozen):
    """A guide sent by 兖州区's department, managed by 兖州区's organisation staff."""
    user = factories.UserFactory(username="guide_yz", real_name="兖州指导员")
    return services.guide_create(
        actor=None, user=user, department=world.other_department, term_start=dt.date(2025, 1, 1)
    )


@pytest.fixture
def other_county_team(world, frozen):
    return services.team_create(
        actor=None,
        name="兖州红帆指导组",
        kind=Team.Kind.RED_SAIL,
        region=world.other_county,
        formed_on=dt.date(2025, 1, 1),
    )


def test_staff_cannot_assign_another_countys_guide_to_their_enterprise(world, personas, other_county_guide):
    with pytest.raises(PermissionDenied) as excinfo:
        services.assignment_create(actor=personas.org_staff, guide=other_county_guide, enterprise=world.lead)
    assert "本区域组织部管理的指导员" in str(excinfo.value)
    assert not Assignment.objects.filter(guide=other_county_guide).exists()


def test_staff_cannot_assign_another_countys_team_to_their_zone(world, personas, other_county_team):
    with pytest.raises(PermissionDenied) as excinfo:
        services.assignment_create(actor=personas.org_staff, team=other_county_team, zone=world.zone)
    assert "本区域组织部管理的指导组" in str(excinfo.value)
    assert not Assignment.objects.filter(team=other_county_team).exists()


def test_staff_cannot_put_another_countys_guide_in_their_team(world, personas, other_county_guide, frozen):
    team = services.team_create(
        actor=personas.org_staff, name="汶上红领专家服务队", kind=Team.Kind.RED_COLLAR, region=world.county
    )
    with pytest.raises(PermissionDenied):
        services.team_member_add(actor=personas.org_staff, team=team, guide=other_county_guide)
    assert not TeamMember.objects.filter(team=team).exists()


def test_city_staff_may_assign_a_county_guide_in_the_city(world, personas, other_county_guide, frozen):
    """The city's staff manage both counties: the rule is about who manages, not about one county."""
    city_staff = factories.UserFactory(username="city_staff", real_name="市委组织部")
    org_services.region_grant(region=world.city, user=city_staff, manage=True, system=True)
    assignment = services.assignment_create(actor=city_staff, guide=other_county_guide, enterprise=world.lead)
    assert assignment.guide == other_county_guide
