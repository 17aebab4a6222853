"""Resident API: sign-up (multipart), own profile, identity photo re-upload."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from registrations.api.body import form_body
from registrations.forms import IdentityPhotoForm, ResidentSignUpForm
from registrations.models import IdentityDocument, ResidentProfile, Sex
from registrations.permissions import api_may
from registrations.services.residents import identity_document_replace, resident_sign_up
from registrations.views.common import base_url


class SignUpThrottle(AnonRateThrottle):
    rate = "10/hour"
    scope = "signup"


class SignUpInput(serializers.Serializer):
    nik = serializers.CharField()
    kk_number = serializers.CharField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    village = serializers.CharField(help_text="Kode desa/kelurahan, mis. 32.04.12.2002")
    email = serializers.EmailField()
    phone = serializers.CharField()
    password = serializers.CharField(write_only=True)
    ktp_photo = serializers.FileField()
    selfie_photo = serializers.FileField()


class IdentityDocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = IdentityDocument
        fields = ["id", "kind", "width", "height", "quality_warnings", "uploaded_at"]


class ProfileOutput(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id")
    documents = IdentityDocumentOutput(many=True)
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = ResidentProfile
        fields = [
            "full_name",
            "birth_date",
            "sex",
            "village",
            "email",
            "identity_status",
            "identity_reason",
            "activated_at",
            "documents",
        ]


#: The sign-up form has two password fields; the API takes one, named ``password``.
_API_FIELD_NAMES = {"password1": "password", "password2": "password"}


def _form_errors(form) -> Response:
    errors: dict[str, list[str]] = {}
    for key, messages in form.errors.items():
        errors.setdefault(_API_FIELD_NAMES.get(key, key), []).extend(str(m) for m in messages)
    return Response(errors, status=status.HTTP_400_BAD_REQUEST)


class SignUpApi(APIView):
    """Create a resident account; an activation link is e-mailed. Same rules as the page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [SignUpThrottle]

    @extend_schema(
        request={"multipart/form-data": SignUpInput},
        responses={201: inline_serializer("SignUpDone", {"detail": serializers.CharField()})},
    )
    def post(self, request):
        # Not ``request.data.copy()``: that deep-copies the uploads too, and a photo over
        # 2.5 MB is spooled to a temporary file, which cannot be copied (a 500).
        body = form_body(request)
        data = {key: body.get(key) for key in body if key not in request.FILES}
        data["password1"] = data["password2"] = data.pop("password", "")
        form = ResidentSignUpForm(data, request.FILES)
        if not form.is_valid():
            return _form_errors(form)
        c = form.cleaned_data
        resident_sign_up(
            data=form.sign_up_data(),
            ktp_file=c["ktp_photo"],
            selfie_file=c["selfie_photo"],
            request_base_url=base_url(request),
        )
        return Response(
            {"detail": "Akun dibuat. Buka tautan aktivasi yang dikirim ke e-mail Anda."}, status=status.HTTP_201_CREATED
        )


class MyProfileApi(APIView):
    permission_classes = [api_may("resident.account")]

    @extend_schema(responses=ProfileOutput)
    def get(self, request):
        return Response(ProfileOutput(request.user.resident).data)


class IdentityPhotoInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["ktp", "selfie"])
    photo = serializers.FileField()


class IdentityPhotoApi(APIView):
    """Replace the KTP photo or the selfie (after a rejection, say)."""

    permission_classes = [api_may("resident.account")]

    @extend_schema(request={"multipart/form-data": IdentityPhotoInput}, responses={201: IdentityDocumentOutput})
    def post(self, request):
        form = IdentityPhotoForm(form_body(request), request.FILES)
        if not form.is_valid():
            return _form_errors(form)
        document = identity_document_replace(
            profile=request.user.resident, kind=form.cleaned_data["kind"], file_obj=form.cleaned_data["photo"]
        )
        return Response(IdentityDocumentOutput(document).data, status=status.HTTP_201_CREATED)
