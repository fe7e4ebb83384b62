"""People pages. Names are not namespaced (they were `chainparty.accounts`' before the pages moved
here, where the roles that decide who reaches whom live)."""

from django.urls import path

from . import views

urlpatterns = [
    path("people/", views.person_list, name="people_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reset/", views.person_reset, name="person_reset"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
]
