"""Needs from meetings. Joined into the "demands" namespace by demands.urls."""

from django.urls import path

from ..views import meetings

urlpatterns = [
    path("meetings/decisions/<int:decision_id>/need/", meetings.need_from_decision, name="need_from_decision"),
]
