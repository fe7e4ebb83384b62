"""Who is told: the recipient lookups in alliances.selectors, used by every notification fan-out.
Each takes many ids for one query and lists only active people whose right holds today."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from alliances import selectors, services
from alliances.models import CommitteeSeat
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI), tick=False)


def _deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


def _seat(world, user, role, *, start=dt.date(2024, 1, 1), end=None, alliance=None, enterprise=None):
    return services.seat_assign(
        alliance=alliance or world.alliance,
        role=role,
        person_name=user.real_name or user.username,
        user=user,
        enterprise=enterprise or world.member,
        term_start=start,
        term_end=end,
        system=True,
    )


@pytest.fixture
def other_alliance(world):
    """A second alliance, in the other county, with its own secretary."""
    alliance = services.alliance_create(
        name="兖州区农机装备产业链党委",
        chain="农机装备",
        region=world.other_county,
        founded_on=dt.date(2023, 9, 1),
        lead_enterprise=world.outsider_enterprise,
    )
    secretary = factories.UserFactory(username="other_sec")
    _seat(world, secretary, CommitteeSeat.Role.SECRETARY, alliance=alliance, enterprise=world.outsider_enterprise)
    return alliance, secretary


# -- alliance_managers ---------------------------------------------------------------------------
def test_alliance_managers_are_the_managing_seats_in_force_today(world, personas, other_alliance):
    alliance, other_secretary = other_alliance
    deputy, liaison, member, ended, future, inactive = factories.UserFactory.create_batch(6)
    _seat(world, deputy, CommitteeSeat.Role.DEPUTY)
    _seat(world, liaison, CommitteeSeat.Role.LIAISON)
    _seat(world, member, CommitteeSeat.Role.MEMBER_FULLTIME)
    _seat(world, inactive, CommitteeSeat.Role.DEPUTY)
    _deactivate(inactive)
    with _on(dt.date(2026, 6, 1)):
        _seat(world, ended, CommitteeSeat.Role.DEPUTY, end=dt.date(2026, 5, 31))
        _seat(world, future, CommitteeSeat.Role.LIAISON, start=dt.date(2026, 6, 2))
        found = selectors.alliance_managers([world.alliance.pk, alliance.pk])

    assert set(found[world.alliance.pk]) == {personas.secretary, deputy, liaison}
    assert found[alliance.pk] == [other_secretary]


def test_alliance_managers_follow_the_term_dates(world):
    user = factories.UserFactory()
    with _on(dt.date(2026, 5, 20)):
        _seat(world, user, CommitteeSeat.Role.LIAISON, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))

    def managers_on(day):
        with _on(day):
            return selectors.alliance_managers([world.alliance.pk]).get(world.alliance.pk, [])

    assert user not in managers_on(dt.date(2026, 5, 31))
    assert user in managers_on(dt.date(2026, 6, 1))
    assert user in managers_on(dt.date(2026, 6, 30))
    assert user not in managers_on(dt.date(2026, 7, 1))


def test_alliance_managers_list_a_person_with_two_seats_once(world, personas):
    _seat(world, personas.secretary, CommitteeSeat.Role.LIAISON)
    assert selectors.alliance_managers([world.alliance.pk])[world.alliance.pk] == [personas.secretary]


def test_alliance_without_managers_is_absent(world):
    assert selectors.alliance_managers([world.alliance.pk]) == {}


# -- enterprise_secretaries ----------------------------------------------------------------------
def test_enterprise_secretaries_by_enterprise(world, personas):
    inactive = factories.UserFactory()
    services.enterprise_grant_secretary(enterprise=world.lead, user=inactive, system=True)
    _deactivate(inactive)
    found = selectors.enterprise_secretaries([world.lead.pk, world.member.pk, world.outsider_enterprise.pk])
    assert found == {
        world.lead.pk: [personas.enterprise_secretary],
        world.member.pk: [personas.other_enterprise_secretary],
    }


def test_enterprise_secretaries_are_not_alliance_managers_or_handlers(world, personas):
    found = selectors.enterprise_secretaries([world.lead.pk])
    assert personas.secretary not in found[world.lead.pk]  # a seat from the lead enterprise is not the grant
    assert personas.handler not in found[world.lead.pk]


# -- department_handlers -------------------------------------------------------------------------
def test_department_handlers_by_department(world, personas):
    other_handler, removed, inactive = factories.UserFactory.create_batch(3)
    services.department_add_handler(department=world.other_department, user=other_handler, system=True)
    services.department_add_handler(department=world.department, user=removed, system=True)
    services.department_remove_handler(department=world.department, user=removed, system=True)
    services.department_add_handler(department=world.department, user=inactive, system=True)
    _deactivate(inactive)
    found = selectors.department_handlers([world.department.pk, world.other_department.pk])
    assert found == {world.department.pk: [personas.handler], world.other_department.pk: [other_handler]}


def test_is_department_handler_asks_about_one_active_handler(world, personas):
    removed, inactive = factories.UserFactory.create_batch(2)
    services.department_add_handler(department=world.department, user=removed, system=True)
    services.department_remove_handler(department=world.department, user=removed, system=True)
    services.department_add_handler(department=world.department, user=inactive, system=True)
    _deactivate(inactive)
    inactive.refresh_from_db()
    assert selectors.is_department_handler(user=personas.handler, department_id=world.department.pk)
    assert not selectors.is_department_handler(user=personas.handler, department_id=world.other_department.pk)
    assert not selectors.is_department_handler(user=removed, department_id=world.department.pk)
    assert not selectors.is_department_handler(user=inactive, department_id=world.department.pk)


def test_department_page_lists_the_active_handlers_in_a_stable_order(world, personas, client_for):
    """The department page and the dispatch form ask the same lookup (it used to be written twice)."""
    second = factories.UserFactory(real_name="人社局第二办理人")
    inactive = factories.UserFactory(real_name="已停用办理人")
    for user in (second, inactive):
        services.department_add_handler(department=world.department, user=user, system=True)
    _deactivate(inactive)
    html = client_for(personas.org_staff).get(reverse("alliances:department_detail", args=[world.department.pk]))
    html = html.content.decode()
    assert personas.handler.real_name in html and second.real_name in html
    assert html.index(personas.handler.real_name) < html.index(second.real_name)
    assert inactive.real_name not in html


# -- region_staff --------------------------------------------------------------------------------
def test_region_staff_manage_the_region_directly(world, personas):
    city_staff, other_staff, inactive = factories.UserFactory.create_batch(3)
    services.region_grant(region=world.city, user=city_staff, manage=True, system=True)
    services.region_grant(region=world.other_county, user=other_staff, manage=True, system=True)
    services.region_grant(region=world.county, user=inactive, manage=True, system=True)
    _deactivate(inactive)
    found = selectors.region_staff([world.county.pk, world.other_county.pk, world.city.pk])
    # Leaders only view the region: they are not told; staff of the city are listed under the city only.
    assert found == {
        world.county.pk: [personas.org_staff],
        world.other_county.pk: [other_staff],
        world.city.pk: [city_staff],
    }


# -- cost ----------------------------------------------------------------------------------------
def test_each_lookup_is_one_query_whatever_the_number_of_ids(world, personas, django_assert_num_queries):
    extra = factories.DepartmentFactory.create_batch(5, region=world.county)
    for department in extra:
        services.department_add_handler(department=department, user=factories.UserFactory(), system=True)
    calls = (
        (selectors.alliance_managers, [world.alliance.pk]),
        (selectors.enterprise_secretaries, [world.lead.pk, world.member.pk]),
        (selectors.department_handlers, [world.department.pk, *(d.pk for d in extra)]),
        (selectors.region_staff, [world.county.pk, world.city.pk]),
    )
    for lookup, ids in calls:
        with django_assert_num_queries(1):
            found = lookup(ids)
        assert found, lookup.__name__
    with django_assert_num_queries(1):
        assert len(selectors.department_handlers(d.pk for d in [world.department, *extra])) == 6
