"""Sign-in for API clients: a user name, a password and (when the account has a second factor)
a one-time code give a personal token. The same lockout as the login page applies, through
`chainparty.security.login`; DELETE revokes the token the request presents. A person whose second
factor is an SMS or WeCom code asks for one with the password and `send_code` (202), then signs in
with it, under the same sending limits as the login page."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chainparty.security import lockout
from chainparty.security.login import authenticate_with_lockout, record_failed_second_factor
from chainparty.security.models import ChannelDevice
from chainparty.security.otp import channel_code_send, verify_token
from chainparty.security.services import password_change_due

from . import tokens
from .authentication import ApiTokenAuthentication


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(label=_("密码"), max_length=128, style={"input_type": "password"})
    otp_token = serializers.CharField(label=_("动态验证码"), max_length=20, required=False, allow_blank=True)
    send_code = serializers.BooleanField(
        label=_("发送验证码"),
        required=False,
        default=False,
        help_text=_("以短信或企业微信验证码作为第二重认证时：先带此项（和正确的密码）请求验证码，再以验证码登录。"),
    )
    name = serializers.CharField(label=_("令牌名称"), max_length=100, required=False, default="API")
    days = serializers.IntegerField(label=_("有效期（天）"), min_value=1, max_value=tokens.MAX_DAYS, required=False)


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("令牌本身，仅此一次返回；请求时写作 Authorization: Bearer <token>。"))
    prefix = serializers.CharField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class Locked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"


_detail = inline_serializer("Detail", fields={"detail": serializers.CharField()})


class TokenLoginView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(
        request=TokenLoginSerializer,
        responses={
            201: IssuedTokenSerializer,
            202: OpenApiResponse(_detail, description=_("验证码已发送（send_code）")),
            400: OpenApiResponse(_detail, description=_("用户名、密码或动态验证码不正确")),
            429: OpenApiResponse(_detail, description=_("登录失败次数过多，已锁定")),
        },
        summary=_("以用户名和密码换取 API 令牌"),
        auth=[],
    )
    def post(self, request):
        data = TokenLoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = authenticate_with_lockout(request._request, values["username"], values["password"])
        if result.locked:
            raise Locked(lockout.LOCKOUT_MESSAGE)
        user = result.user
        if user is None:
            raise exceptions.ValidationError({"detail": _("用户名或密码不正确。")})
        if result.needs_second_factor and values["send_code"]:
            return self._send_code(user)
        if result.needs_second_factor:
            code = values.get("otp_token", "").strip()
            if not code:
                raise exceptions.ValidationError({"otp_token": _("该账号已启用双因素认证，请填写动态验证码。")})
            if not verify_token(user, code):
                if record_failed_second_factor(request._request, user):
                    raise Locked(lockout.LOCKOUT_MESSAGE)
                raise exceptions.ValidationError({"otp_token": _("动态验证码不正确。")})
        elif result.must_enrol:
            raise exceptions.PermissionDenied(_("请先登录网页启用双因素认证，再签发令牌。"))
        if password_change_due(user):
            raise exceptions.PermissionDenied(_("请先登录网页修改密码（临时密码或已过期的密码不能用于签发令牌）。"))
        token, raw = tokens.token_issue(user=user, name=values.get("name") or "API", days=values.get("days"))
        body = {"token": raw, "prefix": token.prefix, "name": token.name, "expires_at": token.expires_at}
        return Response(IssuedTokenSerializer(body).data, status=status.HTTP_201_CREATED)

    def _send_code(self, user):
        device = ChannelDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise exceptions.ValidationError(
                {"send_code": _("该账号未启用短信或企业微信验证码，请使用动态验证码或恢复码。")}
            )
        try:
            channel_code_send(device=device)
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"send_code": error.messages}) from error
        return Response(
            {"detail": _("验证码已通过%(channel)s发送，请在几分钟内以 otp_token 提交。") % {"channel": device.name}},
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(request=None, responses={204: None}, summary=_("吊销本次请求所用的令牌"))
    def delete(self, request):
        if request.auth is None or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(_("请使用要吊销的令牌发起请求。"))
        tokens.token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
