"""The floor's URLconf: its two pages only, none of the product's."""

from django.urls import path

from . import views

urlpatterns = [
    path("floor/needs/", views.needs, name="floor_needs"),
    path("floor/needs/counted/", views.needs_counted, name="floor_needs_counted"),
]
