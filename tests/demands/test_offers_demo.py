"""The lists' demo data: stories 1 and 5 are there after load_demo, and loading twice changes nothing."""

from decimal import Decimal

import pytest

from alliances import demo as org_demo
from chainparty.models import Notification
from demands.demo import offers as demo_offers
from demands.models import Cooperation, Match, Need, Policy, PolicyDelivery, Resource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded policy PDFs go to a temporary folder, not the project's."""
    settings.MEDIA_ROOT = tmp_path


def _counts():
    return [m.objects.count() for m in (Resource, Policy, PolicyDelivery, Match, Cooperation, Need, Notification)]


def test_demo_offers_load_is_idempotent_and_tells_the_stories():
    org = org_demo.build()
    demo_offers.load(org)
    first = _counts()
    demo_offers.load(org_demo.build())
    assert _counts() == first

    cooperation = Cooperation.objects.get(need__title=demo_offers.STORY1_TITLE)
    assert (cooperation.provider_enterprise, cooperation.receiver_enterprise) == (
        org.enterprises["wuzheng"],
        org.enterprises["jindafeng"],
    )
    assert cooperation.value_wan == Decimal("4500") and "300台" in cooperation.description
    assert cooperation.need.state == Need.State.RATED

    loan = Policy.objects.get(title="休闲服饰贷")
    textile = {e.pk for key, e in org.enterprises.items() if e.industry == "纺织服装" and e.region.name == "汶上县"}
    reached = set(PolicyDelivery.objects.filter(policy=loan).values_list("enterprise_id", flat=True))
    assert reached == textile
    assert loan.department == org.departments["ws_finance"] and loan.attachment_name
    assert 0 < loan.read_count < loan.delivered_count
    assert Notification.objects.filter(recipient=org.users["hongruixuan"], kind="policy").exists()
    assert Resource.objects.filter(enterprise=org.enterprises["wuzheng"], quantity="300台/月").exists()
