"""The audit log page: organisation staff read their region's part of the log, with filters;
nobody else reads it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances import services
from chainparty.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("alliances:audit_list")
Action = AuditLog.Action


def add(*, region, target_repr, action=Action.SEAT_CREATE, actor=None, at=None, data=None):
    return AuditLog.objects.create(
        action=action,
        actor=actor,
        actor_name=actor.display_name if actor else "",
        region_path=region.path,
        target_repr=target_repr,
        ip_address="198.51.100.20",
        at=at or timezone.now(),
        data=data or {},
    )


def test_county_staff_see_their_county_but_not_another_county_or_the_city(world, personas, client_for):
    add(region=world.county, target_repr="汶上县书记 王某")
    add(region=world.other_county, target_repr="兖州区书记 钱某")
    add(region=world.city, target_repr="济宁市联络员 吴某")

    page = client_for(personas.org_staff).get(URL).content.decode()

    assert "汶上县书记 王某" in page and "198.51.100.20" in page and "汶上县" in page
    assert "兖州区书记 钱某" not in page
    assert "济宁市联络员 吴某" not in page


def test_city_staff_see_the_city_and_every_county_under_it(world, personas, client_for):
    add(region=world.county, target_repr="汶上县书记 王某")
    add(region=world.other_county, target_repr="兖州区书记 钱某")
    add(region=world.city, target_repr="济宁市联络员 吴某")
    city_staff = factories.UserFactory(real_name="市委组织部")
    services.region_grant(region=world.city, user=city_staff, manage=True, system=True)

    page = client_for(city_staff).get(URL).content.decode()

    assert "汶上县书记 王某" in page and "兖州区书记 钱某" in page and "济宁市联络员 吴某" in page


def test_records_written_by_the_portal_appear_with_who_and_where(world, personas, client_for):
    client = client_for(personas.org_staff)
    client.post(
        reverse("alliances:rotation_add", args=[world.alliance.pk]),
        {"year": 2025, "quarter": 2, "enterprise": world.member.pk, "person_name": "赵轮值"},
        REMOTE_ADDR="192.0.2.44",
    )

    entry = AuditLog.objects.get(action=Action.ROTATION_SET)
    assert entry.actor == personas.org_staff and entry.ip_address == "192.0.2.44"
    page = client.get(URL).content.decode()
    assert "设置轮值" in page and "赵轮值" in page and "192.0.2.44" in page and "组织部张科长" in page


def test_platform_superuser_sees_every_region(world, personas, client_for):
    add(region=world.county, target_repr="汶上县记录")
    add(region=world.other_county, target_repr="兖州区记录")
    admin = factories.UserFactory(is_superuser=True, is_staff=True)

    page = client_for(admin).get(URL).content.decode()

    assert "汶上县记录" in page and "兖州区记录" in page


def test_filters_by_action_person_dates_and_object(world, personas, client_for):
    clerk = factories.UserFactory(username="clerk_li", real_name="李干事")
    add(region=world.county, target_repr="甲企业", action=Action.MEMBERSHIP_CREATE, actor=clerk)
    add(region=world.county, target_repr="乙企业", action=Action.MEMBERSHIP_END, actor=personas.org_staff)
    add(
        region=world.county,
        target_repr="丙企业",
        action=Action.MEMBERSHIP_END,
        at=timezone.now() - dt.timedelta(days=40),
    )
    add(region=world.county, target_repr="", action=Action.LOGIN_FAILED, data={"username": "ghost_user"})
    client = client_for(personas.org_staff)

    def shown(**params):
        page = client.get(URL, params).content.decode()
        return {name for name in ("甲企业", "乙企业", "丙企业", "ghost_user") if name in page}

    assert shown(action="membership_end") == {"乙企业", "丙企业"}
    assert shown(person="李干事") == {"甲企业"}
    assert shown(person="clerk_li") == {"甲企业"}
    assert shown(person="ghost") == {"ghost_user"}
    today = timezone.localdate()
    assert shown(since=(today - dt.timedelta(days=1)).isoformat(), q="企业") == {"甲企业", "乙企业"}
    assert shown(until=(today - dt.timedelta(days=30)).isoformat()) == {"丙企业"}
    assert shown(q="乙企") == {"乙企业"}
    assert shown(action="nonsense", since="not-a-date") == {"甲企业", "乙企业", "丙企业", "ghost_user"}


@pytest.mark.parametrize("persona", ["secretary", "enterprise_secretary", "handler", "guide", "leader", "outsider"])
def test_everyone_but_org_staff_is_refused(world, personas, client_for, persona):
    add(region=world.county, target_repr="汶上县记录")

    response = client_for(getattr(personas, persona)).get(URL)

    assert response.status_code == 403
    assert "汶上县记录" not in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_navigation_offers_the_log_to_org_staff_only(world, personas, client_for):
    assert URL in client_for(personas.org_staff).get(reverse("home")).content.decode()
    assert URL not in client_for(personas.secretary).get(reverse("home")).content.decode()


def test_query_count_does_not_grow_with_rows(world, personas, client_for):
    client = client_for(personas.org_staff)
    for n in range(5):
        add(region=world.county, target_repr=f"记录{n}")
    client.get(URL)  # warm caches (content types, session) the same way for both counts
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for n in range(45):
        add(region=world.county, target_repr=f"更多{n}", actor=factories.UserFactory())
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()

    assert "更多44" in page
    assert len(many) == len(few) <= 8


@pytest.mark.parametrize("params", [{"until": "9999-12-31"}, {"since": "0001-01-01"}, {"until": "abc"}])
def test_dates_out_of_range_or_malformed_are_ignored(world, personas, client_for, params):
    add(region=world.county, target_repr="汶上县记录")

    response = client_for(personas.org_staff).get(URL, params)

    assert response.status_code == 200
    assert "汶上县记录" in response.content.decode()


def test_county_staff_see_sign_ins_of_people_of_their_county_only(world, personas, client, client_for):
    there = factories.UserFactory(username="yz_sec", real_name="兖州企业钱书记")
    services.enterprise_grant_secretary(enterprise=world.outsider_enterprise, user=there, system=True)
    for person in (personas.enterprise_secretary, there):
        client.post(reverse("login"), {"username": person.username, "password": "Demo@2026"})
        client.post(reverse("logout"))
    client.post(reverse("login"), {"username": personas.enterprise_secretary.username, "password": "wrong"})

    staff = client_for(personas.org_staff)

    def shown(action):
        page = staff.get(URL, {"action": action}).content.decode()
        return {name for name in ("鸿瑞轩李书记", "ent_sec", "兖州企业钱书记", "yz_sec") if name in page}

    assert shown("login") == shown("logout") == {"鸿瑞轩李书记"}
    assert shown("login_failed") == {"ent_sec"}  # the attempt on an account of the county
    assert "没有任职的账号" in staff.get(URL).content.decode()  # whose records only platform admins read
