"""Proposal API for residents' apps and village systems.

Inputs are validated by the same Django forms the pages use (one set of field rules),
then handed to the same services (one set of business rules). Domain refusals become
JSON through ``registrations.api.errors.exception_handler``.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from registrations.api.body import form_body
from registrations.forms import (
    ConditionsForm,
    DocumentForm,
    HouseholdStepForm,
    MemberForm,
    ProgrammesForm,
    ProposalStartForm,
    ReasonForm,
)
from registrations.models import Proposal, ProposalDocument, ProposalEvent, ProposalMember, Role, UpdateReason
from registrations.permissions import api_may
from registrations.selectors import proposal_for_user, proposals_of_resident
from registrations.services import proposals as services


class MemberIO(serializers.ModelSerializer):
    class Meta:
        model = ProposalMember
        fields = list(services.MEMBER_FIELDS)


class DocumentOutput(serializers.ModelSerializer):
    class Meta:
        model = ProposalDocument
        fields = ["id", "kind", "width", "height", "quality_warnings", "uploaded_at"]


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = ProposalEvent
        fields = ["from_status", "to_status", "actor_role", "reason", "created_at"]


class ProposalOutput(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id")
    # Blank for new-household proposals: declared so the schema's enum admits "" (the
    # generated read-only field left it out, and clients validating the schema failed).
    update_reason = serializers.ChoiceField(choices=UpdateReason.choices, allow_blank=True, read_only=True)
    members = MemberIO(many=True, read_only=True)
    documents = DocumentOutput(many=True, read_only=True)
    problems = serializers.SerializerMethodField()

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
            "address",
            "rt",
            "rw",
            "phone",
            *services.CONDITION_FIELDS,
            "programmes",
            "applicant_statement",
            "members",
            "documents",
            "problems",
            "created_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_problems(self, proposal) -> list[str]:
        return [str(p) for p in services.proposal_problems(proposal)] if proposal.is_editable else []


def _invalid(form) -> Response:
    errors = form.errors if hasattr(form, "errors") else {}
    return Response({k: [str(m) for m in v] for k, v in errors.items()}, status=status.HTTP_400_BAD_REQUEST)


def _fresh(user, number) -> dict:
    return ProposalOutput(proposal_for_user(user, number)).data


class ProposalListApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(responses=ProposalOutput(many=True))
    def get(self, request):
        if request.user.role == Role.RESIDENT:
            proposals = proposals_of_resident(request.user)
        else:
            proposals = Proposal.objects.visible_to(request.user).filter(channel="luring").order_by("-created_at")
        proposals = proposals.prefetch_related("members", "documents")[:100]
        return Response(ProposalOutput(proposals, many=True).data)

    @extend_schema(
        request=inline_serializer(
            "ProposalStart", {"kind": serializers.CharField(), "update_reason": serializers.CharField(required=False)}
        ),
        responses={201: ProposalOutput},
    )
    def post(self, request):
        form = ProposalStartForm(form_body(request))
        if not form.is_valid():
            return _invalid(form)
        proposal = services.proposal_create_draft(
            actor=request.user, kind=form.cleaned_data["kind"], update_reason=form.cleaned_data["update_reason"]
        )
        return Response(ProposalOutput(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(responses=ProposalOutput)
    def get(self, request, number):
        return Response(_fresh(request.user, number))


class ProposalHouseholdApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(
        request=inline_serializer(
            "ProposalHousehold",
            {
                "kk_number": serializers.CharField(),
                "village": serializers.CharField(),
                "address": serializers.CharField(),
                "rt": serializers.CharField(),
                "rw": serializers.CharField(),
                "phone": serializers.CharField(required=False),
            },
        ),
        responses=ProposalOutput,
    )
    def put(self, request, number):
        proposal = proposal_for_user(request.user, number)
        form = HouseholdStepForm(form_body(request))
        if not form.is_valid():
            return _invalid(form)
        services.proposal_save_household(proposal=proposal, actor=request.user, data=form.cleaned_data)
        return Response(_fresh(request.user, number))


class ProposalMembersApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(
        request=inline_serializer("ProposalMembers", {"members": MemberIO(many=True)}), responses=ProposalOutput
    )
    def put(self, request, number):
        proposal = proposal_for_user(request.user, number)
        rows = request.data.get("members") if isinstance(request.data, dict) else None
        if not isinstance(rows, list) or not rows:
            return Response({"members": ["Isi minimal satu anggota keluarga."]}, status=status.HTTP_400_BAD_REQUEST)
        forms = [MemberForm(row if isinstance(row, dict) else {}) for row in rows[: services.MAX_MEMBERS + 1]]
        errors = {str(i): f.errors for i, f in enumerate(forms) if not f.is_valid()}
        if errors:
            return Response({"members": errors}, status=status.HTTP_400_BAD_REQUEST)
        services.proposal_save_members(proposal=proposal, actor=request.user, members=[f.cleaned_data for f in forms])
        return Response(_fresh(request.user, number))


class ProposalConditionsApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(
        request=inline_serializer(
            "ProposalConditions",
            {f: serializers.BooleanField(required=False) for f in (*Proposal.INDICATOR_FIELDS, *Proposal.ASSET_FIELDS)}
            | {"floor_area_m2": serializers.DecimalField(7, 1), "monthly_income": serializers.IntegerField()},
        ),
        responses=ProposalOutput,
    )
    def put(self, request, number):
        proposal = proposal_for_user(request.user, number)
        form = ConditionsForm(form_body(request), instance=Proposal(pk=proposal.pk))
        if not form.is_valid():
            return _invalid(form)
        services.proposal_save_conditions(proposal=proposal, actor=request.user, data=form.cleaned_data)
        return Response(_fresh(request.user, number))


class ProposalProgrammesApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(
        request=inline_serializer(
            "ProposalProgrammes",
            {
                "programmes": serializers.ListField(child=serializers.CharField()),
                "statement": serializers.CharField(required=False),
            },
        ),
        responses=ProposalOutput,
    )
    def put(self, request, number):
        proposal = proposal_for_user(request.user, number)
        form = ProgrammesForm(_querydict(form_body(request)))
        if not form.is_valid():
            return _invalid(form)
        services.proposal_save_programmes(
            proposal=proposal,
            actor=request.user,
            programmes=form.cleaned_data["programmes"],
            statement=form.cleaned_data["statement"],
        )
        return Response(_fresh(request.user, number))


def _querydict(data):
    """Forms read lists with ``getlist``; JSON bodies give plain lists. A form body is
    used as it is (copying it would deep-copy any uploaded file, which can fail)."""
    from django.http import QueryDict

    if isinstance(data, QueryDict):
        return data
    qd = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            qd.setlist(key, [str(v) for v in value])
        else:
            qd[key] = "" if value is None else str(value)
    return qd


class ProposalDocumentsApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "ProposalDocumentUpload", {"kind": serializers.CharField(), "file": serializers.FileField()}
            )
        },
        responses={201: DocumentOutput},
    )
    def post(self, request, number):
        proposal = proposal_for_user(request.user, number)
        form = DocumentForm(form_body(request), request.FILES)
        if not form.is_valid():
            return _invalid(form)
        document = services.proposal_add_document(
            proposal=proposal, actor=request.user, kind=form.cleaned_data["kind"], file_obj=form.cleaned_data["file"]
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)


class ProposalSubmitApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(request=None, responses=ProposalOutput)
    def post(self, request, number):
        proposal = proposal_for_user(request.user, number)
        services.proposal_submit(proposal=proposal, actor=request.user)
        return Response(_fresh(request.user, number))


class ProposalWithdrawApi(APIView):
    permission_classes = [api_may("propose")]

    @extend_schema(
        request=inline_serializer("ProposalWithdraw", {"reason": serializers.CharField()}), responses=ProposalOutput
    )
    def post(self, request, number):
        proposal = proposal_for_user(request.user, number)
        form = ReasonForm(form_body(request))
        if not form.is_valid():
            return _invalid(form)
        services.proposal_withdraw(proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"])
        return Response(_fresh(request.user, number))


class ProposalTimelineApi(APIView):
    """The proposal's timeline; proposers see their own, staff those of their region."""

    @extend_schema(responses=EventOutput(many=True))
    def get(self, request, number):
        proposal = proposal_for_user(request.user, number)
        return Response(EventOutput(proposal.events.all(), many=True).data)
