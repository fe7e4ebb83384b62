"""The phone pages' routes (issue 9 §2-3): a guide's 我的企业, logging a visit, a visit's page and the
guide's visit history; an enterprise secretary's visits to confirm and 述职评价. Included by
guides/urls.py (app "guides")."""

from django.urls import path

from . import views_phone as views

urlpatterns = [
    path("my/enterprises/", views.my_enterprises, name="my_enterprises"),
    path("my/enterprises/<int:pk>/need/", views.enterprise_need, name="enterprise_need"),
    path("my/visits/", views.my_visits, name="my_visits"),
    path("visits/new/", views.visit_log, name="visit_log"),
    path("visits/to-confirm/", views.visits_to_confirm, name="visits_to_confirm"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/confirm/", views.visit_confirm, name="visit_confirm"),
    path("visits/<int:pk>/dispute/", views.visit_dispute, name="visit_dispute"),
    path("visits/<int:pk>/photos/", views.visit_photos, name="visit_photos"),
    path("visits/<int:pk>/need/", views.visit_need, name="visit_need"),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("visits/photos/<int:pk>/thumbnail/", views.visit_photo_thumbnail, name="visit_photo_thumbnail"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/<int:pk>/", views.rating_submit, name="rating_submit"),
]
