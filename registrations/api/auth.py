"""Token login for API clients, throttled against password guessing.

Tokens are for machine clients (a district's own system, the mobile app). A token
skips the web session, and so the second-factor page; therefore an account that must
use a second factor (staff above village operator, and operators who enrolled one)
receives a token only when the request also carries a current TOTP code in
``otp_token``. Failed logins count towards the django-axes lockout like web logins.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from dtsen_portal.security import lockout_response, otp_expected


class TokenLoginThrottle(AnonRateThrottle):
    scope = "token_login"
    rate = "10/min"


class TokenLoginSerializer(AuthTokenSerializer):
    otp_token = serializers.RegexField(
        r"^\s*\d{6}\s*$",
        required=False,
        write_only=True,
        help_text="Kode 6 angka dari aplikasi autentikator; wajib untuk petugas di atas operator desa.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        if otp_expected(user):
            from django_otp import match_token

            code = (attrs.get("otp_token") or "").strip()
            if not code:
                raise serializers.ValidationError(
                    {"otp_token": [_("Akun ini memakai verifikasi dua langkah: sertakan kode autentikator.")]}
                )
            if match_token(user, code) is None:
                raise serializers.ValidationError({"otp_token": [_("Kode autentikator salah atau kedaluwarsa.")]})
        return attrs


class TokenLoginApi(ObtainAuthToken):
    """POST username and password (plus ``otp_token`` for staff); answers a token."""

    throttle_classes = [TokenLoginThrottle]
    serializer_class = TokenLoginSerializer

    @extend_schema(request=TokenLoginSerializer, responses={200: {"type": "object", "properties": {"token": {}}}})
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                return lockout_response(request._request)
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
