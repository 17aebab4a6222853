"""The workflow API, mounted at ``/api/workflow/`` (see ``verification.workflow.api``)."""

from django.urls import path

from verification.workflow.api import batches, musdes, proposals

urlpatterns = [
    path("proposals/", proposals.ProposalListApi.as_view(), name="api-workflow-proposal-list"),
    path(
        "proposals/<slug:tracking_number>/",
        proposals.ProposalDetailApi.as_view(),
        name="api-workflow-proposal-detail",
    ),
    path(
        "proposals/<slug:tracking_number>/return/",
        proposals.ProposalReturnApi.as_view(),
        name="api-workflow-proposal-return",
    ),
    path(
        "proposals/<slug:tracking_number>/field-visit/",
        proposals.FieldVisitApi.as_view(),
        name="api-workflow-field-visit",
    ),
    path("proposals/<slug:tracking_number>/assign/", proposals.AssignApi.as_view(), name="api-workflow-assign"),
    path("musdes/", musdes.DeliberationListApi.as_view(), name="api-workflow-musdes-list"),
    path("musdes/<int:pk>/", musdes.DeliberationDetailApi.as_view(), name="api-workflow-musdes-detail"),
    path("musdes/<int:pk>/attendees/", musdes.AttendeeApi.as_view(), name="api-workflow-musdes-attendees"),
    path("musdes/<int:pk>/pull/", musdes.PullApi.as_view(), name="api-workflow-musdes-pull"),
    path("musdes/<int:pk>/outcomes/", musdes.OutcomesApi.as_view(), name="api-workflow-musdes-outcomes"),
    path("musdes/<int:pk>/close/", musdes.CloseApi.as_view(), name="api-workflow-musdes-close"),
    path("musdes/<int:pk>/sign/", musdes.SignApi.as_view(), name="api-workflow-musdes-sign"),
    path("musdes/<int:pk>/minutes.pdf", musdes.MinutesPdfApi.as_view(), name="api-workflow-musdes-minutes"),
    path("batches/", batches.BatchListApi.as_view(), name="api-workflow-batch-list"),
    path(
        "batches/regency-approval/",
        batches.RegencyApprovalApi.as_view(),
        name="api-workflow-regency-approval",
    ),
    path(
        "batches/province-forwarding/",
        batches.ProvinceForwardingApi.as_view(),
        name="api-workflow-province-forwarding",
    ),
    path("batches/determination/", batches.DeterminationApi.as_view(), name="api-workflow-determination"),
]
