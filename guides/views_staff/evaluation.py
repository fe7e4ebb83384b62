"""述职评价 for organisation staff: periods (create, close), the reports of a period with their
ratings, the staff's own rating of a report, and results per guide, team and sending department.
Secretaries rate on their phones (guides/urls_phone.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chainparty.forms_utils import add_service_errors, form_page
from chainparty.paging import paginate

from .. import services, staff_selectors
from ..forms import EvaluationPeriodForm, RatingForm
from ..models import EvaluationPeriod, Rating
from ..permissions import MANAGE, RATE, can_rate_report, manages_region, report_get_for_user, views_region
from ..permissions_staff import (
    evaluation_period_get_for_user,
    may_manage_guides,
    require_guide_manager,
    require_region_desk,
    visible_periods,
)
from ._common import today


@login_required
def evaluation_list(request):
    require_region_desk(request.user)
    periods = visible_periods(request.user).select_related("region").annotate(report_count=Count("reports"))
    page, query = paginate(request, periods.order_by("-starts_on", "-pk"))
    context = {"page": page, "query": query, "can_manage": may_manage_guides(request.user)}
    return render(request, "guides/staff/evaluation_list.html", context)


@login_required
def evaluation_create(request):
    require_guide_manager(request.user)
    day = today()
    first_half = day.month <= 6
    initial = {
        "starts_on": day.replace(month=1 if first_half else 7, day=1),
        "ends_on": day.replace(month=6, day=30) if first_half else day.replace(month=12, day=31),
        "kind": EvaluationPeriod.Kind.HALF_YEAR,
    }
    form = EvaluationPeriodForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request,
        form=form,
        context={"title": _("设立述职评价"), "back": "guides:evaluation_list"},
        on_valid=lambda f: services.evaluation_period_create(actor=request.user, **f.cleaned_data),
        success_message=lambda period: _("已设立 %s。") % period.name,
    )


@login_required
def evaluation_detail(request, pk):
    period = evaluation_period_get_for_user(user=request.user, period_id=pk)
    context = {
        "period": period,
        "can_manage": manages_region(request.user, period.region),
        **staff_selectors.evaluation_results(period=period),
    }
    return render(request, "guides/staff/evaluation_detail.html", context)


@login_required
@require_POST
def evaluation_close(request, pk):
    period = evaluation_period_get_for_user(user=request.user, period_id=pk, action=MANAGE)
    try:
        services.evaluation_period_close(actor=request.user, period=period)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("述职评价已结束，不再接受报告和评价。"))
    return redirect("guides:evaluation_detail", pk=period.pk)


@login_required
def report_detail(request, pk):
    """A guide's report with its ratings (to staff and leaders; others see the averages), and the
    staff's rating form while the period is open."""
    report = report_get_for_user(user=request.user, report_id=pk)
    user = request.user
    rated = Rating.objects.filter(report=report, rater=user).first()
    may_rate = rated is None and manages_region(user, report.guide.region) and can_rate_report(user, report)
    form = None
    if may_rate:
        form = RatingForm(request.POST or None, user=user)
        if request.method == "POST":
            report = report_get_for_user(user=user, report_id=pk, action=RATE)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        services.rating_submit(actor=user, report=report, **form.cleaned_data)
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("评价已提交。"))
                    return redirect("guides:report_detail", pk=report.pk)
    elif request.method == "POST":
        report_get_for_user(user=user, report_id=pk, action=RATE)  # 403 with the reason
        messages.error(request, _("您已评价过这份述职报告。"))
        return redirect("guides:report_detail", pk=report.pk)
    results = staff_selectors.report_results(type(report).objects.filter(pk=report.pk)).get()
    context = {
        "report": report,
        "results": results,
        "ratings": (
            report.ratings.select_related("rater", "enterprise").order_by("rated_at", "id")
            if views_region(user, report.period.region)
            else None
        ),
        "rated": rated,
        "form": form,
    }
    return render(request, "guides/staff/report_detail.html", context, status=400 if form and form.errors else 200)
