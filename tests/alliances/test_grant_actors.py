"""Every grant names who grants it (review finding 2): the grant services refuse to run without an
actor unless the platform's own code says `system=True`, and `region_grant` checks the actor like
the other grants: nobody gives a role above their own or outside their regions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alliances import services
from alliances.access import scope_for
from alliances.models import CommitteeSeat, Department, Region
from chainparty import roles
from tests import factories

pytestmark = pytest.mark.django_db


def _calls(world, person):
    return {
        "enterprise_grant_secretary": lambda **who: services.enterprise_grant_secretary(
            enterprise=world.member, user=person, **who
        ),
        "department_add_handler": lambda **who: services.department_add_handler(
            department=world.department, user=person, **who
        ),
        "department_remove_handler": lambda **who: services.department_remove_handler(
            department=world.department, user=person, **who
        ),
        "region_grant": lambda **who: services.region_grant(region=world.county, user=person, manage=True, **who),
        "seat_assign": lambda **who: services.seat_assign(
            alliance=world.alliance,
            role=CommitteeSeat.Role.LIAISON,
            person_name="某人",
            user=person,
            enterprise=world.member,
            term_start=dt.date(2026, 1, 1),
            **who,
        ),
    }


@pytest.mark.parametrize(
    "grant",
    [
        "enterprise_grant_secretary",
        "department_add_handler",
        "department_remove_handler",
        "region_grant",
        "seat_assign",
    ],
)
def test_a_grant_without_an_actor_is_refused_unless_the_platform_says_so(world, personas, grant):
    person = factories.UserFactory(username="newcomer")
    call = _calls(world, person)[grant]
    with pytest.raises(TypeError):
        call()
    with pytest.raises(TypeError):
        call(actor=personas.org_staff, system=True)
    assert not person.get_all_permissions() and not CommitteeSeat.objects.filter(user=person).exists()
    call(system=True)


def _county_person(world, username="newcomer"):
    person = factories.UserFactory(username=username)
    person.affiliation_unit = world.department
    person.save()
    return person


def test_staff_grant_their_own_regions_roles_to_people_they_reach(world, personas):
    person = _county_person(world)
    services.region_grant(region=world.county, user=person, manage=False, actor=personas.org_staff)
    assert scope_for(person).is_leader


@pytest.mark.parametrize("region", ["city", "other_county"])
def test_staff_may_not_grant_a_region_above_or_beside_their_own(world, personas, region):
    person = _county_person(world)
    with pytest.raises(PermissionDenied):
        services.region_grant(region=getattr(world, region), user=person, manage=True, actor=personas.org_staff)
    assert not Region.objects.filter(regionuserobjectpermission__user=person).exists()


@pytest.mark.parametrize("persona", ["leader", "secretary", "enterprise_secretary", "handler", "outsider"])
def test_who_does_not_manage_the_region_grants_nothing_there(world, personas, persona):
    person = _county_person(world)
    with pytest.raises(PermissionDenied):
        services.region_grant(region=world.county, user=person, manage=False, actor=getattr(personas, persona))
    assert not scope_for(person).is_leader


def test_staff_may_not_grant_to_someone_they_do_not_reach(world, personas):
    stranger = factories.UserFactory(username="stranger")
    with pytest.raises(ValidationError):
        services.region_grant(region=world.county, user=stranger, manage=True, actor=personas.org_staff)


def test_a_platform_administrator_grants_any_region(world, personas):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    person = _county_person(world)
    services.region_grant(region=world.city, user=person, manage=True, actor=admin)
    assert person.has_perm(f"alliances.{roles.MANAGE_REGION}", world.city)


def test_only_who_may_give_the_handler_role_takes_it_back(world, personas):
    with pytest.raises(PermissionDenied):
        services.department_remove_handler(
            department=world.department, user=personas.handler, actor=personas.enterprise_secretary
        )
    assert Department.objects.filter(pk=world.department.pk).exists()
    assert personas.handler.has_perm(f"alliances.{roles.HANDLE_DEPARTMENT}", world.department)
    services.department_remove_handler(department=world.department, user=personas.handler, actor=personas.org_staff)
    personas.handler = type(personas.handler).objects.get(pk=personas.handler.pk)
    assert not personas.handler.has_perm(f"alliances.{roles.HANDLE_DEPARTMENT}", world.department)
