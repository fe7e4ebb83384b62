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


def test_an_index_is_read_ids_first_too(personas, three_needs):
    needs = selectors.need_list(user=personas.enterprise_secretary)
    newest_first = sorted(three_needs, key=lambda need: (need.filed_at, need.pk), reverse=True)
    second = needs[1]
    assert second.pk == newest_first[1].pk and hasattr(second, "lead_assignee")
    with pytest.raises(IndexError):
        needs[3]


def test_a_slice_after_iteration_still_carries_the_row_columns(personas, three_needs):
    needs = selectors.need_list(user=personas.enterprise_secretary)
    assert len(list(needs)) == 3  # evaluated: the whole list, plain rows
    page = needs[0:2]
    assert len(page) == 2 and all(hasattr(need, "lead_assignee") for need in page)


def test_values_slices_and_count_stay_plain_queries(personas, three_needs):
    needs = selectors.need_list(user=personas.enterprise_secretary)
    first_two = list(needs.values("pk")[:2])
    assert all(set(row) == {"pk"} for row in first_two) and len(first_two) == 2
    assert needs.count() == 3


def test_a_wide_scope_reads_its_page_in_one_query(personas, three_needs):
    needs = selectors.need_list(user=personas.org_staff)
    assert not isinstance(needs, selectors.IdsFirstQuerySet)
    with CaptureQueriesContext(connection) as captured:
        assert len(list(needs[0:2])) == 2
    assert len(captured) == 1
    assert Need.objects.count() == 3
