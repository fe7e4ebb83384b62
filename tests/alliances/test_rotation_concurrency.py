"""rotation_set under concurrency: two secretaries planning the same quarter never meet an
IntegrityError; the later one's choice replaces the earlier one, as on the page."""

import threading
import time

import pytest
from django.db import connection

from alliances import services
from alliances.models import RotatingChair
from tests.conftest import need_service


def _plan(world, person_name, enterprise=None):
    return services.rotation_set(
        alliance=world.alliance, year=2025, quarter=3, enterprise=enterprise or world.lead, person_name=person_name
    )


@pytest.mark.django_db
def test_a_row_written_between_the_check_and_the_insert_is_replaced_not_a_crash(world, monkeypatch):
    """Deterministic: another writer's row appears just before ours is inserted."""

    validate = RotatingChair.full_clean

    def competitor_commits_after_our_checks(self, *args, **kwargs):
        validate(self, *args, **kwargs)
        if self.pk is None and self.person_name == "后到者":
            RotatingChair.objects.create(
                alliance=world.alliance, year=2025, quarter=3, enterprise=world.member, person_name="先到者"
            )

    monkeypatch.setattr(RotatingChair, "full_clean", competitor_commits_after_our_checks)
    rotation = _plan(world, "后到者")
    rows = list(RotatingChair.objects.filter(alliance=world.alliance, year=2025, quarter=3))
    assert [(r.person_name, r.enterprise_id) for r in rows] == [("后到者", world.lead.pk)]
    assert rotation.pk == rows[0].pk


@pytest.mark.django_db
def test_a_row_written_between_the_lookup_and_our_checks_is_replaced_too(world, monkeypatch):
    """The other writer's row is already there when our row is validated: the unique check is the
    insert's, so it is replaced instead of refused as "already exists"."""

    validate = RotatingChair.full_clean

    def competitor_commits_before_our_checks(self, *args, **kwargs):
        if self.pk is None and self.person_name == "后到者":
            RotatingChair.objects.create(
                alliance=world.alliance, year=2025, quarter=3, enterprise=world.member, person_name="先到者"
            )
        validate(self, *args, **kwargs)

    monkeypatch.setattr(RotatingChair, "full_clean", competitor_commits_before_our_checks)
    rotation = _plan(world, "后到者")
    rows = list(RotatingChair.objects.filter(alliance=world.alliance, year=2025, quarter=3))
    assert [(r.person_name, r.enterprise_id) for r in rows] == [("后到者", world.lead.pk)]
    assert rotation.pk == rows[0].pk


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # collected and asserted by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_secretaries_plan_the_same_quarter_at_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for row locks between concurrent transactions")
    validate = RotatingChair.full_clean

    def slow_validate(self, *args, **kwargs):
        validate(self, *args, **kwargs)
        time.sleep(0.4)  # hold the gap between the checks and the insert open, so the threads overlap

    monkeypatch.setattr(RotatingChair, "full_clean", slow_validate)
    results = _run_together(lambda: _plan(world, "甲"), lambda: _plan(world, "乙", world.member))
    assert all(isinstance(r, RotatingChair) for r in results), results
    rows = list(RotatingChair.objects.filter(alliance=world.alliance, year=2025, quarter=3))
    assert len(rows) == 1
    assert rows[0].person_name in {"甲", "乙"}
