"""The admin shows resources, policies and cooperations read-only, within the staff member's scope."""

import pytest
from django.urls import reverse

from tests import factories
from tests.demands.offers_support import make_policy, make_resource

pytestmark = pytest.mark.django_db

MODELS = ["resource", "policy", "policydelivery", "match", "cooperation"]


def test_superuser_browses_but_cannot_add(client, world, personas):
    make_resource(personas.enterprise_secretary, enterprise=world.lead)
    make_policy(personas.handler, world.department, publish=True)
    client.force_login(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    for name in MODELS:
        assert client.get(reverse(f"admin:demands_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:demands_{name}_add")).status_code == 403


def test_staff_see_only_their_scope(client, world, personas):
    from django.contrib.auth.models import Permission

    mine = make_resource(personas.enterprise_secretary, enterprise=world.lead, title="本县资源")
    make_resource(None, enterprise=world.outsider_enterprise, title="外县资源")
    staff = personas.org_staff
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(Permission.objects.get(codename="view_resource"))
    client.force_login(staff)
    page = client.get(reverse("admin:demands_resource_changelist"))
    assert list(page.context["cl"].queryset) == [mine]
