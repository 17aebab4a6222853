"""Small helpers shared by the eligibility pages (who may open them: ``registrations.permissions``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..periods import parse_period, period_choices, period_of


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
