import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import holidays
from .models import AuditLog, CalendarDay, DueItem, Notification, NotificationDelivery, TaskHeartbeat, User
from .validators import is_ascii_id


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("工作信息"), {"fields": ("real_name", "mobile", "wecom_userid", "affiliation")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("工作信息"), {"fields": ("real_name", "mobile", "affiliation", "email")}),
    )
    list_display = ("username", "real_name", "affiliation", "mobile", "is_staff", "is_active")
    search_fields = ("username", "real_name", "mobile", "affiliation")

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: their audit records keep them as actor (PROTECT).
        return False


@admin.register(TaskHeartbeat)
class TaskHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "runs", "hostname")
    readonly_fields = ("name", "last_run_at", "runs", "hostname")


class DeliveryInline(admin.TabularInline):
    model = NotificationDelivery
    extra = 0
    readonly_fields = ("channel", "status", "attempts", "claimed_at", "sent_at", "error")
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username", "recipient__real_name")
    readonly_fields = ("recipient", "title", "body", "url", "kind", "dedupe_key", "created_at", "read_at")
    inlines = [DeliveryInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the code (a log, a sweep's queue): shown, never added, edited or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, and nobody edits or deletes it here either."""

    list_display = ("at", "actor_name", "action", "target_repr", "region_path", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_name", "target_repr", "region_path", "ip_address")
    date_hierarchy = "at"


@admin.register(DueItem)
class DueItemAdmin(ReadOnlyAdmin):
    """Read-only: `chainparty.sweeps` schedules, sends and cancels these; the list shows what is
    waiting, what was sent and why a row failed or was cancelled."""

    list_display = ("due_at", "kind", "recipient", "title", "status", "attempts", "finished_at", "reason")
    list_filter = ("kind", "status")
    list_select_related = ("recipient",)
    search_fields = ("delivery_key", "source_key")
    date_hierarchy = "due_at"


class CalendarYearForm(forms.Form):
    """A whole year's notice, one day a line: `2027-02-08 放假 春节 备注` or `2027-02-20 上班 春节`."""

    KIND_WORDS = {
        "放假": CalendarDay.Kind.HOLIDAY,
        "休": CalendarDay.Kind.HOLIDAY,
        "上班": CalendarDay.Kind.MAKEUP_WORKDAY,
        "调休上班": CalendarDay.Kind.MAKEUP_WORKDAY,
        "班": CalendarDay.Kind.MAKEUP_WORKDAY,
    }

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    days = forms.CharField(
        label=_("安排"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 60}),
        required=False,
        help_text=_(
            "每行一天：日期 放假|上班 节日（无则写 -） [备注]，例如“2027-02-08 放假 春节”。"
            "保存后该年度的安排即为所列各天。"
        ),
    )

    def clean_days(self):
        specs, errors = [], []
        for number, line in enumerate(self.cleaned_data["days"].splitlines(), start=1):
            parts = line.split(maxsplit=3)
            if not parts:
                continue
            try:
                date = dt.date.fromisoformat(parts[0])
            except ValueError:
                errors.append(gettext("第 %(n)s 行：日期应写作 2027-02-08。") % {"n": number})
                continue
            kind = self.KIND_WORDS.get(parts[1]) if len(parts) > 1 else None
            if kind is None:
                errors.append(gettext("第 %(n)s 行：类别应为“放假”或“上班”。") % {"n": number})
                continue
            name = parts[2] if len(parts) > 2 and parts[2] != "-" else ""
            note = parts[3] if len(parts) > 3 else ""
            specs.append(holidays.DaySpec(date=date, kind=kind, name=name, note=note))
        if errors:
            raise ValidationError(errors)
        return specs


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Staff read the calendar; platform administrators and superusers change it, through
    `chainparty.holidays` (audited, and the working-day calendar follows at once)."""

    list_display = ("date", "weekday", "kind", "name", "note", "created_by", "updated_at")
    list_filter = ("kind", "name")
    date_hierarchy = "date"
    search_fields = ("name", "note")
    fields = ("date", "kind", "name", "note")
    change_list_template = "chainparty/admin/calendarday_change_list.html"

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return holidays.may_edit_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return holidays.may_edit_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        return holidays.may_edit_calendar(request.user)

    def save_model(self, request, obj, form, change):
        day = CalendarDay.objects.get(pk=obj.pk) if change else None
        saved = holidays.calendar_day_save(
            actor=request.user, date=obj.date, kind=obj.kind, name=obj.name, note=obj.note, day=day
        )
        obj.pk, obj.created_by, obj.updated_at = saved.pk, saved.created_by, saved.updated_at

    def delete_model(self, request, obj):
        holidays.calendar_day_delete(actor=request.user, day=obj)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            holidays.calendar_day_delete(actor=request.user, day=day)

    def changelist_view(self, request, extra_context=None):
        warning = holidays.missing_year_warning(timezone.localdate())
        if warning and request.method == "GET":
            messages.warning(request, warning)
        extra_context = {**(extra_context or {}), "may_edit_calendar": holidays.may_edit_calendar(request.user)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        year_view = self.admin_site.admin_view(self.year_view)
        return [path("year/", year_view, name="chainparty_calendarday_year"), *super().get_urls()]

    def year_view(self, request):
        """Enter or replace a whole year's notice at once."""
        if not holidays.may_edit_calendar(request.user):
            raise PermissionDenied
        year = request.GET.get("year", "")
        initial = {"year": int(year)} if is_ascii_id(year) else {"year": timezone.localdate().year + 1}
        if request.method == "POST":
            form = CalendarYearForm(request.POST)
            if form.is_valid():
                try:
                    saved = holidays.calendar_year_replace(
                        actor=request.user, year=form.cleaned_data["year"], days=form.cleaned_data["days"]
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        gettext("已保存 %(year)s 年节假日安排，共 %(n)s 天。")
                        % {"year": form.cleaned_data["year"], "n": len(saved)},
                        messages.SUCCESS,
                    )
                    return redirect(f"../?date__year={form.cleaned_data['year']}")
        else:
            rows = CalendarDay.objects.filter(date__year=initial["year"])
            kind_word = {CalendarDay.Kind.HOLIDAY: "放假", CalendarDay.Kind.MAKEUP_WORKDAY: "上班"}
            initial["days"] = "\n".join(
                f"{row.date:%Y-%m-%d} {kind_word[row.kind]} {row.name or '-'} {row.note}".rstrip() for row in rows
            )
            form = CalendarYearForm(initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("按年度录入节假日安排"),
            "form": form,
        }
        return TemplateResponse(request, "chainparty/admin/calendarday_year.html", context)
