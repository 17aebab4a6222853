"""The staff workflow's pages, included at ``staf/``: each role's work queues, the musdes,
verification and the batch decisions. (``staf/kependudukan/`` and ``staf/audit/`` are the
population and audit wings; ``staf/rumah-tangga/`` and ``staf/identitas/`` belong to
registrations.)"""

from django.urls import path

from verification.workflow.views import batches, musdes, queues

urlpatterns = [
    path("", queues.dashboard, name="staff-dashboard"),
    # Village operator: the musdes / muskel (or SPTJM)
    path("musdes/", musdes.deliberation_list, name="musdes-list"),
    path("musdes/hasil-desa/", musdes.published_outcomes, name="musdes-published"),
    path("musdes/<int:pk>/", musdes.deliberation_detail, name="musdes-detail"),
    path("musdes/<int:pk>/berita-acara.pdf", musdes.minutes_pdf, name="musdes-minutes"),
    path("musdes/<int:pk>/ekspor/", musdes.deliberation_export, name="musdes-export"),
    path("musdes/<int:pk>/<slug:action>/", musdes.deliberation_action, name="musdes-action"),
    # Dinas Sosial: verification queue, assignment, field visit
    path("verifikasi/", queues.verification_queue, name="verification-queue"),
    path("verifikasi/foto-kunjungan/<int:pk>/<slug:variant>/", queues.visit_photo, name="visit-photo"),
    path("verifikasi/<slug:number>/", queues.verification_detail, name="verification-detail"),
    path("verifikasi/<slug:number>/tugaskan/", queues.verification_assign, name="verification-assign"),
    # Batch decisions
    path("persetujuan/", batches.approval_queue, name="approval-queue"),
    path("penerusan/", batches.forwarding_queue, name="forwarding-queue"),
    path("penetapan/", batches.determination_queue, name="determination-queue"),
    path("keputusan/", batches.batch_list, name="batch-list"),
    path("keputusan/<int:pk>/", batches.batch_detail, name="batch-detail"),
]
