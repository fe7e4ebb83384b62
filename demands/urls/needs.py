"""Need pages. Joined into the "demands" namespace (mounted at the site root) by demands.urls."""

from django.urls import path

from ..selectors.needs import BOX_CLOSEOUT, BOX_INCOMING, BOX_MINE, BOX_OVERDUE
from ..views import needs as views

urlpatterns = [
    path("needs/", views.need_list, name="need_list"),
    path("needs/mine/", views.need_list, {"box": BOX_MINE}, name="my_needs"),
    path("needs/incoming/", views.need_list, {"box": BOX_INCOMING}, name="need_incoming"),
    path("needs/overdue/", views.need_list, {"box": BOX_OVERDUE}, name="need_overdue"),
    path("needs/closeout/", views.need_list, {"box": BOX_CLOSEOUT}, name="need_closeout"),
    path("needs/totals/", views.need_totals, name="need_totals"),
    path("needs/export/", views.need_export, name="need_export"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/worklist/", views.assignment_list, name="assignment_list"),
    path("needs/assignments/<int:pk>/answer/", views.assignment_answer, name="assignment_answer"),
    path("needs/assignments/<int:pk>/start/", views.assignment_start, name="assignment_start"),
    path("needs/deadline-rules/", views.deadline_rules, name="deadline_rules"),
    path("needs/deadline-rules/<int:pk>/delete/", views.deadline_rule_delete, name="deadline_rule_delete"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/attachments/<int:attachment_id>/", views.need_attachment, name="need_attachment"),
    path("needs/<int:pk>/suggestions/", views.need_dispatch_suggestions, name="need_dispatch_suggestions"),
    path("needs/<int:pk>/<slug:action>/form/", views.need_action_form, name="need_action_form"),
    path("needs/<int:pk>/<slug:action>/", views.need_action, name="need_action"),
]
