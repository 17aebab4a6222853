"""Proposals for staff systems: the scoped list, the detail (logged), and the steps on
one proposal (return for correction, field visit, verifier assignment)."""

from __future__ import annotations

import datetime

from django.db.models import Count, F
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from registrations.models import DocumentAccess, Proposal, User
from registrations.selectors import member_duplicate_flags
from registrations.services.proposals import CONDITION_FIELDS
from registrations.workflow import proposal_transition
from verification.workflow.api.common import StaffApiMixin, scoped_proposal, workflow_proposals
from verification.workflow.api.serializers import (
    AssignInput,
    AssignOutput,
    FieldVisitInput,
    FieldVisitOutput,
    ProposalListQuery,
    ReasonInput,
    StepResult,
    WorkflowProposalDetail,
    WorkflowProposalItem,
)
from verification.workflow.services import review

TAG = "workflow: usulan"
REFUSALS = {
    400: OpenApiResponse(description="Input tidak valid atau ditolak aturan (detail, field)."),
    403: OpenApiResponse(description="Peran Anda tidak berwenang untuk langkah ini."),
    404: OpenApiResponse(description="Tidak ada, atau di luar wilayah Anda."),
    409: OpenApiResponse(description="Status usulan sudah berubah; langkah ini tidak berlaku lagi."),
}


def step_result(proposal: Proposal, event=None) -> dict:
    proposal.refresh_from_db(fields=["status", "status_changed_at"])
    return StepResult(
        {
            "tracking_number": proposal.tracking_number,
            "status": proposal.status,
            "status_changed_at": proposal.status_changed_at,
            "event": event,
        }
    ).data


@extend_schema(tags=[TAG])
class ProposalListApi(StaffApiMixin, generics.ListAPIView):
    """Proposals in the caller's region that have entered the workflow, most recently
    moved first. Rows carry no personal numbers."""

    serializer_class = WorkflowProposalItem

    @extend_schema(parameters=[ProposalListQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = ProposalListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        queryset = workflow_proposals().visible_to(self.request.user)
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if "village" in filters:
            queryset = queryset.filter(village_id=filters["village"])
        if "since" in filters:
            start = timezone.make_aware(datetime.datetime.combine(filters["since"], datetime.time.min))
            queryset = queryset.filter(status_changed_at__gte=start)
        return queryset.annotate(member_count=Count("members")).order_by(
            F("status_changed_at").desc(nulls_last=True), "-pk"
        )


@extend_schema(tags=[TAG])
class ProposalDetailApi(StaffApiMixin, APIView):
    """One proposal with its members (NIK included), documents, timeline and duplicate
    flags. Each call is an access to personal data and is recorded (DocumentAccess)."""

    @extend_schema(responses={200: WorkflowProposalDetail, 404: REFUSALS[404]})
    def get(self, request, tracking_number):
        queryset = (
            workflow_proposals()
            .select_related("village", "assignment__verifier")
            .prefetch_related("members", "documents", "events")
        )
        proposal = scoped_proposal(request.user, tracking_number, queryset)
        DocumentAccess.objects.create(
            user=request.user, document_type="usulan_api", document_id=proposal.pk, variant="detail"
        )
        proposal.duplicate_flags = member_duplicate_flags(proposal)
        return Response(WorkflowProposalDetail(proposal, context={"request": request}).data)


@extend_schema(tags=[TAG])
class ProposalReturnApi(StaffApiMixin, APIView):
    """Return the proposal to the village for correction (village operator before the
    musdes outcome; social office while it waits for verification)."""

    @extend_schema(request=ReasonInput, responses={200: StepResult, **REFUSALS})
    def post(self, request, tracking_number):
        proposal = scoped_proposal(request.user, tracking_number)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = proposal_transition(
            proposal_id=proposal.pk,
            name="return_for_correction",
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(step_result(proposal, event))


@extend_schema(tags=[TAG])
class FieldVisitApi(StaffApiMixin, APIView):
    """The social office's field visit: what was observed replaces what was declared,
    and the result verifies, rejects, or returns the proposal."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": FieldVisitInput, "application/json": FieldVisitInput},
        responses={201: FieldVisitOutput, **REFUSALS},
    )
    def post(self, request, tracking_number):
        proposal = scoped_proposal(request.user, tracking_number)
        data = FieldVisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        c = data.validated_data
        visit = review.field_visit_record(
            proposal_id=proposal.pk,
            actor=request.user,
            visited_on=c["visited_on"],
            result=c["result"],
            conditions={f: c.get(f) for f in CONDITION_FIELDS},
            notes=c.get("notes", ""),
            latitude=c.get("latitude"),
            longitude=c.get("longitude"),
            photos=c["photos"],
        )
        visit.proposal.refresh_from_db(fields=["status"])
        visit.photo_count = visit.photos.count()
        return Response(FieldVisitOutput(visit).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class AssignApi(StaffApiMixin, APIView):
    """Assign a verifier of the same social office (by username)."""

    @extend_schema(request=AssignInput, responses={200: AssignOutput, **REFUSALS})
    def post(self, request, tracking_number):
        proposal = scoped_proposal(request.user, tracking_number)
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["verifier"].strip()
        # An unknown name gets a stand-in that no rule accepts, so the service answers
        # it exactly as it answers an account of another regency: existence is not told.
        verifier = User.objects.filter(username=username).first() or User(username=username, is_active=False)
        assignment = review.verifier_assign(proposal_id=proposal.pk, actor=request.user, verifier=verifier)
        return Response(AssignOutput(assignment).data)
