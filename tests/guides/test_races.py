"""Two requests at the same moment (a double tap on a phone, two tabs): the guides services that check
before they insert must answer the second with a clear Chinese message, never an IntegrityError
(a 500). Two real transactions at once on PostgreSQL (skipped with a reason elsewhere, run in CI)."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from guides import services
from guides.models import EvaluationPeriod, GuideReport, Rating
from guides.services import evaluation as evaluation_services
from tests.conftest import need_service


def _require_postgres():
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for two transactions inserting at once")


def _run_together(*calls):
    """Run the calls in threads started at the same moment; return what each returned or raised."""
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


def _slow_save_new(monkeypatch):
    """Both calls pass the service's checks before either inserts."""
    original = evaluation_services.save_new

    def slow(instance):
        time.sleep(0.4)
        return original(instance)

    monkeypatch.setattr(evaluation_services, "save_new", slow)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_same_rating_sent_twice_at_once_is_saved_once_and_the_second_told_why(
    world, personas, guide_of_member, monkeypatch
):
    _require_postgres()
    period = services.evaluation_period_create(
        actor=personas.org_staff, region=world.county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    report = services.guide_report_submit(actor=guide_of_member.user, period=period, text="半年来走访12家企业")
    _slow_save_new(monkeypatch)

    def rate():
        return services.rating_submit(actor=personas.org_staff, report=report, score=4)

    results = _run_together(rate, rate)
    saved = [r for r in results if isinstance(r, Rating)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(saved) == 1, results
    assert len(refused) == 1, results
    assert "您已评价过" in " ".join(refused[0].messages)
    assert Rating.objects.filter(report=report).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_first_report_sent_twice_at_once_is_one_report(world, personas, guide_of_member, monkeypatch):
    _require_postgres()
    period = services.evaluation_period_create(
        actor=personas.org_staff, region=world.county, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
    )
    _slow_save_new(monkeypatch)

    def submit(text):
        return lambda: services.guide_report_submit(actor=guide_of_member.user, period=period, text=text)

    results = _run_together(submit("第一稿"), submit("第二稿"))
    assert all(isinstance(r, GuideReport) for r in results), results
    report = GuideReport.objects.get(period=period)
    assert report.text in {"第一稿", "第二稿"}
    assert EvaluationPeriod.objects.get().state == EvaluationPeriod.State.OPEN
