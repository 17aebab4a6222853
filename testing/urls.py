"""A URL conf for tests (``@pytest.mark.urls("testing.urls")``): the project's URLs and
handlers, plus a view that raises (``/boom/``, for the error page and the error report)
and one that asks for public caching (``/publik/``)."""

from django.http import HttpResponse
from django.urls import include, path


def _boom(request):
    raise RuntimeError("rahasia internal: traceback tidak boleh tampil")


def _public(request):
    response = HttpResponse("ok")
    response["Cache-Control"] = "public, max-age=60"
    return response


urlpatterns = [path("boom/", _boom), path("publik/", _public), path("", include("dtsen_portal.urls"))]
handler500 = "registrations.views.errors.server_error"
