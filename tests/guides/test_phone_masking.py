"""A guide's phone on the staff desk's guide page follows chainparty.privacy (guides/privacy.py):
in full for the region's organisation staff and the sending department's handlers, masked for a
leader who may read the page but has no need to know the number."""

import datetime as dt

import pytest
from django.urls import reverse

from guides import services
from guides.models import Guide
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def guide_with_phone(world, frozen):
    user = factories.UserFactory(username="guide_phone", real_name="人社指导员")
    return services.guide_create(
        actor=None,
        user=user,
        department=world.department,
        rank=Guide.Rank.SECTION,
        phone=PHONE,
        term_start=dt.date(2025, 1, 1),
    )


def test_the_guide_page_masks_the_phone_for_a_leader(client_for, personas, guide_with_phone):
    url = reverse("guides:guide_detail", args=[guide_with_phone.pk])
    leader = client_for(personas.leader).get(url)
    assert leader.status_code == 200
    assert "139****5678" in leader.content.decode() and PHONE not in leader.content.decode()
    for persona in (personas.org_staff, personas.handler):
        assert PHONE in client_for(persona).get(url).content.decode()
