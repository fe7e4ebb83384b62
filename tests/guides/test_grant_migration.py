"""guides.0002 turns the retired guardian grant `guide_zone` into a Guide and a zone Assignment."""

import importlib

import pytest
from django.apps import apps
from guardian.shortcuts import assign_perm

from alliances.access import scope_for
from alliances.models import WorkZoneUserObjectPermission
from guides.models import Assignment, Guide
from tests import factories

pytestmark = pytest.mark.django_db

migration = importlib.import_module("guides.migrations.0002_guide_zone_grants_to_assignments")


def test_zone_grants_become_assignments_and_reach_is_kept(world):
    user = factories.UserFactory(real_name="老指导员")
    assign_perm("alliances.guide_zone", user, world.zone)
    assert WorkZoneUserObjectPermission.objects.filter(user=user).exists()

    migration.grants_to_assignments(apps, None)
    migration.grants_to_assignments(apps, None)  # twice: nothing more

    guide = Guide.objects.get(user=user)
    assert (guide.name, guide.zone, guide.region) == ("老指导员", world.zone, world.county)
    [assignment] = Assignment.objects.filter(guide=guide)
    assert (assignment.target, assignment.zone, assignment.ends_on) == ("zone", world.zone, None)
    assert not WorkZoneUserObjectPermission.objects.filter(user=user).exists()
    user = type(user).objects.get(pk=user.pk)
    assert scope_for(user).zone_ids == {world.zone.pk}
