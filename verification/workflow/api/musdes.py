"""Musdes / muskel (or SPTJM) for village systems: open, attendees, pull proposals in,
outcomes, close, download the berita acara, upload the signed scan."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dtsen_portal.errors import DomainError
from registrations.scoping import get_scoped_object_or_404
from verification.errors import MUSDES_ERRORS
from verification.models import Deliberation, DeliberationItem
from verification.workflow.api.common import StaffApiMixin
from verification.workflow.api.proposals import REFUSALS
from verification.workflow.api.serializers import (
    AttendeeSerializer,
    DeliberationDetail,
    DeliberationOpenInput,
    DeliberationSummary,
    OutcomesInput,
    PullOutput,
    SignedScanInput,
)
from verification.workflow.services import musdes as services
from verification.workflow.views.musdes import serve_minutes

TAG = "workflow: musdes"


def _deliberation(request, pk: int) -> Deliberation:
    return get_scoped_object_or_404(Deliberation.objects.all(), request.user, pk=pk)


def _detail(request, pk: int) -> dict:
    queryset = (
        Deliberation.objects.select_related("village")
        .annotate(item_count=Count("items"))
        .prefetch_related(
            "attendees", Prefetch("items", queryset=DeliberationItem.objects.select_related("proposal").order_by("id"))
        )
    )
    return DeliberationDetail(get_scoped_object_or_404(queryset, request.user, pk=pk)).data


@extend_schema(tags=[TAG])
class DeliberationListApi(StaffApiMixin, generics.ListAPIView):
    """Deliberations of the caller's region, newest first; a village operator opens one
    for their own village."""

    serializer_class = DeliberationSummary

    def get_queryset(self):
        return (
            Deliberation.objects.visible_to(self.request.user)
            .annotate(item_count=Count("items"))
            .order_by("-held_on", "-id")
        )

    @extend_schema(
        request=DeliberationOpenInput,
        responses={201: DeliberationDetail, **{code: r for code, r in REFUSALS.items() if code != 404}},
    )
    def post(self, request):
        data = DeliberationOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        # A national account holds no village: the service refuses it like any non-operator.
        deliberation = services.deliberation_open(
            actor=request.user, village=request.user.region, **data.validated_data
        )
        return Response(_detail(request, deliberation.pk), status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class DeliberationDetailApi(StaffApiMixin, APIView):
    @extend_schema(responses={200: DeliberationDetail, 404: REFUSALS[404]})
    def get(self, request, pk):
        return Response(_detail(request, pk))


@extend_schema(tags=[TAG])
class AttendeeApi(StaffApiMixin, APIView):
    """Record one attendee (and whether they sign the berita acara)."""

    @extend_schema(request=AttendeeSerializer, responses={201: AttendeeSerializer, **REFUSALS})
    def post(self, request, pk):
        d = _deliberation(request, pk)
        data = AttendeeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        c = data.validated_data
        attendee = services.deliberation_add_attendee(
            deliberation_id=d.pk, actor=request.user, name=c["name"], position=c["position"], signs=c["signs_minutes"]
        )
        return Response(AttendeeSerializer(attendee).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class PullApi(StaffApiMixin, APIView):
    """Bring in the village's submitted proposals (online and walk-in) not yet in
    another deliberation."""

    @extend_schema(request=None, responses={200: PullOutput, **REFUSALS})
    def post(self, request, pk):
        d = _deliberation(request, pk)
        added = services.deliberation_pull_proposals(deliberation_id=d.pk, actor=request.user)
        return Response(PullOutput({"added": added}).data)


@extend_schema(tags=[TAG])
class OutcomesApi(StaffApiMixin, APIView):
    """Record outcomes, all or none. Each tracking number must be an item of this
    deliberation; a rejection needs its reason (it goes into the berita acara)."""

    @extend_schema(request=OutcomesInput, responses={200: DeliberationDetail, **REFUSALS})
    def post(self, request, pk):
        d = _deliberation(request, pk)
        data = OutcomesInput(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data["outcomes"]
        numbers = [row["tracking_number"].upper() for row in rows]
        if len(set(numbers)) != len(numbers):
            raise DomainError(MUSDES_ERRORS["proposal_twice"], field="outcomes")
        items = dict(
            d.items.filter(proposal__tracking_number__in=numbers).values_list("proposal__tracking_number", "pk")
        )
        missing = [n for n in numbers if n not in items]
        if missing:
            raise DomainError(
                MUSDES_ERRORS["not_discussed"] % {"numbers": ", ".join(missing)},
                field="outcomes",
            )
        with transaction.atomic():
            for number, row in zip(numbers, rows, strict=True):
                services.deliberation_record_outcome(
                    item_id=items[number], actor=request.user, outcome=row["outcome"], reason=row["reason"]
                )
        return Response(_detail(request, d.pk))


@extend_schema(tags=[TAG])
class CloseApi(StaffApiMixin, APIView):
    """Freeze the outcomes and render the berita acara for signing."""

    @extend_schema(request=None, responses={200: DeliberationDetail, **REFUSALS})
    def post(self, request, pk):
        d = _deliberation(request, pk)
        services.deliberation_close(deliberation_id=d.pk, actor=request.user)
        return Response(_detail(request, d.pk))


@extend_schema(tags=[TAG])
class SignApi(StaffApiMixin, APIView):
    """Upload the signed berita acara; only then do the proposals move (approved to the
    social office, rejected closed)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": SignedScanInput}, responses={200: DeliberationDetail, **REFUSALS})
    def post(self, request, pk):
        d = _deliberation(request, pk)
        data = SignedScanInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.deliberation_sign(deliberation_id=d.pk, actor=request.user, scan=data.validated_data["scan"])
        return Response(_detail(request, d.pk))


@extend_schema(tags=[TAG])
class MinutesPdfApi(StaffApiMixin, APIView):
    """The berita acara PDF (after closing). Every download is recorded."""

    def perform_content_negotiation(self, request, force=False):
        # The body is a file, not rendered; errors go out as JSON whatever was asked.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="workflow_musdes_minutes_pdf",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="Berita acara (PDF)."),
            404: REFUSALS[404],
        },
    )
    def get(self, request, pk):
        return serve_minutes(request, _deliberation(request, pk))
