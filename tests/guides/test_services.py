"""The guides services (issue 9 §1) and every bad input of §5: a clear Chinese message, nothing saved."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alliances import services as org_services
from alliances.models import PartyOrganization
from chainparty.links import registry
from demands.models import Need
from guides import services
from guides.models import (
    Assignment,
    BuildingGoal,
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
from tests import factories

pytestmark = pytest.mark.django_db


def _messages(excinfo) -> str:
    error = excinfo.value
    return " ".join(getattr(error, "messages", None) or [str(error)])


def test_guide_create_takes_the_senders_region_and_refuses_a_second_profile(world, personas):
    user = factories.UserFactory(real_name="吴指导")
    guide = services.guide_create(actor=personas.org_staff, user=user, department=world.department)
    assert guide.region == world.county and guide.name == "吴指导"
    with pytest.raises(ValidationError) as excinfo:
        services.guide_create(actor=personas.org_staff, user=user, zone=world.zone)
    assert "已是党建指导员" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.guide_create(
            actor=personas.org_staff, user=factories.UserFactory(), department=world.department, zone=world.zone
        )
    assert "二者选一" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.guide_create(actor=personas.secretary, user=factories.UserFactory(), department=world.department)
    assert Guide.objects.filter(region=world.county).count() == 2  # the persona guide and 吴指导


def test_a_red_sail_studio_is_named_with_its_date(world, personas, frozen):
    guide = services.guide_create(actor=personas.org_staff, user=factories.UserFactory(), zone=world.zone)
    services.guide_name_studio(actor=personas.org_staff, guide=guide, studio_name="张红帆党建工作室")
    guide.refresh_from_db()
    assert (guide.studio_name, guide.studio_granted_on) == ("张红帆党建工作室", frozen)


def test_a_team_has_one_leader_and_a_guide_one_team_of_a_kind(world, personas, frozen):
    team = services.team_create(actor=personas.org_staff, name="红帆一组", kind=Team.Kind.RED_SAIL, region=world.county)
    chief = factories.GuideFactory(region=world.county, rank=Guide.Rank.COUNTY)
    second = factories.GuideFactory(region=world.county, rank=Guide.Rank.SECTION)
    junior = factories.GuideFactory(region=world.county, rank=Guide.Rank.STAFF)
    services.team_member_add(actor=personas.org_staff, team=team, guide=chief, role=TeamMember.Role.LEADER)
    with pytest.raises(ValidationError) as excinfo:
        services.team_member_add(actor=personas.org_staff, team=team, guide=second, role=TeamMember.Role.LEADER)
    assert "只能有一名团长" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.team_member_add(actor=personas.org_staff, team=team, guide=junior, role=TeamMember.Role.LEADER)
    assert "县级或科级" in _messages(excinfo)
    services.team_member_add(actor=personas.org_staff, team=team, guide=junior)
    other = services.team_create(
        actor=personas.org_staff, name="红帆二组", kind=Team.Kind.RED_SAIL, region=world.county
    )
    with pytest.raises(ValidationError) as excinfo:
        services.team_member_add(actor=personas.org_staff, team=other, guide=junior)
    assert "同一时间只能加入一个同类指导组" in _messages(excinfo)
    experts = services.team_create(
        actor=personas.org_staff, name="红领专家服务队", kind=Team.Kind.RED_COLLAR, region=world.county
    )
    services.team_member_add(actor=personas.org_staff, team=experts, guide=junior)  # another kind: fine
    assert TeamMember.objects.filter(team=team).count() == 2
    assert TeamMember.objects.filter(guide=junior).count() == 2


def test_overlapping_assignments_of_the_same_guide_to_the_same_enterprise_are_refused(world, personas, frozen):
    guide = factories.GuideFactory(region=world.county)
    services.assignment_create(
        actor=personas.org_staff,
        guide=guide,
        enterprise=world.lead,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_create(
            actor=personas.org_staff, guide=guide, enterprise=world.lead, starts_on=dt.date(2026, 6, 1)
        )
    assert "日期不能重叠" in _messages(excinfo)
    services.assignment_create(
        actor=personas.org_staff, guide=guide, enterprise=world.lead, starts_on=dt.date(2026, 7, 1)
    )
    services.assignment_create(
        actor=personas.org_staff, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 6, 1)
    )
    assert Assignment.objects.filter(guide=guide).count() == 3
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_create(actor=personas.org_staff, guide=guide, zone=world.zone, enterprise=world.lead)
    assert "三者选一" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.assignment_create(actor=personas.secretary, guide=guide, zone=world.zone)
    with pytest.raises(PermissionDenied):  # staff of this county cannot assign in the other one
        services.assignment_create(actor=personas.org_staff, guide=guide, enterprise=world.outsider_enterprise)
    assert Assignment.objects.filter(guide=guide).count() == 3


def test_visit_log_records_who_went_and_asks_the_enterprise_to_confirm(
    world, personas, guide_of_member, frozen, django_capture_on_commit_callbacks
):
    companion = factories.GuideFactory(region=world.county, name="郑指导")
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_log(
            actor=guide_of_member.user,
            enterprise=world.member,
            kind=Visit.Kind.SANBAO,
            checklist=["policy_briefing", "collect_needs"],
            opinions="食堂；通勤车",
            opinions_count=2,
            companions=[companion],
            staff=[("人社局钱科员", world.department)],
        )
    assert visit.visited_on == frozen and visit.region == world.county
    assert visit.confirmation == Visit.Confirmation.PENDING
    assert sorted(VisitPerson.objects.filter(visit=visit).values_list("person_name", flat=True)) == sorted(
        ["周指导", "郑指导", "人社局钱科员"]
    )
    assert personas.other_enterprise_secretary.notifications.filter(title__contains="请确认走访").exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("future", "走访日期不能晚于今天"),
        ("not_assigned", "不在您的联系范围内"),
        ("before_assignment", "不在您的联系范围内"),
        ("bad_checklist", "请从列表中选择工作内容"),
    ],
)
def test_visit_log_refuses_bad_input_and_saves_nothing(world, guide_of_member, frozen, case, message):
    kwargs = {"actor": guide_of_member.user, "enterprise": world.member}
    if case == "future":
        kwargs["visited_on"] = dt.date(2026, 5, 13)
    elif case == "not_assigned":
        kwargs["enterprise"] = world.lead
    elif case == "before_assignment":
        kwargs["visited_on"] = dt.date(2025, 12, 31)
    else:
        kwargs["checklist"] = ["dance"]
    with pytest.raises(ValidationError) as excinfo:
        services.visit_log(**kwargs)
    assert message in _messages(excinfo)
    assert not Visit.objects.exists() and not VisitPerson.objects.exists()


def test_someone_not_a_guide_cannot_log_a_visit(world, personas, frozen):
    for actor in (personas.org_staff, personas.enterprise_secretary, personas.outsider):
        with pytest.raises(PermissionDenied) as excinfo:
            services.visit_log(actor=actor, enterprise=world.lead)
        assert "只有党建指导员可以登记走访" in _messages(excinfo)
    assert not Visit.objects.exists()


def test_photos_pass_the_shared_upload_checks(world, guide_of_member, frozen, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("现场.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.visit_log(actor=guide_of_member.user, enterprise=world.member, photos=[fake])
    assert not Visit.objects.exists() and not list(tmp_path.rglob("*.*"))
    png = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    visit = services.visit_log(actor=guide_of_member.user, enterprise=world.member, photos=[png])
    assert [p.content_type for p in visit.photos.all()] == ["image/png"]


def test_only_the_enterprise_secretary_confirms_or_disputes_with_a_reason(
    world, personas, guide_of_member, frozen, django_capture_on_commit_callbacks
):
    visit = services.visit_log(actor=guide_of_member.user, enterprise=world.member)
    for actor in (personas.enterprise_secretary, personas.org_staff, guide_of_member.user):
        with pytest.raises(PermissionDenied):
            services.visit_confirm(actor=actor, visit=visit)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_dispute(actor=personas.other_enterprise_secretary, visit=visit, reason="  ")
    assert "异议理由" in _messages(excinfo)
    visit.refresh_from_db()
    assert visit.confirmation == Visit.Confirmation.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_dispute(actor=personas.other_enterprise_secretary, visit=visit, reason="当天无人来访")
    visit.refresh_from_db()
    assert (visit.confirmation, visit.dispute_reason) == (Visit.Confirmation.DISPUTED, "当天无人来访")
    assert guide_of_member.user.notifications.filter(title__contains="提出异议").exists()
    with pytest.raises(ValidationError):
        services.visit_confirm(actor=personas.other_enterprise_secretary, visit=visit)


def test_a_need_raised_on_a_visit_is_filed_as_visit_and_linked_both_ways(world, personas, guide_of_member, frozen):
    visit = services.visit_log(actor=guide_of_member.user, enterprise=world.member, checklist=["collect_needs"])
    need = services.visit_raise_need(
        actor=guide_of_member.user,
        visit=visit,
        category=Need.Category.LABOR,
        title="缺挡车工",
        description="缺20名挡车工",
        contact_phone="13805370001",
    )
    assert (
        need.source == Need.Source.VISIT and need.enterprise == world.member and need.filed_by == guide_of_member.user
    )
    assert VisitNeed.objects.get(need=need).visit == visit
    [record] = registry.for_ids("demands.need", [need.pk])[need.pk]
    assert record.kind == "visit" and record.id == visit.pk and record.state_label == "待企业确认"
    with pytest.raises(PermissionDenied):
        services.visit_raise_need(
            actor=personas.guide, visit=visit, category=Need.Category.LABOR, title="x", description="y"
        )
    with pytest.raises(ValidationError):  # no description: demands' filing refuses, nothing linked
        services.visit_raise_need(
            actor=guide_of_member.user,
            visit=visit,
            category=Need.Category.LABOR,
            title="缺电工",
            description="",
            contact_phone="13805370001",
        )
    assert Need.objects.count() == 1 and VisitNeed.objects.count() == 1


def test_a_building_goal_ends_when_the_organisation_is_recorded(world, personas, guide_of_member, frozen):
    goal = services.building_goal_open(actor=guide_of_member.user, enterprise=world.member)
    assert goal.guide == guide_of_member and goal.stage == BuildingGoal.Stage.SURVEY
    with pytest.raises(ValidationError):
        services.building_goal_open(actor=personas.org_staff, enterprise=world.member)
    services.building_goal_advance(actor=guide_of_member.user, goal=goal, stage=BuildingGoal.Stage.PREPARING)
    with pytest.raises(ValidationError) as excinfo:
        services.building_goal_advance(
            actor=guide_of_member.user, goal=goal, stage=BuildingGoal.Stage.FOUNDED, method="joint"
        )
    assert "登记覆盖该企业的党组织" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.building_goal_advance(
            actor=personas.enterprise_secretary, goal=goal, stage=BuildingGoal.Stage.HAS_MEMBERS
        )
    services.member_development_record(
        actor=guide_of_member.user,
        enterprise=world.member,
        kind=MemberDevelopment.Kind.ACTIVIST,
        person_name="孙丽",
        recorded_on=dt.date(2026, 4, 2),
    )
    branch = org_services.party_organization_create(
        name="开发区纺织联合党支部",
        kind=PartyOrganization.Kind.JOINT_BRANCH,
        region=world.county,
        enterprises=[world.member, world.lead],
        founded_on=dt.date(2026, 5, 10),
    )
    goal.refresh_from_db()
    assert (goal.stage, goal.method, goal.party_organization, goal.closed_on) == (
        BuildingGoal.Stage.FOUNDED,
        BuildingGoal.Method.JOINT,
        branch,
        frozen,  # founded on the 10th, but a goal cannot close before it opened (today)
    )
    assert list(goal.stages.values_list("to_stage", flat=True)) == ["survey", "preparing", "founded"]
    assert MemberDevelopment.objects.get().goal == goal


def test_ratings_only_from_enterprises_the_guide_served_and_staff(world, personas, guide_of_member, frozen):
    period = services.evaluation_period_create(
        actor=personas.org_staff, region=world.county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    assert period.name == "2026年上半年党建指导员述职评价"
    report = services.guide_report_submit(actor=guide_of_member.user, period=period, text="半年来走访12家企业")
    with pytest.raises(ValidationError) as excinfo:  # the lead enterprise is not served by this guide
        services.rating_submit(actor=personas.enterprise_secretary, report=report, score=5)
    assert "未联系" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.rating_submit(actor=personas.other_enterprise_secretary, report=report, score=6)
    assert "1 至 5" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.rating_submit(actor=personas.outsider, report=report, score=3)
    assert not Rating.objects.exists()
    services.rating_submit(actor=personas.other_enterprise_secretary, report=report, score=5, comment="很负责")
    services.rating_submit(actor=personas.org_staff, report=report, score=4)
    roles = dict(Rating.objects.values_list("rater_role", "enterprise"))
    assert roles == {"secretary": world.member.pk, "staff": None}
    with pytest.raises(ValidationError):
        services.rating_submit(actor=personas.org_staff, report=report, score=4)
    assert GuideReport.objects.get().ratings.count() == 2


def test_the_writes_are_audited_in_the_region(world, personas, guide_of_member, frozen):
    from chainparty.models import AuditLog

    visit = services.visit_log(actor=guide_of_member.user, enterprise=world.member)
    services.visit_confirm(actor=personas.other_enterprise_secretary, visit=visit)
    mine = ["guide_create", "assignment_create", "visit_log", "visit_confirm"]
    actions = list(AuditLog.objects.filter(action__in=mine).order_by("id").values_list("action", "region_path"))
    assert [a for a, _path in actions] == ["guide_create", "assignment_create"] * 2 + ["visit_log", "visit_confirm"]
    assert {path for _a, path in actions} == {world.county.path}


def test_a_guides_own_records_belong_to_the_sending_region(world, guide_of_member):
    from chainparty.audit import person_region_path

    assert person_region_path(guide_of_member.user) == world.county.path
