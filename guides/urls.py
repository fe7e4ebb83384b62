"""The guides app's pages: the staff desk (urls_staff) and the phone pages (urls_phone)."""

from django.urls import include, path

app_name = "guides"

urlpatterns = [
    path("", include("guides.urls_staff")),
    path("", include("guides.urls_phone")),
]
