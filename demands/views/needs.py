"""Need pages: lists by persona, filing, the need page with its timeline and actions, the
department's 待办 and answer form, attachment downloads, and the deadline rules page.

Thin: parse with a form, check access with demands.permissions.needs, call a service, render.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alliances.access import manageable_regions, scope_for
from chainparty import audit, uploads
from chainparty.errors import StateError
from chainparty.exporters import workbook_response, workbooks
from chainparty.forms_utils import add_service_errors, form_page
from chainparty.paging import paginate
from demands.matching import suggest_for_need

from .. import exporters
from ..forms import needs as forms
from ..models import Need
from ..permissions import needs as access
from ..selectors import needs as selectors
from ..services import deadlines, filing, transitions, workflow

BOX_TITLES = {
    selectors.BOX_ALL: gettext_lazy("需求清单"),
    selectors.BOX_MINE: gettext_lazy("我的需求"),
    selectors.BOX_INCOMING: gettext_lazy("待受理的需求"),
    selectors.BOX_OVERDUE: gettext_lazy("超期督办"),
    selectors.BOX_CLOSEOUT: gettext_lazy("待销号"),
}

#: The page of each box, where a refused export sends the user back.
BOX_URL_NAMES = {
    selectors.BOX_ALL: "demands:need_list",
    selectors.BOX_MINE: "demands:my_needs",
    selectors.BOX_INCOMING: "demands:need_incoming",
    selectors.BOX_OVERDUE: "demands:need_overdue",
    selectors.BOX_CLOSEOUT: "demands:need_closeout",
}

_STATE_CLASSES = {
    Need.State.SUBMITTED: "text-bg-secondary",
    Need.State.ACCEPTED: "text-bg-info",
    Need.State.DISPATCHED: "text-bg-primary",
    Need.State.IN_PROGRESS: "text-bg-warning",
    Need.State.ANSWERED: "text-bg-success",
    Need.State.RATED: "text-bg-success",
    Need.State.CLOSED: "text-bg-dark",
    Need.State.RETURNED: "bg-warning-subtle text-warning-emphasis border border-warning",
    Need.State.REJECTED: "text-bg-danger",
    Need.State.MERGED: "text-bg-light border",
}


def state_badges(need) -> str:
    """The state badge, plus "超期 N 个工作日" and "重办 N 次" when they apply: built here once per
    row rather than by a template include, since lists show 25 of them."""
    html = format_html('<span class="badge {}">{}</span>', _STATE_CLASSES[need.state], need.state_label)
    if need.is_overdue:
        html += format_html(
            ' <span class="badge bg-danger overdue-badge" title="{} {}"><i class="bi bi-alarm"></i> {}</span>',
            _("办理时限"),
            need.deadline,
            _("超期 %d 个工作日") % need.overdue_workdays,
        )
    if need.redo_count:
        html += format_html(
            ' <span class="badge bg-warning-subtle text-warning-emphasis border">{}</span>',
            _("重办 %d 次") % need.redo_count,
        )
    return html


def _url_for(name):
    """A URL builder for many rows: one reverse() per page instead of one per row."""
    template = reverse(name, args=[0])
    return lambda pk: template.replace("/0/", f"/{pk}/")


def _prepare_rows(needs):
    """What each row shows, prepared once in Python: the template's `|date` filter and a `reverse()`
    per row cost more than the page's SQL (see `make bench`)."""
    detail_url = _url_for("demands:need_detail")
    for need in needs:
        need.badges = state_badges(need)
        need.url = detail_url(need.pk)
        need.filed_text = timezone.localtime(need.filed_at).strftime("%Y-%m-%d %H:%M")
        need.deadline_text = need.deadline.strftime("%Y-%m-%d") if need.deadline else "—"
    return needs


# -- lists ---------------------------------------------------------------------------------------------
def _box_param(request):
    """`?box=`, for the fragments and the export that follow a list page."""
    box = request.GET.get("box", selectors.BOX_ALL)
    return box if box in BOX_TITLES else selectors.BOX_ALL


def _check_box(user, box):
    """The user's scope, once they may open `box`: only enterprise secretaries have 我的需求."""
    scope = scope_for(user)
    if box == selectors.BOX_MINE and not scope.is_enterprise_secretary:
        raise PermissionDenied(_("只有企业党组织书记有“我的需求”。"))
    return scope


@login_required
def need_list(request, box=selectors.BOX_ALL):
    scope = _check_box(request.user, box)
    form = forms.NeedFilterForm(request.GET or None, user=request.user)
    filters = form.to_filters()
    needs = selectors.need_list(user=request.user, filters=filters, box=box)
    page, query = paginate(request, needs, count=False)
    box_query = f"{query}&box={box}" if query else f"box={box}"
    _prepare_rows(page.object_list)
    context = {
        "page": page,
        "query": query,
        "form": form,
        "options": form.options() if not request.htmx else None,
        "box": box,
        "title": BOX_TITLES[box],
        "totals_url": f"{reverse('demands:need_totals')}?{box_query}",
        "export_url": f"{reverse('demands:need_export')}?{box_query}",
        "may_file": access.may_file_needs(request.user),
        "manages": bool(scope.managed_alliance_ids or scope.is_org_staff),
    }
    if request.htmx:
        return render(request, "demands/needs/_rows.html", context)
    # A filter that cannot be applied (a date out of range) is named above the list: 400, not the list
    # as if it had been applied.
    refused = form.is_bound and not form.is_valid()
    return render(request, "demands/needs/list.html", context, status=400 if refused else 200)


@login_required
def need_totals(request):
    """htmx fragment: collected, solved, on time, satisfaction and results for the filtered needs."""
    form = forms.NeedFilterForm(request.GET or None, user=request.user)
    box = _box_param(request)
    totals = selectors.need_totals(user=request.user, filters=form.to_filters(), box=box)
    return render(request, "demands/needs/_totals.html", {"totals": totals})


@login_required
def need_export(request):
    """The list as an Excel file: the same box, filters and rows as its page, for whoever may open
    it (`?box=` as the totals fragment takes it). Every export goes to the audit log."""
    box = _box_param(request)
    _check_box(request.user, box)
    form = forms.NeedFilterForm(request.GET or None, user=request.user)
    sheets = workbooks.build("needs", user=request.user, filters=form.to_filters(), box=box)
    if any(sheet.exceeds_max_rows() for sheet in sheets):
        return _refuse_big_export(request, box)
    filename = f"{BOX_TITLES[box]}-{timezone.localdate():%Y%m%d}"
    response, counts = workbook_response(sheets, filename=filename)
    filters = {key: values if len(values) > 1 else values[0] for key, values in request.GET.lists()}
    audit.record(
        action=audit.Action.EXPORT,
        actor=request.user,
        request=request,
        data={"exporter": "needs", "filters": filters, "rows": counts.get("needs", 0)},
    )
    return response


def _refuse_big_export(request, box):
    """Back to the list, with its filters, and a message to narrow them: nothing is written."""
    messages.error(
        request,
        _("导出的需求超过 %(max)s 条，无法导出。请缩小筛选范围（如选择联盟、类别、状态或提交时间段）后再导出。")
        % {"max": f"{exporters.EXPORT_MAX_ROWS:,}"},
    )
    query = request.GET.copy()
    query.pop("box", None)
    url = reverse(BOX_URL_NAMES[box])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


# -- filing ----------------------------------------------------------------------------------------------
@login_required
def need_create(request):
    if not access.may_file_needs(request.user):
        raise PermissionDenied(_("您没有可以代为提交需求的企业。"))
    form = forms.NeedForm(request.POST or None, request.FILES or None, user=request.user)
    return form_page(
        request,
        form=form,
        context={
            "title": _("提交需求"),
            "back": "demands:need_list",
            "form_id": "need-form",
            "submit_label": _("提交"),
            "note": _("提交后由所在产业链党委（联盟）受理、派单；您可以在“我的需求”中跟踪办理进度并在办结后评价。"),
        },
        on_valid=lambda f: filing.need_file(actor=request.user, **f.service_fields()),
        success_message=lambda need: _("需求 %s 已提交，联盟将尽快受理。") % need.number,
    )


# -- the need page ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    form: type
    role: str
    run: Callable
    done: str


def _run_accept(need, user, form):
    return workflow.need_accept(
        need=need, actor=user, note=form.cleaned_data["note"], expected_version=form.expected_version
    )


def _run_return(need, user, form):
    return workflow.need_return(
        need=need, actor=user, reason=form.cleaned_data["reason"], expected_version=form.expected_version
    )


def _run_reject(need, user, form):
    return workflow.need_reject(
        need=need, actor=user, reason=form.cleaned_data["reason"], expected_version=form.expected_version
    )


def _run_merge(need, user, form):
    data = form.cleaned_data
    return workflow.need_merge(
        need=need, actor=user, into=data["into"], note=data["note"], expected_version=form.expected_version
    )


def _run_dispatch(need, user, form):
    return workflow.need_dispatch(
        need=need, actor=user, expected_version=form.expected_version, **form.service_fields()
    )


def _run_reopen(need, user, form):
    return workflow.need_reopen(
        need=need, actor=user, reason=form.cleaned_data["reason"], expected_version=form.expected_version
    )


def _run_close(need, user, form):
    return workflow.need_close(
        need=need, actor=user, note=form.cleaned_data["note"], expected_version=form.expected_version
    )


def _run_resubmit(need, user, form):
    data = form.cleaned_data
    return workflow.need_resubmit(
        need=need,
        actor=user,
        supplement=data["supplement"],
        files=data["attachments"],
        expected_version=form.expected_version,
    )


def _run_rate(need, user, form):
    data = form.cleaned_data
    return workflow.need_rate(
        need=need, actor=user, rating=data["rating"], comment=data["comment"], expected_version=form.expected_version
    )


def _run_attach(need, user, form):
    return filing.need_attach(need=need, actor=user, files=form.cleaned_data["attachments"])


ACTIONS = {
    "accept": Action(forms.NoteForm, access.MANAGE, _run_accept, gettext_lazy("已受理。")),
    "return": Action(forms.ReasonForm, access.MANAGE, _run_return, gettext_lazy("已退回企业补充材料，计时暂停。")),
    "reject": Action(forms.ReasonForm, access.MANAGE, _run_reject, gettext_lazy("已标记为不予受理。")),
    "merge": Action(forms.MergeForm, access.MANAGE, _run_merge, gettext_lazy("已合并为重复需求。")),
    "dispatch": Action(forms.DispatchForm, access.MANAGE, _run_dispatch, gettext_lazy("已派单。")),
    "reopen": Action(forms.ReasonForm, access.MANAGE, _run_reopen, gettext_lazy("已退回牵头单位重新办理。")),
    "close": Action(forms.NoteForm, access.MANAGE, _run_close, gettext_lazy("需求已销号。")),
    "resubmit": Action(forms.ResubmitForm, access.OWN, _run_resubmit, gettext_lazy("补充材料已提交。")),
    "rate": Action(forms.RateForm, access.OWN, _run_rate, gettext_lazy("感谢您的评价。")),
    "attach": Action(forms.AttachForm, access.VIEW, _run_attach, gettext_lazy("附件已上传。")),
}

#: (panel title, button style) for each action on the need page, in the order shown.
ACTION_PANELS = {
    "dispatch": (gettext_lazy("派单"), "btn-party"),
    "accept": (gettext_lazy("受理"), "btn-party"),
    "close": (gettext_lazy("销号"), "btn-party"),
    "rate": (gettext_lazy("回访评价"), "btn-party"),
    "resubmit": (gettext_lazy("补充材料并重新提交"), "btn-party"),
    "return": (gettext_lazy("退回企业补充"), "btn-outline-warning"),
    "reopen": (gettext_lazy("退回牵头单位重办"), "btn-outline-warning"),
    "merge": (gettext_lazy("合并重复需求"), "btn-outline-secondary"),
    "reject": (gettext_lazy("不予受理"), "btn-outline-danger"),
    "attach": (gettext_lazy("上传附件"), "btn-outline-secondary"),
}
#: The step the need waits for: its form is on the page. The others load when their button is pressed.
PRIMARY_ACTIONS = ("dispatch", "accept", "close", "rate", "resubmit")
MANAGER_ACTIONS = ("accept", "return", "reject", "merge", "dispatch", "reopen", "close")
OWNER_ACTIONS = ("resubmit", "rate", "attach")


def _offered_actions(need, abilities, allowed):
    offered = [a for a in MANAGER_ACTIONS if abilities["manage"] and a in allowed]
    offered += [
        a for a in OWNER_ACTIONS if a in allowed and (abilities["own"] or (a == "attach" and abilities["manage"]))
    ]
    return offered


_LEVEL_TEXT = {1: gettext_lazy("一级"), 2: gettext_lazy("二级")}
_RATING_TEXT = dict(Need.Rating.choices)


def _prepare_timeline(events):
    """What each timeline entry shows, prepared once in Python (as for list rows): the template's
    `|date` and a dozen lookups into each event's data cost more than the page's SQL."""
    for event in events:
        data = event.data or {}
        event.when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
        levels = data.get("levels") or ([data["level"]] if data.get("level") else [])
        event.level_text = _("一级、二级") if len(levels) == 2 else (_LEVEL_TEXT.get(levels[0], "") if levels else "")
        event.moved = bool(event.from_state and event.to_state and event.from_state != event.to_state)
        event.rating_text = _RATING_TEXT.get(data.get("rating"), "") if data.get("rating") else ""
        event.dispatch_deadline = data.get("deadline", "") if event.action == "dispatch" else ""
        event.into, event.merged = data.get("into", ""), data.get("merged", "")
    return events


def _detail_context(request, need, bound=None):
    user = request.user
    abilities = access.need_abilities(user, need)
    allowed = transitions.allowed_actions(need)
    detail = selectors.need_detail(need=need)
    _prepare_timeline(detail["events"])
    offered = _offered_actions(need, abilities, allowed)
    bound = bound or {}
    for assignment in detail["assignments"]:
        assignment.mine = access.can_handle_assignment(user, assignment)
    panels = []
    for action in ACTION_PANELS:
        if action not in offered:
            continue
        form = bound.get(action) or (ACTIONS[action].form(need=need) if action in PRIMARY_ACTIONS else None)
        title, button = ACTION_PANELS[action]
        panels.append({"action": action, "form": form, "title": title, "button": button})
    need.badges = state_badges(need)
    return {
        "need": need,
        **detail,
        "abilities": abilities,
        "panels": panels,
        "my_parts": [a for a in detail["assignments"] if a.mine],
    }


@login_required
def need_detail(request, pk):
    need = access.need_get_for_user(user=request.user, need_id=pk, queryset=selectors.need_detail_queryset())
    return render(request, "demands/needs/detail.html", _detail_context(request, need))


@login_required
@require_POST
def need_action(request, pk, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("没有这个操作。"))
    need = access.need_get_for_user(user=request.user, need_id=pk, action=spec.role)
    form = spec.form(request.POST, request.FILES, need=need)
    if form.is_valid():
        try:
            spec.run(need, request.user, form)
        except StateError as error:
            messages.error(request, error.messages[0])
            return redirect(need)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, spec.done)
            return redirect(need)
    messages.error(request, _("请根据提示修改后再提交，本次没有保存任何内容。"))
    context = _detail_context(request, need, bound={action: form})
    context["open_action"] = action
    return render(request, "demands/needs/detail.html", context, status=400)


@login_required
def need_action_form(request, pk, action):
    """htmx fragment: the form of a secondary action (return, reject, merge, reopen, attach),
    fetched when its button is pressed."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("没有这个操作。"))
    need = access.need_get_for_user(user=request.user, need_id=pk, action=spec.role)
    if action not in _offered_actions(
        need, access.need_abilities(request.user, need), transitions.allowed_actions(need)
    ):
        raise PermissionDenied(_("该需求当前不能执行此操作。"))
    title, button = ACTION_PANELS[action]
    panel = {"action": action, "form": spec.form(need=need), "title": title, "button": button}
    return render(request, "demands/needs/_action_form.html", {"need": need, "panel": panel})


@login_required
def need_dispatch_suggestions(request, pk):
    """htmx fragment in the dispatch form: the best member resources (to pick as the lead part)
    and policies (for reference), each with why it matched."""
    need = access.need_get_for_user(user=request.user, need_id=pk, action=access.MANAGE)
    suggestions = suggest_for_need(need=need, limit=5)
    return render(
        request,
        "demands/needs/_dispatch_suggestions.html",
        {
            "resources": [s for s in suggestions if s.kind == "resource"],
            "policies": [s for s in suggestions if s.kind == "policy"],
            "selected": request.GET.get("selected", ""),
        },
    )


@login_required
def need_attachment(request, pk, attachment_id):
    need = access.need_get_for_user(user=request.user, need_id=pk)
    attachment = get_object_or_404(need.attachments, pk=attachment_id)
    return uploads.attachment_response(
        attachment.file.open("rb"),
        filename=attachment.name,
        content_type=attachment.content_type,
        target=attachment,
        region=need.region,
    )


# -- the departments' and providers' work -------------------------------------------------------------------
@login_required
def assignment_list(request):
    scope = scope_for(request.user)
    if not (scope.is_handler or scope.is_enterprise_secretary):
        raise PermissionDenied(_("只有部门办理人或资源提供企业有待办事项。"))
    done = request.GET.get("tab") == "done"
    assignments = selectors.assignment_list(user=request.user, open_only=not done)
    page, query = paginate(request, assignments, count=False)
    need_url, answer_url = _url_for("demands:need_detail"), _url_for("demands:assignment_answer")
    for part in page.object_list:
        part.need_url, part.answer_url = need_url(part.need_id), answer_url(part.pk)
        part.deadline_text = part.deadline.strftime("%Y-%m-%d") if part.deadline else "—"
    return render(request, "demands/needs/worklist.html", {"page": page, "query": query, "done": done})


@login_required
def assignment_answer(request, pk):
    assignment = access.assignment_get_for_user(user=request.user, assignment_id=pk, action=access.HANDLE)
    need = assignment.need
    form = forms.AnswerForm(request.POST or None, need=need)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.need_answer(
                need=need,
                assignment=assignment,
                actor=request.user,
                answer=data["answer"],
                people_solved=data["people_solved"],
                funding_wan_solved=data["funding_wan_solved"],
                land_mu_solved=data["land_mu_solved"],
                expected_version=form.expected_version,
            )
        except StateError as error:
            messages.error(request, error.messages[0])
            return redirect(need)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已答复。"))
            return redirect("demands:assignment_list")
    context = {"form": form, "assignment": assignment, "need": need}
    return render(request, "demands/needs/answer.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def assignment_start(request, pk):
    assignment = access.assignment_get_for_user(user=request.user, assignment_id=pk, action=access.HANDLE)
    try:
        workflow.need_start(need=assignment.need, assignment=assignment, actor=request.user)
    except StateError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已开始办理。"))
    return redirect(assignment.need)


# -- deadline rules ------------------------------------------------------------------------------------------
def _require_staff(user):
    if not scope_for(user).is_org_staff:
        raise PermissionDenied(_("只有组织部工作人员可以设置办理时限。"))


@login_required
def deadline_rules(request):
    _require_staff(request.user)
    form = forms.DeadlineRuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            deadlines.deadline_rule_save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("办理时限规则已保存。"))
            return redirect("demands:deadline_rules")
    regions = manageable_regions(request.user)
    rules = list(selectors.deadline_rules(regions=regions))
    for rule in rules:
        rule.editable = access.can_edit_deadline_rule(request.user, rule.region)
    platform = {r.urgency for r in rules if r.region_id is None and not r.category}
    builtin = [(Need.Urgency(u).label, d) for u, d in selectors.DEFAULT_WORKDAYS.items() if u not in platform]
    return render(
        request,
        "demands/needs/deadline_rules.html",
        {"form": form, "rules": rules, "builtin": builtin},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def deadline_rule_delete(request, pk):
    _require_staff(request.user)
    rule = get_object_or_404(selectors.deadline_rules(regions=manageable_regions(request.user)), pk=pk)
    deadlines.deadline_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("已删除该规则。"))
    return redirect("demands:deadline_rules")
