"""Searching people by a full mobile number finds only those whose number the searcher may read in
full (chainparty.privacy): otherwise the search would confirm who owns a number the pages mask
(review finding 4). Names still find the person."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NUMBER = "13912345678"


@pytest.fixture
def member_secretary(personas):
    person = personas.other_enterprise_secretary
    person.mobile = NUMBER
    person.save(update_fields=["mobile"])
    return person


def _listed(client, query):
    response = client.get(reverse("people_list"), {"q": query})
    assert response.status_code == 200
    return [row["person"] for row in response.context["rows"]]


def test_who_reads_the_number_masked_cannot_confirm_it_by_searching(world, personas, member_secretary, client_for):
    """The alliance secretary reaches the member enterprise's secretary but reads their number masked."""
    client = client_for(personas.secretary)
    assert member_secretary in _listed(client, "")  # reached, so the search is the only thing refused
    assert _listed(client, NUMBER) == []
    assert member_secretary in _listed(client, member_secretary.real_name)


def test_who_may_read_the_number_finds_the_person_by_it(world, personas, member_secretary, client_for):
    assert _listed(client_for(personas.org_staff), NUMBER) == [member_secretary]
