"""Role checks and small helpers shared by the eligibility pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registrations.models import Role

from ..periods import parse_period, period_choices, period_of

#: Ministry staff and admins: model versions, scoring, quotas, determination.
MINISTRY_ROLES = frozenset({Role.MINISTRY_STAFF, Role.ADMIN})
#: Who reads programmes, quotas and the distribution (each within their own region).
READER_ROLES = MINISTRY_ROLES | {Role.PROVINCIAL_STAFF, Role.SOCIAL_OFFICER, Role.REGENCY_HEAD}


def has_role(user, roles) -> bool:
    return user.is_authenticated and user.is_active and (user.role in roles or user.is_superuser)


def roles_required(roles):
    """Log in first (anonymous → login page), then 403 unless the user holds a role."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def chosen_period(request, default: str | None = None) -> str:
    """``?periode=`` when well formed, else ``default`` or the current quarter."""
    value = request.GET.get("periode", "")
    try:
        parse_period(value)
    except ValidationError:
        return default or period_of(timezone.localdate())
    return value


def periods_for_select() -> list[str]:
    return [p for p, _label in period_choices(timezone.localdate())]
