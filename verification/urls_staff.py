"""Staff work queues, included at ``staf/`` (``staf/musdes/``, ``staf/kependudukan/``,
``staf/rumah-tangga/`` and ``staf/identitas/`` belong to other modules)."""

from django.urls import path

from verification.views import batches, queues

urlpatterns = [
    path("", queues.dashboard, name="staff-dashboard"),
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
