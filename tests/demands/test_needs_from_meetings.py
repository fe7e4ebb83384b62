"""Needs and meetings (issue 8 §1): a decision becomes a need in one step (source 会议, linked both
ways, refused the second time), a need discussed on an agenda item shows the meeting on its
timeline, the decision shows its need's state, and only the meeting's managers may do either."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.template.loader import render_to_string
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.meetings import services as meeting_services
from alliances.models import MeetingKind
from chainparty import links
from chainparty.errors import StateError
from demands.models import AgendaNeed, Need, NeedEvent
from demands.services import meetings as services
from demands.services import workflow
from tests import factories

pytestmark = pytest.mark.django_db

STARTS = timezone.make_aware(dt.datetime(2026, 9, 30, 9, 0))


@pytest.fixture
def meeting(world, personas):
    for enterprise in (world.lead, world.member):
        enterprise.contact_phone = "0537-7212345"
        enterprise.save(update_fields=["contact_phone"])
    with time_machine.travel(STARTS - dt.timedelta(days=10), tick=False):
        meeting = meeting_services.meeting_schedule(
            actor=personas.secretary,
            alliance=world.alliance,
            kind=MeetingKind.COMMITTEE,
            title="9月党委会议",
            starts_at=STARTS,
            ends_at=STARTS + dt.timedelta(hours=2),
            place_address="汶上县党群服务中心",
            agenda=["技能人才招聘"],
        )
    with time_machine.travel(STARTS + dt.timedelta(hours=3), tick=False):
        yield meeting


@pytest.fixture
def decision(meeting, world, personas):
    """A decision owned by a member enterprise."""
    return meeting_services.decision_add(
        actor=personas.secretary,
        meeting=meeting,
        text="新花源纺织缺熟练缝纫工30名，请人社局对接技师学院\n第二行细节",
        due_workdays=10,
        enterprise=world.member,
    )


@pytest.fixture
def department_decision(meeting, world, personas):
    return meeting_services.decision_add(
        actor=personas.secretary,
        meeting=meeting,
        text="人社局组织专场招聘会",
        due_workdays=10,
        department=world.department,
    )


# -- a decision becomes a need ---------------------------------------------------------------------
def test_a_decision_becomes_a_need_in_one_step(world, personas, meeting, decision):
    need = services.need_from_decision(actor=personas.secretary, decision=decision, category=Need.Category.LABOR)
    assert need.source == Need.Source.MEETING and need.state == Need.State.SUBMITTED
    assert (need.enterprise, need.alliance, need.category) == (world.member, world.alliance, Need.Category.LABOR)
    assert need.title == "新花源纺织缺熟练缝纫工30名，请人社局对接技师学院"
    assert "9月党委会议" in need.description and "议定事项第 1 项" in need.description
    assert Need.objects.get(pk=need.pk).decision == decision and list(decision.needs.all()) == [need]
    event = need.events.get(action=NeedEvent.Action.FROM_DECISION)
    assert "9月党委会议" in event.note and event.data["meeting_id"] == meeting.pk
    assert event.data["decision_id"] == decision.pk


def test_a_second_need_for_the_same_decision_is_refused(personas, decision):
    first = services.need_from_decision(actor=personas.secretary, decision=decision)
    with pytest.raises(StateError) as refused:
        services.need_from_decision(actor=personas.org_staff, decision=decision)
    assert refused.value.messages == [f"该议定事项已转为需求 {first.number}，不能重复转办。"]
    assert Need.objects.filter(decision=decision).count() == 1


def test_the_database_refuses_a_second_need_too(personas, decision, file_need):
    services.need_from_decision(actor=personas.secretary, decision=decision)
    other = file_need()
    other.decision = decision
    with pytest.raises(ValidationError) as refused:
        other.validate_constraints()
    assert "该议定事项已转为需求，不能重复转办。" in refused.value.messages


def test_a_decision_owned_by_a_department_needs_an_enterprise(world, personas, department_decision):
    with pytest.raises(ValidationError) as refused:
        services.need_from_decision(actor=personas.secretary, decision=department_decision)
    assert refused.value.message_dict == {"enterprise": ["该议定事项的责任方不是企业，请选择提出需求的企业。"]}
    need = services.need_from_decision(actor=personas.secretary, decision=department_decision, enterprise=world.lead)
    assert need.enterprise == world.lead and need.decision_id == department_decision.pk


def test_an_enterprise_outside_the_alliance_is_refused(world, personas, department_decision):
    with pytest.raises(ValidationError) as refused:
        services.need_from_decision(
            actor=personas.secretary, decision=department_decision, enterprise=world.outsider_enterprise
        )
    assert "该企业不是所选联盟的在册成员。" in refused.value.messages
    assert not Need.objects.exists()


def test_only_the_meetings_managers_turn_a_decision_into_a_need(personas, decision):
    for persona in (personas.enterprise_secretary, personas.other_enterprise_secretary, personas.outsider):
        with pytest.raises(PermissionDenied):
            services.need_from_decision(actor=persona, decision=decision)
    assert not Need.objects.exists()


def test_a_cancelled_decision_does_not_become_a_need(personas, decision):
    meeting_services.decision_update_status(actor=personas.secretary, decision=decision, status="cancelled")
    with pytest.raises(StateError):
        services.need_from_decision(actor=personas.secretary, decision=decision)


# -- the decision shows its need's state ------------------------------------------------------------
def test_the_decision_shows_the_needs_state(personas, decision, department_decision):
    need = services.need_from_decision(actor=personas.secretary, decision=decision)
    workflow.need_accept(need=need, actor=personas.secretary)
    decisions = links.attach([decision, department_decision])
    [record] = decisions[0].linked_records
    assert (record.kind, record.label, record.state, record.state_label) == ("need", need.number, "accepted", "已受理")
    assert record.url == need.get_absolute_url() and not record.done
    assert decisions[1].linked_records == []


def test_the_decisions_api_shows_the_linked_need(personas, decision):
    need = services.need_from_decision(actor=personas.secretary, decision=decision)
    client = APIClient()
    client.force_authenticate(personas.enterprise_secretary)
    [row] = client.get("/api/decisions/").json()["results"]
    assert row["linked"][0]["label"] == need.number and row["linked"][0]["state_label"] == "已提交"
    meeting = client.get(f"/api/meetings/{decision.meeting_id}/").json()
    assert meeting["decisions"][0]["linked"][0]["id"] == need.pk


# -- the page's button ------------------------------------------------------------------------------
def _post(client, decision, **data):
    return client.post(f"/meetings/decisions/{decision.pk}/need/", data)


def test_the_button_view_files_the_need_and_refuses_others(personas, decision, client_for):
    assert _post(client_for(personas.outsider), decision).status_code == 404
    assert _post(client_for(personas.enterprise_secretary), decision).status_code == 403
    assert not Need.objects.exists()
    response = _post(client_for(personas.secretary), decision, category="labor")
    need = Need.objects.get(decision=decision)
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert need.category == Need.Category.LABOR
    again = _post(client_for(personas.secretary), decision, next="/alliances/")
    assert again.status_code == 302 and again["Location"] == "/alliances/"
    page = client_for(personas.secretary).get("/alliances/")
    assert f"该议定事项已转为需求 {need.number}，不能重复转办。" in [str(m) for m in page.context["messages"]]
    assert Need.objects.filter(decision=decision).count() == 1


def test_the_button_template(world, personas, decision, department_decision):
    links.attach([decision, department_decision])
    form = render_to_string(
        "demands/_decision_need_button.html",
        {"decision": department_decision, "can_manage": True, "enterprises": [world.lead, world.member]},
    )
    assert f'action="/meetings/decisions/{department_decision.pk}/need/"' in form and world.lead.name in form
    assert "转为需求" not in render_to_string("demands/_decision_need_button.html", {"decision": decision})
    need = services.need_from_decision(actor=personas.secretary, decision=decision)
    links.attach([decision])
    linked = render_to_string("demands/_decision_need_button.html", {"decision": decision, "can_manage": True})
    assert need.number in linked and "已提交" in linked and "转为需求" not in linked


# -- needs discussed on an agenda item (难题会商) -------------------------------------------------------
def test_a_need_discussed_on_an_agenda_item_shows_the_meeting(personas, meeting, file_need):
    need = file_need()
    item = meeting.agenda_items.get()
    [link] = services.agenda_link_needs(actor=personas.secretary, agenda_item=item, needs=[need])
    assert link.need == need and link.agenda_item == item
    event = need.events.get(action=NeedEvent.Action.DISCUSS)
    assert "9月党委会议" in event.note and "技能人才招聘" in event.note and event.data["agenda_item_id"] == item.pk
    assert services.agenda_link_needs(actor=personas.secretary, agenda_item=item, needs=[need]) == []
    assert need.events.filter(action=NeedEvent.Action.DISCUSS).count() == 1, "linked once, told once"
    client = APIClient()
    client.force_authenticate(personas.enterprise_secretary)
    events = client.get(f"/api/needs/{need.pk}/").json()["events"]
    assert any(e["action_display"] == "列入会议议题" and "9月党委会议" in e["note"] for e in events)


def test_agenda_links_are_refused_to_others_and_for_other_alliances_needs(world, personas, meeting, file_need):
    need = file_need()
    item = meeting.agenda_items.get()
    with pytest.raises(PermissionDenied):
        services.agenda_link_needs(actor=personas.enterprise_secretary, agenda_item=item, needs=[need])
    other_alliance = factories.AllianceFactory(region=world.county)
    other_meeting = factories.MeetingFactory(alliance=other_alliance)
    other_item = factories.AgendaItemFactory(meeting=other_meeting)
    with pytest.raises(ValidationError) as refused:
        services.agenda_link_needs(actor=personas.org_staff, agenda_item=other_item, needs=[need])
    assert need.number in refused.value.message_dict["needs"][0]
    with pytest.raises(ValidationError):
        services.agenda_link_needs(actor=personas.secretary, agenda_item=item, needs=[])
    assert not AgendaNeed.objects.exists() and not need.events.filter(action=NeedEvent.Action.DISCUSS).exists()


# -- the migration ------------------------------------------------------------------------------------
def test_one_need_per_decision_is_a_unique_index_built_concurrently():
    migration = MigrationLoader(None, ignore_no_migrations=True).disk_migrations[
        ("demands", "0006_need_one_per_decision")
    ]
    assert migration.atomic is False
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "demands_need")
    index = constraints["need_one_per_decision"]
    assert index["unique"] and index["columns"] == ["decision_id"]
    # No implicit FK index besides it (db_index=False): it would have been built under a write lock.
    assert [name for name, c in constraints.items() if c["columns"] == ["decision_id"] and c["index"]] == [
        "need_one_per_decision"
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = %s",
                ["need_one_per_decision"],
            )
            assert cursor.fetchone() == (True,)
