"""One pager for counted pages and for PeekPages (lists too long to count)."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from chainparty.paging import PeekPage, paginate


def _pager(params, rows, **kwargs):
    request = RequestFactory().get("/list/", params)
    page, query = paginate(request, rows, per_page=10, **kwargs)
    return page, render_to_string("_pagination.html", {"page": page, "query": query})


def test_a_counted_page_shows_its_page_count_and_total():
    page, html = _pager({"page": "2", "q": "缝纫"}, list(range(25)))
    assert list(page) == list(range(10, 20))
    assert "第 2 / 3 页" in html and "共 25 条" in html
    assert "?q=%E7%BC%9D%E7%BA%AB&page=1" in html and "?q=%E7%BC%9D%E7%BA%AB&page=3" in html


def test_a_peek_page_counts_nothing_and_shows_no_total():
    page, html = _pager({"page": "2"}, list(range(25)), count=False)
    assert isinstance(page, PeekPage) and list(page) == list(range(10, 20))
    assert "第 2 页" in html and "/ " not in html and "共" not in html
    assert "?page=1" in html and "?page=3" in html
    last, html = _pager({"page": "3"}, list(range(25)), count=False)
    assert len(last) == 5 and "page=4" not in html and "?page=2" in html


def test_a_single_page_shows_no_pager_and_a_count_only_when_counted():
    assert "pagination" not in _pager({}, [1, 2], count=False)[1]
    counted = _pager({}, [1, 2])[1]
    assert "pagination" not in counted and "共 2 条" in counted
