"""Who no one has visited (issue 9 §2), for organisation staff and leaders of a region: every
enterprise with its last visit, its guides and its status against its assignments' cadence; and
visit coverage (企业走访覆盖率) per zone and per alliance, as tables and a bar chart."""

from html import escape

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty.forms_utils import FastSelect
from chainparty.paging import paginate

from .. import selectors
from ..forms import CoverageRangeForm
from ..permissions_staff import require_region_desk
from ..templatetags.guides_staff import percent
from ._common import param_choice, param_id, today

PERIODS = [
    (selectors.MONTH, gettext_lazy("本月")),
    (selectors.QUARTER, gettext_lazy("本季度")),
    (selectors.EVER, gettext_lazy("从未")),
]
SHOW_NOT_VISITED, SHOW_ALL = "not_visited", "all"
SHOWS = [(SHOW_NOT_VISITED, gettext_lazy("未走访的企业")), (SHOW_ALL, gettext_lazy("全部企业"))]
FILTER_LABELS = {
    "zone": (gettext_lazy("片区"), gettext_lazy("全部片区")),
    "alliance": (gettext_lazy("产业链党委"), gettext_lazy("全部产业链党委")),
    "department": (gettext_lazy("派出部门"), gettext_lazy("全部派出部门")),
    "guide": (gettext_lazy("指导员"), gettext_lazy("全部指导员")),
}


def _seen(rows, pk):
    return pk if pk is not None and any(row[0] == pk for row in rows) else None


def _select(name, rows, chosen):
    label, everything = FILTER_LABELS[name]
    widget = FastSelect(attrs={"class": "form-select", "aria-label": label}, choices=[("", everything), *rows])
    return widget.render(name, chosen)


@login_required
def visit_overview(request):
    require_region_desk(request.user)
    user = request.user
    period = param_choice(request, "period", PERIODS, selectors.QUARTER)
    show = param_choice(request, "show", SHOWS, SHOW_NOT_VISITED)
    # The filter lists as cached (id, name) rows (selectors.overview_filter_options), each select
    # rendered in Python (FastSelect); a filter is an id the user sees, else none.
    options = selectors.overview_filter_options(user)
    filters = {name: _seen(rows, param_id(request, name)) for name, rows in options.items()}
    selects = {name: _select(name, rows, filters[name]) for name, rows in options.items()}
    day = today()
    enterprises = selectors.enterprise_visit_list(
        user=user, period=period, not_visited=show == SHOW_NOT_VISITED, day=day, **filters
    )
    page, query = paginate(request, enterprises)
    serving = selectors.enterprise_guides([e.pk for e in page.object_list], day=day)
    for enterprise in page.object_list:
        enterprise.guides = serving.get(enterprise.pk, [])
        enterprise.status_label = selectors.STATUS_LABELS[enterprise.status]
        enterprise.status_class = selectors.STATUS_CLASSES[enterprise.status]
    context = {
        "page": page,
        "query": query,
        "period": period,
        "show": show,
        "periods": PERIODS,
        "shows": SHOWS,
        "filters": filters,
        "selects": selects,
        "day": day,
    }
    return render(request, "guides/staff/visit_overview.html", context)


RATE_PERIODS = [
    (selectors.MONTH, gettext_lazy("本月")),
    (selectors.QUARTER, gettext_lazy("本季度")),
    ("year", gettext_lazy("本年")),
]


CUSTOM = "custom"


def _range_form(request):
    """The custom range's form, bound only when the query string names a range."""
    if request.GET.get("date_from") or request.GET.get("date_to") or request.GET.get("period") == CUSTOM:
        return CoverageRangeForm(request.GET)
    return CoverageRangeForm()


@login_required
def coverage(request):
    require_region_desk(request.user)
    period = param_choice(request, "period", RATE_PERIODS, selectors.QUARTER)
    day = today()
    starts_on = day.replace(month=1, day=1) if period == "year" else selectors.period_start(day, period)
    ends_on = day
    range_form = _range_form(request)
    if range_form.is_bound and range_form.is_valid():
        period = CUSTOM
        starts_on, ends_on = range_form.cleaned_data["date_from"], range_form.cleaned_data["date_to"]
    by_zone = selectors.coverage_by_zone(user=request.user, starts_on=starts_on, ends_on=ends_on)
    by_alliance = selectors.coverage_by_alliance(user=request.user, starts_on=starts_on, ends_on=ends_on)
    for row in by_zone:
        row["name"] = row["zone__name"] or _("未划入片区")
    for row in by_alliance:
        row["name"] = row["alliance__name"]
    # The links go to the not-visited list for the same period ("ever" for a year or a range).
    linked_period = "ever" if period in ("year", CUSTOM) else period
    list_url = reverse("guides:visit_overview")
    total = sum(r["total"] for r in by_zone)
    visited = sum(r["visited_count"] for r in by_zone)
    context = {
        "period": period,
        "periods": RATE_PERIODS,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "range_form": range_form,
        "by_zone": by_zone,
        "by_alliance": by_alliance,
        "zone_rows": _table_rows(
            by_zone, link=f"{list_url}?zone=%d&amp;period={linked_period}", pk="zone_id", empty=_("暂无企业。")
        ),
        "alliance_rows": _table_rows(
            by_alliance,
            link=f"{list_url}?alliance=%d&amp;period={linked_period}",
            pk="alliance_id",
            empty=_("暂无产业链党委。"),
        ),
        "total": total,
        "visited": visited,
        "rate": visited / total if total else None,
        "chart": {
            "zones": _chart(by_zone),
            "alliances": _chart(by_alliance),
            "label": str(_("走访覆盖率（%）")),
        },
    }
    return render(request, "guides/staff/coverage.html", context, status=400 if range_form.errors else 200)


def _table_rows(rows, *, link: str, pk: str, empty: str) -> SafeString:
    """A coverage table's body, written once in Python: a province's 439 zones and 730 alliances
    through the template's loop (a {% url %}, two localized numbers and a filter per row) took
    longer than the page's SQL (`make bench`). Names are escaped; the rest are numbers."""
    if not rows:
        return mark_safe(f'<tr><td colspan="4" class="text-muted">{escape(empty)}</td></tr>')
    cells = []
    for row in rows:
        name = escape(str(row["name"]))
        if row[pk] is not None:
            name = f'<a href="{link % row[pk]}">{name}</a>'
        cells.append(
            f'<tr><td>{name}</td><td class="text-end">{row["total"]:d}</td>'
            f'<td class="text-end">{row["visited_count"]:d}</td><td class="text-end">{percent(row["rate"])}</td></tr>'
        )
    return mark_safe("\n".join(cells))


def _chart(rows) -> dict:
    """Names and rates (percent, one decimal) for the static chart script (json_script)."""
    return {"names": [str(r["name"]) for r in rows], "rates": [round(r["rate"] * 100, 1) for r in rows]}
