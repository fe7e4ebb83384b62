"""Who may see, manage and answer meetings (alliances.meetings.permissions), and the selectors'
scoping and query budget."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliances import services as org_services
from alliances.meetings import permissions, selectors, services
from alliances.meetings.permissions import ANSWER, MANAGE, VIEW, meeting_get_for_user
from alliances.models import CommitteeSeat, Membership
from tests import factories

pytestmark = pytest.mark.django_db

STARTS = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=10), dt.time(9, 0)))


def fresh(user):
    """The user as a new request would load it (scopes are cached per user object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def meeting(world, personas):
    return services.meeting_schedule(
        actor=personas.secretary,
        alliance=world.alliance,
        kind="committee",
        title="月度党委会议",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        place_zone=world.zone,
    )


@pytest.fixture
def other_alliance(world):
    """Yanzhou's farm-machinery committee, with its own member enterprise and secretary."""
    alliance = org_services.alliance_create(
        name="兖州区农机装备产业链党委",
        chain="农机装备",
        region=world.other_county,
        founded_on=dt.date(2024, 1, 1),
        lead_enterprise=world.outsider_enterprise,
    )
    secretary = factories.UserFactory(username="yz_ent_sec", real_name="兖州企业书记")
    org_services.enterprise_grant_secretary(enterprise=world.outsider_enterprise, user=secretary, system=True)
    return alliance, secretary


def get(user, meeting, action=VIEW):
    return meeting_get_for_user(user=fresh(user), meeting_id=meeting.pk, action=action)


def test_outsider_gets_404(meeting, personas):
    with pytest.raises(Http404):
        get(personas.outsider, meeting)


def test_a_bad_id_is_404_not_500(personas):
    with pytest.raises(Http404):
        meeting_get_for_user(user=personas.org_staff, meeting_id=987654, action=VIEW)


def test_enterprise_secretary_of_another_alliance_gets_404(meeting, other_alliance, personas):
    _alliance, foreign_secretary = other_alliance
    with pytest.raises(Http404):
        get(foreign_secretary, meeting)
    theirs = services.meeting_schedule(
        actor=None,
        alliance=other_alliance[0],
        kind="joint",
        title="第五次联席会议",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        place_address="兖州区政府",
    )
    assert get(foreign_secretary, theirs) == theirs
    with pytest.raises(Http404):
        get(personas.enterprise_secretary, theirs)


def test_member_may_view_but_not_manage(meeting, personas):
    assert get(personas.other_enterprise_secretary, meeting) == meeting
    with pytest.raises(PermissionDenied):
        get(personas.other_enterprise_secretary, meeting, MANAGE)


def test_invitee_may_answer_and_someone_not_invited_may_not(meeting, personas):
    assert get(personas.enterprise_secretary, meeting, ANSWER) == meeting
    invitation = meeting.invitations.get(user=personas.enterprise_secretary)
    assert permissions.invitation_get_for_user(user=fresh(personas.enterprise_secretary), invitation_id=invitation.pk)
    with pytest.raises(PermissionDenied):
        permissions.invitation_get_for_user(
            user=fresh(personas.other_enterprise_secretary), invitation_id=invitation.pk
        )
    with pytest.raises(PermissionDenied):
        get(personas.leader, meeting, ANSWER)


def test_managers_are_the_alliance_secretary_and_region_staff(meeting, personas):
    assert get(personas.secretary, meeting, MANAGE) == meeting
    assert get(personas.org_staff, meeting, MANAGE) == meeting
    assert get(personas.leader, meeting) == meeting
    with pytest.raises(PermissionDenied):
        get(personas.leader, meeting, MANAGE)
    with pytest.raises(PermissionDenied):
        get(personas.handler, meeting, MANAGE)


def test_a_seat_that_has_ended_manages_no_more(meeting, personas, world):
    seat = CommitteeSeat.objects.get(user=personas.secretary)
    org_services.seat_end(seat=seat, term_end=timezone.localdate() - dt.timedelta(days=1))
    # Still an invitee of this meeting (invited while in office), so they still see it.
    assert get(personas.secretary, meeting) == meeting
    with pytest.raises(PermissionDenied):
        get(personas.secretary, meeting, MANAGE)


def test_an_invited_department_sees_that_meeting_only(world, personas):
    department = factories.DepartmentFactory(name="济宁市工业和信息化局", region=world.city)
    city_handler = factories.UserFactory(username="city_handler", real_name="市工信局钱科长")
    org_services.department_add_handler(department=department, user=city_handler, system=True)
    invited = services.meeting_schedule(
        actor=personas.secretary,
        alliance=world.alliance,
        kind="consultation",
        title="专题协商会",
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        place_address="县政府三楼",
        invited_departments=[department],
    )
    not_invited = factories.MeetingFactory(alliance=world.alliance)
    assert get(city_handler, invited) == invited
    with pytest.raises(Http404):
        get(city_handler, not_invited)
    assert [m.pk for m in selectors.meeting_list(user=fresh(city_handler))] == [invited.pk]


def test_decision_and_attachment_helpers_follow_the_meeting(meeting, personas):
    decision = factories.DecisionFactory(meeting=meeting)
    assert permissions.decision_get_for_user(user=fresh(personas.secretary), decision_id=decision.pk, action=MANAGE)
    with pytest.raises(PermissionDenied):
        permissions.decision_get_for_user(
            user=fresh(personas.other_enterprise_secretary), decision_id=decision.pk, action=MANAGE
        )
    with pytest.raises(Http404):
        permissions.decision_get_for_user(user=fresh(personas.outsider), decision_id=decision.pk)
    with pytest.raises(Http404):
        permissions.attachment_get_for_user(user=fresh(personas.secretary), attachment_id=123456)


# -- selectors -----------------------------------------------------------------------------------
def test_region_list_for_org_staff_and_calendar_month(meeting, other_alliance, personas, world):
    foreign = factories.MeetingFactory(alliance=other_alliance[0])
    staff_list = list(selectors.meeting_list(user=fresh(personas.org_staff)))
    assert meeting in staff_list and foreign not in staff_list
    assert list(selectors.meeting_list(user=fresh(personas.outsider))) == []
    local = timezone.localtime(STARTS)
    month = selectors.alliance_meetings_in_month(alliance=world.alliance, year=local.year, month=local.month)
    assert list(month) == [meeting]
    next_month = (local.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert not selectors.alliance_meetings_in_month(
        alliance=world.alliance, year=next_month.year, month=next_month.month
    )


def test_my_meetings_lists_the_users_invitations(meeting, personas):
    mine = list(selectors.my_invitations(user=personas.enterprise_secretary, upcoming=True))
    assert [i.meeting for i in mine] == [meeting]
    assert not list(selectors.my_invitations(user=personas.outsider))


def test_meeting_detail_costs_the_same_whatever_its_size(world, personas, meeting):
    def queries_for(target):
        with CaptureQueriesContext(connection) as captured:
            detail = selectors.meeting_detail(user=fresh(personas.org_staff), meeting_id=target.pk)
            [(i.user, i.enterprise, i.department) for i in detail.invitations.all()]
            [(d.owner, d.owner_label) for d in detail.decisions.all()]
            list(detail.agenda_items.all()), list(detail.attachments.all()), list(detail.invited_departments.all())
            selectors.attendance_figures(detail)
        return len(captured)

    small = factories.MeetingFactory(alliance=world.alliance)
    factories.DecisionFactory(meeting=small)
    for _n in range(6):
        factories.DecisionFactory(meeting=meeting, owner_department=world.department)
        factories.AgendaItemFactory(meeting=meeting)
        enterprise = factories.EnterpriseFactory(region=world.county)
        Membership.objects.create(
            alliance=world.alliance, enterprise=enterprise, position="upstream", joined_on=dt.date(2024, 1, 1)
        )
        factories.InvitationFactory(meeting=meeting, enterprise=enterprise)
    assert queries_for(meeting) == queries_for(small)
