"""A sparse scope's list reads a page's ids first from a narrow query, then those rows with their
joins (demands.selectors.needs.IdsFirstQuerySet), through the public slicing protocol only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demands.models import Need
from demands.selectors import needs as selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_needs(file_need):
    return [file_need(title=f"需求{number}") for number in range(3)]


def test_a_page_of_a_sparse_scope_reads_ids_then_rows(personas, three_needs):
    needs = selectors.need_list(user=personas.enterprise_secretary)
    assert isinstance(needs, selectors.IdsFirstQuerySet)
    with CaptureQueriesContext(connection) as captured:
        page = needs[0:2]
    newest_first = sorted(three_needs, key=lambda need: (need.filed_at, need.pk), reverse=True)
    assert [need.pk for need in page] == [need.pk for need in newest_first[:2]]
    assert all(hasattr(need, "lead_assignee") for need in page)
    assert page[0].enterprise.name  # joined, no query of its own
    assert len(captured) == 2
    ids_query, rows_query = (query["sql"] for query in captured.captured_queries)
    assert "JOIN" not in ids_query.upper()
    assert "alliances_enterprise" in rows_query


def test_values_slices_count_and_iteration_stay_plain_queries(personas, three_needs):
    needs = selectors.need_list(user=personas.enterprise_secretary)
    assert list(needs.values("pk")[:2]) == [{"pk": pk} for pk in list(needs.values_list("pk", flat=True))[:2]]
    assert needs.count() == 3
    assert {need.pk for need in needs} == {need.pk for need in three_needs}
    assert needs[1].pk in {need.pk for need in three_needs}  # an index, not a slice
    assert [need.pk for need in needs[0:2]] == [need.pk for need in list(needs)[0:2]]  # loaded rows


def test_a_wide_scope_reads_its_page_in_one_query(personas, three_needs):
    needs = selectors.need_list(user=personas.org_staff)
    assert not isinstance(needs, selectors.IdsFirstQuerySet)
    with CaptureQueriesContext(connection) as captured:
        assert len(list(needs[0:2])) == 2
    assert len(captured) == 1
    assert Need.objects.count() == 3
