"""§2.2 failed logins: five failures lock the login name for 30 minutes (existing or not, with one
Chinese message), an address failing across many names is throttled, staff unlock people in their
region, the API's login obeys the same rule, and every step is audited."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import RequestFactory, override_settings

from chainparty.models import AuditLog
from chainparty.security import lockout, selectors, services
from chainparty.security.login import authenticate_with_lockout
from tests import factories

from .conftest import PASSWORD, WRONG

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "登录失败次数过多"


def alert(response):
    return re.search(r'id="login-locked">([^<]*)<', response.content.decode()).group(1)


def fail(browser_login, username, times, address="198.51.100.7"):
    for _ in range(times):
        browser_login(username, WRONG, address=address)


def test_four_failures_do_not_lock_the_fifth_does(with_password, browser_login):
    fail(browser_login, "handler", 4)
    client, response = browser_login("handler")
    assert response.status_code == 302  # the right password still works after four failures
    fail(browser_login, "handler", 5)
    client, response = browser_login("handler")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_from_any_address_for_thirty_minutes(with_password, browser_login):
    start = dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        fail(browser_login, "handler", 5)
        clock.move_to(start + dt.timedelta(minutes=29))
        _, response = browser_login("handler", address="203.0.113.99")
        assert response.status_code == 429
        clock.move_to(start + dt.timedelta(minutes=30, seconds=1))
        _, response = browser_login("handler", address="203.0.113.99")
        assert response.status_code == 302


def test_the_message_is_the_same_whether_the_login_exists_or_not(with_password, browser_login):
    fail(browser_login, "handler", 5)
    fail(browser_login, "nobody_here", 5, address="198.51.100.8")
    _, existing = browser_login("handler", WRONG)
    _, missing = browser_login("nobody_here", WRONG, address="198.51.100.8")
    assert existing.status_code == missing.status_code == 429
    assert alert(existing) == alert(missing) == str(lockout.LOCKOUT_MESSAGE)
    assert "分钟后再试" in alert(existing)


def test_an_address_failing_across_many_names_is_throttled(with_password, browser_login):
    with override_settings(CHAINPARTY_LOGIN_IP_FAILURE_LIMIT=8):
        for n in range(8):
            browser_login(f"guess{n}", WRONG, address="192.0.2.66")
        _, response = browser_login("handler", address="192.0.2.66")
        assert response.status_code == 429
        _, response = browser_login("handler", address="192.0.2.67")
        assert response.status_code == 302  # the account itself is not locked


def test_lockout_is_audited_once_with_each_failure(with_password, browser_login, world):
    fail(browser_login, "handler", 5)
    browser_login("handler")
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN_FAILED, data__username="handler").count() == 6
    [lock] = AuditLog.objects.filter(action=AuditLog.Action.LOCKOUT)
    assert lock.target == with_password.handler and lock.region_path == world.county.path
    assert lock.ip_address == "198.51.100.7"


def test_force_login_and_the_demo_logins_are_not_affected(client, with_password):
    client.force_login(with_password.handler)
    assert client.get("/").status_code == 200


# -- unlocking -------------------------------------------------------------------------------
@pytest.fixture
def locked_person(with_password, browser_login):
    fail(browser_login, "ent_sec2", 5)
    assert selectors.is_locked(with_password.other_enterprise_secretary)
    return with_password.other_enterprise_secretary


def test_org_staff_see_and_unlock_people_of_their_region(locked_person, client_for, with_password, browser_login):
    client = client_for(with_password.org_staff)
    page = client.get("/accounts/locked/").content.decode()
    assert "新花源赵书记" in page
    response = client.post(f"/accounts/locked/{locked_person.pk}/unlock/")
    assert response.status_code == 302
    assert not selectors.is_locked(locked_person)
    _, response = browser_login("ent_sec2")
    assert response.status_code == 302
    [entry] = AuditLog.objects.filter(action=AuditLog.Action.UNLOCK)
    assert entry.actor == with_password.org_staff and entry.target == locked_person


def test_staff_of_another_region_neither_see_nor_unlock(locked_person, client_for, world):
    from alliances import services as alliance_services

    other_staff = factories.UserFactory(username="yanzhou_staff")
    alliance_services.region_grant(region=world.other_county, user=other_staff, manage=True, system=True)
    client = client_for(other_staff)
    assert "新花源赵书记" not in client.get("/accounts/locked/").content.decode()
    assert client.post(f"/accounts/locked/{locked_person.pk}/unlock/").status_code == 404
    assert selectors.is_locked(locked_person)


@pytest.mark.parametrize("persona", ["handler", "enterprise_secretary", "leader", "outsider"])
def test_people_who_are_not_staff_get_403(locked_person, client_for, with_password, persona):
    client = client_for(getattr(with_password, persona))
    assert client.get("/accounts/locked/").status_code == 403
    assert client.post(f"/accounts/locked/{locked_person.pk}/unlock/").status_code == 403
    assert selectors.is_locked(locked_person)


def test_a_fellow_staff_member_is_unlocked_from_above_not_by_a_colleague(
    with_password, browser_login, client_for, world
):
    """A colleague's compromised account must not lift the lock that stops it guessing a fellow
    staff member's password: staff of the same county see the lock but may not lift it; the
    city's staff may."""
    from alliances import services as alliance_services

    colleague = factories.UserFactory(username="county_staff_2", real_name="组织部李科长")
    colleague.set_password(PASSWORD)
    colleague.save()
    alliance_services.region_grant(region=world.county, user=colleague, manage=True, system=True)
    fail(browser_login, "county_staff_2", 5)
    assert selectors.is_locked(colleague)
    client = client_for(with_password.org_staff)
    page = client.get("/accounts/locked/").content.decode()
    assert "组织部李科长" in page and "须由上级组织部门或平台管理员解锁" in page
    assert f"/accounts/locked/{colleague.pk}/unlock/" not in page
    assert client.post(f"/accounts/locked/{colleague.pk}/unlock/").status_code == 403
    assert selectors.is_locked(colleague)
    city_staff = factories.UserFactory(username="city_staff")
    alliance_services.region_grant(region=world.city, user=city_staff, manage=True, system=True)
    assert client_for(city_staff).post(f"/accounts/locked/{colleague.pk}/unlock/").status_code == 302
    assert not selectors.is_locked(colleague)


def test_a_platform_administrator_unlocks_anyone(locked_person):
    admin = factories.UserFactory(username="root", is_superuser=True)
    services.account_unlock(actor=admin, user=locked_person)
    assert not selectors.is_locked(locked_person)


def test_the_locked_page_has_a_query_budget(locked_person, client_for, with_password, django_assert_max_num_queries):
    client = client_for(with_password.org_staff)
    client.get("/accounts/locked/")
    with django_assert_max_num_queries(14):
        assert client.get("/accounts/locked/").status_code == 200


# -- the API's login -------------------------------------------------------------------------
def test_authenticate_with_lockout_counts_and_refuses_like_the_page(with_password, browser_login):
    def api_request():
        return RequestFactory().post("/api/auth/token/", REMOTE_ADDR="198.51.100.9")

    for _ in range(5):
        result = authenticate_with_lockout(api_request(), "handler", WRONG)
        assert result.user is None
    result = authenticate_with_lockout(api_request(), "handler", PASSWORD)
    assert result.user is None and result.locked
    _, response = browser_login("handler")
    assert response.status_code == 429
