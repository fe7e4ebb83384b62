"""An enterprise's last counted visit (guides.models.LastVisit) follows its visits, however they
change, and the readers that look at a past day (the sending units' notice, coverage of a past
range) do not take a later visit for one in their period."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from guides import reminders, selectors, services
from guides.models import LastVisit, Visit
from tests import factories

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(timezone.make_aware(dt.datetime(*args)), tick=False)


def last(enterprise):
    return LastVisit.objects.filter(enterprise=enterprise).values_list("visited_on", flat=True).first()


def test_logged_corrected_disputed_and_confirmed_visits_keep_the_last_visit(world, personas, guide_of_member):
    assert last(world.member) is None
    first = services.visit_log(actor=guide_of_member.user, enterprise=world.member, visited_on=dt.date(2026, 4, 2))
    assert last(world.member) == dt.date(2026, 4, 2)
    second = services.visit_log(actor=guide_of_member.user, enterprise=world.member, visited_on=dt.date(2026, 5, 6))
    assert last(world.member) == dt.date(2026, 5, 6)
    # The newer one's date corrected to an earlier day: the last visit moves back with it.
    services.visit_update(actor=guide_of_member.user, visit=second, visited_on=dt.date(2026, 3, 20))
    assert last(world.member) == dt.date(2026, 4, 2)
    secretary = personas.other_enterprise_secretary
    services.visit_dispute(actor=secretary, visit=first, reason="当天无人来访")
    assert last(world.member) == dt.date(2026, 3, 20)  # a disputed visit does not count
    services.visit_confirm(actor=secretary, visit=Visit.objects.get(pk=second.pk))
    assert last(world.member) == dt.date(2026, 3, 20)
    Visit.objects.filter(pk=second.pk).first().delete()  # no service deletes; the rows still follow
    assert last(world.member) is None
    assert last(world.lead) is None


def test_a_visit_after_the_month_ended_does_not_clear_it_from_the_sending_units_notice(world, personas):
    with at(2026, 1, 5, 9, 0):
        guide = services.guide_create(
            actor=None,
            user=factories.UserFactory(username="guide_qian", real_name="钱指导"),
            department=world.department,
            term_start=dt.date(2025, 1, 1),
        )
        services.assignment_create(
            actor=None, guide=guide, enterprise=world.member, starts_on=dt.date(2026, 1, 1), cadence="monthly"
        )
    with at(2026, 6, 1, 15, 0):
        services.visit_log(actor=guide.user, enterprise=world.member, visited_on=dt.date(2026, 6, 1))
    due = reminders.unvisited_by_guide(day=dt.date(2026, 5, 31), month_first=dt.date(2026, 5, 1))
    assert [(item.enterprise_id, item.last_visit) for item in due[guide.pk].enterprises] == [(world.member.pk, None)]
    # Coverage of May alone: not visited; of May and June: visited.
    with at(2026, 6, 2, 10, 0):
        may = selectors.coverage_by_zone(
            user=personas.org_staff, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 31)
        )
        both = selectors.coverage_by_zone(
            user=personas.org_staff, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 6, 2)
        )
    row = lambda rows: next(r for r in rows if r["zone_id"] == world.zone.pk)  # noqa: E731
    assert row(may)["visited_count"] == 0 and row(both)["visited_count"] == 1
