"""Resources, policies, matches and cooperations. Joined into the "demands" namespace by demands.urls."""

from django.urls import path

from .views import matches, policies, resources

urlpatterns = [
    path("resources/", resources.resource_list, name="resource_list"),
    path("resources/new/", resources.resource_create, name="resource_create"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/status/", resources.resource_status, name="resource_status"),
    path("resources/<int:pk>/needs/", resources.resource_need_suggestions, name="resource_need_suggestions"),
    path("policies/", policies.policy_list, name="policy_list"),
    path("policies/new/", policies.policy_create, name="policy_create"),
    path("policies/inbox/", policies.policy_inbox, name="policy_inbox"),
    path("policies/<int:pk>/", policies.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", policies.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/publish/", policies.policy_publish, name="policy_publish"),
    path("policies/<int:pk>/withdraw/", policies.policy_withdraw, name="policy_withdraw"),
    path("policies/<int:pk>/attachment/", policies.policy_attachment, name="policy_attachment"),
    path("policies/<int:pk>/needs/", policies.policy_need_suggestions, name="policy_need_suggestions"),
    path("matches/", matches.match_list, name="match_list"),
    path("matches/need/<int:need_id>/", matches.need_matches, name="need_matches"),
    path("matches/need/<int:need_id>/propose/", matches.match_propose, name="match_propose"),
    path("matches/<int:pk>/confirm/", matches.match_confirm, name="match_confirm"),
    path("cooperations/", matches.cooperation_list, name="cooperation_list"),
    path("cooperations/new/", matches.cooperation_create, name="cooperation_create"),
    path("cooperations/<int:pk>/", matches.cooperation_detail, name="cooperation_detail"),
]
