import pytest
from django.core.management import call_command
from django.test import RequestFactory

from alliances.models import Alliance, Enterprise, Membership, PartyOrganization
from chainparty.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Enterprise.objects.count(),
        Alliance.objects.count(),
        Membership.objects.count(),
        PartyOrganization.objects.count(),
        User.objects.count(),
    )


def test_load_demo_is_idempotent_and_logins_work(client):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert Alliance.objects.filter(name="汶上县纺织服装产业链党委").exists()
    assert Enterprise.objects.filter(name="山东金大丰机械有限公司").exists()
    uncovered = Enterprise.objects.filter(party_organizations__isnull=True).count()
    assert 0 < uncovered < Enterprise.objects.count()
    for username in [
        "org_admin",
        "textile_secretary",
        "farm_secretary",
        "food_secretary",
        "jindafeng",
        "wuzheng",
        "hr_handler",
        "guide_li",
        "leader",
    ]:
        # django-axes counts failures per request: Client.login passes `request` on to authenticate().
        request = RequestFactory().post("/accounts/login/")
        assert client.login(request=request, username=username, password="Demo@2026"), username
    client.login(request=RequestFactory().post("/accounts/login/"), username="org_admin", password="Demo@2026")
    html = client.get("/").content.decode()
    assert "汶上县纺织服装产业链党委" in html and "组织部工作人员" in html
