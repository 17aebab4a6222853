"""Input and output shapes of the workflow API.

Inputs keep malformed values out (types, dates, bounds, sizes); every rule of the
domain (role, region, status, role separation) stays in the services.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registrations.models import (
    Proposal,
    ProposalDocument,
    ProposalDocumentKind,
    ProposalEvent,
    ProposalKind,
    ProposalMember,
    ProposalStatus,
)
from registrations.services.proposals import CONDITION_FIELDS, MEMBER_FIELDS
from verification.models import (
    Attendee,
    Batch,
    BatchKind,
    Deliberation,
    DeliberationBasis,
    DeliberationItem,
    DeliberationStatus,
    FieldVisit,
    FieldVisitResult,
    Outcome,
)
from verification.workflow.api.common import MAX_BATCH
from verification.workflow.services.review import MAX_VISIT_PHOTOS

TRACKING_NUMBER = {"max_length": 12, "help_text": _("Nomor usulan, mis. US7K2M9QXA.")}


def named_choice_field(choices, component_name: str) -> type[serializers.ChoiceField]:
    """A ChoiceField whose enum is its own named schema component.

    Several choice sets share a field name across the API ("kind", "status"); left to
    drf-spectacular they would get hash-suffixed names. Naming them here keeps the
    schema stable without touching the project's ENUM_NAME_OVERRIDES.
    """

    @extend_schema_field(serializers.ChoiceField(choices=choices.choices), component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("choices", choices.choices)
            super().__init__(**kwargs)

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = f"{component_name.removesuffix('Enum')}Field"
    return NamedChoiceField


ProposalKindField = named_choice_field(ProposalKind, "WorkflowProposalKindEnum")
DocumentKindField = named_choice_field(ProposalDocumentKind, "WorkflowDocumentKindEnum")
VisitResultField = named_choice_field(FieldVisitResult, "FieldVisitResultEnum")
BasisField = named_choice_field(DeliberationBasis, "DeliberationBasisEnum")
DeliberationStatusField = named_choice_field(DeliberationStatus, "DeliberationStatusEnum")
OutcomeField = named_choice_field(Outcome, "DeliberationOutcomeEnum")
BatchKindField = named_choice_field(BatchKind, "BatchKindEnum")


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """An uploaded file (multipart); shown as binary in the schema."""


def _not_in_future(value):
    if value > timezone.localdate():
        raise serializers.ValidationError(_("Tanggal tidak boleh di masa depan."))
    return value


# --- proposals -------------------------------------------------------------------------------


class ProposalListQuery(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in ProposalStatus.choices if c[0] != ProposalStatus.DRAFT], required=False
    )
    village = serializers.RegexField(
        r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", required=False, help_text=_("Kode desa/kelurahan, mis. 32.04.12.2002.")
    )
    since = serializers.DateField(required=False, help_text=_("Status berubah pada/sesudah tanggal ini."))


class WorkflowProposalItem(serializers.ModelSerializer):
    """A list row: no personal numbers (no KK, no NIK, no names)."""

    village = serializers.CharField(source="village_id")
    kind = ProposalKindField(read_only=True)
    member_count = serializers.IntegerField()

    class Meta:
        model = Proposal
        fields = [
            "tracking_number",
            "status",
            "channel",
            "kind",
            "village",
            "rt",
            "rw",
            "member_count",
            "submitted_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class WorkflowConditions(serializers.ModelSerializer):
    class Meta:
        model = Proposal
        fields = list(CONDITION_FIELDS)
        read_only_fields = fields


class WorkflowMember(serializers.ModelSerializer):
    class Meta:
        model = ProposalMember
        fields = ["id", *MEMBER_FIELDS]
        read_only_fields = fields


class WorkflowDocument(serializers.ModelSerializer):
    kind = DocumentKindField(read_only=True)

    class Meta:
        model = ProposalDocument
        fields = ["id", "kind", "uploaded_at"]
        read_only_fields = fields


class WorkflowEvent(serializers.ModelSerializer):
    class Meta:
        model = ProposalEvent
        fields = ["from_status", "to_status", "actor_role", "reason", "created_at"]
        read_only_fields = fields


class WorkflowProposalDetail(serializers.ModelSerializer):
    """Everything an authorised staff system needs, NIKs included; every read is logged."""

    village = serializers.CharField(source="village_id")
    village_name = serializers.CharField(source="village.display_name")
    kind = ProposalKindField(read_only=True)
    household = serializers.IntegerField(source="household_id", allow_null=True)
    conditions = WorkflowConditions(source="*")
    members = WorkflowMember(many=True)
    documents = WorkflowDocument(many=True)
    events = WorkflowEvent(many=True)
    duplicate_flags = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Per NIK: di mana lagi NIK itu tercatat (rumah tangga terdaftar lain, usulan lain yang berjalan)."),
    )
    verifier = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField(
        help_text=_("Langkah alur kerja yang dapat dilakukan pemanggil pada usulan ini sekarang (mis. verify).")
    )

    class Meta:
        model = Proposal
        fields = [
            "tracking_number",
            "kind",
            "update_reason",
            "channel",
            "status",
            "kk_number",
            "village",
            "village_name",
            "address",
            "rt",
            "rw",
            "phone",
            "household",
            "conditions",
            "programmes",
            "applicant_statement",
            "members",
            "documents",
            "events",
            "duplicate_flags",
            "verifier",
            "allowed_moves",
            "created_at",
            "submitted_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    def get_allowed_moves(self, proposal) -> list[str]:
        return proposal.allowed_moves(self.context["request"].user)

    def get_verifier(self, proposal) -> str | None:
        assignment = getattr(proposal, "assignment", None)
        return assignment.verifier.username if assignment else None


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class StepResult(serializers.Serializer):
    tracking_number = serializers.CharField()
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    status_changed_at = serializers.DateTimeField(allow_null=True)
    event = WorkflowEvent(allow_null=True)


class FieldVisitInput(serializers.ModelSerializer):
    """The visit report: the full instrument as observed, GPS optional, up to six photos
    (multipart, the field ``photos`` repeated)."""

    result = VisitResultField()
    photos = serializers.ListField(child=UploadField(), required=False, default=list, max_length=MAX_VISIT_PHOTOS)

    class Meta:
        model = FieldVisit
        fields = [
            "visited_on",
            "result",
            "notes",
            "latitude",
            "longitude",
            *FieldVisit.INDICATOR_FIELDS,
            *FieldVisit.ASSET_FIELDS,
            "floor_area_m2",
            "monthly_income",
            "photos",
        ]
        extra_kwargs = {"floor_area_m2": {"required": False}, "monthly_income": {"required": False}}

    def validate_visited_on(self, value):
        return _not_in_future(value)

    def validate(self, attrs):
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError(
                {"longitude": [_("Isi lintang dan bujur bersama, atau kosongkan keduanya.")]}
            )
        return attrs


class FieldVisitOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="proposal.tracking_number")
    status = serializers.ChoiceField(source="proposal.status", choices=ProposalStatus.choices)
    result = VisitResultField(read_only=True)
    photo_count = serializers.IntegerField()

    class Meta:
        model = FieldVisit
        fields = [
            "id",
            "tracking_number",
            "status",
            "visited_on",
            "result",
            "notes",
            "latitude",
            "longitude",
            "photo_count",
            "created_at",
        ]
        read_only_fields = fields


class AssignInput(serializers.Serializer):
    verifier = serializers.CharField(max_length=150, help_text=_("Nama pengguna verifikator Dinas Sosial."))


class AssignOutput(serializers.Serializer):
    tracking_number = serializers.CharField(source="proposal.tracking_number")
    verifier = serializers.CharField(source="verifier.username")
    assigned_at = serializers.DateTimeField()


# --- musdes ----------------------------------------------------------------------------------


class DeliberationOpenInput(serializers.ModelSerializer):
    basis = BasisField()
    chair_position = serializers.CharField(max_length=80, default="Kepala Desa")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

    class Meta:
        model = Deliberation
        fields = ["basis", "held_on", "place", "chair", "chair_position", "notes"]

    def validate_held_on(self, value):
        return _not_in_future(value)

    def validate(self, attrs):
        if attrs.get("basis") == DeliberationBasis.SPTJM and not attrs.get("notes", "").strip():
            raise serializers.ValidationError({"notes": [_("Tuliskan alasan musyawarah tidak dapat diadakan.")]})
        return attrs


class DeliberationItemOutput(serializers.ModelSerializer):
    tracking_number = serializers.CharField(source="proposal.tracking_number")
    outcome = OutcomeField(read_only=True)

    class Meta:
        model = DeliberationItem
        fields = ["tracking_number", "outcome", "reason", "recorded_at"]
        read_only_fields = fields


class AttendeeSerializer(serializers.ModelSerializer):
    signs = serializers.BooleanField(source="signs_minutes", required=False, default=False)

    class Meta:
        model = Attendee
        fields = ["id", "name", "position", "signs"]
        read_only_fields = ["id"]


class DeliberationItemOutcome(serializers.Serializer):
    tracking_number = serializers.CharField(**TRACKING_NUMBER)
    outcome = OutcomeField()
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class OutcomesInput(serializers.Serializer):
    outcomes = DeliberationItemOutcome(many=True, allow_empty=False, max_length=MAX_BATCH)


class SignedScanInput(serializers.Serializer):
    scan = UploadField(help_text=_("Foto/pindaian berita acara yang sudah ditandatangani."))


class PullOutput(serializers.Serializer):
    added = serializers.IntegerField()


class DeliberationSummary(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id")
    basis = BasisField(read_only=True)
    status = DeliberationStatusField(read_only=True)
    item_count = serializers.IntegerField()
    has_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Deliberation
        fields = [
            "id",
            "village",
            "basis",
            "status",
            "held_on",
            "place",
            "chair",
            "chair_position",
            "item_count",
            "has_minutes",
            "created_at",
            "closed_at",
            "signed_at",
        ]
        read_only_fields = fields

    def get_has_minutes(self, deliberation) -> bool:
        return bool(deliberation.minutes_pdf)


class DeliberationDetail(DeliberationSummary):
    village_name = serializers.CharField(source="village.display_name")
    attendees = AttendeeSerializer(many=True)
    items = DeliberationItemOutput(many=True)

    class Meta(DeliberationSummary.Meta):
        fields = [*DeliberationSummary.Meta.fields, "village_name", "notes", "attendees", "items"]
        read_only_fields = fields


# --- batches ---------------------------------------------------------------------------------


def _numbers(**kwargs):
    return serializers.ListField(child=serializers.CharField(**TRACKING_NUMBER), max_length=MAX_BATCH, **kwargs)


class BatchInput(serializers.Serializer):
    tracking_numbers = _numbers(allow_empty=False)
    number = serializers.CharField(max_length=100, help_text=_("Nomor SK / surat pengantar."))
    document_date = serializers.DateField()

    def validate_document_date(self, value):
        return _not_in_future(value)


class DeterminationInput(serializers.Serializer):
    period = serializers.CharField(max_length=20, help_text=_("Periode penetapan, mis. 2026-Q4."))
    number = serializers.CharField(max_length=100)
    document_date = serializers.DateField()
    determine = _numbers(required=False, default=list)
    not_determine = _numbers(required=False, default=list)
    reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default="", help_text=_("Alasan tidak ditetapkan.")
    )

    def validate_document_date(self, value):
        return _not_in_future(value)

    def validate(self, attrs):
        if not attrs["determine"] and not attrs["not_determine"]:
            raise serializers.ValidationError(_("Pilih minimal satu usulan untuk ditetapkan atau tidak ditetapkan."))
        return attrs


class BatchListQuery(serializers.Serializer):
    kind = BatchKindField(required=False)


class BatchOutput(serializers.ModelSerializer):
    kind = BatchKindField(read_only=True)
    region = serializers.CharField(source="region_id", allow_null=True)
    proposal_count = serializers.IntegerField()

    class Meta:
        model = Batch
        fields = [
            "id",
            "kind",
            "region",
            "issuer_code",
            "number",
            "document_date",
            "period",
            "proposal_count",
            "created_at",
        ]
        read_only_fields = fields
