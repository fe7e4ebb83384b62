"""Policy pages and the enterprise's policy inbox. Joined into the "demands" namespace by demands.urls."""

from django.urls import path

from ..views import policies

urlpatterns = [
    path("policies/", policies.policy_list, name="policy_list"),
    path("policies/new/", policies.policy_create, name="policy_create"),
    path("policies/inbox/", policies.policy_inbox, name="policy_inbox"),
    path("policies/<int:pk>/", policies.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/read/", policies.policy_read, name="policy_read"),
    path("policies/<int:pk>/edit/", policies.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/publish/", policies.policy_publish, name="policy_publish"),
    path("policies/<int:pk>/withdraw/", policies.policy_withdraw, name="policy_withdraw"),
    path("policies/<int:pk>/attachment/", policies.policy_attachment, name="policy_attachment"),
    path("policies/<int:pk>/needs/", policies.policy_need_suggestions, name="policy_need_suggestions"),
]
