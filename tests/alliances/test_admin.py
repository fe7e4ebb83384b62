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


def test_staff_cannot_write_seats_or_memberships_in_the_admin(world, personas, client):
    """Seats grant permissions: a county's staff member must not seat themselves in any alliance
    through the admin (the portal's pages, with their services and access checks, are the way)."""
    from django.contrib.auth.models import Permission

    staff = personas.org_staff
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="alliances"))
    client.force_login(staff)
    response = client.post(
        "/admin/alliances/committeeseat/add/",
        {
            "alliance": world.alliance.pk,
            "role": "secretary",
            "person_name": "后台书记",
            "user": staff.pk,
            "term_start": "2025-01-01",
        },
    )
    assert response.status_code == 403
    assert not CommitteeSeat.objects.filter(person_name="后台书记").exists()
    assert client.get(f"/admin/alliances/alliance/{world.alliance.pk}/change/").status_code == 200  # may look
    assert client.post(f"/admin/alliances/region/{world.county.pk}/delete/", {"post": "yes"}).status_code == 403
    other = factories.AllianceFactory(region=world.other_county, name="兖州区某联盟")
    CommitteeSeat.objects.create(alliance=other, role="secretary", person_name="外区书记", term_start="2025-01-01")
    CommitteeSeat.objects.create(
        alliance=world.alliance, role="deputy", person_name="本区副书记", term_start="2025-01-01"
    )
    listing = client.get("/admin/alliances/committeeseat/").content.decode()
    assert "本区副书记" in listing and "外区书记" not in listing
