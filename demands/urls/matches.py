"""Match and cooperation pages. Joined into the "demands" namespace by demands.urls."""

from django.urls import path

from ..views import matches

urlpatterns = [
    path("matches/", matches.match_list, name="match_list"),
    path("matches/need/<int:need_id>/", matches.need_matches, name="need_matches"),
    path("matches/need/<int:need_id>/propose/", matches.match_propose, name="match_propose"),
    path("matches/<int:pk>/confirm/", matches.match_confirm, name="match_confirm"),
    path("cooperations/", matches.cooperation_list, name="cooperation_list"),
    path("cooperations/new/", matches.cooperation_create, name="cooperation_create"),
    path("cooperations/<int:pk>/", matches.cooperation_detail, name="cooperation_detail"),
]
