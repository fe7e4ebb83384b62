"""deadline_rule_save under concurrency (issue 7 defect 2.8): two people setting the same rule at
once never meet an IntegrityError; the later save's working days stand, on one rule. The race is
simulated deterministically on any database (the other rule is slipped in by patching the step
between the existence check and the insert), and run with two real transactions on PostgreSQL
(skipped with a reason elsewhere, run in CI)."""

import threading
import time

import pytest
from django.db import connection

from demands.models import DeadlineRule, Need
from demands.services import deadlines
from tests import factories
from tests.conftest import need_service

URGENT = Need.Urgency.URGENT


@pytest.fixture
def platform_admin(db):
    return factories.UserFactory(username="root", is_staff=True, is_superuser=True)


def _scopes(world, personas, platform_admin):
    return {"county": (personas.org_staff, world.county), "platform": (platform_admin, None)}


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["county", "platform"])
@pytest.mark.parametrize("lands", ["before our checks", "between our checks and the insert"])
def test_a_rule_saved_by_someone_else_after_the_existence_check_is_updated(
    world, personas, platform_admin, monkeypatch, scope, lands
):
    actor, region = _scopes(world, personas, platform_admin)[scope]
    validate = DeadlineRule.full_clean
    slipped = []

    def other_saver_commits(self, *args, **kwargs):
        """The other saver's rule appears once this one has found none and is about to insert."""
        racing = self.pk is None and not slipped
        if racing and lands == "before our checks":
            slipped.append(DeadlineRule.objects.create(region=region, urgency=URGENT, category="", workdays=4))
        validate(self, *args, **kwargs)
        if racing and lands == "between our checks and the insert":
            slipped.append(DeadlineRule.objects.create(region=region, urgency=URGENT, category="", workdays=4))

    monkeypatch.setattr(DeadlineRule, "full_clean", other_saver_commits)
    rule = deadlines.deadline_rule_save(actor=actor, region=region, urgency=URGENT, workdays=3)
    rows = list(DeadlineRule.objects.filter(region=region, urgency=URGENT, category=""))
    assert [(r.pk, r.workdays) for r in rows] == [(slipped[0].pk, 3)], "one rule, with the days this save set"
    assert (rule.pk, rule.workdays) == (slipped[0].pk, 3)


@pytest.mark.django_db
def test_a_rule_out_of_range_is_still_refused_with_its_message(world, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="1 至 120 个工作日"):
        deadlines.deadline_rule_save(actor=personas.org_staff, region=world.county, urgency=URGENT, workdays=121)
    assert not DeadlineRule.objects.filter(region=world.county).exists()


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


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scope", ["county", "platform"])
def test_two_people_set_the_same_rule_at_once(world, personas, platform_admin, monkeypatch, scope):
    if connection.vendor != "postgresql":
        need_service("PostgreSQL (DATABASE_URL) for two transactions inserting at once")
    actor, region = _scopes(world, personas, platform_admin)[scope]
    validate = DeadlineRule.full_clean

    def slow_validate(self, *args, **kwargs):
        validate(self, *args, **kwargs)
        if self.pk is None:
            time.sleep(0.4)  # both have found no rule and validated theirs before either inserts

    monkeypatch.setattr(DeadlineRule, "full_clean", slow_validate)

    def save(workdays):
        return lambda: deadlines.deadline_rule_save(actor=actor, region=region, urgency=URGENT, workdays=workdays)

    results = _run_together(save(3), save(4))
    assert all(isinstance(r, DeadlineRule) for r in results), results
    assert results[0].pk == results[1].pk
    rows = list(DeadlineRule.objects.filter(region=region, urgency=URGENT, category=""))
    assert len(rows) == 1
    assert rows[0].workdays in {3, 4}
