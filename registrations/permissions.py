"""Role checks for views and API endpoints. Region checks live in ``scoping``."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class IsPortalStaff(BasePermission):
    """Authenticated staff of any role; the queryset then narrows to their region."""

    message = "Hanya petugas yang dapat mengakses data ini."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_portal_staff)


def staff_required(view):
    """Page decorator: log in first, then 403 for anyone who is not staff."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_portal_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles):
    """Page decorator: log in first (anonymous → login page), then 403 unless the user
    is staff holding one of ``roles``."""

    def decorator(view):
        @staff_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
