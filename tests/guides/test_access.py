"""Who sees and acts on guides' objects (issue 9 §3): every access helper for a persona who may and
one who may not; 404 for what a user may not see, 403 for what they see but may not do."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from guides import permissions as access
from guides import services
from guides.models import GuideReport, Team
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, personas, guide_of_member):
    team = services.team_create(
        actor=None, name="红领专家服务队", kind=Team.Kind.RED_COLLAR, region=world.county, formed_on=dt.date(2026, 1, 1)
    )
    services.team_member_add(actor=None, team=team, guide=guide_of_member, starts_on=dt.date(2026, 1, 1))
    visit = services.visit_log(actor=guide_of_member.user, enterprise=world.member)
    goal = services.building_goal_open(actor=guide_of_member.user, enterprise=world.member)
    period = services.evaluation_period_create(
        actor=None, region=world.county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    report = services.guide_report_submit(actor=guide_of_member.user, period=period, text="述职")
    assignment = guide_of_member.assignments.get()
    # Someone in the other county: their staff and guide see none of this.
    other_staff = factories.UserFactory(username="other_staff")
    from alliances import services as org_services

    org_services.region_grant(region=world.other_county, user=other_staff, manage=True, system=True)
    return {
        "guide": guide_of_member,
        "team": team,
        "visit": visit,
        "goal": goal,
        "report": report,
        "assignment": assignment,
        "other_staff": other_staff,
    }


def _ok(helper, **kwargs):
    return helper(**kwargs)


def _status(helper, **kwargs):
    try:
        helper(**kwargs)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return 200


def test_guide_helper(world, personas, setup):
    guide = setup["guide"]
    call = lambda user, action=access.VIEW: _status(  # noqa: E731
        access.guide_get_for_user, user=user, guide_id=guide.pk, action=action
    )
    assert call(guide.user) == 200  # themselves
    assert call(personas.handler) == 200  # the department that sent them
    assert call(personas.other_enterprise_secretary) == 200  # the enterprise they serve
    assert call(personas.leader) == 200
    assert call(personas.org_staff, access.MANAGE) == 200
    assert call(personas.enterprise_secretary) == 404  # not served by this guide
    assert call(personas.guide) == 404
    assert call(personas.outsider) == 404
    assert call(setup["other_staff"]) == 404
    assert call(personas.handler, access.MANAGE) == 403
    assert call(guide.user, access.MANAGE) == 403


def test_team_and_assignment_helpers(world, personas, setup):
    team, assignment, guide = setup["team"], setup["assignment"], setup["guide"]
    team_call = lambda user, action=access.VIEW: _status(  # noqa: E731
        access.team_get_for_user, user=user, team_id=team.pk, action=action
    )
    assert team_call(guide.user) == 200 and team_call(personas.handler) == 200
    assert team_call(personas.org_staff, access.MANAGE) == 200
    assert team_call(personas.outsider) == 404 and team_call(setup["other_staff"]) == 404
    assert team_call(guide.user, access.MANAGE) == 403
    a_call = lambda user, action=access.VIEW: _status(  # noqa: E731
        access.assignment_get_for_user, user=user, assignment_id=assignment.pk, action=action
    )
    assert a_call(guide.user) == 200 and a_call(personas.org_staff, access.MANAGE) == 200
    assert a_call(personas.outsider) == 404 and a_call(personas.guide) == 404
    assert a_call(guide.user, access.MANAGE) == 403


def test_visit_helper(world, personas, setup):
    visit, guide = setup["visit"], setup["guide"]
    call = lambda user, action=access.VIEW: _status(  # noqa: E731
        access.visit_get_for_user, user=user, visit_id=visit.pk, action=action
    )
    assert call(guide.user) == 200 and call(guide.user, access.EDIT) == 200
    assert call(personas.other_enterprise_secretary, access.CONFIRM) == 200
    assert call(personas.org_staff, access.EDIT) == 200
    assert call(personas.handler) == 200  # a guide its department sent
    assert call(personas.guide) == 200  # serves the zone the member enterprise is in
    assert call(personas.guide, access.EDIT) == 403  # did not go
    assert call(personas.other_enterprise_secretary, access.EDIT) == 403
    assert call(guide.user, access.CONFIRM) == 403
    assert call(personas.enterprise_secretary) == 404  # another enterprise's visit
    assert call(personas.outsider) == 404 and call(setup["other_staff"]) == 404
    services.visit_confirm(actor=personas.other_enterprise_secretary, visit=visit)
    assert call(personas.other_enterprise_secretary, access.CONFIRM) == 403  # answered already


def test_building_goal_and_report_helpers(world, personas, setup):
    goal, report, guide = setup["goal"], setup["report"], setup["guide"]
    g_call = lambda user, action=access.VIEW: _status(  # noqa: E731
        access.building_goal_get_for_user, user=user, goal_id=goal.pk, action=action
    )
    assert g_call(guide.user, access.MANAGE) == 200 and g_call(personas.org_staff, access.MANAGE) == 200
    assert g_call(personas.other_enterprise_secretary) == 200
    assert g_call(personas.other_enterprise_secretary, access.MANAGE) == 403
    assert g_call(personas.outsider) == 404 and g_call(personas.enterprise_secretary) == 404
    r_call = lambda user, action=access.VIEW: _status(  # noqa: E731
        access.report_get_for_user, user=user, report_id=report.pk, action=action
    )
    assert r_call(personas.other_enterprise_secretary, access.RATE) == 200
    assert r_call(personas.org_staff, access.RATE) == 200
    assert r_call(guide.user) == 200 and r_call(guide.user, access.RATE) == 403
    assert r_call(personas.outsider) == 404 and r_call(setup["other_staff"]) == 404
    assert GuideReport.objects.count() == 1
