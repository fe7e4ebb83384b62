"""The monthly minutes workbook, downloaded (issue 8 §4): a form (month, alliance) for the people who
run meetings (an alliance's managers, organisation staff of its region). A small month downloads at
once; a big one is written by the worker (`alliances.tasks.export_minutes_job`) while a page shows its
progress, then downloads from an expiring link that checks access again. Every download is audited.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chainparty import audit
from chainparty.exporters import export_job_create, export_job_response, workbook_response
from chainparty.models import ExportJob
from chainparty.validators import is_ascii_id

from .. import exporters
from ..access import scope_for
from ..models import Alliance, Region
from . import permissions
from .permissions import manages_alliance

#: Months with more meetings than this are written in the background.
SYNC_MAX_MEETINGS = 200


class MinutesExportForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("月份"), help_text=gettext_lazy("例如 2026-11"), max_length=7)
    alliance = forms.ModelChoiceField(
        label=gettext_lazy("联盟"),
        queryset=Alliance.objects.none(),
        required=False,
        empty_label=gettext_lazy("我负责的全部联盟"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["alliance"].queryset = Alliance.objects.filter(scope_for(user).managed_alliances_q()).order_by(
            "name"
        )

    def clean_month(self):
        return exporters.parse_month(self.cleaned_data["month"])

    def scope(self) -> exporters.MinutesScope:
        """The month's scope; the service's refusal of a future month becomes the form's error."""
        year, month = self.cleaned_data["month"]
        try:
            return exporters.minutes_scope_for_user(
                user=self.user, year=year, month=month, alliance=self.cleaned_data["alliance"]
            )
        except ValidationError as error:
            self.add_error("month", error)
            return None


def _alliance_param(request, user):
    """An alliance id in the query that the user cannot see is 404, as everywhere else."""
    raw = request.GET.get("alliance")
    if not raw:
        return
    if not is_ascii_id(raw) or not Alliance.objects.filter(scope_for(user).alliances_q(), pk=raw).exists():
        raise Http404(_("未找到该联盟，或您无权查看。"))
    if not manages_alliance(user, Alliance.objects.select_related("region").get(pk=raw)):
        raise PermissionDenied(_("只有该联盟的书记、联络员或所在地组织部工作人员可以导出会议台账。"))


def _params_region(params: dict):
    if "alliance_id" in params:
        alliance = Alliance.objects.select_related("region").filter(pk=params["alliance_id"]).first()
        return alliance.region if alliance else None
    if "region_id" in params:
        return Region.objects.filter(pk=params["region_id"]).first()
    return None


def _record(request, *, params, counts, job=None):
    """An audit record in the region the workbook covers (the person's own for "all my alliances")."""
    region = _params_region(params)
    audit.record(
        action=audit.Action.EXPORT,
        actor=request.user,
        request=request,
        target=job,
        region=region,
        region_path=None if region is not None else audit.person_region_path(request.user),
        data={"exporter": exporters.WORKBOOK, **params, "rows": counts},
    )


@login_required
def minutes_export(request):
    if not permissions.may_export_minutes(request.user):
        raise PermissionDenied(_("只有联盟书记、联络员或组织部工作人员可以导出会议台账。"))
    _alliance_param(request, request.user)
    initial = {"month": f"{timezone.localdate():%Y-%m}"}
    form = MinutesExportForm(request.GET or None, user=request.user, initial=initial)
    if form.is_bound and form.is_valid():
        scope = form.scope()
        if scope is not None:
            if exporters.meeting_count(scope) > SYNC_MAX_MEETINGS:
                return _start_job(request, scope)
            response, counts = workbook_response(exporters.minutes_sheets(scope), filename=scope.filename())
            _record(request, params=scope.params, counts=counts)
            return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "alliances/meetings/export.html", {"form": form}, status=status)


def _start_job(request, scope):
    from ..tasks import export_minutes_job

    job, _created = export_job_create(
        workbook=exporters.WORKBOOK, params=scope.params, filename=scope.filename(), owner=request.user
    )
    transaction.on_commit(lambda: export_minutes_job.delay(job.pk))
    return redirect("alliances:minutes_export_job", pk=job.pk)


def _job_for(user, pk) -> ExportJob:
    """A job the user may download: one of its viewers, who still has access to what it holds."""
    job = ExportJob.objects.filter(pk=pk, workbook=exporters.WORKBOOK, viewers=user).first()
    if job is None or not may_download(user, job.params):
        raise Http404(_("未找到该导出文件，或您无权下载。"))
    return job


def may_download(user, params: dict) -> bool:
    """Access is checked again on download: a seat or a region given up since takes the file with it."""
    if "alliance_id" in params:
        alliance = Alliance.objects.select_related("region").filter(pk=params["alliance_id"]).first()
        return alliance is not None and manages_alliance(user, alliance)
    if "region_id" in params:
        region = Region.objects.filter(pk=params["region_id"]).first()
        scope = scope_for(user)
        return region is not None and (scope.is_global_admin or region.is_within(*scope.managed_region_ids))
    if params.get("user_id") != user.pk:
        return False
    # "All my alliances": still managing something (a seat in force, a region's staff), or nothing to download.
    return permissions.may_export_minutes(user)


@login_required
def minutes_export_job(request, pk):
    job = _job_for(request.user, pk)
    return render(request, "alliances/meetings/export_job.html", {"job": job})


@login_required
def minutes_export_download(request, pk):
    job = _job_for(request.user, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        return redirect("alliances:minutes_export_job", pk=job.pk)
    if job.is_expired:
        return render(request, "alliances/meetings/export_job.html", {"job": job}, status=410)
    _record(request, params=job.params, counts=job.rows, job=job)
    return export_job_response(job)


urlpatterns = [
    path("meetings/export/", minutes_export, name="minutes_export"),
    path("meetings/export/jobs/<int:pk>/", minutes_export_job, name="minutes_export_job"),
    path("meetings/export/jobs/<int:pk>/download/", minutes_export_download, name="minutes_export_download"),
]
