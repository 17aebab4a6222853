"""Error pages that say what happened in plain words and never show a traceback."""

from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    # Rendered without the request context: the failure may be in a context processor.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
