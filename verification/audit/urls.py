"""Register audit pages; the root urls include this under ``staf/audit/``."""

from django.urls import path

from verification.audit import views as audit

urlpatterns = [
    path("", audit.audit_upload, name="audit-upload"),
    path("<slug:job_id>/", audit.audit_job, name="audit-job"),
    path("<slug:job_id>/baris/", audit.audit_rows, name="audit-rows"),
    path("<slug:job_id>/laporan.<str:kind>", audit.audit_download, name="audit-download"),
]
