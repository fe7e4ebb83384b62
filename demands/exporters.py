"""Excel exports of demands, through the shared exporter base (chainparty.exporters)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chainparty.exporters import DATE, DATETIME, MONEY, NUMBER, Column, ListExporter, workbooks

from .models import Need
from .selectors import needs as selectors

#: Rows read per chunk: big enough that a county's export takes a handful of queries.
CHUNK_SIZE = 500
#: The most rows one export may hold; a bigger one is refused before anything is written (a
#: province's whole history is a report to narrow down, not a request to hold open).
EXPORT_MAX_ROWS = 50_000


class NeedExporter(ListExporter):
    """The needs list as its page shows it to `user`: same selector, same filters, same box, same
    order, so an export holds exactly the rows the list does."""

    identifier = "needs"
    verbose_name = _("需求清单")
    columns = (
        Column(_("编号")),
        Column(_("标题")),
        Column(_("企业")),
        Column(_("联盟")),
        Column(_("类别")),
        Column(_("紧急程度")),
        Column(_("状态")),
        Column(_("提交时间"), DATETIME),
        Column(_("办理时限"), DATE),
        Column(_("超期工作日"), NUMBER),
        Column(_("牵头承办")),
        Column(_("满意度")),
        Column(_("融资金额（万元）"), MONEY),
        Column(_("用地面积（亩）"), NUMBER),
        Column(_("用工人数"), NUMBER),
    )

    def __init__(self, *, user, filters=None, box=selectors.BOX_ALL):
        self.box = box
        self.queryset = selectors.need_list(user=user, filters=filters, box=box)

    def exceeds_max_rows(self) -> bool:
        """Whether the list holds more than EXPORT_MAX_ROWS rows: one query counting at most one id
        more, as CappedPaginator counts."""
        return self.queryset.order_by().values("pk")[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS

    def _needs(self):
        # Chunks in the list's order, each read from where the last ended (keyset, never OFFSET): one
        # query per chunk, or two for a sparse scope's ids-first plan, however deep into the list.
        chunk = list(self.queryset[:CHUNK_SIZE])
        while chunk:
            yield from chunk
            if len(chunk) < CHUNK_SIZE:
                return
            after = selectors.need_list_after(need=chunk[-1], box=self.box)
            chunk = list(self.queryset.filter(after)[:CHUNK_SIZE])

    def iter_rows(self):
        for need in self._needs():
            yield (
                need.number,
                need.title,
                need.enterprise.name,
                need.alliance.name,
                need.category_label,
                need.urgency_label,
                need.state_label,
                need.filed_at,
                need.deadline,
                need.overdue_workdays or None,
                need.lead_assignee,
                need.rating_label or None,
                need.funding_wan,
                need.land_mu,
                need.people,
            )


workbooks.register("needs", NeedExporter)


# -- the monthly minutes workbook (alliances.exporters) -------------------------------------------------
class MonthlyNeedExporter(ListExporter):
    """本月诉求: the needs of the workbook's alliances filed or closed out in its month, in one query
    streamed from the database, as a ledger like the workbook's other sheets."""

    streams_from_database = True

    identifier = "minutes_needs"
    verbose_name = _("本月诉求")
    empty_text = _("本月无新提交或销号的诉求。")
    columns = (
        Column(_("序号"), NUMBER),
        Column(_("编号")),
        Column(_("产业链党委")),
        Column(_("企业")),
        Column(_("标题"), wrap=True),
        Column(_("类别")),
        Column(_("状态")),
        Column(_("提交日期"), DATE),
        Column(_("销号日期"), DATE),
        Column(_("本月情况")),
    )

    def __init__(self, *, scope):
        self.scope = scope
        self.ledger = scope.ledger(_("本月诉求"))

    def iter_rows(self):
        start, following = self.scope.bounds
        filed = Q(filed_at__gte=start, filed_at__lt=following)
        closed = Q(closed_at__gte=start, closed_at__lt=following)
        # Labels translated once per sheet, not once per row.
        categories = {value: str(label) for value, label in Need.Category.choices}
        states = {value: str(label) for value, label in Need.State.choices}
        in_month_labels = {
            (True, True): str(_("本月提交并销号")),
            (True, False): str(_("本月提交")),
            (False, True): str(_("本月销号")),
        }
        rows = (
            Need.objects.filter(filed | closed, alliance__in=self.scope.alliances.values("pk"))
            .order_by("filed_at", "pk")
            .values_list(
                "number", "alliance__name", "enterprise__name", "title", "category", "state", "filed_at", "closed_at"
            )
        )
        for index, (number, alliance, enterprise, title, category, state, filed_at, closed_at) in enumerate(
            rows.iterator(chunk_size=CHUNK_SIZE), 1
        ):
            filed_on = timezone.localtime(filed_at).date()
            closed_on = timezone.localtime(closed_at).date() if closed_at else None
            in_month = (
                start.date() <= filed_on,
                closed_on is not None and start.date() <= closed_on < following.date(),
            )
            yield (
                index,
                number,
                alliance,
                enterprise,
                title,
                categories.get(category, category),
                states.get(state, state),
                filed_on,
                closed_on,
                in_month_labels.get(in_month, in_month_labels[False, True]),
            )


workbooks.register("monthly_minutes", MonthlyNeedExporter)
