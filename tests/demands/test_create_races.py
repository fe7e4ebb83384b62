"""Check-then-create services stay safe when the row appears between the check and the insert:
deterministically on any database (the row is slipped in by patching the step in between), and
with two real transactions at once on PostgreSQL (skipped with a reason elsewhere, run in CI)."""

import threading
import time

import pytest
from django.db import connection

from demands.models import Match
from demands.services import matches as match_services
from tests.conftest import need_service
from tests.demands.offers_support import make_need, make_resource


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


# -- match_propose ------------------------------------------------------------------------------
@pytest.fixture
def pair(world, personas):
    resource = make_resource(personas.other_enterprise_secretary, enterprise=world.member, title="闲置缝纫产能")
    need = make_need(world.lead, world.alliance, title="订单激增缺少缝纫产能")
    return need, resource


@pytest.mark.django_db
def test_match_inserted_between_check_and_create_is_returned(personas, pair, monkeypatch):
    need, resource = pair
    original = match_services.score_pair
    slipped = []

    def score_and_race(**kwargs):  # another proposer's match lands while this one is scoring
        other = Match.objects.create(need=need, resource=resource, score=1, reasons=[], proposed_by=personas.org_staff)
        slipped.append(other)
        return original(**kwargs)

    monkeypatch.setattr(match_services, "score_pair", score_and_race)
    match = match_services.match_propose(need=need, resource=resource, user=personas.secretary)
    assert match == slipped[0]
    assert Match.objects.filter(need=need, resource=resource).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_proposers_at_once_get_the_same_match(personas, pair, monkeypatch):
    _require_postgres()
    need, resource = pair
    original = match_services.score_pair

    def slow_score(**kwargs):  # both pass the check before either inserts
        result = original(**kwargs)
        time.sleep(0.4)
        return result

    monkeypatch.setattr(match_services, "score_pair", slow_score)

    def propose(user):
        return lambda: match_services.match_propose(need=need, resource=resource, user=user)

    results = _run_together(propose(personas.secretary), propose(personas.org_staff))
    assert all(isinstance(r, Match) for r in results), results
    assert results[0].pk == results[1].pk
    assert Match.objects.filter(need=need, resource=resource).count() == 1
