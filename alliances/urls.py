from django.urls import include, path

from . import views

app_name = "alliances"

urlpatterns = [
    path("alliances/", views.alliance_list, name="alliance_list"),
    path("alliances/new/", views.alliance_create, name="alliance_create"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance_detail"),
    path("alliances/<int:pk>/edit/", views.alliance_edit, name="alliance_edit"),
    path("alliances/<int:pk>/members/", views.membership_add, name="membership_add"),
    path("alliances/<int:pk>/members/<int:membership_id>/end/", views.membership_end, name="membership_end"),
    path("alliances/<int:pk>/seats/", views.seat_add, name="seat_add"),
    path("alliances/<int:pk>/rotations/", views.rotation_add, name="rotation_add"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<int:pk>/delete/", views.enterprise_delete, name="enterprise_delete"),
    path("enterprises/<int:pk>/secretaries/", views.enterprise_grant_secretary, name="enterprise_grant_secretary"),
    path("party-organizations/", views.party_organization_list, name="party_organization_list"),
    path("party-organizations/new/", views.party_organization_create, name="party_organization_create"),
    path("party-organizations/<int:pk>/edit/", views.party_organization_edit, name="party_organization_edit"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path("departments/<int:pk>/handlers/", views.department_add_handler, name="department_add_handler"),
    path("zones/", views.zone_list, name="zone_list"),
    path("zones/new/", views.zone_create, name="zone_create"),
    path("zones/<int:pk>/edit/", views.zone_edit, name="zone_edit"),
    path("audit/", views.audit_list, name="audit_list"),
    path("", include("alliances.meetings.urls")),
    path("", include("alliances.meetings.export_views")),
]
