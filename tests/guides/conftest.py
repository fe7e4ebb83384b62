import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from guides import services
from tests import factories

TODAY = dt.date(2026, 5, 12)  # a Tuesday in the second quarter


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 5, 12, 10, 0)), tick=False):
        yield TODAY


@pytest.fixture
def guide_of_member(world, frozen):
    """A guide sent by the world's department, assigned to the member enterprise since 2026-01-01."""
    user = factories.UserFactory(username="guide_zhou", real_name="周指导")
    guide = services.guide_create(actor=None, user=user, department=world.department, term_start=dt.date(2025, 1, 1))
    services.assignment_create(actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1))
    return guide
