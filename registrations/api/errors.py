"""One exception handler for the API: domain errors become clear JSON responses."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dtsen_portal.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
