"""知晓 is recorded by the enterprise secretary's explicit "我已阅读", never by opening the page."""

import pytest
from django.urls import reverse

from demands.models import Policy, PolicyDelivery
from tests.demands.offers_support import make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(world, personas):
    return make_policy(personas.handler, world.department, title="休闲服饰贷", categories=["finance"], publish=True)


def _delivery(policy, enterprise):
    return PolicyDelivery.objects.get(policy=policy, enterprise=enterprise)


# -- reading is an explicit action ----------------------------------------------------------
def test_opening_a_policy_does_not_mark_it_read(client_for, personas, world, loan):
    client = client_for(personas.enterprise_secretary)
    page = client.get(reverse("demands:policy_detail", args=[loan.pk]))
    assert page.status_code == 200
    assert _delivery(loan, world.lead).read_at is None
    assert Policy.objects.get(pk=loan.pk).read_count == 0
    html = page.content.decode()
    assert reverse("demands:policy_read", args=[loan.pk]) in html and "我已阅读" in html
    assert client.get(reverse("demands:policy_inbox")).context["unread_count"] == 1


def test_i_have_read_marks_once(client_for, personas, world, loan):
    client = client_for(personas.enterprise_secretary)
    url = reverse("demands:policy_read", args=[loan.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("demands:policy_detail", args=[loan.pk])
    first = _delivery(loan, world.lead)
    assert first.read_at is not None and first.read_by == personas.enterprise_secretary
    html = response.content.decode()
    assert "我已阅读" not in html and "已于" in html  # the button gives way to when it was read
    client.post(url)
    assert _delivery(loan, world.lead).read_at == first.read_at
    assert Policy.objects.get(pk=loan.pk).read_count == 1
    assert _delivery(loan, world.member).read_at is None  # another enterprise is not touched
    assert client.get(reverse("demands:policy_inbox")).context["unread_count"] == 0


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("secretary", 403), ("handler", 403)])
def test_i_have_read_refuses_other_personas(client_for, personas, world, loan, persona, status):
    client = client_for(getattr(personas, persona))
    assert client.post(reverse("demands:policy_read", args=[loan.pk])).status_code == status
    assert not PolicyDelivery.objects.filter(policy=loan, read_at__isnull=False).exists()
    page = client.get(reverse("demands:policy_detail", args=[loan.pk]))
    assert "我已阅读" not in page.content.decode()
