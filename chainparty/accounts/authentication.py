"""DRF authentication by a personal API token: `Authorization: Bearer cp_…`."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .tokens import token_authenticate


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            raw = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from error
        found = token_authenticate(raw)
        if found is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
        return found

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the API schema (drf-spectacular) documents the token: an HTTP bearer scheme. Without it
    every viewset's schema warns that the authenticator cannot be resolved."""

    target_class = "chainparty.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "个人 API 令牌（cp_ 开头），在“我的账号”页签发"}
