"""People managed where they work: org staff of the region, an alliance secretary for their
member enterprises' secretaries; nobody beyond their scope or above their own role."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from alliances import services as alliance_services
from alliances.models import CommitteeSeat
from alliances.people import services
from alliances.people.forms import affiliation_value
from chainparty.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


def create_payload(world, **extra):
    return {
        "real_name": "新任书记",
        "mobile": "13812345678",
        "email": "",
        "affiliation": f"enterprise:{world.member.pk}",
        "username": "",
        "credential": "link",
        **extra,
    }


@pytest.fixture
def yanzhou_staff(world):
    staff = factories.UserFactory(username="yz_staff", real_name="兖州组织部")
    alliance_services.region_grant(region=world.other_county, user=staff, manage=True, system=True)
    return staff


# -- the list and the page -----------------------------------------------------------------
def test_org_staff_list_people_of_their_region_only(world, personas, yanzhou_staff, client_for):
    foreign = factories.UserFactory(username="yz_sec", real_name="兖州书记")
    alliance_services.enterprise_grant_secretary(enterprise=world.outsider_enterprise, user=foreign, system=True)
    response = client_for(personas.org_staff).get(reverse("people_list"))
    assert response.status_code == 200
    listed = {row["person"] for row in response.context["rows"]}
    assert {personas.enterprise_secretary, personas.handler, personas.leader, personas.secretary} <= listed
    assert foreign not in listed and personas.outsider not in listed


def test_people_list_filters_and_a_fixed_query_budget(world, personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.org_staff)
    rows = client.get(reverse("people_list"), {"role": "handler"}).context["rows"]
    assert [row["person"] for row in rows] == [personas.handler]
    assert ("部门办理人", world.department.name) in rows[0]["roles"]
    personas.leader.is_active = False
    personas.leader.save()
    rows = client.get(reverse("people_list"), {"active": "0"}).context["rows"]
    assert [row["person"] for row in rows] == [personas.leader]
    for n in range(15):
        user = factories.UserFactory(username=f"many{n}")
        alliance_services.enterprise_grant_secretary(enterprise=world.member, user=user, system=True)
    with django_assert_max_num_queries(25):
        client.get(reverse("people_list"))


@pytest.mark.parametrize("persona", ["enterprise_secretary", "handler", "guide", "leader", "outsider"])
def test_people_pages_are_refused_to_who_manages_nobody(world, personas, client_for, persona):
    client = client_for(getattr(personas, persona))
    assert client.get(reverse("people_list")).status_code == 403
    assert client.get(reverse("person_create")).status_code == 403
    assert client.post(reverse("person_create"), create_payload(world)).status_code == 403
    assert not User.objects.filter(real_name="新任书记").exists()


def test_staff_of_another_region_get_404_for_a_person(world, personas, yanzhou_staff, client_for):
    client = client_for(yanzhou_staff)
    for name in ("person_detail", "person_edit"):
        assert client.get(reverse(name, args=[personas.handler.pk])).status_code == 404
    for name in ("person_reset", "person_deactivate"):
        assert client.post(reverse(name, args=[personas.handler.pk])).status_code == 404
    personas.handler.refresh_from_db()
    assert personas.handler.is_active


# -- creating a person ---------------------------------------------------------------------------
def test_org_staff_onboard_a_secretary_with_a_one_time_link(
    world, personas, client_for, client, django_capture_on_commit_callbacks
):
    staff = client_for(personas.org_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("person_create"), create_payload(world, email="xin@example.cn"))
    assert response.status_code == 200
    person = User.objects.get(real_name="新任书记")
    assert re.fullmatch(r"cp\d{6}", person.username) and not person.has_usable_password()
    assert person.affiliation_unit == world.member and person.affiliation == world.member.name
    link = response.context["reset_link"]
    assert link in response.content.decode() and response["Cache-Control"] == "no-store"
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body

    # the enterprise page grants the role to the new person
    page = staff.get(reverse("alliances:enterprise_detail", args=[world.member.pk]))
    assert person in page.context["grant_form"].fields["user"].queryset
    staff.post(reverse("alliances:enterprise_grant_secretary", args=[world.member.pk]), {"user": person.pk})
    assert person.has_perm("alliances.manage_enterprise", world.member)

    # the person sets a password through the link, once
    staff.logout()
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "Xin-Hua#2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new_password)
    again = client.get(path, follow=True)
    assert not again.context["validlink"]
    records = AuditLog.objects.filter(target_id=person.pk)
    assert records.filter(action=AuditLog.Action.ACCOUNT_CREATE, region_path=world.county.path).exists()
    assert records.filter(action=AuditLog.Action.PASSWORD_RESET, data__method="link").exists()
    assert records.filter(action=AuditLog.Action.GRANT).exists()


def test_a_temporary_password_must_be_changed_at_first_login(world, personas, client_for, client):
    response = client_for(personas.org_staff).post(
        reverse("person_create"), create_payload(world, credential="temporary", username="xin_sec")
    )
    password = response.context["temporary_password"]
    person = User.objects.get(username="xin_sec")
    assert person.check_password(password)
    client.logout()
    client.post(reverse("login"), {"username": "xin_sec", "password": password})
    page = client.get(reverse("alliances:alliance_list"))
    assert page.status_code == 302 and page.url.startswith(reverse("password_change"))
    new_password = "Xin-Hua#2027"
    done = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert client.get(reverse("alliances:alliance_list")).status_code == 200


def test_bad_input_saves_nothing(world, personas, client_for):
    client = client_for(personas.org_staff)
    bad_mobile = client.post(reverse("person_create"), create_payload(world, mobile="1381234abcd"))
    assert bad_mobile.status_code == 400 and "手机号码" in bad_mobile.content.decode()
    outside = client.post(
        reverse("person_create"), create_payload(world, affiliation=f"enterprise:{world.outsider_enterprise.pk}")
    )
    assert outside.status_code == 400
    taken = client.post(reverse("person_create"), create_payload(world, username="handler"))
    assert taken.status_code == 400 and "已被使用" in taken.content.decode()
    assert not User.objects.filter(real_name="新任书记").exists()


def test_service_refuses_an_affiliation_outside_the_actors_regions(world, personas, yanzhou_staff):
    with pytest.raises(ValidationError):
        services.person_create(actor=yanzhou_staff, real_name="甲", mobile="13812345678", affiliation_unit=world.member)


# -- alliance secretaries --------------------------------------------------------------------------
def test_an_alliance_secretary_onboards_a_member_enterprises_secretary(world, personas, client_for):
    client = client_for(personas.secretary)
    response = client.post(reverse("person_create"), create_payload(world))
    assert response.status_code == 200
    person = User.objects.get(real_name="新任书记")
    client.post(reverse("alliances:enterprise_grant_secretary", args=[world.member.pk]), {"user": person.pk})
    assert person.has_perm("alliances.manage_enterprise", world.member)
    # and manages that person's account
    assert client.post(reverse("person_deactivate", args=[person.pk])).status_code == 302
    person.refresh_from_db()
    assert not person.is_active


def test_an_alliance_secretary_cannot_reach_beyond_member_secretaries(world, personas, client_for):
    client = client_for(personas.secretary)
    # outside the members: 404 for the person; a department affiliation is not theirs to give
    assert client.get(reverse("person_detail", args=[personas.handler.pk])).status_code == 404
    dept = client.post(reverse("person_create"), create_payload(world, affiliation=f"department:{world.department.pk}"))
    assert dept.status_code == 400
    # granting on an enterprise that is not a member: 403 or 404
    response = client.post(
        reverse("alliances:enterprise_grant_secretary", args=[world.outsider_enterprise.pk]),
        {"user": personas.enterprise_secretary.pk},
    )
    assert response.status_code in (403, 404)
    assert not personas.enterprise_secretary.has_perm("alliances.manage_enterprise", world.outsider_enterprise)
    # a handler is not theirs to appoint
    assert (
        client.post(
            reverse("alliances:department_add_handler", args=[world.department.pk]), {"user": personas.handler.pk}
        ).status_code
        == 403
    )


def test_a_person_with_a_role_above_the_managers_is_visible_but_not_managed(world, personas, client_for):
    # the member enterprise's secretary also sits on the committee as deputy: not the secretary's to manage
    alliance_services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.DEPUTY,
        person_name="赵书记",
        user=personas.other_enterprise_secretary,
        enterprise=world.member,
        term_start=dt.date(2024, 1, 1),
        system=True,
    )
    client = client_for(personas.secretary)
    page = client.get(reverse("person_detail", args=[personas.other_enterprise_secretary.pk]))
    assert page.status_code == 200 and not page.context["can_manage"]
    refused = client.post(reverse("person_reset", args=[personas.other_enterprise_secretary.pk]))
    assert refused.status_code == 403
    # org staff of the county may: every role lies in their county
    staff = client_for(personas.org_staff)
    assert staff.post(reverse("person_reset", args=[personas.other_enterprise_secretary.pk])).status_code == 200


def test_staff_cannot_manage_platform_administrators_or_themselves(world, personas, client_for):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    alliance_services.region_grant(region=world.county, user=admin, manage=True, system=True)
    client = client_for(personas.org_staff)
    assert client.post(reverse("person_deactivate", args=[admin.pk])).status_code == 403
    assert client.post(reverse("person_deactivate", args=[personas.org_staff.pk])).status_code == 403


# -- deactivation, reactivation, edits ---------------------------------------------------------------
def test_deactivate_and_reactivate_are_audited(world, personas, client_for):
    client = client_for(personas.org_staff)
    client.post(reverse("person_deactivate", args=[personas.handler.pk]))
    personas.handler.refresh_from_db()
    assert not personas.handler.is_active
    client.post(reverse("person_reactivate", args=[personas.handler.pk]))
    personas.handler.refresh_from_db()
    assert personas.handler.is_active
    actions = list(AuditLog.objects.filter(target_id=personas.handler.pk).values_list("action", flat=True))
    assert AuditLog.Action.ACCOUNT_DEACTIVATE in actions and AuditLog.Action.ACCOUNT_ACTIVATE in actions


def test_a_deactivated_persons_sessions_end(world, personas, client, client_for):
    client.post(reverse("login"), {"username": "handler", "password": "Demo@2026"})
    assert client.get(reverse("profile")).status_code == 200
    from django.test import Client

    staff = Client()
    staff.force_login(personas.org_staff)
    staff.post(reverse("person_deactivate", args=[personas.handler.pk]))
    assert client.get(reverse("profile")).status_code == 302


def test_staff_edit_a_persons_details(world, personas, client_for):
    client = client_for(personas.org_staff)
    response = client.post(
        reverse("person_edit", args=[personas.handler.pk]),
        {
            "real_name": "刘科长",
            "mobile": "13900001111",
            "email": "",
            "affiliation": f"department:{world.department.pk}",
        },
    )
    assert response.status_code == 302
    personas.handler.refresh_from_db()
    assert personas.handler.real_name == "刘科长" and personas.handler.affiliation_unit == world.department


# -- grants on the enterprise and department pages ---------------------------------------------------
def test_org_staff_appoint_a_handler_on_the_department_page(world, personas, client_for):
    person = factories.UserFactory(username="new_handler")
    services.person_update(  # affiliated by an administrator: a person without a unit is nobody's
        actor=factories.UserFactory(username="root", is_superuser=True),
        person=person,
        real_name="新办理人",
        mobile="13700001111",
        affiliation_unit=world.department,
    )
    client = client_for(personas.org_staff)
    page = client.get(reverse("alliances:department_detail", args=[world.department.pk]))
    assert person in page.context["grant_form"].fields["user"].queryset
    client.post(reverse("alliances:department_add_handler", args=[world.department.pk]), {"user": person.pk})
    assert person.has_perm("alliances.handle_department", world.department)


def test_grants_refuse_a_person_outside_the_actors_reach(world, personas, yanzhou_staff, client_for):
    foreign = factories.UserFactory(username="yz_person")
    services.person_update(  # affiliated by an administrator: a person without a unit is nobody's
        actor=factories.UserFactory(username="root", is_superuser=True),
        person=foreign,
        real_name="兖州人员",
        mobile="13700002222",
        affiliation_unit=world.outsider_enterprise,
    )
    response = client_for(personas.org_staff).post(
        reverse("alliances:department_add_handler", args=[world.department.pk]), {"user": foreign.pk}, follow=True
    )
    assert any("人员" in str(m) for m in response.context["messages"])
    assert not foreign.has_perm("alliances.handle_department", world.department)
    with pytest.raises(PermissionDenied):
        alliance_services.department_add_handler(department=world.department, user=foreign, actor=yanzhou_staff)


def test_seat_assign_checks_candidates_and_rank_with_an_actor(world, personas):
    with pytest.raises(ValidationError):
        alliance_services.seat_assign(
            alliance=world.alliance,
            role=CommitteeSeat.Role.MEMBER_PARTTIME,
            person_name="无关",
            user=personas.outsider,
            enterprise=world.member,
            term_start=dt.date(2025, 1, 1),
            actor=personas.secretary,
        )
    liaison = personas.other_enterprise_secretary
    alliance_services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.LIAISON,
        person_name="赵",
        user=liaison,
        enterprise=world.member,
        term_start=dt.date(2024, 1, 1),
        actor=personas.secretary,
    )
    with pytest.raises(ValidationError, match="高于本人"):
        alliance_services.seat_assign(
            alliance=world.alliance,
            role=CommitteeSeat.Role.SECRETARY,
            person_name="李",
            user=personas.enterprise_secretary,
            enterprise=world.lead,
            term_start=dt.date(2025, 1, 1),
            actor=liaison,
        )
    # data loading (no actor) posts anyone, as load_demo does for a new alliance's first secretary
    alliance_services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.SECRETARY,
        person_name="系统",
        user=personas.outsider,
        enterprise=world.lead,
        term_start=dt.date(2025, 1, 1),
        system=True,
    )


# -- personal data ---------------------------------------------------------------------------------
def test_the_person_page_masks_the_mobile_for_who_has_no_need_to_know(world, personas, client_for):
    """An alliance secretary reaches a member enterprise's secretary on the people pages, but is
    not of their organisation: the number is masked (chainparty.privacy); org staff of the region
    read it in full."""
    person = personas.other_enterprise_secretary
    person.mobile = "13912345678"
    person.save(update_fields=["mobile"])
    url = reverse("person_detail", args=[person.pk])
    masked = client_for(personas.secretary).get(url).content.decode()
    assert "139****5678" in masked and "13912345678" not in masked
    assert "13912345678" in client_for(personas.org_staff).get(url).content.decode()


def test_the_edit_form_does_not_hand_the_full_mobile_to_who_may_not_read_it(world, personas, client_for):
    """The alliance secretary may edit a member enterprise's secretary's account but reads their
    number masked on the person page: the edit form must not prefill it in full either."""
    person = personas.other_enterprise_secretary
    person.mobile = "13912345678"
    person.save(update_fields=["mobile"])
    url = reverse("person_edit", args=[person.pk])
    secretary = client_for(personas.secretary)
    response = secretary.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "13912345678" not in page and "139****5678" in page
    # Left empty, the number on file stays; a new one replaces it.
    affiliation = affiliation_value(person.affiliation_unit) or f"enterprise:{world.member.pk}"
    payload = {"real_name": person.real_name, "mobile": "", "email": "", "affiliation": affiliation}
    assert secretary.post(url, payload).status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13912345678"
    assert "13912345678" in client_for(personas.org_staff).get(url).content.decode()


def test_an_affiliation_id_in_other_digits_is_refused_not_a_500(world, personas, client_for):
    response = client_for(personas.org_staff).post(
        reverse("person_create"), create_payload(world, affiliation="enterprise:²")
    )
    assert response.status_code == 400
    assert not User.objects.filter(real_name="新任书记").exists()
