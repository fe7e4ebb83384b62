"""The meeting pages, included into the `alliances` namespace (so `alliances:meeting_detail`)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("alliances/<int:pk>/meetings/", views.alliance_meetings, name="alliance_meetings"),
    path("alliances/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/", views.region_meetings, name="meeting_region_list"),
    path("meetings/minutes-missing/", views.minutes_missing, name="meeting_minutes_missing"),
    path("meetings/decisions-overdue/", views.decisions_overdue, name="meeting_decisions_overdue"),
    path("meetings/mine/", views.my_meetings, name="my_meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/move/", views.meeting_move, name="meeting_move"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/attendance/", views.attendance_record, name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", views.minutes_file, name="meeting_minutes"),
    path("meetings/<int:pk>/attachments/", views.meeting_attach, name="meeting_attach"),
    path(
        "meetings/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="meeting_attachment",
    ),
    path("meetings/invitations/<int:pk>/answer/", views.invitation_answer, name="invitation_answer"),
    path("meetings/decisions/<int:pk>/status/", views.decision_status, name="decision_status"),
    path("", include("alliances.meetings.schedule_views")),
]
