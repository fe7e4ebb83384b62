"""Issue 10 §2.7: a person's mobile number is shown in full only to those with a need to know
(the person, their own organisation, the staff of their region, the counterpart on a need they
share, platform administrators) and masked (138****1234) to everyone else: on the department page
that used to show every handler's number to every persona, on the need and enterprise pages, and
in the API."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from alliances import services
from alliances.models import Membership
from chainparty import privacy, roles
from demands.models import Need
from demands.services import filing, workflow
from tests import factories

pytestmark = pytest.mark.django_db

HANDLER_MOBILE = "13912345678"
HANDLER_MASKED = "139****5678"
CONTACT = "13800001111"
CONTACT_MASKED = "138****1111"
ENTERPRISE_PHONE = "05377212345"


def test_masking():
    assert privacy.mask_phone("13812341234") == "138****1234"
    assert privacy.mask_phone("0537-7212345") == "053*****2345"
    assert privacy.mask_phone("12345") == "*****"
    assert privacy.mask_phone("") == ""


@pytest.fixture
def handler(world, personas):
    personas.handler.mobile = HANDLER_MOBILE
    personas.handler.save(update_fields=["mobile"])
    return personas.handler


@pytest.fixture
def shared_need(world, personas, handler):
    """world.lead's need, taken by the alliance and dispatched to the handler's department."""
    need = filing.need_file(
        actor=personas.enterprise_secretary,
        enterprise=world.lead,
        category=Need.Category.LABOR,
        title="缺少熟练缝纫工",
        description="旺季订单增加，缺熟练缝纫工30名。",
        urgency=Need.Urgency.NORMAL,
        contact_name="李书记",
        contact_phone=CONTACT,
    )
    need = workflow.need_accept(need=need, actor=personas.secretary)
    return workflow.need_dispatch(need=need, actor=personas.secretary, lead_department=world.department)


def _department_page(client_for, user, world):
    response = client_for(user).get(reverse("alliances:department_detail", args=[world.department.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "full"),
    [
        ("handler", True),  # their own number
        ("org_staff", True),  # staff of the region the handler works in
        ("enterprise_secretary", True),  # the counterpart on the need dispatched to the department
        ("secretary", True),  # the alliance's secretary, who dispatched it
        ("other_enterprise_secretary", False),  # a member enterprise with no need shared
        ("leader", False),  # reads the region, has no need to know
        ("guide", False),
    ],
)
def test_the_department_page_shows_a_handler_number_to_those_with_a_need_to_know(
    world, personas, client_for, shared_need, persona, full
):
    page = _department_page(client_for, getattr(personas, persona), world)
    assert "人社局刘科员" in page
    if full:
        assert HANDLER_MOBILE in page
    else:
        assert HANDLER_MOBILE not in page and HANDLER_MASKED in page


def test_without_a_shared_need_an_enterprise_sees_the_number_masked(world, personas, client_for, handler):
    page = _department_page(client_for, personas.enterprise_secretary, world)
    assert HANDLER_MOBILE not in page and HANDLER_MASKED in page


def test_colleagues_and_platform_administrators_see_it(world, personas, client_for, handler):
    colleague = factories.UserFactory(username="handler2", real_name="人社局王科员")
    services.department_add_handler(department=world.department, user=colleague, system=True)
    assert HANDLER_MOBILE in _department_page(client_for, colleague, world)
    admin = factories.UserFactory(username="platform")
    admin.groups.add(Group.objects.get_or_create(name=roles.PLATFORM_ADMIN_GROUP)[0])
    assert privacy.phone_for_viewer(viewer=admin, person=handler) == HANDLER_MOBILE


def test_staff_of_another_county_see_it_masked(world, handler):
    other_staff = factories.UserFactory(username="yz_staff")
    services.region_grant(region=world.other_county, user=other_staff, manage=True, system=True)
    assert privacy.phone_for_viewer(viewer=other_staff, person=handler) == HANDLER_MASKED
    city_staff = factories.UserFactory(username="city_staff")
    services.region_grant(region=world.city, user=city_staff, manage=True, system=True)
    assert privacy.phone_for_viewer(viewer=city_staff, person=handler) == HANDLER_MOBILE


def test_the_counterpart_sees_the_enterprise_secretary_number(world, personas, shared_need):
    personas.enterprise_secretary.mobile = "13700002222"
    personas.enterprise_secretary.save(update_fields=["mobile"])
    secretary = personas.enterprise_secretary
    assert privacy.phone_for_viewer(viewer=personas.handler, person=secretary) == "13700002222"
    assert privacy.phone_for_viewer(viewer=personas.other_enterprise_secretary, person=secretary) == "137****2222"
    assert privacy.phone_for_viewer(viewer=personas.outsider, person=secretary) == "137****2222"


def test_numbers_for_a_list_take_a_fixed_number_of_queries(world, personas, shared_need, django_assert_max_num_queries):
    people = [factories.UserFactory(username=f"p{i}", mobile=f"1390000000{i}") for i in range(8)]
    for person in people:
        services.department_add_handler(department=world.department, user=person, system=True)
    viewer = personas.enterprise_secretary
    with django_assert_max_num_queries(12):
        phones = privacy.phones_for_viewer(viewer=viewer, people=people)
    assert set(phones.values()) == {f"1390000000{i}" for i in range(8)}  # handlers of the need's department


# -- contact numbers on a need and an enterprise --------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "full"),
    [
        ("enterprise_secretary", True),
        ("secretary", True),
        ("handler", True),
        ("org_staff", True),
        ("leader", False),
        ("guide", False),
    ],
)
def test_a_need_contact_number(world, personas, client_for, shared_need, persona, full):
    client = client_for(getattr(personas, persona))
    page = client.get(shared_need.get_absolute_url())
    assert page.status_code == 200
    api = client.get(f"/api/needs/{shared_need.pk}/")
    assert api.status_code == 200
    shown = CONTACT if full else CONTACT_MASKED
    assert api.json()["contact_phone"] == shown
    assert shown in page.content.decode()
    if not full:
        assert CONTACT not in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "full"),
    [("enterprise_secretary", True), ("secretary", True), ("org_staff", True), ("leader", False)],
)
def test_an_enterprise_contact_number(world, personas, client_for, persona, full):
    world.lead.contact_phone = ENTERPRISE_PHONE
    world.lead.save(update_fields=["contact_phone"])
    client = client_for(getattr(personas, persona))
    page = client.get(world.lead.get_absolute_url())
    assert page.status_code == 200
    shown = ENTERPRISE_PHONE if full else "053****2345"
    assert shown in page.content.decode()
    assert client.get(f"/api/enterprises/{world.lead.pk}/").json()["contact_phone"] == shown


def test_a_former_member_alliance_manager_sees_an_enterprise_contact_masked(world, personas):
    world.member.contact_phone = ENTERPRISE_PHONE
    world.member.save(update_fields=["contact_phone"])
    viewer = personas.secretary
    assert privacy.contact_phone_for_viewer(viewer=viewer, obj=world.member) == ENTERPRISE_PHONE
    Membership.objects.filter(enterprise=world.member).update(left_on="2024-01-01")
    viewer = type(viewer).objects.get(pk=viewer.pk)  # a new request
    assert privacy.contact_phone_for_viewer(viewer=viewer, obj=world.member) == "053****2345"
