"""The schedule pages (会议计划) of an alliance's managers: the list, create and edit (the whole
series, or from a day on), the host rotation's order, ending a schedule; moving or cancelling one
occurrence of a series or it and the following ones (仅本次 / 本次及以后); and, for the organisation
department, the alliances whose cadence asked for a meeting that was not held. Thin: parse, access
helper, service (`alliances.meetings.schedules`), render. Included by `alliances.meetings.urls`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chainparty.forms_utils import form_page

from . import permissions, schedules, selectors, services
from .permissions import MANAGE
from .schedule_forms import EndForm, HostMoveForm, OccurrenceCancelForm, OccurrenceMoveForm, ScheduleForm
from .view_helpers import SCHEDULE_MANAGERS_ONLY, managed_alliance, require_region_viewer, service_form


def _managed_alliance(request, pk):
    return managed_alliance(request, pk, message=SCHEDULE_MANAGERS_ONLY)


def _managed_schedule(request, pk):
    return permissions.schedule_get_for_user(user=request.user, schedule_id=pk, action=MANAGE)


def _list_url(alliance_id) -> str:
    return reverse("alliances:schedule_list", args=[alliance_id])


@login_required
def schedule_list(request, pk):
    alliance = _managed_alliance(request, pk)
    context = {
        "alliance": alliance,
        "schedules": selectors.schedule_list(user=request.user, alliance=alliance),
        "today": timezone.localdate(),
    }
    return render(request, "alliances/meetings/schedule_list.html", context)


@login_required
def schedule_create(request, pk):
    alliance = _managed_alliance(request, pk)
    form = ScheduleForm(request.POST or None, alliance=alliance)
    return form_page(
        request,
        form=form,
        context={
            "title": _("新建会议计划：%s") % alliance.name,
            "back": _list_url(alliance.pk),
            "wide": True,
            "form_id": "schedule-form",
        },
        on_valid=lambda f: schedules.schedule_create(actor=request.user, alliance=alliance, **f.create_fields()),
        success_message=_("会议计划已创建，近期的会议已生成并通知参会人员。"),
    )


@login_required
def schedule_edit(request, pk):
    schedule = _managed_schedule(request, pk)
    form = ScheduleForm(request.POST or None, alliance=schedule.alliance, schedule=schedule)

    def save(f):
        if f.cleaned_data["from_date"]:
            schedules.schedule_split(
                actor=request.user, schedule=schedule, from_date=f.cleaned_data["from_date"], **f.series_fields()
            )
        else:
            schedules.schedule_update(actor=request.user, schedule=schedule, **f.series_fields())
        return schedule

    return form_page(
        request,
        form=form,
        context={
            "title": _("修改会议计划：%s") % schedule.title,
            "back": _list_url(schedule.alliance_id),
            "wide": True,
            "form_id": "schedule-form",
            "note": _("已单独调整或取消的会议保持不变；未调整的会议按新设置改期，并通知参会人员。"),
        },
        on_valid=save,
        success_message=_("会议计划已修改。"),
    )


@login_required
def schedule_hosts(request, pk):
    """The host rotation in order, each with 上移 / 下移 / 移除 and a position, and members to add."""
    schedule = _managed_schedule(request, pk)
    hosts = list(schedule.hosts.select_related("enterprise").order_by("position"))
    form = HostMoveForm(request.POST or None, schedule=schedule)
    if service_form(
        request,
        form,
        lambda: schedules.schedule_hosts_set(
            actor=request.user, schedule=schedule, enterprises=form.reordered([h.enterprise for h in hosts])
        ),
    ):
        messages.success(request, _("轮值承办顺序已更新。"))
        return redirect("alliances:schedule_hosts", schedule.pk)
    in_rotation = {h.enterprise_id for h in hosts}
    context = {
        "schedule": schedule,
        "hosts": hosts,
        "form": form,
        "candidates": [e for e in form.fields["enterprise"].queryset.order_by("name") if e.pk not in in_rotation],
    }
    return render(request, "alliances/meetings/schedule_hosts.html", context, status=400 if form.errors else 200)


@login_required
def schedule_end(request, pk):
    schedule = _managed_schedule(request, pk)
    form = EndForm(request.POST or None)
    return form_page(
        request,
        form=form,
        context={
            "title": _("终止会议计划：%s") % schedule.title,
            "back": _list_url(schedule.alliance_id),
            "submit_label": _("终止计划"),
            "form_id": "end-form",
        },
        on_valid=lambda f: schedules.schedule_end(
            actor=request.user, schedule=schedule, ends_on=f.cleaned_data["ends_on"], reason=f.cleaned_data["reason"]
        ),
        success_message=_("会议计划已终止。"),
    )


# -- one occurrence of a series ---------------------------------------------------------------------
def _managed_occurrence(request, pk):
    meeting = permissions.meeting_get_for_user(user=request.user, meeting_id=pk, action=MANAGE)
    if meeting.schedule_id is None:
        raise Http404(_("该会议不是由会议计划生成的。"))
    return meeting


@login_required
def occurrence_move(request, pk):
    """仅本次: move this meeting (with the page's version, like any move); 本次及以后: the series' time
    and duration from this meeting's date on (`occurrence_update(following=True)`)."""
    meeting = _managed_occurrence(request, pk)
    form = OccurrenceMoveForm(request.POST or None, meeting=meeting)

    def save(f):
        data = f.cleaned_data
        if data["scope"] == "following":
            schedules.occurrence_update(actor=request.user, meeting=meeting, following=True, **f.series_changes())
        else:
            services.meeting_move(
                actor=request.user,
                meeting=meeting,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                expected_version=data["version"],
            )
        return meeting

    return form_page(
        request,
        form=form,
        context={
            "title": _("调整时间：%s") % meeting.title,
            "back": meeting.get_absolute_url(),
            "form_id": "move-form",
        },
        on_valid=save,
        success_message=_("会议时间已调整，已通知参会人员。"),
    )


@login_required
def occurrence_cancel(request, pk):
    meeting = _managed_occurrence(request, pk)
    form = OccurrenceCancelForm(request.POST or None)
    return form_page(
        request,
        form=form,
        context={
            "title": _("取消会议：%s") % meeting.title,
            "back": meeting.get_absolute_url(),
            "submit_label": _("取消会议"),
            "form_id": "cancel-form",
        },
        on_valid=lambda f: schedules.occurrence_cancel(
            actor=request.user,
            meeting=meeting,
            reason=f.cleaned_data["reason"],
            following=f.cleaned_data["scope"] == "following",
        ),
        success_message=_("会议已取消。"),
    )


# -- the organisation department ----------------------------------------------------------------------
@login_required
def cadence_gaps(request):
    """Alliances that held no 党委会议 or 联席会议 in the last month (or quarter) their cadence asks for."""
    require_region_viewer(request.user)
    gaps = selectors.cadence_gaps(user=request.user, today=timezone.localdate())
    return render(request, "alliances/meetings/schedule_cadence_gaps.html", {"gaps": gaps, "tab": "cadence"})


urlpatterns = [
    path("alliances/<int:pk>/schedules/", schedule_list, name="schedule_list"),
    path("alliances/<int:pk>/schedules/new/", schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/edit/", schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/hosts/", schedule_hosts, name="schedule_hosts"),
    path("schedules/<int:pk>/end/", schedule_end, name="schedule_end"),
    path("meetings/<int:pk>/occurrence/move/", occurrence_move, name="occurrence_move"),
    path("meetings/<int:pk>/occurrence/cancel/", occurrence_cancel, name="occurrence_cancel"),
    path("meetings/cadence-gaps/", cadence_gaps, name="meeting_cadence_gaps"),
]
