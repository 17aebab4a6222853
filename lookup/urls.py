"""Pages of the public lookup and of usul sanggah (included at the site root)."""

from django.conf import settings
from django.urls import include, path

from .views import public, sanggah

urlpatterns = [
    path("cek-bansos/", public.lookup_page, name="lookup"),
    path("cek-bansos/kode-baru/", public.captcha_new, name="lookup-captcha-new"),
    path("cek-bansos/captcha/", include("captcha.urls")),
    path("lacak/", public.tracking_page, name="lookup-tracking"),
    path("sanggah/", sanggah.sanggah_mine, name="sanggah-mine"),
    path("sanggah/baru/", sanggah.sanggah_new, name="sanggah-new"),
    path("sanggah/tetangga/", sanggah.sanggah_missing, name="sanggah-missing"),
    path("staf/sanggah/", sanggah.sanggah_queue, name="sanggah-queue"),
    path("staf/sanggah/<slug:number>/", sanggah.sanggah_detail, name="sanggah-detail"),
    path("staf/sanggah/<slug:number>/<slug:move>/", sanggah.sanggah_move, name="sanggah-move"),
    path("dokumen/sanggah/<int:pk>/<slug:variant>/", sanggah.sanggah_evidence, name="sanggah-evidence"),
]

if settings.LOOKUP_BENCH:  # the framework floor of bench/lookup.py, never in a normal run
    urlpatterns.append(path("cek-bansos/lantai/<str:code>/", public.floor, name="lookup-floor"))
