from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.defaults import bad_request as django_bad_request

from chainparty.paging import paginate

from . import holidays, indicators, notifications
from .models import Notification, NotificationDelivery, TaskHeartbeat
from .validators import InvalidParameter, parse_ids


@login_required
def notification_list(request):
    items = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        items = items.filter(read_at__isnull=True)
    page, query = paginate(request, items)
    return render(request, "notifications/list.html", {"page": page, "query": query})


def _redirect_within_portal(request, target):
    """Follow `target` only when it stays on this site (Django's check: `/\\evil.com`, `//evil.com`
    and other hosts are refused); otherwise go to the notification list."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications")


@login_required
@require_POST
def notification_read(request):
    """Mark the posted ids read, or all of them when none is given. Ids in the query string count
    too (`?id=…`), so a bad one there is refused instead of ignored, which would read all."""
    ids = parse_ids(request.POST.getlist("id") + request.GET.getlist("id"), name="id") or None
    notifications.mark_read(user=request.user, notification_ids=ids)
    return _redirect_within_portal(request, request.POST.get("next", ""))


@login_required
def notification_open(request, pk):
    """Mark one notification read and go where it points."""
    item = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if item is None:
        return redirect("notifications")
    notifications.mark_read(user=request.user, notification_ids=[item.pk])
    return _redirect_within_portal(request, item.url)


@staff_member_required
def system_status(request):
    beats = list(TaskHeartbeat.objects.all())
    now = timezone.now()
    for beat in beats:
        beat.age_seconds = int((now - beat.last_run_at).total_seconds())
    deliveries = {
        NotificationDelivery.Status(row["status"]).label: row["n"]
        for row in NotificationDelivery.objects.values("status").order_by().annotate(n=Count("pk"))
    }
    holiday_warning = holidays.missing_year_warning(timezone.localdate())
    context = {"beats": beats, "deliveries": deliveries, "holiday_warning": holiday_warning}
    return render(request, "status.html", context)


@login_required
def indicator_panel(request, key):
    """htmx fragment: a deferred group's figures for this user (404 for a group they do not see)."""
    panel = indicators.registry.panel(user=request.user, key=key)
    if panel is None:
        raise Http404
    return render(request, "chainparty/_indicator_figures.html", {"figures": panel.figures})


def bad_request(request, exception):
    """handler400: a parameter the portal could not read (chainparty.validators.InvalidParameter) is
    named on a page in the portal's layout; anything else gets Django's 400.html, which shows no
    detail (a SuspiciousOperation's message is for the log)."""
    if isinstance(exception, InvalidParameter):
        return render(request, "chainparty/bad_request.html", {"message": str(exception)}, status=400)
    return django_bad_request(request, exception)
