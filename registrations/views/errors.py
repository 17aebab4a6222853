"""Error pages that say what happened in plain words and never show a traceback."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from dtsen_portal.middleware import CacheUnavailable, cache_unavailable_response, database_unavailable_response


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    # Rendered without the request context: the failure may be in a context processor.
    # A database outage met in a middleware (before any view runs) lands here, not in
    # DatabaseUnavailableMiddleware.process_exception: it is still a 503, not a 500.
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable_response(error=error)
    if isinstance(error, CacheUnavailable):
        return cache_unavailable_response(error=error)

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
