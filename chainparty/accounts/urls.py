"""Account pages. Names are not namespaced: `chainparty.security` sends people who must change
their password to the page named `password_change`."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("people/", views.person_list, name="people_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reset/", views.person_reset, name="person_reset"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
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
