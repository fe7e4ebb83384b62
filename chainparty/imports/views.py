"""数据导入 pages: the kinds a user may import (templates, upload), a job's progress and report,
the confirmation, the marked copy, and 导入记录. Thin: the work is in jobs.py."""

import types

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chainparty.accounts.views import secret_page
from chainparty.imports.models import ImportJob
from chainparty.paging import paginate
from chainparty.uploads import XLSX, attachment_response

from . import jobs
from .base import ImportContext
from .registry import import_kinds
from .template import build_template, template_filename

#: Row messages shown on the page; the marked copy carries every one.
PAGE_MESSAGES = 300


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("导入内容"))
    region = forms.TypedChoiceField(label=gettext_lazy("导入到"), coerce=int)
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    accept_fixes = forms.BooleanField(
        label=gettext_lazy("采用系统建议的修正（全角字符、代码中的空格、“规模以上”写作“规上”等）"), required=False
    )

    def __init__(self, *args, kinds, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {kind.identifier: kind for kind in kinds}
        self.user = user
        self.fields["kind"].choices = [(kind.identifier, kind.verbose_name) for kind in kinds]
        regions = {}
        for kind in kinds:
            for region in kind.regions_for(user):
                regions.setdefault(region.pk, region)
        self.fields["region"].choices = [(pk, str(region)) for pk, region in regions.items()]
        self.fields["file"].widget.attrs.update({"accept": ".xlsx", "data-import-file": "", "class": "form-control"})
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["region"].widget.attrs["class"] = "form-select"
        self.fields["accept_fixes"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        kind = self.kinds.get(data.get("kind"))
        if kind is not None and data.get("region") is not None:
            region = kind.get_region(self.user, data["region"])
            if region is None:
                self.add_error("region", _("您不能向该区域导入%(kind)s。") % {"kind": kind.verbose_name})
            data["kind_object"], data["region_object"] = kind, region
        return data


def _kinds_or_403(user):
    kinds = import_kinds.for_user(user)
    if not kinds:
        raise PermissionDenied(_("您没有可导入的数据。"))
    return kinds


@login_required
def import_index(request):
    kinds = _kinds_or_403(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_job_create(
                user=request.user,
                kind=form.cleaned_data["kind_object"],
                region=form.cleaned_data["region_object"],
                upload=form.cleaned_data["file"],
                accept_fixes=form.cleaned_data["accept_fixes"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("imports:job", pk=job.pk)
    recent = ImportJob.objects.filter(user=request.user).order_by("-created_at")[:5]
    context = {"kinds": kinds, "form": form, "recent": recent}
    return render(request, "imports/index.html", context, status=400 if form.errors else 200)


@login_required
def template_download(request, kind):
    kind_class = import_kinds.get(kind)
    if kind_class is None:
        raise Http404(_("没有这种导入内容。"))
    instance = kind_class()
    regions = instance.regions_for(request.user)
    if not regions:
        raise Http404(_("没有这种导入内容。"))
    region = regions[0]
    if request.GET.get("region", "").isdigit():
        region = instance.get_region(request.user, int(request.GET["region"])) or region
    workbook = build_template(instance, ctx=ImportContext(user=request.user, region=region))
    response = HttpResponse(content_type=XLSX.content_type)
    workbook.save(response)
    response["Content-Disposition"] = _content_disposition(template_filename(instance))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _content_disposition(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename)


def visible_jobs_q(user) -> Q:
    """Jobs a user may look at: their own, and those of every kind and region where they may import
    everything of the kind (ImportKind.job_regions_for: an alliance secretary does not see the
    county's or another alliance's membership file)."""
    q = Q(user=user)
    for kind in import_kinds.for_user(user):
        region_ids = [region.pk for region in kind.job_regions_for(user)]
        if region_ids:
            q |= Q(kind=kind.identifier, region_ref__in=region_ids)
    return q


def job_for_user(user, pk) -> ImportJob:
    job = ImportJob.objects.filter(visible_jobs_q(user), pk=pk).select_related("user", "confirmed_by").first()
    if job is None:
        raise Http404(_("未找到该导入记录。"))
    return job


def _report_context(job: ImportJob, user) -> dict:
    report = job.report or {}
    messages = report.get("messages", [])
    return {
        "job": job,
        "report": report,
        "counts": job.counts or {},
        "row_messages": messages[:PAGE_MESSAGES],
        "more_messages": max(0, len(messages) - PAGE_MESSAGES) + report.get("messages_truncated", 0),
        "progress": jobs.progress_of(job),
        "has_secrets": job.state == ImportJob.State.APPLIED
        and job.confirmed_by_id == user.pk
        and jobs.has_secrets(job, user),
    }


@login_required
def job_detail(request, pk):
    job = job_for_user(request.user, pk)
    return render(request, "imports/job.html", _report_context(job, request.user))


@login_required
def job_status(request, pk):
    """The progress the job page polls (htmx); once the job has finished, the page reloads."""
    job = job_for_user(request.user, pk)
    if jobs.requeue_if_stalled(job):
        job.refresh_from_db()
    response = render(request, "imports/_status.html", {"job": job, "progress": jobs.progress_of(job)})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm(request, pk):
    job = job_for_user(request.user, pk)
    if not jobs.import_job_confirm(job=job, user=request.user):
        return render(request, "imports/job.html", _report_context(job, request.user), status=409)
    return redirect("imports:job", pk=job.pk)


@login_required
def job_marked(request, pk):
    job = job_for_user(request.user, pk)
    if not job.marked_file:
        raise Http404(_("该导入还没有检查结果文件。"))
    stem = job.filename.rsplit(".", 1)[0]
    return attachment_response(
        job.marked_file.open("rb"),
        filename=_("%(name)s-检查结果.xlsx") % {"name": stem},
        content_type=XLSX.content_type,
        target=job,
        region=types.SimpleNamespace(path=job.region_path),
    )


@login_required
def job_secrets(request, pk):
    job = job_for_user(request.user, pk)
    if job.confirmed_by_id != request.user.pk:
        raise PermissionDenied(_("只有确认导入的人可以查看初始密码。"))
    secrets = jobs.pop_secrets(job, request.user)
    return secret_page(request, {"job": job, "secrets": secrets}, template="imports/secrets.html")


@login_required
def job_list(request):
    page, query = paginate(
        request, ImportJob.objects.filter(visible_jobs_q(request.user)).select_related("user").order_by("-created_at")
    )
    return render(request, "imports/job_list.html", {"page": page, "query": query})
