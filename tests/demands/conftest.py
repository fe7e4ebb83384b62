"""Fixtures for the demands tests (needs section: filing and moving needs through the workflow)."""

import datetime as dt

import pytest

from demands.models import Need
from demands.services import filing, workflow


# -- needs ------------------------------------------------------------------------------------------
@pytest.fixture
def file_need(world, personas):
    """file_need(**overrides) files a need for world.lead as its Party secretary."""

    def make(**overrides):
        fields = {
            "actor": personas.enterprise_secretary,
            "enterprise": world.lead,
            "category": Need.Category.LABOR,
            "title": "缺少熟练缝纫工",
            "description": "旺季订单增加，缺熟练缝纫工30名。",
            "urgency": Need.Urgency.NORMAL,
            "contact_name": "李书记",
            "contact_phone": "13800000001",
        }
        fields.update(overrides)
        return filing.need_file(**fields)

    return make


@pytest.fixture
def dispatched_need(world, personas, file_need):
    """dispatched_need(**file_overrides) -> a need accepted and dispatched to world.department (lead)."""

    def make(co_departments=(), deadline=None, **overrides):
        need = file_need(**overrides)
        need = workflow.need_accept(need=need, actor=personas.secretary)
        return workflow.need_dispatch(
            need=need,
            actor=personas.secretary,
            lead_department=world.department,
            co_departments=co_departments,
            deadline=deadline,
        )

    return make


@pytest.fixture
def co_department(world):
    """A second department of the county with a handler, for co-handling (协办)."""
    from alliances import services
    from tests import factories

    department = factories.DepartmentFactory(name="汶上县自然资源局", region=world.county)
    handler = factories.UserFactory(username="land_handler", real_name="自然资源局周科员")
    services.department_add_handler(department=department, user=handler, system=True)
    department.test_handler = handler
    return department


def at(year, month, day, hour=10):
    """An aware datetime in the portal's time zone, for time_machine."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))
