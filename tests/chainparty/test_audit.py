"""The audit log: sign-ins and organisational changes leave exactly one record each, with who,
what, which object, which region and from where; records cannot be changed or removed."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from alliances import services
from alliances.models import CommitteeSeat, Membership
from chainparty import audit
from chainparty.models import AuditLog, AuditLogImmutableError
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditLog.Action
ADDRESS = "203.0.113.7"


@pytest.fixture
def acting(personas):
    """Run services as org staff from ADDRESS, the way the middleware binds a real request."""
    request = RequestFactory().post("/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="Firefox/140")
    request.user = personas.org_staff
    with audit.bound_request(request):
        yield personas.org_staff


@pytest.fixture
def only(world, personas):
    """only(action): the one record of that action written by the test (setting up the world and
    the personas writes records of its own)."""
    baseline = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def one(action):
        rows = list(AuditLog.objects.filter(action=action, id__gt=baseline))
        assert len(rows) == 1, rows
        return rows[0]

    return one


def assert_by_staff_in_county(entry, staff, world):
    assert entry.actor == staff
    assert entry.actor_name == "组织部张科长"
    assert entry.region_path == world.county.path
    assert entry.ip_address == ADDRESS
    assert entry.user_agent == "Firefox/140"


# -- sign-in ---------------------------------------------------------------------------------
def test_login_is_recorded_with_the_address(client, personas, only):
    personas.outsider.set_password("correct horse")
    personas.outsider.save()

    client.post(reverse("login"), {"username": "outsider", "password": "correct horse"}, REMOTE_ADDR=ADDRESS)

    entry = only(Action.LOGIN)
    assert entry.actor == personas.outsider
    assert entry.target == personas.outsider
    assert entry.ip_address == ADDRESS


def test_failed_login_records_the_name_tried_and_the_address_never_the_password(client, personas, only):
    client.post(reverse("login"), {"username": "outsider", "password": "s3cret-guess"}, REMOTE_ADDR=ADDRESS)

    entry = only(Action.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.data == {"username": "outsider"}
    assert entry.ip_address == ADDRESS
    assert "s3cret-guess" not in str(entry.__dict__)
    assert not AuditLog.objects.filter(action=Action.LOGIN, actor=personas.outsider).exists()


def test_logout_is_recorded(client, personas, only):
    client.force_login(personas.outsider)

    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)

    entry = only(Action.LOGOUT)
    assert entry.actor == personas.outsider
    assert entry.ip_address == ADDRESS


def test_forwarded_address_is_ignored_unless_a_proxy_is_trusted(client, personas, settings, only):
    client.post(
        reverse("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert only(Action.LOGIN_FAILED).ip_address == "10.0.0.2"

    settings.AUDIT_TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("login"),
        {"username": "x", "password": "y"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9",
    )
    newest = AuditLog.objects.filter(action=Action.LOGIN_FAILED).first()
    assert newest.ip_address == "198.51.100.9"


# -- organisational changes ------------------------------------------------------------------
def test_seat_created_and_ended_once_each(world, personas, acting, only):
    holder = factories.UserFactory(real_name="新委员")
    seat = services.seat_assign(
        alliance=world.alliance,
        role=CommitteeSeat.Role.MEMBER_PARTTIME,
        person_name="新委员",
        user=holder,
        enterprise=world.member,
        term_start=dt.date(2024, 1, 1),
        system=True,
    )
    created = only(Action.SEAT_CREATE)
    assert_by_staff_in_county(created, acting, world)
    assert created.target == seat
    assert created.data["object"] == world.alliance.name

    services.seat_end(seat=seat, term_end=dt.date(2025, 1, 1))

    ended = only(Action.SEAT_END)
    assert_by_staff_in_county(ended, acting, world)
    assert ended.target == seat
    assert ended.data["term_end"] == "2025-01-01"


def test_membership_added_and_ended_once_each(world, personas, acting, only):
    membership = services.membership_add(
        alliance=world.alliance,
        enterprise=factories.EnterpriseFactory(region=world.county),
        position=Membership.Position.UPSTREAM,
        joined_on=dt.date(2024, 3, 1),
    )
    added = only(Action.MEMBERSHIP_CREATE)
    assert_by_staff_in_county(added, acting, world)
    assert added.target == membership

    services.membership_end(membership=membership, left_on=dt.date(2025, 3, 1))

    ended = only(Action.MEMBERSHIP_END)
    assert_by_staff_in_county(ended, acting, world)
    assert ended.target == membership


def test_role_grant_and_revoke_name_the_person_the_role_and_the_object(world, personas, acting, only):
    person = factories.UserFactory(real_name="新办理人")

    services.department_add_handler(department=world.department, user=person, system=True)
    granted = only(Action.GRANT)
    assert_by_staff_in_county(granted, acting, world)
    assert granted.target == person
    assert granted.data["role"] == "部门办理人"
    assert granted.data["object"] == world.department.name

    services.department_remove_handler(department=world.department, user=person, system=True)
    revoked = only(Action.REVOKE)
    assert revoked.target == person and revoked.region_path == world.county.path


def test_region_grant_is_recorded_in_that_region(world, acting, only):
    services.region_grant(region=world.other_county, user=factories.UserFactory(), manage=True, system=True)

    assert only(Action.GRANT).region_path == world.other_county.path


def test_rotation_is_recorded(world, personas, acting, only):
    services.rotation_set(alliance=world.alliance, year=2025, quarter=2, enterprise=world.member, person_name="赵书记")

    entry = only(Action.ROTATION_SET)
    assert_by_staff_in_county(entry, acting, world)
    assert entry.data["person_name"] == "赵书记"


def test_a_service_that_fails_leaves_no_record(world, personas, acting):
    person = factories.UserFactory(real_name="未授权者")
    with mock.patch.object(services, "forget_scope", side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        services.department_add_handler(department=world.department, user=person, system=True)

    assert not AuditLog.objects.filter(action=Action.GRANT, target_repr=person.display_name).exists()


def test_a_record_rolls_back_with_its_callers_transaction(world, personas, acting):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.rotation_set(alliance=world.alliance, year=2025, quarter=3, enterprise=world.member, person_name="甲")
        raise RuntimeError("the caller fails after the service")

    assert not AuditLog.objects.filter(action=Action.ROTATION_SET).exists()


def test_without_a_request_the_record_has_no_actor_and_no_address(world, only):
    services.rotation_set(alliance=world.alliance, year=2025, quarter=4, enterprise=world.member, person_name="乙")

    entry = only(Action.ROTATION_SET)
    assert entry.actor is None and entry.ip_address is None and entry.region_path == world.county.path


# -- append-only -----------------------------------------------------------------------------
def test_records_cannot_be_changed_or_deleted(world, personas, acting, only):
    services.rotation_set(alliance=world.alliance, year=2025, quarter=1, enterprise=world.member, person_name="丙")
    entry = only(Action.ROTATION_SET)

    entry.target_repr = "篡改"
    with pytest.raises(AuditLogImmutableError):
        entry.save()
    with pytest.raises(AuditLogImmutableError):
        entry.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.filter(pk=entry.pk).update(target_repr="篡改")
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.all().delete()

    entry.refresh_from_db()
    assert entry.target_repr != "篡改"
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_a_person_who_acted_cannot_be_deleted(world, acting, only):
    """The record keeps its actor: people are deactivated, never deleted (the actor is PROTECTed)."""
    services.rotation_set(alliance=world.alliance, year=2026, quarter=1, enterprise=world.member, person_name="丁")
    with pytest.raises(ProtectedError), transaction.atomic():
        acting.delete()

    entry = only(Action.ROTATION_SET)
    assert entry.actor == acting and entry.actor_name == "组织部张科长"
