"""The meeting pages: an alliance's calendar, the meeting page (which also prints as the 会议记录),
the forms to schedule, edit, move, cancel, record attendance and file minutes, "my meetings" and the
organisation department's lists. Thin: parse, access helper, service, render."""

import calendar
import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chainparty import links, uploads
from chainparty.forms_utils import form_page
from chainparty.paging import paginate

from ..access import scope_for, visible_alliances
from ..models import Decision, Enterprise, Invitation, Meeting
from ..permissions import alliance_get_for_user
from . import forms, permissions, selectors, services
from .permissions import ANSWER, MANAGE
from .view_helpers import managed_alliance, require_region_viewer, service_form

State = Meeting.State
MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")  # ASCII digits: `\d` takes full-width ones


# -- an alliance's meetings ------------------------------------------------------------------------
def _month(value: str | None) -> tuple[int, int]:
    """(year, month) from "2026-12"; the current month when missing or not a month."""
    match = MONTH.match(value or "")
    if match and 2000 <= int(match.group(1)) <= 2100 and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    today = timezone.localdate()
    return today.year, today.month


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _calendar_weeks(year, month, meetings):
    """Weeks (Monday first) of days, each day with the meetings starting on it."""
    by_day = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    today = timezone.localdate()
    return [
        [
            {"date": day, "in_month": day.month == month, "today": day == today, "meetings": by_day.get(day, [])}
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


@login_required
def alliance_meetings(request, pk):
    alliance = alliance_get_for_user(
        user=request.user, alliance_id=pk, queryset=visible_alliances(request.user).select_related("region")
    )
    year, month = _month(request.GET.get("month"))
    meetings = list(selectors.alliance_meetings_in_month(alliance=alliance, year=year, month=month))
    context = {
        "alliance": alliance,
        "meetings": meetings,
        "weeks": _calendar_weeks(year, month, meetings),
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
        "month_start": dt.date(year, month, 1),
        "previous_month": _shift(year, month, -1),
        "next_month": _shift(year, month, 1),
        "can_manage": permissions.manages_alliance(request.user, alliance),
    }
    return render(request, "alliances/meetings/alliance_meetings.html", context)


@login_required
def meeting_create(request, pk):
    alliance = managed_alliance(
        request, pk, message=_("只有本联盟的书记、副书记、联络员或本区域组织部工作人员可以安排会议。")
    )
    form = forms.MeetingForm(request.POST or None, alliance=alliance)
    return form_page(
        request,
        form=form,
        context={
            "title": _("安排会议：%s") % alliance.name,
            "back": reverse("alliances:alliance_meetings", args=[alliance.pk]),
            "wide": True,
            "form_id": "meeting-form",
        },
        on_valid=lambda f: services.meeting_schedule(actor=request.user, alliance=alliance, **f.service_fields()),
        success_message=_("会议已安排，已向参会人员发送通知。"),
    )


# -- the meeting page ------------------------------------------------------------------------------
def _answerable(meeting: Meeting) -> bool:
    return meeting.state == State.SCHEDULED and not meeting.has_started


def _record(invitations) -> dict:
    """Who 出席 (committee members and member enterprises present), 列席 (departments and guests
    present) and 缺席 (absent or on leave), as the printed 会议记录 lists them."""
    members = (Invitation.Source.SEAT, Invitation.Source.ENTERPRISE_SECRETARY)
    present, observers, absent = [], [], []
    for invitation in invitations:
        name = invitation.person_name
        if invitation.attendance == Invitation.Attendance.SUBSTITUTE:
            name = _("%(name)s（%(substitute)s代）") % {
                "name": name,
                "substitute": invitation.substitute_name or _("他人"),
            }
        if invitation.has_attended:
            (present if invitation.source in members else observers).append(name)
        elif invitation.attendance == Invitation.Attendance.LEAVE:
            reason = invitation.leave_reason
            absent.append(
                _("%(name)s（请假：%(reason)s）") % {"name": name, "reason": reason}
                if reason
                else _("%s（请假）") % name
            )
        elif invitation.attendance == Invitation.Attendance.ABSENT:
            absent.append(name)
    return {"present": present, "observers": observers, "absent": absent}


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_detail(user=request.user, meeting_id=pk)
    invitations = list(meeting.invitations.all())
    mine = next((i for i in invitations if i.user_id == request.user.pk), None)
    can_manage = permissions.can_manage_meeting(request.user, meeting)
    # The need each decision became (apps above contribute it through chainparty.links).
    links.attach(meeting.decisions.all())
    not_cancelled = meeting.state != State.CANCELLED
    context = {
        "meeting": meeting,
        "invitations": invitations,
        "figures": selectors.attendance_figures(meeting),
        "record": _record(invitations),
        "my_invitation": mine,
        "answer_form": forms.AnswerForm(invitation=mine) if mine and _answerable(meeting) else None,
        "can_manage": can_manage,
        "can_reschedule": can_manage and _answerable(meeting),
        "can_record": can_manage and not_cancelled and meeting.has_started,
        "can_attach": can_manage and not_cancelled,
        "attach_form": forms.AttachForm() if can_manage and not_cancelled else None,
        "decision_statuses": Decision.Status.choices,
        "member_enterprises": _member_enterprises(meeting) if can_manage else [],
        "printed_on": timezone.localdate(),
    }
    return render(request, "alliances/meetings/detail.html", context)


def _member_enterprises(meeting: Meeting):
    """Enterprises a decision not owned by one may be filed as a need for: the alliance's members."""
    return list(
        Enterprise.objects.filter(
            memberships__alliance_id=meeting.alliance_id, memberships__left_on__isnull=True
        ).order_by("name")
    )


def _managed_meeting(request, pk) -> Meeting:
    return permissions.meeting_get_for_user(user=request.user, meeting_id=pk, action=MANAGE)


@login_required
def meeting_move(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.MoveForm(request.POST or None, meeting=meeting)
    return form_page(
        request,
        form=form,
        context={
            "title": _("调整时间：%s") % meeting.title,
            "back": meeting.get_absolute_url(),
            "form_id": "move-form",
        },
        on_valid=lambda f: services.meeting_move(
            actor=request.user,
            meeting=meeting,
            starts_at=f.cleaned_data["starts_at"],
            ends_at=f.cleaned_data["ends_at"],
            expected_version=f.cleaned_data["version"],
        ),
        success_message=_("会议时间已调整，已通知参会人员。"),
    )


@login_required
def meeting_edit(request, pk):
    """Title, place and agenda of a meeting that has not started (the service refuses the others)."""
    meeting = _managed_meeting(request, pk)
    form = forms.MeetingEditForm(request.POST or None, meeting=meeting)
    return form_page(
        request,
        form=form,
        context={
            "title": _("修改会议：%s") % meeting.title,
            "back": meeting.get_absolute_url(),
            "form_id": "edit-form",
        },
        on_valid=lambda f: services.meeting_update(actor=request.user, meeting=meeting, **f.service_fields()),
        success_message=_("会议信息已修改。"),
    )


@login_required
def meeting_cancel(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.CancelForm(request.POST or None)
    return form_page(
        request,
        form=form,
        context={
            "title": _("取消会议：%s") % meeting.title,
            "back": meeting.get_absolute_url(),
            "submit_label": _("取消会议"),
            "form_id": "cancel-form",
        },
        on_valid=lambda f: services.meeting_cancel(
            actor=request.user, meeting=meeting, reason=f.cleaned_data["reason"]
        ),
        success_message=_("会议已取消。"),
    )


@login_required
def attendance_record(request, pk):
    meeting = permissions.meeting_get_for_user(
        user=request.user, meeting_id=pk, action=MANAGE, queryset=selectors.meeting_detail_queryset()
    )
    form = forms.AttendanceForm(request.POST or None, meeting=meeting)
    if service_form(
        request,
        form,
        lambda: services.attendance_record(actor=request.user, meeting=meeting, attendance=form.attendance()),
    ):
        messages.success(request, _("出席情况已登记。"))
        return redirect(meeting)
    context = {"meeting": meeting, "form": form, "figures": selectors.attendance_figures(meeting)}
    return render(request, "alliances/meetings/attendance.html", context, status=400 if form.errors else 200)


@login_required
def minutes_file(request, pk):
    meeting = permissions.meeting_get_for_user(
        user=request.user, meeting_id=pk, action=MANAGE, queryset=selectors.meeting_detail_queryset()
    )
    data = request.POST or None
    form = forms.MinutesForm(data, meeting=meeting)
    decisions = forms.DecisionFormSet(data, prefix="decisions", form_kwargs={"meeting": meeting})

    def run():
        drafts = [d.draft() for d in decisions if not d.is_blank()]
        services.meeting_minutes_file(
            actor=request.user,
            meeting=meeting,
            minutes=form.minutes(),
            summary=form.cleaned_data["summary"],
            decisions=drafts,
        )

    if decisions.is_valid() and service_form(request, form, run):
        messages.success(request, _("会议纪要已归档。"))
        return redirect(meeting)
    if data is not None and not decisions.is_valid():
        form.is_valid()
        form.add_error(None, _("议定事项填写有误，请检查。"))
    context = {"meeting": meeting, "form": form, "decisions": decisions}
    return render(request, "alliances/meetings/minutes.html", context, status=400 if form.errors else 200)


@login_required
def meeting_attach(request, pk):
    meeting = _managed_meeting(request, pk)
    form = forms.AttachForm(request.POST or None, request.FILES or None)

    def attach(f):
        services.meeting_attach(
            actor=request.user, meeting=meeting, files=f.cleaned_data["files"], kind=f.cleaned_data["kind"]
        )
        return meeting

    return form_page(
        request,
        form=form,
        context={
            "title": _("上传附件：%s") % meeting.title,
            "back": meeting.get_absolute_url(),
            "form_id": "attach-form",
        },
        on_valid=attach,
        success_message=_("附件已上传。"),
    )


@login_required
def attachment_download(request, pk, attachment_id):
    attachment = permissions.attachment_get_for_user(user=request.user, attachment_id=attachment_id, meeting_id=pk)
    return uploads.attachment_response(
        attachment.file.open("rb"),
        filename=attachment.name,
        content_type=attachment.content_type,
        target=attachment,
        region=attachment.meeting.alliance.region,
    )


@login_required
@require_POST
def decision_status(request, pk):
    decision = permissions.decision_get_for_user(user=request.user, decision_id=pk, action=MANAGE)
    form = forms.DecisionStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("状态只能是办理中、已完成或已撤销。"))
        services.decision_update_status(actor=request.user, decision=decision, status=form.cleaned_data["status"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("议定事项状态已更新。"))
    return redirect(decision.meeting)


# -- answering -------------------------------------------------------------------------------------
def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def invitation_answer(request, pk):
    invitation = permissions.invitation_get_for_user(user=request.user, invitation_id=pk, action=ANSWER)
    meeting = invitation.meeting
    form = forms.AnswerForm(request.POST or None, invitation=invitation)
    if service_form(
        request,
        form,
        lambda: services.invitation_answer(
            actor=request.user,
            invitation=invitation,
            answer=form.cleaned_data["answer"],
            substitute_name=form.cleaned_data["substitute_name"],
            leave_reason=form.cleaned_data["leave_reason"],
        ),
    ):
        messages.success(request, _("已答复：%s") % meeting.title)
        return redirect(_next_url(request, meeting.get_absolute_url()))
    context = {"invitation": invitation, "meeting": meeting, "form": form, "next": _next_url(request, "")}
    return render(request, "alliances/meetings/answer.html", context, status=400 if form.errors else 200)


@login_required
def my_meetings(request):
    upcoming = list(selectors.my_invitations(user=request.user, upcoming=True)[:50])
    for invitation in upcoming:
        invitation.answerable = _answerable(invitation.meeting)
        invitation.form = forms.AnswerForm(invitation=invitation) if invitation.answerable else None
    past = selectors.my_invitations(user=request.user).exclude(pk__in=[i.pk for i in upcoming])[:20]
    scope = scope_for(request.user)
    context = {"upcoming": upcoming, "past": past, "sees_region": scope.is_org_staff or scope.is_leader}
    return render(request, "alliances/meetings/mine.html", context)


# -- the organisation department's lists -----------------------------------------------------------
def _filters(request):
    alliances = visible_alliances(request.user).order_by("name")
    form = forms.RegionFilterForm(request.GET or None, alliances=alliances)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    month = data.get("month")
    filters = {"alliance": data.get("alliance"), "kind": data.get("kind", ""), "state": data.get("state", "")}
    if month:
        last = calendar.monthrange(month.year, month.month)[1]
        filters.update(date_from=month.replace(day=1), date_to=month.replace(day=last))
    return form, filters


def _region_page(request, tab, rows, form):
    page, query = paginate(request, rows, count=False)
    context = {"tab": tab, "page": page, "query": query, "filter_form": form, "today": timezone.localdate()}
    return render(request, "alliances/meetings/region.html", context)


@login_required
def region_meetings(request):
    require_region_viewer(request.user)
    form, filters = _filters(request)
    return _region_page(request, "all", selectors.meeting_list(user=request.user, **filters), form)


@login_required
def minutes_missing(request):
    """Started (or held) meetings whose minutes are more than 3 working days late, oldest first."""
    require_region_viewer(request.user)
    form, filters = _filters(request)
    filters.pop("state")
    return _region_page(request, "missing", selectors.minutes_missing(user=request.user, **filters), form)


@login_required
def decisions_overdue(request):
    """Open decisions past their due date, in meetings the user sees, most overdue first."""
    require_region_viewer(request.user)
    form, filters = _filters(request)
    filters.pop("state")
    return _region_page(request, "overdue", selectors.decisions_overdue(user=request.user, **filters), form)
