"""The lookup for partner systems: the same search as the public page, under API keys.

Partners authenticate with ``Authorization: Api-Key <key>`` (djangorestframework-api-key;
keys are issued in the Django admin and only their hash is stored). No captcha here:
each key has its own throttle (``LOOKUP_API_RATE``), counted per key, not per address.
The answer has the same whitelisted fields as the page: never a NIK, KK or address.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework_api_key.models import APIKey
from rest_framework_api_key.permissions import KeyParser

from lookup.models import LookupStatus
from lookup.selectors import MAX_RESULTS, MIN_NAME_LETTERS, lookup_search, name_key_or_none, village_or_none


class PartnerKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>``; ``request.auth`` is the ``APIKey`` row."""

    keyword = KeyParser.keyword

    def authenticate(self, request):
        key = KeyParser().get(request)
        if not key:
            return None
        try:
            api_key = APIKey.objects.get_from_key(key)
        except APIKey.DoesNotExist as exc:
            raise AuthenticationFailed("Kunci API tidak dikenal.") from exc
        if api_key.has_expired or api_key.revoked:
            raise AuthenticationFailed("Kunci API sudah dicabut atau kedaluwarsa.")
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return self.keyword


class HasPartnerKey(BasePermission):
    message = "Diperlukan kunci API mitra (Authorization: Api-Key <kunci>)."

    def has_permission(self, request, view):
        return isinstance(request.auth, APIKey)


class PartnerKeyThrottle(SimpleRateThrottle):
    scope = "lookup_partner"

    def get_rate(self):
        return settings.LOOKUP_API_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, APIKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "PartnerApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Kunci API mitra, dengan awalan: `Api-Key <kunci>`.",
        }


class LookupQuerySerializer(serializers.Serializer):
    village = serializers.CharField(max_length=13, help_text="Kode desa/kelurahan Kemendagri, mis. 32.04.12.2002")
    name = serializers.CharField(max_length=120, help_text="Nama sesuai KTP")

    def validate_village(self, value):
        if village_or_none(value) is None:
            raise serializers.ValidationError("Kode desa/kelurahan tidak dikenal.")
        return value

    def validate_name(self, value):
        if any(c in value for c in "*%_?"):
            raise serializers.ValidationError("Tulis nama lengkap tanpa karakter pengganti.")
        key = name_key_or_none(value)
        if key is None:
            raise serializers.ValidationError(f"Tulis nama lengkap (paling sedikit {MIN_NAME_LETTERS} huruf).")
        return key


class ProgrammeOutcomeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    included = serializers.BooleanField(allow_null=True, help_text="YA (true) / TIDAK (false); null: belum ditetapkan")
    period = serializers.CharField(help_text="Periode penetapan, mis. 2026-Q4")


class PublicPersonSerializer(serializers.Serializer):
    masked_name = serializers.CharField()
    status = serializers.ChoiceField(choices=LookupStatus.choices)
    status_label = serializers.CharField()
    step = serializers.CharField(help_text="Tahap usulan yang sedang berjalan, bila ada")
    desil = serializers.IntegerField(allow_null=True)
    programmes = ProgrammeOutcomeSerializer(many=True)


class LookupSearchApi(APIView):
    """Cek bansos for partner systems: people of a village whose name matches."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasPartnerKey]
    throttle_classes = [PartnerKeyThrottle]

    @extend_schema(
        request=LookupQuerySerializer,
        responses=inline_serializer(
            "LookupSearchResult",
            {
                "results": PublicPersonSerializer(many=True),
                "too_many": serializers.BooleanField(
                    help_text=f"Lebih dari {MAX_RESULTS} kecocokan: tulis nama lebih lengkap; tidak ada yang tampil"
                ),
            },
        ),
        tags=["lookup"],
    )
    def post(self, request):
        query = LookupQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        outcome = lookup_search(village_code=query.validated_data["village"], name_key=query.validated_data["name"])
        return Response(
            {"results": PublicPersonSerializer(outcome.people, many=True).data, "too_many": outcome.too_many}
        )
