"""Project-wide middleware."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template import loader
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("dtsen_portal.database")

#: What the cache (Redis) raises when it cannot be reached in time.
CacheUnavailable = (RedisConnectionError, RedisTimeoutError)


class IndonesianUnlessChosenMiddleware:
    """Serve Bahasa Indonesia unless the visitor picked English with the switch.

    Many Indonesian phones run in English; Django's LocaleMiddleware would follow the
    browser's Accept-Language and show them English. The portal's default is
    Indonesian, so the header is ignored and only the language cookie (set by the
    switch) or an explicit ``/i18n/setlang/`` choice changes it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with a plain Indonesian page while the database (or the cache, Redis)
    cannot be reached.

    A PostgreSQL restart or network cut raises ``OperationalError``/``InterfaceError``
    in whatever view runs; without this the visitor gets the generic 500 page and the
    load balancer cannot tell "down for a moment" from "broken". The broken connection
    is closed here, so the next request reconnects by itself once the database is back.
    A failure met in a middleware, before any view, reaches the 500 handler instead,
    which gives the same answer (``registrations.views.errors.server_error``).
    """

    RETRY_AFTER = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable_response(self.RETRY_AFTER, error=exception)
        if isinstance(exception, CacheUnavailable):
            return cache_unavailable_response(self.RETRY_AFTER, error=exception)
        return None


def database_unavailable_response(retry_after: int = DatabaseUnavailableMiddleware.RETRY_AFTER, *, error=None):
    """The 503 page, rendered without the request context (a context processor may
    need the database)."""
    # The class only: a database error's text may quote the statement's values.
    logger.warning("Database unavailable (%s); answering 503", type(error).__name__ if error else "unknown")
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    body = loader.get_template("errors/503.html").render({"retry_after": retry_after})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def cache_unavailable_response(retry_after: int = DatabaseUnavailableMiddleware.RETRY_AFTER, *, error=None):
    """The 503 page while the cache is down: pages that count or hold state there (the
    lookup's rate limits, upload jobs) say the service is busy instead of failing."""
    logger.warning("Cache unavailable (%s); answering 503", type(error).__name__ if error else "unknown")
    body = loader.get_template("errors/503.html").render({"retry_after": retry_after, "busy": True})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
