"""The staff desk's assignment form takes `?back=` (where 取消 goes): a path on this site only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "back", ["/\\evil.example/", "//evil.example/", "https://evil.example/", "javascript:alert(1)"]
)
def test_cancel_never_leaves_the_site(client_for, personas, frozen, back):
    response = client_for(personas.org_staff).get(reverse("guides:assignment_create"), {"back": back})
    assert response.status_code == 200
    assert "evil.example" not in response.content.decode()
    assert "javascript:" not in response.content.decode()
    assert response.context["back"] == "guides:guide_list"


def test_cancel_goes_back_to_the_enterprise_page(client_for, world, personas, frozen):
    path = world.lead.get_absolute_url()
    response = client_for(personas.org_staff).get(reverse("guides:assignment_create"), {"back": path})
    assert response.context["back"] == path
