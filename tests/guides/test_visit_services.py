"""Visit services beyond logging (issue 9 follow-ups): a second submit of the same visit (a form
token or the API's Idempotency-Key) finds the first instead of logging it twice; the companion
rule lives in `visit_log`; the author corrects a visit while the enterprise has not answered; staff
of the guide's region enter a visit on a guide's behalf. Services are called directly."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chainparty.errors import StateError
from chainparty.models import AuditLog
from guides import services
from guides.models import Visit, VisitPerson
from tests import factories

pytestmark = pytest.mark.django_db


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def _log(guide, enterprise, **extra):
    return services.visit_log(
        actor=guide.user, enterprise=enterprise, visited_on=dt.date(2026, 5, 11), opinions_count=1, **extra
    )


# -- the same submit twice ------------------------------------------------------------------------
def test_the_same_client_key_twice_finds_the_first_visit(world, guide_of_member, frozen):
    first = _log(guide_of_member, world.member, client_key="form-abc")
    with pytest.raises(services.VisitAlreadyLogged) as excinfo:
        _log(guide_of_member, world.member, client_key="form-abc")
    assert excinfo.value.visit == first
    assert Visit.objects.count() == 1
    assert VisitPerson.objects.count() == 1


def test_another_key_or_no_key_logs_another_visit(world, guide_of_member, frozen):
    _log(guide_of_member, world.member, client_key="form-abc")
    _log(guide_of_member, world.member, client_key="form-xyz")
    _log(guide_of_member, world.member)
    _log(guide_of_member, world.member)
    assert Visit.objects.count() == 4


def test_a_key_is_per_author(world, personas, guide_of_member, frozen):
    """Two guides whose phones happen to send the same key both log their visit."""
    _log(guide_of_member, world.member, client_key="same")
    _log(personas.guide.guide_profile, world.lead, client_key="same")
    assert Visit.objects.count() == 2


def test_a_bad_key_is_refused_in_chinese(world, guide_of_member, frozen):
    with pytest.raises(ValidationError) as excinfo:
        _log(guide_of_member, world.member, client_key="x" * 65)
    assert "提交标识" in _messages(excinfo)
    assert not Visit.objects.exists()


# -- the companion rule ---------------------------------------------------------------------------
def test_a_guide_of_another_county_cannot_be_named_as_a_companion(world, guide_of_member, frozen):
    stranger = factories.GuideFactory(region=world.other_county, department=world.other_department)
    with pytest.raises(ValidationError) as excinfo:
        _log(guide_of_member, world.member, companions=[stranger])
    assert "同行指导员须是本区域" in _messages(excinfo)
    assert stranger.name not in _messages(excinfo)
    assert not Visit.objects.exists()


def test_a_guide_out_of_term_on_the_day_cannot_be_named_as_a_companion(world, guide_of_member, frozen):
    retired = factories.GuideFactory(region=world.county, department=world.department, term_end=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError):
        _log(guide_of_member, world.member, companions=[retired])
    assert not Visit.objects.exists()


def test_department_staff_of_another_county_are_refused(world, guide_of_member, frozen):
    with pytest.raises(ValidationError) as excinfo:
        _log(guide_of_member, world.member, staff=[("钱科员", world.other_department)])
    assert "所在部门须是本区域" in _messages(excinfo)
    assert not Visit.objects.exists()


def test_a_guide_of_the_county_goes_along(world, guide_of_member, frozen):
    colleague = factories.GuideFactory(region=world.county, department=world.department, name="郑指导")
    visit = _log(guide_of_member, world.member, companions=[colleague], staff=[("钱科员", world.department)])
    assert sorted(visit.people.values_list("person_name", flat=True)) == sorted(["周指导", "郑指导", "钱科员"])


# -- correcting a visit ---------------------------------------------------------------------------
def test_the_author_corrects_a_pending_visit_and_it_is_audited(world, guide_of_member, frozen):
    visit = _log(guide_of_member, world.member, findings="旧")
    colleague = factories.GuideFactory(region=world.county, department=world.department, name="郑指导")
    services.visit_update(
        actor=guide_of_member.user,
        visit=visit,
        visited_on=dt.date(2026, 5, 8),
        kind=Visit.Kind.POLICY,
        checklist=["policy_briefing"],
        findings="新发现",
        opinions_count=3,
        companions=[colleague],
    )
    visit.refresh_from_db()
    assert (visit.visited_on, visit.kind, visit.findings, visit.opinions_count) == (
        dt.date(2026, 5, 8),
        "policy",
        "新发现",
        3,
    )
    assert visit.checklist == ["policy_briefing"]
    assert sorted(visit.people.values_list("person_name", flat=True)) == ["周指导", "郑指导"]
    entry = AuditLog.objects.filter(target_id=visit.pk).order_by("-pk").first()
    assert entry.action == AuditLog.Action.VISIT_UPDATE
    assert entry.data["before"]["findings"] == "旧" and entry.data["after"]["findings"] == "新发现"
    assert entry.data["people_after"] == ["郑指导"]


@pytest.mark.parametrize("answer", ["confirm", "dispute"])
def test_an_answered_visit_cannot_be_corrected(world, personas, guide_of_member, frozen, answer):
    visit = _log(guide_of_member, world.member, findings="原记录")
    secretary = personas.other_enterprise_secretary
    if answer == "confirm":
        services.visit_confirm(actor=secretary, visit=visit)
    else:
        services.visit_dispute(actor=secretary, visit=visit, reason="当天没有来")
    with pytest.raises(StateError) as excinfo:
        services.visit_update(actor=guide_of_member.user, visit=visit, findings="改过")
    assert "不能再修改" in _messages(excinfo)
    visit.refresh_from_db()
    assert visit.findings == "原记录"


def test_only_the_author_corrects_a_visit(world, personas, guide_of_member, frozen):
    visit = _log(guide_of_member, world.member)
    for someone in (personas.org_staff, personas.other_enterprise_secretary, personas.guide):
        with pytest.raises(PermissionDenied):
            services.visit_update(actor=someone, visit=visit, findings="改过")
    visit.refresh_from_db()
    assert visit.findings == ""


def test_a_correction_follows_the_logging_rules(world, guide_of_member, frozen):
    visit = _log(guide_of_member, world.member)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_update(actor=guide_of_member.user, visit=visit, visited_on=dt.date(2026, 5, 13))
    assert "不能晚于今天" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:  # before the assignment began
        services.visit_update(actor=guide_of_member.user, visit=visit, visited_on=dt.date(2025, 12, 31))
    assert "不在您的联系范围内" in _messages(excinfo)
    stranger = factories.GuideFactory(region=world.other_county, department=world.other_department)
    with pytest.raises(ValidationError):
        services.visit_update(actor=guide_of_member.user, visit=visit, companions=[stranger])
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2026, 5, 11)
    assert visit.people.count() == 1


# -- staff enter a visit on a guide's behalf ------------------------------------------------------
def test_staff_of_the_region_log_a_visit_for_a_guide(
    world, personas, guide_of_member, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_log(
            actor=personas.org_staff, guide=guide_of_member, enterprise=world.member, visited_on=dt.date(2026, 5, 11)
        )
    assert visit.guide == guide_of_member and visit.logged_by == personas.org_staff
    assert list(visit.people.values_list("person_name", flat=True)) == ["周指导"]
    entry = AuditLog.objects.get(target_id=visit.pk, action=AuditLog.Action.VISIT_LOG)
    assert entry.actor == personas.org_staff and entry.data["entered_for"] == "周指导"
    assert guide_of_member.user.notifications.filter(title__contains="代您登记").exists()
    # the staff member who entered it corrects it; the guide did not enter it
    services.visit_update(actor=personas.org_staff, visit=visit, opinions_count=2)
    with pytest.raises(PermissionDenied):
        services.visit_update(actor=guide_of_member.user, visit=visit, opinions_count=5)


@pytest.mark.parametrize("persona", ["leader", "handler", "enterprise_secretary", "guide", "outsider"])
def test_only_staff_of_the_guides_region_log_for_a_guide(world, personas, guide_of_member, frozen, persona):
    with pytest.raises(PermissionDenied):
        services.visit_log(actor=getattr(personas, persona), guide=guide_of_member, enterprise=world.member)
    assert not Visit.objects.exists()


def test_staff_of_another_county_cannot_log_for_a_guide(world, guide_of_member, frozen):
    other_staff = factories.UserFactory()
    from alliances import services as org_services

    org_services.region_grant(region=world.other_county, user=other_staff, manage=True, system=True)
    with pytest.raises(PermissionDenied):
        services.visit_log(actor=other_staff, guide=guide_of_member, enterprise=world.member)
    assert not Visit.objects.exists()


def test_staff_logging_for_a_guide_follow_the_guides_reach(world, personas, guide_of_member, frozen):
    with pytest.raises(ValidationError) as excinfo:
        services.visit_log(actor=personas.org_staff, guide=guide_of_member, enterprise=world.lead)
    assert "不在该指导员的联系范围内" in _messages(excinfo)
