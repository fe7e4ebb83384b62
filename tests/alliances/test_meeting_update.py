"""Editing a scheduled meeting (`meeting_update`): its title, place and agenda (text, order, new
and removed items), through the service, the meeting page's form and `PATCH /api/meetings/{id}/`;
for the alliance's managers only, never once the meeting has started, been held or cancelled, and
audited."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alliances.meetings import services
from alliances.meetings.services import AgendaEdit
from alliances.models import MeetingKind
from chainparty.errors import StateError
from chainparty.models import AuditLog, Notification
from tests import factories

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


BEFORE = local(2026, 9, 20, 10, 0)
STARTS = local(2026, 9, 30, 9, 0)
AFTER = local(2026, 9, 30, 12, 0)


@pytest.fixture
def clock():
    with time_machine.travel(BEFORE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting(world, personas, clock):
    return services.meeting_schedule(
        actor=personas.secretary,
        alliance=world.alliance,
        kind=MeetingKind.COMMITTEE,
        title="9月党委会议",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        place_address="汶上县党群服务中心",
        agenda=["产能对接", "技能人才招聘", "其他事项"],
    )


def agenda(meeting):
    return list(meeting.agenda_items.order_by("position").values_list("position", "title"))


def items(meeting):
    return {item.title: item.pk for item in meeting.agenda_items.all()}


def snapshot(meeting):
    meeting.refresh_from_db()
    return meeting.title, meeting.place_zone_id, meeting.place_address, agenda(meeting)


# -- the service ---------------------------------------------------------------------------------
def test_a_manager_edits_title_place_and_agenda(meeting, world, personas, django_capture_on_commit_callbacks):
    ids = items(meeting)
    edits = [
        AgendaEdit(title="技能人才招聘（人社局通报）", id=ids["技能人才招聘"]),  # edited and moved up
        AgendaEdit(title="产能对接", id=ids["产能对接"]),
        AgendaEdit(title="融资需求会商"),  # new; 其他事项 is left out: removed
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            actor=personas.org_staff,
            meeting=meeting,
            title="2026年9月党委会议",
            place_zone=world.zone,
            place_address="",
            agenda=edits,
        )

    meeting.refresh_from_db()
    assert (meeting.title, meeting.place_zone, meeting.place_address) == ("2026年9月党委会议", world.zone, "")
    assert agenda(meeting) == [(1, "技能人才招聘（人社局通报）"), (2, "产能对接"), (3, "融资需求会商")]
    assert meeting.agenda_items.get(position=1).pk == ids["技能人才招聘"]  # the same item, kept
    entry = AuditLog.objects.get(action=AuditLog.Action.MEETING_UPDATE)
    assert entry.target_id == meeting.pk and entry.actor == personas.org_staff
    assert entry.data["changed"] == ["会议名称", "会议地点", "议题"] and entry.data["previous"] == "9月党委会议"
    notice = Notification.objects.get(recipient=personas.secretary, title="会议信息变更：2026年9月党委会议")
    assert world.zone.name in notice.body


def test_what_is_not_given_stays_and_an_agenda_only_edit_notifies_nobody(
    meeting, personas, django_capture_on_commit_callbacks
):
    ids = items(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            actor=personas.secretary,
            meeting=meeting,
            agenda=[AgendaEdit(title="其他事项", id=ids["其他事项"]), AgendaEdit(title="产能对接", id=ids["产能对接"])],
        )
    assert snapshot(meeting) == (
        "9月党委会议",
        None,
        "汶上县党群服务中心",
        [(1, "其他事项"), (2, "产能对接")],
    )
    assert not Notification.objects.filter(title__startswith="会议信息变更").exists()
    assert AuditLog.objects.get(action=AuditLog.Action.MEETING_UPDATE).data == {
        "object": str(meeting.alliance),
        "title": "9月党委会议",
        "changed": ["议题"],
    }


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写会议名称。"),
        ({"place_address": ""}, "place_address", "请填写会议地点或选择片区。"),
        (
            {"agenda": [AgendaEdit(title="别的会的议题", id=999_999)]},
            "agenda",
            "所修改的议题不属于本次会议，或重复出现。",
        ),
        ({"agenda": [AgendaEdit(title="")]}, "agenda", "第 1 项议题未填写内容。"),
        ({"title": "9月党委会议"}, "__all__", "没有需要保存的修改。"),
        (
            {"agenda": [AgendaEdit(title="产能对接"), AgendaEdit(title="议" * 201)]},
            "agenda",
            "第 2 项议题超过 200 字，请精简。",
        ),
    ],
    ids=["blank-title", "no-place", "foreign-item", "blank-item", "no-change", "long-item"],
)
def test_bad_edits_are_refused_in_chinese_and_nothing_changes(meeting, personas, fields, field, message):
    before = snapshot(meeting)
    with pytest.raises(ValidationError) as error:
        services.meeting_update(actor=personas.secretary, meeting=meeting, **fields)
    assert error.value.messages == [message]
    if field != "__all__":
        assert error.value.message_dict[field] == [message]
    assert snapshot(meeting) == before
    assert not AuditLog.objects.filter(action=AuditLog.Action.MEETING_UPDATE).exists()


def test_a_zone_outside_the_alliances_region_is_refused(meeting, world, personas):
    elsewhere = factories.ZoneFactory(name="兖州区经济开发区", region=world.other_county)
    with pytest.raises(ValidationError) as error:
        services.meeting_update(actor=personas.secretary, meeting=meeting, place_zone=elsewhere)
    assert error.value.message_dict["place_zone"] == ["会议地点所在片区不在本联盟所属区域内。"]


def test_an_item_with_a_need_on_it_is_not_removed(meeting, world, personas):
    from demands.services import filing
    from demands.services.meetings import agenda_link_needs

    need = filing.need_file(
        actor=personas.enterprise_secretary,
        enterprise=world.lead,
        alliance=world.alliance,
        category="labor",
        urgency="normal",
        title="急需挡车工",
        description="缺熟练挡车工30名",
        contact_name="李书记",
        contact_phone="13800000000",
    )
    ids = items(meeting)
    agenda_link_needs(
        actor=personas.secretary, agenda_item=meeting.agenda_items.get(pk=ids["技能人才招聘"]), needs=[need]
    )
    before = snapshot(meeting)
    with pytest.raises(ValidationError) as error:
        services.meeting_update(
            actor=personas.secretary, meeting=meeting, agenda=[AgendaEdit(title="产能对接", id=ids["产能对接"])]
        )
    assert error.value.message_dict["agenda"] == ["以下议题已列入会商的需求，请先移出需求再删除：技能人才招聘"]
    assert snapshot(meeting) == before


def test_only_the_alliances_managers_edit(meeting, personas):
    for persona in (personas.enterprise_secretary, personas.handler, personas.leader):
        with pytest.raises(PermissionDenied):
            services.meeting_update(actor=persona, meeting=meeting, title="改名")
    assert snapshot(meeting)[0] == "9月党委会议"


def test_a_cancelled_started_or_held_meeting_is_not_edited(world, personas, meeting, clock):
    cancelled = services.meeting_schedule(
        actor=personas.secretary,
        alliance=world.alliance,
        kind=MeetingKind.SALON,
        title="红色沙龙",
        starts_at=STARTS + dt.timedelta(days=1),
        ends_at=STARTS + dt.timedelta(days=1, hours=2),
        place_address="职工之家",
    )
    services.meeting_cancel(actor=personas.secretary, meeting=cancelled, reason="与培训冲突")
    with pytest.raises(StateError, match="会议当前为“已取消”，不能修改。"):
        services.meeting_update(actor=personas.secretary, meeting=cancelled, title="改名")

    clock.move_to(STARTS + dt.timedelta(minutes=10))
    with pytest.raises(StateError, match="会议已经开始，不能再修改。"):
        services.meeting_update(actor=personas.secretary, meeting=meeting, title="改名")

    clock.move_to(AFTER)
    invitation = meeting.invitations.first()
    services.attendance_record(actor=personas.secretary, meeting=meeting, attendance={invitation.pk: "present"})
    with pytest.raises(StateError, match="会议当前为“已召开”，不能修改。"):
        services.meeting_update(actor=personas.secretary, meeting=meeting, title="改名")
    assert snapshot(meeting)[0] == "9月党委会议"


# -- the page ------------------------------------------------------------------------------------
def test_the_meeting_page_offers_the_edit_form_to_managers(meeting, personas, client_for):
    page = client_for(personas.secretary).get(meeting.get_absolute_url()).content.decode()
    assert reverse("alliances:meeting_edit", args=[meeting.pk]) in page
    viewer = client_for(personas.enterprise_secretary).get(meeting.get_absolute_url()).content.decode()
    assert reverse("alliances:meeting_edit", args=[meeting.pk]) not in viewer


def test_the_edit_form_saves_order_removals_and_new_items(meeting, personas, client_for):
    ids = items(meeting)
    url = reverse("alliances:meeting_edit", args=[meeting.pk])
    client = client_for(personas.secretary)
    form = client.get(url)
    assert form.status_code == 200 and "技能人才招聘" in form.content.decode()
    response = client.post(
        url,
        {
            "title": "9月党委会议（扩大）",
            "place_address": "汶上县党群服务中心三楼",
            f"item_{ids['产能对接']}": "产能对接",
            f"order_{ids['产能对接']}": 2,
            f"item_{ids['技能人才招聘']}": "技能人才招聘",
            f"order_{ids['技能人才招聘']}": 1,
            f"item_{ids['其他事项']}": "",  # emptied: removed
            f"order_{ids['其他事项']}": 3,
            "new_agenda": "融资需求会商\n\n用地需求会商",
        },
    )
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert snapshot(meeting) == (
        "9月党委会议（扩大）",
        None,
        "汶上县党群服务中心三楼",
        [(1, "技能人才招聘"), (2, "产能对接"), (3, "融资需求会商"), (4, "用地需求会商")],
    )


def test_the_edit_form_shows_the_services_refusal(meeting, personas, client_for):
    url = reverse("alliances:meeting_edit", args=[meeting.pk])
    ids = items(meeting)
    data = {f"item_{pk}": title for title, pk in ids.items()} | {f"order_{pk}": 1 for pk in ids.values()}
    response = client_for(personas.secretary).post(url, {**data, "title": "9月党委会议", "place_address": ""})
    assert response.status_code == 400 and "请填写会议地点或选择片区。" in response.content.decode()


@pytest.mark.parametrize(("persona", "code"), [("enterprise_secretary", 403), ("outsider", 404)])
def test_the_edit_form_is_refused_to_who_does_not_manage(meeting, personas, client_for, persona, code):
    client = client_for(getattr(personas, persona))
    url = reverse("alliances:meeting_edit", args=[meeting.pk])
    assert client.get(url).status_code == code
    assert client.post(url, {"title": "改名", "place_address": "别处"}).status_code == code
    assert snapshot(meeting)[0] == "9月党委会议"


# -- the API -------------------------------------------------------------------------------------
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_patch_edits_what_is_sent(meeting, personas):
    ids = items(meeting)
    body = {
        "title": "9月党委（扩大）会议",
        "agenda": [{"id": ids["其他事项"], "title": "其他事项"}, {"title": "新议题"}],
    }
    response = api(personas.org_staff).patch(f"/api/meetings/{meeting.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["title"] == "9月党委（扩大）会议" and data["place"] == "汶上县党群服务中心"
    assert [(i["position"], i["title"]) for i in data["agenda_items"]] == [(1, "其他事项"), (2, "新议题")]


def test_patch_refusals_400_403_404_409(world, meeting, personas):
    url = f"/api/meetings/{meeting.pk}/"
    bad = api(personas.secretary).patch(url, {"title": "", "place_address": ""}, format="json")
    assert bad.status_code == 400 and bad.json() == {"title": ["请填写会议名称。"]}
    assert api(personas.enterprise_secretary).patch(url, {"title": "改名"}, format="json").status_code == 403
    assert api(personas.outsider).patch(url, {"title": "改名"}, format="json").status_code == 404
    services.meeting_cancel(actor=personas.secretary, meeting=meeting, reason="改期另行通知")
    conflict = api(personas.secretary).patch(url, {"title": "改名"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["detail"] == "会议当前为“已取消”，不能修改。"
    meeting.refresh_from_db()
    assert meeting.title == "9月党委会议"


def test_scheduling_refuses_an_agenda_item_too_long_instead_of_cutting_it(world, personas, clock):
    from alliances.models import Meeting

    with pytest.raises(ValidationError) as error:
        services.meeting_schedule(
            actor=personas.secretary,
            alliance=world.alliance,
            kind=MeetingKind.COMMITTEE,
            title="10月党委会议",
            starts_at=STARTS,
            ends_at=STARTS + dt.timedelta(hours=2),
            place_address="汶上县党群服务中心",
            agenda=["产能对接", "议" * 201],
        )
    assert error.value.message_dict["agenda"] == ["第 2 项议题超过 200 字，请精简。"]
    assert not Meeting.objects.filter(title="10月党委会议").exists()
