"""Resource pages. Joined into the "demands" namespace by demands.urls."""

from django.urls import path

from ..views import resources

urlpatterns = [
    path("resources/", resources.resource_list, name="resource_list"),
    path("resources/new/", resources.resource_create, name="resource_create"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/status/", resources.resource_status, name="resource_status"),
    path("resources/<int:pk>/needs/", resources.resource_need_suggestions, name="resource_need_suggestions"),
]
