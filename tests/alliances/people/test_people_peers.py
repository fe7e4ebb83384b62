"""Staff may not reset the password of, deactivate or reactivate a fellow staff member of the same
region, staff above them or anyone with a platform role (review finding): the people pages use the
rule the second factor's removal uses (`chainparty.security.scope.stands_above`), in the views (403)
and in the services. Staff of a region above and platform administrators may."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alliances import people
from alliances import services as alliance_services
from alliances.people import services
from chainparty.models import AuditLog
from chainparty.security import otp
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_of(world):
    def make(region, username):
        person = factories.UserFactory(username=username, real_name=username)
        alliance_services.region_grant(region=getattr(world, region), user=person, manage=True, system=True)
        return person

    return make


ACTIONS = [
    ("person_reset", {"method": "temporary"}),
    ("person_reset", {"method": "link"}),
    ("person_deactivate", {}),
    ("person_reactivate", {}),
]


@pytest.mark.parametrize(("name", "data"), ACTIONS)
@pytest.mark.parametrize("target", ["peer", "above"])
def test_staff_may_not_reset_or_deactivate_a_peer_or_staff_above(
    world, personas, staff_of, client_for, name, data, target
):
    person = staff_of("county" if target == "peer" else "city", f"{target}_staff")
    password, active = person.password, person.is_active
    client = client_for(personas.org_staff)
    # A peer is reached (their region is the actor's): 403. Staff above are not even reached: 404.
    assert client.post(reverse(name, args=[person.pk]), data).status_code == (403 if target == "peer" else 404)
    person.refresh_from_db()
    assert (person.password, person.is_active) == (password, active)
    assert not AuditLog.objects.filter(target_id=person.pk, action=AuditLog.Action.PASSWORD_RESET).exists()
    page = client.get(reverse("person_detail", args=[person.pk]))
    assert page.status_code in (200, 404)
    assert page.status_code == 404 or not page.context["can_manage"]


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, person: services.password_set_temporary(actor=actor, person=person),
        lambda actor, person: services.password_reset_link(actor=actor, person=person, base_url="http://testserver"),
        lambda actor, person: services.person_deactivate(actor=actor, person=person),
        lambda actor, person: services.person_reactivate(actor=actor, person=person),
        lambda actor, person: services.person_update(
            actor=actor,
            person=person,
            real_name="改名",
            mobile=person.mobile,
            affiliation_unit=person.affiliation_unit,
        ),
    ],
)
def test_the_services_refuse_a_peer_too(world, personas, staff_of, call):
    peer = staff_of("county", "peer_staff")
    with pytest.raises(PermissionDenied):
        call(personas.org_staff, peer)
    peer.refresh_from_db()
    assert peer.is_active and peer.real_name != "改名"
    assert not AuditLog.objects.filter(target_id=peer.pk, action=AuditLog.Action.PASSWORD_RESET).exists()


def test_a_person_with_no_role_outside_the_staffs_reach_is_not_theirs_to_manage(world, personas):
    """No role anywhere is not "every role within my regions": someone affiliated with another
    county is out of reach for the county's staff, in the services as on the pages."""
    from alliances import people

    elsewhere = factories.UserFactory(username="yanzhou_person", real_name="兖州某人")
    services.person_update(
        actor=factories.UserFactory(is_superuser=True, username="root"),
        person=elsewhere,
        real_name="兖州某人",
        mobile="",
        affiliation_unit=world.other_department,
    )
    assert not people.may_manage_person(personas.org_staff, elsewhere)
    with pytest.raises(PermissionDenied):
        services.password_set_temporary(actor=personas.org_staff, person=elsewhere)
    with pytest.raises(PermissionDenied):
        services.person_update(
            actor=personas.org_staff,
            person=elsewhere,
            real_name="改名",
            mobile="",
            affiliation_unit=world.other_department,
        )


def test_staff_above_reset_deactivate_and_reactivate_a_county_staff_member(world, personas, staff_of, client_for):
    city_staff = staff_of("city", "city_staff")
    county_staff = personas.org_staff
    client = client_for(city_staff)
    response = client.post(reverse("person_reset", args=[county_staff.pk]), {"method": "temporary"})
    assert response.status_code == 200
    assert AuditLog.objects.filter(target_id=county_staff.pk, action=AuditLog.Action.PASSWORD_RESET).exists()
    client.post(reverse("person_deactivate", args=[county_staff.pk]))
    county_staff.refresh_from_db()
    assert not county_staff.is_active
    client.post(reverse("person_reactivate", args=[county_staff.pk]))
    county_staff.refresh_from_db()
    assert county_staff.is_active


def test_a_platform_administrator_manages_staff_of_any_region(world, personas, staff_of, client_for):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    city_staff = staff_of("city", "city_staff")
    client = client_for(admin)
    assert client.post(reverse("person_reset", args=[city_staff.pk]), {"method": "temporary"}).status_code == 200
    client.post(reverse("person_deactivate", args=[city_staff.pk]))
    city_staff.refresh_from_db()
    assert not city_staff.is_active


def test_staff_still_manage_the_people_below_them(world, personas, client_for):
    client = client_for(personas.org_staff)
    assert client.post(reverse("person_reset", args=[personas.handler.pk]), {"method": "temporary"}).status_code == 200
    client.post(reverse("person_deactivate", args=[personas.handler.pk]))
    personas.handler.refresh_from_db()
    assert not personas.handler.is_active


@pytest.mark.parametrize("target", ["peer", "above", "below", "handler", "platform"])
def test_one_rule_for_the_people_pages_and_the_second_factor(world, personas, staff_of, target):
    """Whom county staff may manage is whom they may remove a second factor from (both reach them)."""
    person = {
        "peer": lambda: staff_of("county", "peer_staff"),
        "above": lambda: staff_of("city", "city_staff"),
        "below": lambda: personas.org_staff,
        "handler": lambda: personas.handler,
        "platform": lambda: factories.UserFactory(username="ops", is_staff=True),
    }[target]()
    actor = staff_of("city", "city_actor") if target == "below" else personas.org_staff
    expected = target in ("below", "handler")
    assert otp.may_remove_second_factor(actor, person) is expected
    assert people.may_manage_person(actor, person) is expected
