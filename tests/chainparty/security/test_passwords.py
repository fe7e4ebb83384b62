"""§2.1 passwords: length and character classes, not like the login or the name, not one of the
last five, an optional expiry and temporary passwords that must be changed; Chinese messages."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from chainparty.security import services
from chainparty.security.models import PasswordHistory
from tests import factories

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def messages_for(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "username, real_name",
    [("org_admin", "组织部管理员"), ("textile_secretary", "王书记"), ("demo", "Demo User"), ("jindafeng", "金大丰")],
)
def test_the_demo_password_meets_every_rule(username, real_name):
    user = factories.UserFactory(username=username, real_name=real_name)
    assert messages_for(PASSWORD, user) == []


@pytest.mark.parametrize(
    "password",
    ["Ab1!xyz", "abcdefgh1", "ABCDEFGH!", "abcdefgh!", "12345678a"],
    ids=["seven characters", "two classes: lower+digit", "upper+other", "lower+other", "digit+lower"],
)
def test_short_or_simple_passwords_are_refused_in_chinese(password):
    found = messages_for(password, factories.UserFactory(username="someone"))
    assert found
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in found)


def test_three_classes_of_four_are_enough():
    assert messages_for("zhongguo#2026", factories.UserFactory(username="someone")) == []
    assert "密码须包含大写字母、小写字母、数字、其他符号四类中的至少3类。" in messages_for("zhongguoren2026")


def test_a_password_like_the_login_or_the_real_name_is_refused():
    user = factories.UserFactory(username="liuxiaoming", real_name="Wang Fangfang")
    assert any("太相似" in message for message in messages_for("Liuxiaoming#1", user))
    assert any("太相似" in message for message in messages_for("WangFangfang#1", user))


def test_none_of_the_last_five_passwords_may_come_back():
    user = factories.UserFactory(username="rotator")
    used = [f"Rotate#{n}abc" for n in range(6)]
    for password in used:
        assert messages_for(password, user) == []
        user.set_password(password)
        user.save()
    for password in used[1:]:
        assert "新密码不能与最近5次使用过的密码相同。" in messages_for(password, user)
    assert messages_for(used[0], user) == []  # six passwords ago: allowed again
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert all(entry.password.startswith(("md5$", "pbkdf2")) for entry in PasswordHistory.objects.all())


@pytest.fixture
def staff(world):
    from alliances import services as alliance_services

    user = factories.UserFactory(username="pwstaff", real_name="改密员")
    user.set_password(PASSWORD)
    user.save()
    alliance_services.region_grant(region=world.county, user=user, manage=True, system=True)
    return user


def test_passwords_do_not_expire_by_default(staff, browser_login):
    with time_machine.travel(dt.datetime(2031, 1, 1, tzinfo=dt.UTC)):
        client, response = browser_login("pwstaff")
        assert response.status_code == 302
        assert client.get("/alliances/").status_code == 200


@override_settings(CHAINPARTY_PASSWORD_MAX_AGE_DAYS=90)
def test_an_expired_password_sends_the_person_to_change_it(staff, browser_login):
    with time_machine.travel(dt.timedelta(days=91)):
        client, _ = browser_login("pwstaff")
        response = client.get("/alliances/")
        assert response.status_code == 302 and response.url == "/account/password/"
        assert client.get("/account/password/").status_code == 200
    with time_machine.travel(dt.timedelta(days=89)):
        client, _ = browser_login("pwstaff")
        assert client.get("/alliances/").status_code == 200


def test_a_temporary_password_must_be_changed_at_the_next_login(staff, browser_login):
    staff.set_password("Temp#2026abc")
    staff.save()
    services.password_require_change(user=staff)
    client, _ = browser_login("pwstaff", "Temp#2026abc")
    assert client.get("/alliances/").url == "/account/password/"
    assert client.post("/accounts/logout/").status_code == 302


def test_after_changing_a_temporary_password_the_person_goes_on(staff, browser_login):
    staff.set_password("Temp#2026abc")
    staff.save()
    services.password_require_change(user=staff)
    client, _ = browser_login("pwstaff", "Temp#2026abc")
    response = client.post(
        "/account/password/",
        {"old_password": "Temp#2026abc", "new_password1": "Fresh#2026xyz", "new_password2": "Fresh#2026xyz"},
    )
    assert response.status_code == 302
    assert client.get("/alliances/").status_code == 200
    assert services.password_change_due(staff) == ""


def test_a_temporary_password_session_cannot_use_the_api_before_the_change(staff, browser_login):
    staff.set_password("Temp#2026abc")
    staff.save()
    services.password_require_change(user=staff)
    client, _ = browser_login("pwstaff", "Temp#2026abc")
    response = client.get("/api/needs/")
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]
