from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from registrations.views import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("akun/", include("registrations.urls.accounts")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/workflow/", include("verification.workflow.api.urls")),
    path("api/lookup/", include("lookup.api.urls")),
    path("api/", include("registrations.urls.api")),
    path("kelayakan/", include("eligibility.urls")),
    path("staf/kependudukan/", include("verification.population.urls")),
    path("", include("lookup.urls")),
    path("staf/audit/", include("verification.audit.urls")),
    path("", include("registrations.urls.pages")),
    path("staf/", include("verification.workflow.urls")),
]

handler403 = "registrations.views.errors.permission_denied"
handler404 = "registrations.views.errors.page_not_found"
handler500 = "registrations.views.errors.server_error"
