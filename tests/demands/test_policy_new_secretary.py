"""A secretary appointed after a policy was pushed to their enterprise still hears of it and finds it
in the inbox; an enterprise with nobody to tell is not counted as notified."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliances import services as org
from chainparty.models import Notification
from demands.models import Policy, PolicyDelivery
from demands.services.policies import policy_notify_deliveries, policy_withdraw
from tests import factories
from tests.demands.offers_support import make_policy

pytestmark = pytest.mark.django_db


def _delivery(policy, enterprise):
    return PolicyDelivery.objects.get(policy=policy, enterprise=enterprise)


# -- a secretary appointed after the push still hears of it ----------------------------------
@pytest.fixture
def newcomer(world):
    """A county textile enterprise with nobody yet to tell about policies."""
    return factories.EnterpriseFactory(name="汶上县新建纺织有限公司", region=world.county, zone=world.zone)


def _publish(personas, world, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):  # the push task runs eagerly on commit
        return make_policy(personas.handler, world.department, publish=True, **fields)


def test_enterprise_without_secretary_is_not_marked_notified(
    personas, world, newcomer, django_capture_on_commit_callbacks
):
    policy = _publish(personas, world, django_capture_on_commit_callbacks, title="稳岗返还")
    assert _delivery(policy, newcomer).notified_at is None
    assert _delivery(policy, world.lead).notified_at is not None  # its secretary was told
    assert Notification.objects.filter(recipient=personas.enterprise_secretary, url=policy.get_absolute_url()).count()


def test_secretary_appointed_later_is_told_once_and_finds_it_in_the_inbox(
    client_for, personas, world, newcomer, django_capture_on_commit_callbacks
):
    pending = _publish(personas, world, django_capture_on_commit_callbacks, title="稳岗返还")
    read = _publish(personas, world, django_capture_on_commit_callbacks, title="已读过的政策")
    expired = _publish(personas, world, django_capture_on_commit_callbacks, title="已过期的政策")
    withdrawn = _publish(personas, world, django_capture_on_commit_callbacks, title="已撤回的政策")
    PolicyDelivery.objects.filter(policy=read, enterprise=newcomer).update(read_at=timezone.now())
    Policy.objects.filter(pk=expired.pk).update(valid_to=timezone.localdate() - dt.timedelta(days=1))
    policy_withdraw(policy=withdrawn, user=personas.handler)

    secretary = factories.UserFactory(username="newcomer_sec", real_name="新建纺织钱书记")
    with django_capture_on_commit_callbacks(execute=True):
        org.enterprise_grant_secretary(enterprise=newcomer, user=secretary, system=True)

    told = Notification.objects.filter(recipient=secretary)
    assert [n.url for n in told] == [pending.get_absolute_url()]
    assert "稳岗返还" in told.get().title
    assert _delivery(pending, newcomer).notified_at is not None
    inbox = client_for(secretary).get(reverse("demands:policy_inbox"))
    assert "稳岗返还" in inbox.content.decode()
    assert pending in [d.policy for d in inbox.context["page"] if d.read_at is None]

    # Appointing again, or the push running again, sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        org.enterprise_grant_secretary(enterprise=newcomer, user=secretary, system=True)
    policy_notify_deliveries(policy_id=pending.pk)
    assert Notification.objects.filter(recipient=secretary).count() == 1
    old_hand = Notification.objects.filter(recipient=personas.enterprise_secretary, url=pending.get_absolute_url())
    assert old_hand.count() == 1


def test_notifying_a_new_secretary_leaves_other_enterprises_alone(
    personas, world, newcomer, django_capture_on_commit_callbacks
):
    policy = _publish(personas, world, django_capture_on_commit_callbacks, title="稳岗返还")
    before = set(Notification.objects.values_list("pk", flat=True))
    secretary = factories.UserFactory(username="newcomer_sec", real_name="新建纺织钱书记")
    with django_capture_on_commit_callbacks(execute=True):
        org.enterprise_grant_secretary(enterprise=newcomer, user=secretary, system=True)
    fresh = Notification.objects.exclude(pk__in=before)
    assert {n.recipient for n in fresh} == {secretary}
    assert _delivery(policy, newcomer).notified_at is not None
