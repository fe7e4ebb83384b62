"""The staff desk's routes (issue 9): guides, teams, assignments, who no one has visited, coverage,
Party-organisation building and evaluation. Included by guides/urls.py (app "guides")."""

from django.urls import path

from . import export_views
from .views_staff import building, coverage, evaluation, people, visits

urlpatterns = [
    path("guides/", people.guide_list, name="guide_list"),
    path("guides/new/", people.guide_create, name="guide_create"),
    path("guides/<int:pk>/", people.guide_detail, name="guide_detail"),
    path("guides/<int:pk>/edit/", people.guide_edit, name="guide_edit"),
    path("guides/<int:pk>/studio/", people.guide_studio, name="guide_studio"),
    path("guides/<int:pk>/visits/new/", visits.visit_log_for_guide, name="visit_log_for_guide"),
    path("teams/", people.team_list, name="team_list"),
    path("teams/new/", people.team_create, name="team_create"),
    path("teams/<int:pk>/", people.team_detail, name="team_detail"),
    path("teams/<int:pk>/members/add/", people.team_member_add, name="team_member_add"),
    path("teams/members/<int:pk>/end/", people.team_member_end, name="team_member_end"),
    path("assignments/new/", people.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/end/", people.assignment_end, name="assignment_end"),
    path("coverage/", coverage.visit_overview, name="visit_overview"),
    path("coverage/rates/", coverage.coverage, name="coverage"),
    path("visits/ledger/", export_views.visit_ledger_export, name="visit_ledger_export"),
    path("building/", building.building_goal_list, name="building_goal_list"),
    path("building/new/", building.building_goal_open, name="building_goal_open"),
    path("building/<int:pk>/", building.building_goal_detail, name="building_goal_detail"),
    path("building/<int:pk>/advance/", building.building_goal_advance, name="building_goal_advance"),
    path("building/development/", building.development_list, name="development_list"),
    path("building/development/new/", building.development_create, name="development_create"),
    path("evaluation/", evaluation.evaluation_list, name="evaluation_list"),
    path("evaluation/new/", evaluation.evaluation_create, name="evaluation_create"),
    path("evaluation/<int:pk>/", evaluation.evaluation_detail, name="evaluation_detail"),
    path("evaluation/<int:pk>/close/", evaluation.evaluation_close, name="evaluation_close"),
    path("evaluation/reports/<int:pk>/", evaluation.report_detail, name="report_detail"),
]
