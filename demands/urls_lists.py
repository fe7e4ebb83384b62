"""Resources, policies, matches and cooperations. Joined into the "demands" namespace by demands.urls."""

from django.urls import path

from .views import lists as views

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/status/", views.resource_status, name="resource_status"),
    path("resources/<int:pk>/needs/", views.resource_need_suggestions, name="resource_need_suggestions"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/inbox/", views.policy_inbox, name="policy_inbox"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/publish/", views.policy_publish, name="policy_publish"),
    path("policies/<int:pk>/withdraw/", views.policy_withdraw, name="policy_withdraw"),
    path("policies/<int:pk>/attachment/", views.policy_attachment, name="policy_attachment"),
    path("policies/<int:pk>/needs/", views.policy_need_suggestions, name="policy_need_suggestions"),
    path("matches/", views.match_list, name="match_list"),
    path("matches/need/<int:need_id>/", views.need_matches, name="need_matches"),
    path("matches/need/<int:need_id>/propose/", views.match_propose, name="match_propose"),
    path("matches/<int:pk>/confirm/", views.match_confirm, name="match_confirm"),
    path("cooperations/", views.cooperation_list, name="cooperation_list"),
    path("cooperations/new/", views.cooperation_create, name="cooperation_create"),
    path("cooperations/<int:pk>/", views.cooperation_detail, name="cooperation_detail"),
]
