"""The seat form offers only people the alliance may appoint, not every account of the platform."""

import pytest
from django.urls import reverse

from alliances import services
from alliances.forms import SeatForm
from alliances.models import CommitteeSeat
from tests import factories

pytestmark = pytest.mark.django_db


def test_choices_are_the_alliances_own_people(world, personas):
    foreign_secretary = factories.UserFactory(username="yanzhou_sec")
    services.enterprise_grant_secretary(enterprise=world.outsider_enterprise, user=foreign_secretary, system=True)
    foreign_handler = factories.UserFactory(username="yanzhou_handler")
    services.department_add_handler(department=world.other_department, user=foreign_handler, system=True)

    offered = set(SeatForm(alliance=world.alliance).fields["user"].queryset)

    assert {
        personas.enterprise_secretary,  # secretary of a member enterprise
        personas.other_enterprise_secretary,
        personas.handler,  # handler of a member department
        personas.secretary,  # already holds a seat here
        personas.org_staff,  # organisation staff of the alliance's county
        personas.leader,
    } <= offered
    assert personas.outsider not in offered
    assert foreign_secretary not in offered and foreign_handler not in offered
    assert personas.guide not in offered


def test_an_outsider_cannot_be_posted_as_a_seat_holder(world, personas, client_for):
    client = client_for(personas.secretary)
    response = client.post(
        reverse("alliances:seat_add", args=[world.alliance.pk]),
        {
            "role": CommitteeSeat.Role.MEMBER_PARTTIME,
            "person_name": "无关人员",
            "user": personas.outsider.pk,
            "enterprise": world.member.pk,
            "term_start": "2025-01-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert any("平台账号" in str(m) for m in response.context["messages"])
    assert not CommitteeSeat.objects.filter(person_name="无关人员").exists()
    assert personas.outsider not in response.context["seat_form"].fields["user"].queryset
