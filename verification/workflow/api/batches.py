"""Batch decisions for regency, province and ministry systems: the regency head's
decree, the province's forwarding letter, the ministry's determination round."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from verification.models import Batch
from verification.workflow.api.common import StaffApiMixin, normalise_numbers, proposal_ids_in_scope
from verification.workflow.api.proposals import REFUSALS
from verification.workflow.api.serializers import BatchInput, BatchListQuery, BatchOutput, DeterminationInput
from verification.workflow.services import approvals

TAG = "workflow: keputusan kolektif"
BATCH_REFUSALS = {
    **{code: response for code, response in REFUSALS.items() if code != 404},
    400: OpenApiResponse(
        description="Input tidak valid, atau nomor usulan yang tidak ditemukan di wilayah Anda (disebutkan)."
    ),
    409: OpenApiResponse(
        description="Nomor dokumen sudah dipakai, atau sebuah usulan tidak lagi pada status yang sesuai (disebutkan)."
    ),
}


def _created(batch: Batch) -> Response:
    batch = Batch.objects.annotate(proposal_count=Count("proposals")).get(pk=batch.pk)
    return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class BatchListApi(StaffApiMixin, generics.ListAPIView):
    """Batches the caller's scope reaches, with how many proposals each holds. Ministry
    rounds belong to no region: national accounts see them, regional ones do not."""

    serializer_class = BatchOutput

    @extend_schema(parameters=[BatchListQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = BatchListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        queryset = Batch.objects.visible_to(self.request.user)
        if "kind" in query.validated_data:
            queryset = queryset.filter(kind=query.validated_data["kind"])
        return queryset.annotate(proposal_count=Count("proposals")).order_by("-created_at", "-pk")


class _BatchApi(StaffApiMixin, APIView):
    service = None

    def post(self, request):
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        c = data.validated_data
        ids = proposal_ids_in_scope(request.user, normalise_numbers(c["tracking_numbers"]), field="tracking_numbers")
        batch = self.service(
            actor=request.user, proposal_ids=list(ids.values()), number=c["number"], document_date=c["document_date"]
        )
        return _created(batch)


@extend_schema(tags=[TAG])
class RegencyApprovalApi(_BatchApi):
    """The bupati/wali kota approves verified proposals under one decree (SK)."""

    service = staticmethod(approvals.regency_approve_batch)

    @extend_schema(request=BatchInput, responses={201: BatchOutput, **BATCH_REFUSALS})
    def post(self, request):
        return super().post(request)


@extend_schema(tags=[TAG])
class ProvinceForwardingApi(_BatchApi):
    """Provincial staff forward regency-approved proposals to the ministry."""

    service = staticmethod(approvals.province_forward_batch)

    @extend_schema(request=BatchInput, responses={201: BatchOutput, **BATCH_REFUSALS})
    def post(self, request):
        return super().post(request)


@extend_schema(tags=[TAG])
class DeterminationApi(StaffApiMixin, APIView):
    """A determination round (penetapan): determined households enter the register with
    their members; the others are not determined, with the reason given."""

    @extend_schema(request=DeterminationInput, responses={201: BatchOutput, **BATCH_REFUSALS})
    def post(self, request):
        data = DeterminationInput(data=request.data)
        data.is_valid(raise_exception=True)
        c = data.validated_data
        determine, not_determine = normalise_numbers(c["determine"]), normalise_numbers(c["not_determine"])
        ids = proposal_ids_in_scope(request.user, list(dict.fromkeys(determine + not_determine)))
        batch = approvals.ministry_determine(
            actor=request.user,
            period=c["period"],
            number=c["number"],
            document_date=c["document_date"],
            determine_ids=[ids[n] for n in determine],
            reject_ids=[ids[n] for n in not_determine],
            reject_reason=c["reason"],
        )
        return _created(batch)
