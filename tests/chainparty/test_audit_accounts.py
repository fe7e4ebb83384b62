"""Account changes are audited wherever they are made (admin, shell): created, deactivated,
reactivated, password changed, profile changed, platform-wide roles granted and revoked; never the
password or its hash. Records about a person land in the region of the person's roles."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission, update_last_login
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from alliances import services
from alliances.models import CommitteeSeat
from chainparty import audit, roles
from chainparty.models import AuditLog, User
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditLog.Action
ADDRESS = "203.0.113.9"
NEW_PASSWORD = "Zhong-Guo#2026-xyz"


@pytest.fixture
def baseline(db):
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def written(baseline, action=None):
    """Records written by the test (the fixtures write records of their own)."""
    records = AuditLog.objects.filter(id__gt=baseline).order_by("id")
    return list(records.filter(action=action) if action else records)


@pytest.fixture
def acting(personas):
    """Run as a platform administrator from ADDRESS, as the middleware binds a real request."""
    admin = factories.UserFactory(username="root_admin", real_name="平台管理员甲", is_superuser=True, is_staff=True)
    request = RequestFactory().post("/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="Firefox/140")
    request.user = admin
    with audit.bound_request(request):
        yield admin


@pytest.fixture
def admin_client(client, acting):
    client.force_login(acting)
    return client


def assert_hash_absent(user, baseline):
    for entry in written(baseline):
        text = str(entry.__dict__)
        assert user.password not in text and NEW_PASSWORD not in text


# -- created, deactivated, reactivated -------------------------------------------------------
def test_creating_an_account_is_recorded_with_who_created_it(acting, baseline):
    user = User.objects.create_user(username="new_clerk", password=NEW_PASSWORD, real_name="新文员")

    [entry] = written(baseline)
    assert entry.action == Action.ACCOUNT_CREATE
    assert entry.target == user and entry.target_repr == "新文员"
    assert entry.actor == acting and entry.ip_address == ADDRESS
    assert entry.region_path == ""  # no role yet: platform administrators only
    assert_hash_absent(user, baseline)


def test_deactivating_and_reactivating_are_recorded_in_the_persons_region(world, personas, acting, baseline):
    person = personas.enterprise_secretary
    person.is_active = False
    person.save()
    person.is_active = True
    person.save(update_fields=["is_active"])

    deactivated, activated = written(baseline)
    assert deactivated.action == Action.ACCOUNT_DEACTIVATE and activated.action == Action.ACCOUNT_ACTIVATE
    for entry in (deactivated, activated):
        assert entry.target == person and entry.actor == acting and entry.region_path == world.county.path


def test_a_save_that_changes_nothing_audited_records_nothing(personas, acting, baseline, django_assert_num_queries):
    person = User.objects.get(pk=personas.handler.pk)
    with django_assert_num_queries(2):  # the stored row, then the update
        person.save()

    assert written(baseline) == []


def test_profile_and_superuser_changes_name_the_fields_not_the_values(world, personas, acting, baseline):
    person = personas.org_staff
    person.mobile = "13912345678"
    person.is_superuser = True
    person.save()

    [entry] = written(baseline)
    assert entry.action == Action.ACCOUNT_UPDATE
    assert entry.data == {"changed": "手机号码、超级用户状态"}
    assert "13912345678" not in str(entry.__dict__)
    assert entry.region_path == world.county.path


# -- passwords -------------------------------------------------------------------------------
def test_set_password_and_save_records_a_password_change_without_the_hash(world, personas, acting, baseline):
    person = personas.handler
    person.set_password(NEW_PASSWORD)
    person.save()

    [entry] = written(baseline)
    assert entry.action == Action.PASSWORD_CHANGE
    assert entry.target == person and entry.actor == acting and entry.data == {}
    assert entry.region_path == world.county.path
    assert_hash_absent(person, baseline)


def test_password_changed_in_the_admin_is_recorded(world, personas, admin_client, acting, baseline):
    person = personas.enterprise_secretary
    url = reverse("admin:auth_user_password_change", args=[person.pk])

    response = admin_client.post(
        url,
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        REMOTE_ADDR="198.51.100.5",
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    [entry] = written(baseline, Action.PASSWORD_CHANGE)
    assert entry.target == person and entry.actor == acting and entry.ip_address == "198.51.100.5"
    assert entry.region_path == world.county.path
    assert_hash_absent(person, baseline)


def test_the_login_stamp_is_not_recorded_and_costs_no_extra_query(personas, baseline, django_assert_num_queries):
    person = personas.outsider
    with django_assert_num_queries(1):  # the UPDATE of last_login, nothing else
        update_last_login(None, person)

    assert written(baseline) == []


def test_upgrading_a_hash_at_sign_in_is_not_a_password_change(personas, settings, client):
    person = personas.outsider
    person.set_password(NEW_PASSWORD)
    person.save()
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    stored = User.objects.get(pk=person.pk).password
    baseline = AuditLog.objects.latest("id").id

    client.post(reverse("login"), {"username": "outsider", "password": NEW_PASSWORD})

    assert User.objects.get(pk=person.pk).password != stored  # the hash was upgraded, silently:
    assert [entry.action for entry in written(baseline)] == [Action.LOGIN]


# -- platform-wide roles ---------------------------------------------------------------------
def test_platform_roles_granted_and_revoked_with_their_chinese_names(world, personas, acting, baseline):
    person = personas.org_staff
    admins = Group.objects.get(name=roles.PLATFORM_ADMIN_GROUP)
    viewers = Group.objects.get(name=roles.GLOBAL_VIEWER_GROUP)

    person.groups.add(admins)
    viewers.user_set.add(person)  # from the group's side, as the admin's group page would
    person.groups.remove(admins)
    person.groups.clear()

    entries = written(baseline)
    assert [(entry.action, entry.data["role"]) for entry in entries] == [
        (Action.GRANT, "平台管理员"),
        (Action.GRANT, "全局只读"),
        (Action.REVOKE, "平台管理员"),
        (Action.REVOKE, "全局只读"),
    ]
    for entry in entries:
        assert entry.target == person and entry.actor == acting
        assert entry.region_path == world.county.path
        assert entry.data["object"] == "全平台"


def test_groups_and_activation_changed_in_the_admins_user_form_are_recorded(
    world, personas, admin_client, acting, baseline
):
    person = personas.enterprise_secretary
    admins = Group.objects.get(name=roles.PLATFORM_ADMIN_GROUP)
    permission = Permission.objects.get(codename="change_user")
    data = {
        "username": person.username,
        "real_name": person.real_name,
        "email": person.email,
        "first_name": "",
        "last_name": "",
        "mobile": "",
        "affiliation": "",
        "is_staff": "on",
        "groups": [admins.pk],
        "user_permissions": [permission.pk],
        "date_joined_0": "2024-01-01",
        "date_joined_1": "08:00:00",
    }  # is_active left out: unticked

    response = admin_client.post(reverse("admin:chainparty_user_change", args=[person.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entries = written(baseline)
    assert {entry.action for entry in entries} == {Action.ACCOUNT_DEACTIVATE, Action.ACCOUNT_UPDATE, Action.GRANT}
    grants = {entry.data["permission"] for entry in entries if entry.action == Action.GRANT}
    assert grants == {roles.PLATFORM_ADMIN_GROUP, "chainparty.change_user"}
    update = next(entry for entry in entries if entry.action == Action.ACCOUNT_UPDATE)
    assert update.data == {"changed": "工作人员状态"}
    for entry in entries:
        assert entry.target == person and entry.actor == acting and entry.region_path == world.county.path


# -- one transaction -------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_change_whose_record_fails_is_not_saved_even_outside_a_transaction():
    person = factories.UserFactory(username="autocommit_user")
    assert transaction.get_autocommit()
    person.is_active = False
    with mock.patch.object(audit, "record", side_effect=RuntimeError("audit down")), pytest.raises(RuntimeError):
        person.save()

    assert User.objects.get(pk=person.pk).is_active


# -- where a person belongs ------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["org_staff", "leader", "secretary", "enterprise_secretary", "handler", "guide"])
def test_a_person_belongs_to_the_region_of_their_role(world, personas, persona, django_assert_num_queries):
    person = getattr(personas, persona)
    with django_assert_num_queries(1):
        assert audit.person_region_path(person) == world.county.path


def test_a_person_without_a_role_belongs_nowhere(personas):
    assert audit.person_region_path(personas.outsider) == ""


def test_roles_in_two_counties_place_the_person_in_their_city(world, personas):
    person = personas.handler
    services.department_add_handler(department=world.other_department, user=person, system=True)

    assert audit.person_region_path(person) == world.city.path


def test_a_county_role_under_a_city_role_places_the_person_in_the_city(world, personas):
    person = personas.enterprise_secretary
    services.region_grant(region=world.city, user=person, manage=False, system=True)

    assert audit.person_region_path(person) == world.city.path


def test_an_ended_seat_no_longer_places_the_person(world):
    person = factories.UserFactory()
    seat = services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.LIAISON,
        person_name="前联络员",
        user=person,
        term_start=dt.date(2020, 1, 1),
        system=True,
    )
    assert audit.person_region_path(person) == world.county.path

    services.seat_end(seat=seat, term_end=dt.date(2021, 1, 1))

    assert audit.person_region_path(person) == ""


def test_common_region_path():
    assert audit.common_region_path([]) == ""
    assert audit.common_region_path(["/1/2/5/"]) == "/1/2/5/"
    assert audit.common_region_path(["/1/2/5/", "/1/2/5/"]) == "/1/2/5/"
    assert audit.common_region_path(["/1/2/5/", "/1/2/6/"]) == "/1/2/"
    assert audit.common_region_path(["/1/2/5/", "/1/2/"]) == "/1/2/"
    assert audit.common_region_path(["/1/2/5/", "/1/25/"]) == "/1/"
    assert audit.common_region_path(["/1/", "/7/"]) == ""


def test_sign_ins_and_failed_sign_ins_land_in_the_persons_region(world, personas, client, baseline):
    person = personas.enterprise_secretary
    person.set_password(NEW_PASSWORD)
    person.save()

    client.post(reverse("login"), {"username": person.username, "password": "wrong guess"})
    client.post(reverse("login"), {"username": "nobody_here", "password": "wrong guess"})
    client.post(reverse("login"), {"username": person.username, "password": NEW_PASSWORD})
    client.post(reverse("logout"))

    failed, unknown = written(baseline, Action.LOGIN_FAILED)
    assert failed.region_path == world.county.path and unknown.region_path == ""
    assert written(baseline, Action.LOGIN)[0].region_path == world.county.path
    assert written(baseline, Action.LOGOUT)[0].region_path == world.county.path
