from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_index, name="index"),
    path("templates/<slug:kind>/", views.template_download, name="template"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<int:pk>/marked/", views.job_marked, name="job_marked"),
    path("jobs/<int:pk>/secrets/", views.job_secrets, name="job_secrets"),
]
