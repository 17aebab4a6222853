from django.urls import path

from verification.views import musdes

urlpatterns = [
    path("", musdes.deliberation_list, name="musdes-list"),
    path("hasil-desa/", musdes.published_outcomes, name="musdes-published"),
    path("<int:pk>/", musdes.deliberation_detail, name="musdes-detail"),
    path("<int:pk>/berita-acara.pdf", musdes.minutes_pdf, name="musdes-minutes"),
    path("<int:pk>/ekspor/", musdes.deliberation_export, name="musdes-export"),
    path("<int:pk>/<slug:action>/", musdes.deliberation_action, name="musdes-action"),
]
