"""Population import pages and population-event flags; the root urls include this under ``staf/kependudukan/``."""

from django.urls import path

from verification.views import flags, population

urlpatterns = [
    path("impor/", population.import_upload, name="population-import"),
    path("impor/<slug:job_id>/", population.import_job, name="population-import-job"),
    path("impor/<slug:job_id>/baris-salah.csv", population.import_report, name="population-import-report"),
    path("tanda/", flags.flag_list, name="population-flags"),
    path("tanda/<int:pk>/selesai/", flags.flag_resolve, name="population-flag-resolve"),
]
