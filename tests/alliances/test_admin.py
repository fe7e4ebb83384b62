import pytest

from alliances.models import CommitteeSeat, Enterprise
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_cn(client, db):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_refuses_bad_credit_code_in_chinese(world, admin_client_cn):
    response = admin_client_cn.post(
        "/admin/alliances/enterprise/add/",
        {
            "name": "后台企业",
            "credit_code": "123",
            "industry": "纺织服装",
            "size": "below",
            "region": world.county.pk,
            "employees": 5,
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码应为18位" in response.content.decode()
    assert not Enterprise.objects.filter(name="后台企业").exists()


def test_admin_refuses_seat_outside_alliance(world, admin_client_cn):
    response = admin_client_cn.post(
        "/admin/alliances/committeeseat/add/",
        {
            "alliance": world.alliance.pk,
            "role": "secretary",
            "person_name": "越界书记",
            "enterprise": world.outsider_enterprise.pk,
            "term_start": "2025-01-01",
        },
    )
    assert "不是本联盟的成员" in response.content.decode()
    assert not CommitteeSeat.objects.filter(person_name="越界书记").exists()


def test_admin_lists_are_scoped_for_non_superusers(world, personas, client):
    staff = personas.org_staff
    staff.is_staff = True
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_enterprise"))
    client.force_login(staff)
    html = client.get("/admin/alliances/enterprise/").content.decode()
    assert world.lead.name in html and world.outsider_enterprise.name not in html


def test_admin_delete_of_referenced_alliance_is_refused(world, admin_client_cn):
    response = admin_client_cn.post(f"/admin/alliances/alliance/{world.alliance.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "受保护" in response.content.decode() or "不能删除" in response.content.decode()
