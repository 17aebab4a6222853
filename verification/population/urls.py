"""Population import pages and population-event flags; the root urls include this under ``staf/kependudukan/``."""

from django.urls import path

from verification.population import flag_views, views

urlpatterns = [
    path("impor/", views.import_upload, name="population-import"),
    path("impor/<slug:job_id>/", views.import_job, name="population-import-job"),
    path("impor/<slug:job_id>/baris-salah.csv", views.import_report, name="population-import-report"),
    path("tanda/", flag_views.flag_list, name="population-flags"),
    path("tanda/<int:pk>/selesai/", flag_views.flag_resolve, name="population-flag-resolve"),
]
