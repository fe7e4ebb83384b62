"""Demo history is never later than the moment it is loaded, even in the small hours (it filed
today's needs at 09:00 when the machine said 01:00)."""

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.utils import timezone

from alliances import demo as org_demo
from demands import demo as demands_demo
from demands.models import Need, NeedEvent, PolicyDelivery
from guides import demo as guides_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded policy PDFs go to a temporary folder, not the project's."""
    settings.MEDIA_ROOT = tmp_path


def _later_than(now):
    """(model, field, count) for every stored date-time of the portal's apps that is after `now`."""
    found = []
    for config in (apps.get_app_config(label) for label in ("chainparty", "alliances", "demands")):
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateTimeField):
                    count = model.objects.filter(**{f"{field.name}__gt": now}).count()
                    if count:
                        found.append((model.__name__, field.name, count))
    return found


@pytest.mark.parametrize("hour", [1, 12])
def test_demo_loaded_in_the_small_hours_has_no_future(hour):
    # A Thursday; at 01:00 today's 09:00 is still to come, at 12:00 the afternoon is.
    moment = timezone.make_aware(dt.datetime(2026, 12, 3, hour, 0))
    with time_machine.travel(moment, tick=False):
        org = org_demo.build()
        guides_demo.load_people(org)  # guide_li files needs from visits
        demands_demo.load(org)
        now = timezone.now()
    assert Need.objects.filter(title="高端农机研发人才引进").exists()  # a need filed "today"
    assert NeedEvent.objects.exists() and PolicyDelivery.objects.filter(read_at__isnull=False).exists()
    future = _later_than(now)
    assert not future, future
