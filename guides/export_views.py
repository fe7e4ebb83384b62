"""走访台账, downloaded (issue 9 §2): the visits of a month or a quarter in a region, for its
organisation staff and leaders. `?period=2026-05` (or `2026-Q2`) downloads at once; without it, or
with a period refused, a small form says what to enter. Every download is audited."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliances.access import scope_for
from alliances.models import Region
from chainparty import audit
from chainparty.exporters import workbook_response
from chainparty.validators import is_ascii_id

from . import exporters


def _regions(user):
    """The regions whose ledger `user` may download: those they manage or view (every top region
    for platform admins and global viewers)."""
    scope = scope_for(user)
    if scope.sees_everything:
        return Region.objects.filter(parent__isnull=True).order_by("path")
    return Region.objects.filter(pk__in=scope.viewed_region_ids).order_by("path")


class VisitLedgerForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("期间"), help_text=gettext_lazy("月份如 2026-05，季度如 2026-Q2"), max_length=7
    )
    region = forms.ModelChoiceField(label=gettext_lazy("区域"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].empty_label = None

    def clean_period(self):
        return exporters.parse_period(self.cleaned_data["period"])

    def clean_region(self):
        return self.cleaned_data["region"] or self.fields["region"].queryset.first()


def _quick_periods(today):
    """This month, last month, this quarter, last quarter: the links the form offers."""
    last_month = today.replace(day=1) - timezone.timedelta(days=1)
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    return [
        (_("本月"), f"{today:%Y-%m}"),
        (_("上月"), f"{last_month:%Y-%m}"),
        (_("本季度"), f"{today.year}-Q{quarter}"),
        (_("上季度"), f"{last_quarter[0]}-Q{last_quarter[1]}"),
    ]


@login_required
def visit_ledger_export(request):
    regions = _regions(request.user)
    if not regions.exists():
        raise PermissionDenied(_("只有组织部工作人员和领导可以导出走访台账。"))
    raw = request.GET.get("region")
    if raw and not (is_ascii_id(raw) and regions.filter(pk=raw).exists()):
        raise Http404(_("未找到该区域，或您无权查看。"))
    form = VisitLedgerForm(request.GET or None, regions=regions)
    if form.is_bound and form.is_valid():
        region, period = form.cleaned_data["region"], form.cleaned_data["period"]
        scope = exporters.region_scope(region=region, period=period)
        response, counts = workbook_response([exporters.VisitLedgerExporter(scope=scope)], filename=scope.filename())
        audit.record(
            action=audit.Action.EXPORT,
            actor=request.user,
            request=request,
            region=region,
            data={"exporter": exporters.LEDGER, "period": period.key, "rows": counts},
        )
        return response
    context = {"form": form, "quick": _quick_periods(timezone.localdate())}
    return render(request, "guides/export/visit_ledger.html", context, status=400 if form.errors else 200)
