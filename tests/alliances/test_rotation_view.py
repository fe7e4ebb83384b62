"""The 安排轮值书记 form on the alliance page: who may post it, and what they see."""

import pytest
from django.urls import reverse

from alliances.models import RotatingChair

pytestmark = pytest.mark.django_db


def _post(client, world, person_name="轮值甲", enterprise=None):
    return client.post(
        reverse("alliances:rotation_add", args=[world.alliance.pk]),
        {"year": 2025, "quarter": 2, "enterprise": (enterprise or world.member).pk, "person_name": person_name},
    )


@pytest.mark.parametrize("persona", ["secretary", "org_staff"])
def test_managers_plan_and_replan_a_quarter(world, personas, client_for, persona):
    client = client_for(getattr(personas, persona))
    response = _post(client, world)
    assert response.status_code == 302 and response.url == world.alliance.get_absolute_url()
    _post(client, world, person_name="轮值乙", enterprise=world.lead)
    rows = list(RotatingChair.objects.filter(alliance=world.alliance, year=2025, quarter=2))
    assert [(r.person_name, r.enterprise_id) for r in rows] == [("轮值乙", world.lead.pk)]
    page = client.get(world.alliance.get_absolute_url()).content.decode()
    assert "轮值乙" in page and "轮值书记已安排" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("leader", 403), ("enterprise_secretary", 403), ("handler", 403), ("guide", 403), ("outsider", 404)],
)
def test_other_personas_are_refused(world, personas, client_for, persona, status):
    response = _post(client_for(getattr(personas, persona)), world)
    assert response.status_code == status
    assert not RotatingChair.objects.filter(alliance=world.alliance).exists()


def test_an_enterprise_outside_the_alliance_is_refused_with_a_message(world, personas, client_for):
    client = client_for(personas.secretary)
    response = client.post(
        reverse("alliances:rotation_add", args=[world.alliance.pk]),
        {"year": 2025, "quarter": 2, "enterprise": world.outsider_enterprise.pk, "person_name": "外企书记"},
        follow=True,
    )
    assert response.redirect_chain == [(world.alliance.get_absolute_url(), 302)]
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("轮值企业：") for m in shown), shown
    assert not RotatingChair.objects.filter(alliance=world.alliance).exists()


def test_get_is_not_allowed(world, personas, client_for):
    response = client_for(personas.secretary).get(reverse("alliances:rotation_add", args=[world.alliance.pk]))
    assert response.status_code == 405


def test_anonymous_is_sent_to_log_in(world, client):
    response = _post(client, world)
    assert response.status_code == 302 and reverse("login") in response.url
