"""The phone pages of the guides app (issue 9 §2-3), made for a 360 px screen: a guide's 我的企业, the
log-visit form, a visit's page (raise a need from it in one step, add photos), the guide's visit
history; for an enterprise's Party secretary the visits to confirm or dispute, and 述职评价.

Thin: parse, check access (guides.permissions, guides.permissions_phone), call a service, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances.models import Enterprise
from chainparty import uploads
from chainparty.errors import StateError
from chainparty.forms_utils import add_service_errors
from chainparty.paging import paginate
from demands.services.filing import need_file

from . import phone_selectors, selectors, services, thumbnails
from .forms_phone import DisputeForm, NeedForm, RatingForm, VisitEditForm, VisitLogForm, VisitPhotosForm
from .models import Visit, VisitPhoto
from .permissions import CONFIRM, EDIT, RATE, can_confirm_visit, report_get_for_user, visit_get_for_user
from .permissions_phone import require_enterprise_secretary, require_guide
from .views_staff._common import param_id

NOTHING_SAVED = _("请根据提示修改后再提交，本次没有保存任何内容。")
ALREADY_LOGGED = _("这次走访已经保存过，没有重复登记。")
CONFIRMATION_CLASSES = {"pending": "warning", "confirmed": "success", "disputed": "danger"}


def _next_or(request, fallback: str) -> str:
    """The page the form came from (`next`, this site only), else `fallback`."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _mark_visits(visits) -> None:
    for visit in visits:
        visit.confirmation_class = CONFIRMATION_CLASSES[visit.confirmation]


# -- a guide ------------------------------------------------------------------------------------
@login_required
def my_enterprises(request):
    """我的企业: the enterprises in the guide's charge today, overdue first."""
    guide = require_guide(request.user)
    page, query = paginate(request, selectors.guide_enterprises(guide=guide))
    for enterprise in page.object_list:
        enterprise.status_label = selectors.STATUS_LABELS[enterprise.status]
        enterprise.status_class = selectors.STATUS_CLASSES[enterprise.status]
    return render(request, "guides/phone/my_enterprises.html", {"guide": guide, "page": page, "query": query})


@login_required
def visit_log(request):
    """记录走访: the enterprise preselected from a card of 我的企业 (?enterprise=)."""
    guide = require_guide(request.user)
    initial = {"enterprise": param_id(request, "enterprise")}
    form = VisitLogForm(request.POST or None, request.FILES or None, guide=guide, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    visit = services.visit_log(actor=request.user, **form.service_kwargs())
            except services.VisitAlreadyLogged as already:
                messages.info(request, ALREADY_LOGGED)
                return redirect("guides:visit_detail", pk=already.visit.pk)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("走访已记录，已请企业党组织书记确认。"))
                return redirect("guides:visit_detail", pk=visit.pk)
        messages.error(request, NOTHING_SAVED)
    status = 400 if form.errors else 200
    return render(request, "guides/phone/visit_log.html", {"form": form, "guide": guide}, status=status)


@login_required
def my_visits(request):
    """走访记录: the visits the guide went on, newest first."""
    guide = require_guide(request.user)
    page, query = paginate(request, phone_selectors.guide_visits(guide=guide))
    _mark_visits(page.object_list)
    return render(request, "guides/phone/my_visits.html", {"guide": guide, "page": page, "query": query})


@login_required
def enterprise_need(request, pk):
    """提诉求 from a card of 我的企业: a need for an enterprise in the guide's charge today."""
    guide = require_guide(request.user)
    enterprise = get_object_or_404(
        Enterprise.objects.filter(pk__in=selectors.guide_enterprises(guide=guide).values("pk")), pk=pk
    )
    form = NeedForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    need = need_file(actor=request.user, enterprise=enterprise, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("需求 %s 已提交，联盟将尽快受理。") % need.number)
                return redirect(need)
        messages.error(request, NOTHING_SAVED)
    context = {"form": form, "enterprise": enterprise, "visit": None, "back": reverse("guides:my_enterprises")}
    return render(request, "guides/phone/need_form.html", context, status=400 if form.errors else 200)


# -- one visit ----------------------------------------------------------------------------------
def _visit_context(request, visit, **forms) -> dict:
    user = request.user
    page = phone_selectors.visit_page(visit=visit)
    went = any(person.guide_id and person.guide.user_id == user.pk for person in page["people"])
    visit.confirmation_class = CONFIRMATION_CLASSES[visit.confirmation]
    return {
        "visit": visit,
        **page,
        "went": went,
        "can_confirm": can_confirm_visit(user, visit),
        "dispute_form": forms.get("dispute_form") or DisputeForm(),
        "photos_form": forms.get("photos_form") or VisitPhotosForm(),
        "open_dispute": "dispute_form" in forms,
        "can_amend": services.may_amend(user, visit),
        "entered_by_other": visit.guide_id is not None and visit.logged_by_id != visit.guide.user_id,
    }


@login_required
def visit_detail(request, pk):
    visit = visit_get_for_user(user=request.user, visit_id=pk)
    return render(request, "guides/phone/visit_detail.html", _visit_context(request, visit))


@login_required
def visit_edit(request, pk):
    """修改走访: whoever entered the visit corrects it while the enterprise has not answered."""
    visit = visit_get_for_user(user=request.user, visit_id=pk)
    if visit.logged_by_id != request.user.pk:
        raise PermissionDenied(_("只有登记该走访的人可以修改走访记录。"))
    if visit.confirmation != Visit.Confirmation.PENDING:
        messages.error(request, _("该走访记录已%s，不能再修改。") % visit.confirmation_label)
        return redirect(visit)
    people = phone_selectors.visit_page(visit=visit)["people"]
    form = VisitEditForm(request.POST or None, visit=visit, people=people)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.visit_update(actor=request.user, visit=visit, **form.service_kwargs())
            except StateError as error:  # answered meanwhile
                messages.error(request, error.messages[0])
                return redirect(visit)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("走访记录已修改。"))
                return redirect(visit)
        messages.error(request, NOTHING_SAVED)
    context = {"form": form, "visit": visit}
    return render(request, "guides/phone/visit_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def visit_confirm(request, pk):
    """One tap: the enterprise's secretary confirms the visit happened."""
    visit = visit_get_for_user(user=request.user, visit_id=pk, action=CONFIRM)
    try:
        services.visit_confirm(actor=request.user, visit=visit)
    except StateError as error:  # answered meanwhile (another secretary, another tab)
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已确认 %(date)s 的走访。") % {"date": visit.visited_on})
    return redirect(_next_or(request, visit.get_absolute_url()))


@login_required
@require_POST
def visit_dispute(request, pk):
    """有异议: the enterprise's secretary says the visit did not happen as logged, with a reason."""
    visit = visit_get_for_user(user=request.user, visit_id=pk, action=CONFIRM)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            services.visit_dispute(actor=request.user, visit=visit, reason=form.cleaned_data["reason"])
        except StateError as error:
            messages.error(request, error.messages[0])
            return redirect(visit)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已对该走访记录提出异议，指导员将收到通知。"))
            return redirect(_next_or(request, visit.get_absolute_url()))
    messages.error(request, NOTHING_SAVED)
    context = _visit_context(request, visit, dispute_form=form)
    return render(request, "guides/phone/visit_detail.html", context, status=400)


@login_required
@require_POST
def visit_photos(request, pk):
    """More photos for a visit, by a guide who went."""
    visit = visit_get_for_user(user=request.user, visit_id=pk, action=EDIT)
    form = VisitPhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.visit_add_photos(actor=request.user, visit=visit, files=form.cleaned_data["photos"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已上传 %d 张照片。") % len(added))
            return redirect(visit)
    messages.error(request, NOTHING_SAVED)
    context = _visit_context(request, visit, photos_form=form)
    return render(request, "guides/phone/visit_detail.html", context, status=400)


@login_required
def visit_photo(request, pk):
    """A photo of a visit, to whoever sees the visit (a download, recorded in the audit log)."""
    photo = VisitPhoto.objects.filter(pk=pk).only("pk", "visit_id", "file", "name", "content_type").first()
    if photo is None:
        raise Http404(_("未找到，或您无权查看。"))
    visit = visit_get_for_user(user=request.user, visit_id=photo.visit_id)
    return uploads.attachment_response(
        photo.file.open("rb"),
        filename=photo.name,
        content_type=photo.content_type,
        target=photo,
        region=visit.region,
    )


@login_required
def visit_photo_thumbnail(request, pk):
    """A photo's thumbnail, to whoever may download the photo; made on first request for photos
    saved before thumbnails existed. Not an audited download (uploads.preview_response): the photo
    itself is."""
    photo = VisitPhoto.objects.filter(pk=pk).only("pk", "visit_id", "file", "name", "thumbnail").first()
    if photo is None:
        raise Http404(_("未找到，或您无权查看。"))
    visit_get_for_user(user=request.user, visit_id=photo.visit_id)  # 404 for who may not see the visit
    if not thumbnails.ensure_thumbnail(photo):
        raise Http404(_("该照片没有缩略图。"))
    return uploads.preview_response(
        photo.thumbnail.open("rb"), filename=f"thumbnail-{photo.pk}.jpg", content_type=thumbnails.CONTENT_TYPE
    )


@login_required
def visit_need(request, pk):
    """Raise a need from the visit in one step: source 走访, linked both ways."""
    visit = visit_get_for_user(user=request.user, visit_id=pk)
    people = phone_selectors.visit_page(visit=visit)["people"]
    if not any(person.guide_id and person.guide.user_id == request.user.pk for person in people):
        raise PermissionDenied(_("只有参加走访的指导员可以从走访记录提交需求。"))
    form = NeedForm(request.POST or None, enterprise=visit.enterprise, description=visit.opinions)
    if request.method == "POST":
        if form.is_valid():
            try:
                need = services.visit_raise_need(actor=request.user, visit=visit, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("需求 %s 已从本次走访提交，联盟将尽快受理。") % need.number)
                return redirect(need)
        messages.error(request, NOTHING_SAVED)
    context = {"form": form, "enterprise": visit.enterprise, "visit": visit, "back": visit.get_absolute_url()}
    return render(request, "guides/phone/need_form.html", context, status=400 if form.errors else 200)


# -- an enterprise's Party secretary ------------------------------------------------------------
@login_required
def visits_to_confirm(request):
    """待确认走访: the visits of the secretary's enterprises, those waiting for an answer first."""
    enterprise_ids = require_enterprise_secretary(request.user)
    page, query = paginate(request, phone_selectors.enterprise_visits(enterprise_ids=enterprise_ids))
    _mark_visits(page.object_list)
    pending = sum(1 for visit in page.object_list if visit.confirmation == "pending")
    context = {"page": page, "query": query, "pending": pending, "dispute_form": DisputeForm()}
    return render(request, "guides/phone/visits_to_confirm.html", context)


@login_required
def rating_list(request):
    """述职评价: the open periods' reports of the guides who served the secretary's enterprises."""
    enterprise_ids = require_enterprise_secretary(request.user)
    reports = phone_selectors.reports_to_rate(user=request.user, enterprise_ids=enterprise_ids)
    form = RatingForm(enterprise_ids=enterprise_ids)
    context = {"reports": reports, "form": form, "several_enterprises": len(enterprise_ids) > 1}
    return render(request, "guides/phone/rating_list.html", context)


@login_required
@require_POST
def rating_submit(request, pk):
    enterprise_ids = require_enterprise_secretary(request.user)
    report = report_get_for_user(user=request.user, report_id=pk, action=RATE)
    form = RatingForm(request.POST, enterprise_ids=enterprise_ids)
    if form.is_valid():
        try:
            services.rating_submit(
                actor=request.user,
                report=report,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                enterprise=form.cleaned_data["enterprise"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已评价 %(guide)s 的述职。") % {"guide": report.guide.name})
            return redirect(f"{reverse('guides:rating_list')}#report-{report.pk}")
    messages.error(request, NOTHING_SAVED)
    reports = phone_selectors.reports_to_rate(user=request.user, enterprise_ids=enterprise_ids)
    context = {
        "reports": reports,
        "form": RatingForm(enterprise_ids=enterprise_ids),
        "bound": form,
        "bound_report": report.pk,
        "several_enterprises": len(enterprise_ids) > 1,
    }
    return render(request, "guides/phone/rating_list.html", context, status=400)
