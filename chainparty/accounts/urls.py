"""One's own account pages and the token login. Names are not namespaced: `chainparty.security`
sends people who must change their password to the page named `password_change`. The people pages
(other people's accounts) are `alliances.people.urls`."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("account/", views.profile, name="profile"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/sessions/<int:pk>/revoke/", views.session_revoke, name="session_revoke"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("api/auth/token/", api.TokenLoginView.as_view(), name="api_token_login"),
]
