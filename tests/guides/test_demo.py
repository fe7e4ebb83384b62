"""The guides demo (issue 9 §4) after `load_demo` from scratch under a frozen clock: Wenshang's 69
instructors from 12 departments, the 红帆 and 红领专家 teams, two 驻企干部, two quarters of visits
(most confirmed, one disputed, some pending; one raised a need), enterprises never visited, a
building goal that ended in a joint branch, the last half-year's evaluation, guide_li's 我的企业
with overdue enterprises first; nothing dated after the moment of loading; loading twice changes
nothing."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from alliances.models import Department, Enterprise, PartyOrganization, WorkZone
from chainparty.models import User
from demands.models import Need
from guides import demo, selectors
from guides.models import (
    Assignment,
    BuildingGoal,
    BuildingGoalStage,
    EvaluationPeriod,
    Guide,
    GuideReport,
    MemberDevelopment,
    Rating,
    Team,
    TeamMember,
    Visit,
    VisitNeed,
    VisitPerson,
)

pytestmark = pytest.mark.django_db

WENSHANG = "汶上县"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def load_at(moment: dt.datetime):
    with time_machine.travel(moment, tick=False):
        call_command("load_demo", stdout=io.StringIO())
        return timezone.now()


def _counts():
    models = (
        Guide,
        Team,
        TeamMember,
        Assignment,
        Visit,
        VisitPerson,
        VisitNeed,
        BuildingGoal,
        BuildingGoalStage,
        MemberDevelopment,
        EvaluationPeriod,
        GuideReport,
        Rating,
        User,
        Enterprise,
        Department,
        WorkZone,
        PartyOrganization,
        Need,
    )
    return {m.__name__: m.objects.count() for m in models} | {
        "confirmed": Visit.objects.filter(confirmation=Visit.Confirmation.CONFIRMED).count()
    }


def _in_wenshang(qs):
    return qs.filter(region__name=WENSHANG)


def test_guides_teams_visits_and_loading_twice(client):
    now = load_at(local(2026, 12, 7, 10, 30))
    today = timezone.localdate(now)
    first = _counts()
    load_at(now + dt.timedelta(hours=1))
    assert _counts() == first

    # 69 instructors from 12 departments, with ranks and phones
    instructors = _in_wenshang(Guide.objects.filter(kind=Guide.Kind.PARTY_BUILDING))
    assert instructors.count() == 69
    assert instructors.values("department").distinct().count() == 12
    assert not instructors.filter(department__isnull=True).exists()
    assert all(Department.objects.filter(pk=d).exists() for d in instructors.values_list("department", flat=True))
    assert instructors.filter(rank=Guide.Rank.SECTION).exists() and instructors.filter(rank=Guide.Rank.STAFF).exists()
    assert not instructors.filter(phone="").exists()
    assert len(set(instructors.values_list("name", flat=True))) == 69
    # every instructor is assigned to an enterprise or a zone, quarterly by default, 三包三联 monthly
    assigned = Assignment.objects.filter(guide__in=instructors)
    assert set(assigned.values_list("guide", flat=True)) == set(instructors.values_list("pk", flat=True))
    assert (
        assigned.filter(cadence=Assignment.Cadence.QUARTERLY).count()
        > assigned.filter(cadence=Assignment.Cadence.MONTHLY).count()
    )
    assert assigned.filter(cadence=Assignment.Cadence.MONTHLY, note="三包三联").exists()
    assert assigned.filter(target=Assignment.Target.ZONE).exists()

    # the 红帆 team: a county-level leader and three members (guide_li among them), a studio
    red_sail = Team.objects.get(kind=Team.Kind.RED_SAIL, name=demo.HONGFAN_TEAM)
    current = red_sail.members.filter(ends_on__isnull=True)
    leader = current.get(role=TeamMember.Role.LEADER).guide
    assert leader.rank == Guide.Rank.COUNTY and leader.studio_name == f"{leader.name}红帆党建工作室"
    assert current.filter(role=TeamMember.Role.MEMBER).count() == 3
    assert current.filter(guide__user__username="guide_li").exists()
    assert Assignment.objects.filter(team=red_sail, target=Assignment.Target.ALLIANCE).exists()
    # the 红领专家 team doing 政策上门; two 驻企干部 stationed in enterprises
    experts = Team.objects.get(kind=Team.Kind.RED_COLLAR)
    assert experts.members.filter(guide__kind=Guide.Kind.RED_COLLAR).count() == 6
    assert Visit.objects.filter(team=experts, kind=Visit.Kind.POLICY).exists()
    stationed = _in_wenshang(Guide.objects.filter(kind=Guide.Kind.STATIONED))
    assert stationed.count() == 2
    for guide in stationed:
        assert Assignment.objects.filter(guide=guide, target=Assignment.Target.ENTERPRISE).count() == 1

    # visits over the last two quarters, never in the future: most confirmed, one disputed, some pending
    visits = Visit.objects.all()
    assert visits.count() > 100
    assert visits.filter(visited_on__lt=dt.date(2026, 7, 1)).count() == 0
    assert not visits.filter(visited_on__gt=today).exists()
    assert not visits.filter(logged_at__gt=now).exists() and not visits.filter(confirmed_at__gt=now).exists()
    confirmed = visits.filter(confirmation=Visit.Confirmation.CONFIRMED).count()
    pending = visits.filter(confirmation=Visit.Confirmation.PENDING).count()
    assert confirmed > visits.count() / 2 and pending > 0
    [disputed] = visits.filter(confirmation=Visit.Confirmation.DISPUTED)
    assert disputed.dispute_reason == demo.DISPUTE_REASON and disputed.confirmed_by is not None
    assert all(timezone.localdate(v.confirmed_at) > v.visited_on for v in visits.exclude(confirmed_at=None))
    assert visits.filter(opinions_count__gt=0).exists()
    assert all(v.opinions_count == len(v.opinions.splitlines()) for v in visits)
    assert any(Visit.Checklist.FOUND_ORGANIZATION in v.checklist for v in visits)
    # a visit raised a need (source 走访), linked both ways
    [link] = VisitNeed.objects.select_related("need", "visit")
    assert link.need.source == Need.Source.VISIT and link.need.title == demo.NEED_TITLE
    assert link.visit.guide.user.username == "guide_li" and link.need.enterprise_id == link.visit.enterprise_id

    # several enterprises never visited: on the organisation department's "never" list
    never = set(Enterprise.objects.filter(name__in=[demo_name(k) for k in demo.NEVER_VISITED]))
    assert len(never) == 4 and not Visit.objects.filter(enterprise__in=never).exists()
    staff = User.objects.get(username="org_admin")
    listed = set(selectors.enterprise_visit_list(user=staff, period=selectors.EVER, day=today))
    assert never <= listed
    zones = {
        row["zone__name"]: row
        for row in selectors.coverage_by_zone(user=staff, starts_on=dt.date(2026, 10, 1), ends_on=today)
    }
    assert 0 < zones["郭楼镇"]["rate"] < 1

    # guide_li's 我的企业: overdue first (never visited, then lapsed since before last month)
    mine = list(selectors.guide_enterprises(guide=Guide.objects.get(user__username="guide_li"), day=today))
    statuses = [e.status for e in mine]
    assert statuses == sorted(statuses, reverse=True)
    overdue = [e.name for e in mine if e.status == selectors.OVERDUE]
    assert overdue[:2] == [demo_name("ws_hengtai"), demo_name("ws_chem_2")]
    assert any(e.status == selectors.VISITED for e in mine) and 8 <= len(mine) <= 20

    # the building goal that ended in a new joint branch (联合建)
    branch = PartyOrganization.objects.get(name=demo.JOINT_BRANCH_NAME)
    assert branch.kind == PartyOrganization.Kind.JOINT_BRANCH
    assert set(branch.enterprises.values_list("name", flat=True)) == {demo_name(k) for k in demo.JOINT}
    goals = BuildingGoal.objects.filter(party_organization=branch)
    assert goals.count() == 2
    for goal in goals:
        assert (goal.stage, goal.method, goal.closed_on) == (
            BuildingGoal.Stage.FOUNDED,
            BuildingGoal.Method.JOINT,
            branch.founded_on,
        )
        assert [s.to_stage for s in goal.stages.order_by("changed_on", "pk")] == [
            "survey",
            "has_members",
            "preparing",
            "founded",
        ]
    assert BuildingGoal.objects.filter(closed_on__isnull=True).count() == 2
    developed = MemberDevelopment.objects.filter(kind=MemberDevelopment.Kind.DEVELOPED, recorded_on__year=2026)
    assert developed.count() >= 5 and MemberDevelopment.objects.filter(goal__in=goals).exists()

    # the last half-year's 述职评价: reports, secretaries' and staff's ratings
    period = EvaluationPeriod.objects.get(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30))
    reports = GuideReport.objects.filter(period=period)
    assert reports.count() == 20
    ratings = Rating.objects.filter(report__period=period)
    assert ratings.filter(rater_role=Rating.RaterRole.SECRETARY).count() > reports.count()
    assert ratings.filter(rater_role=Rating.RaterRole.STAFF).exists()
    assert not ratings.filter(rater__username="hongruixuan").exists()  # left for the demo persona

    # guides that sign in with the demo password; the others cannot
    for username in ("guide_li", *demo.LOGINS):
        request = RequestFactory().post("/accounts/login/")
        assert client.login(request=request, username=username, password="Demo@2026"), username
    assert not User.objects.get(username="ws_guide_02").has_usable_password()


def demo_name(key):
    from alliances.demo import ENTERPRISES as CORE

    for row in (*demo.ENTERPRISES, *CORE):
        if row[0] == key:
            return row[1]
    raise KeyError(key)


def test_loaded_on_a_quarters_first_working_day_in_the_small_hours():
    """2027-01-04 01:00: the quarter began three days ago (New Year's Day holidays), the last
    half-year is 2026's second; nothing is dated after the moment of loading."""
    now = load_at(local(2027, 1, 4, 1, 0))
    today = timezone.localdate(now)
    visits = Visit.objects.all()
    assert not visits.filter(visited_on__gt=today).exists()
    assert not visits.filter(logged_at__gt=now).exists() and not visits.filter(confirmed_at__gt=now).exists()
    assert visits.filter(visited_on__gte=dt.date(2026, 10, 1)).exists()
    assert not visits.filter(visited_on__lt=dt.date(2026, 10, 1)).exists()  # the last two quarters
    assert EvaluationPeriod.objects.filter(starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 12, 31)).exists()
    assert not Rating.objects.filter(rated_at__gt=now).exists()
    assert not GuideReport.objects.filter(submitted_at__gt=now).exists()
    assert not BuildingGoalStage.objects.filter(changed_on__gt=today).exists()
    assert visits.filter(confirmation=Visit.Confirmation.DISPUTED).count() == 1
    assert VisitNeed.objects.count() == 1
