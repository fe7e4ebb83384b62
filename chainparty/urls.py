from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

from alliances import views as alliance_views
from alliances.security_views import security_configuration

from . import api_docs, views
from .api_router import router
from .security import views as security_views

admin.site.site_header = "ChainParty 产业链党建联盟平台管理"
admin.site.site_title = "ChainParty 管理"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("", alliance_views.home, name="home"),
    path("accounts/login/", security_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("chainparty.security.urls")),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("status/", views.system_status, name="system_status"),
    path("security/", security_configuration, name="security_configuration"),
    path("indicators/<slug:key>/", views.indicator_panel, name="indicator_panel"),
    path("", include("chainparty.accounts.urls")),
    path("", include("alliances.people.urls")),
    path("", include("alliances.urls")),
    path("", include("demands.urls")),
    path("", include("guides.urls")),
    path("imports/", include("chainparty.imports.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    # The schema and its docs map every endpoint: signed-in users only (session or API token), under
    # every settings module. The pages send a browser to the login page.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path(
        "api/docs/",
        login_required(api_docs.SwaggerView.as_view(url_name="schema", permission_classes=[IsAuthenticated])),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        login_required(api_docs.redoc_view(url_name="schema", permission_classes=[IsAuthenticated])),
        name="redoc",
    ),
]
# No /media/ route, in development either: attachments are served only by the views that check who
# may read them (e.g. demands:need_attachment), never straight from MEDIA_ROOT.

handler400 = "chainparty.views.bad_request"
