from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    # The admin signs in through the portal's login, so its second step and rules apply there too
    # (Django's admin login would otherwise log a person in on the password alone).
    path("admin/login/", views.admin_login, name="admin_login"),
    path("accounts/login/verify/", views.login_verify, name="login_verify"),
    path("accounts/2fa/", views.otp_setup, name="otp_setup"),
    path("accounts/locked/", views.locked_accounts, name="locked_accounts"),
    path("accounts/locked/<int:user_id>/unlock/", views.account_unlock, name="account_unlock"),
    path("accounts/people/<int:user_id>/2fa/reset/", views.second_factor_reset, name="second_factor_reset"),
]
