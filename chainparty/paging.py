from django.core.paginator import Paginator

PAGE_SIZE = 25


class PeekPage:
    """A page of a list without counting it: one row more than the page tells whether another
    page follows. Pages deeper than `MAX_PAGE` are not offered (filters narrow a list better).
    It has no `paginator`, so `_pagination.html` shows no totals for it."""

    MAX_PAGE = 400
    paginator = None

    def __init__(self, queryset, number, per_page):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        self.number = min(max(number, 1), self.MAX_PAGE)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page and self.number < self.MAX_PAGE
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def paginate(request, queryset, per_page=PAGE_SIZE, *, count=True):
    """The page `?page=` asks for, and the rest of the query string for the pager's links
    (`_pagination.html`). `count=False` gives a `PeekPage`, which never counts: for lists too long
    to count on every request."""
    number = request.GET.get("page")
    page = Paginator(queryset, per_page).get_page(number) if count else PeekPage(queryset, number, per_page)
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
