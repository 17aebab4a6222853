"""Periods of determination: quarters named ``"2026-Q4"``.

The names sort as text in time order, so ``MAX(period)`` is the latest one and a
plain string comparison says which of two periods came first.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

PERIOD_PATTERN = r"^[0-9]{4}-Q[1-4]$"
_PERIOD_RE = re.compile(PERIOD_PATTERN)

period_validator = RegexValidator(PERIOD_PATTERN, _("Periode ditulis TTTT-Qn, misalnya 2026-Q4."))


def parse_period(period: str) -> tuple[int, int]:
    if not isinstance(period, str) or not _PERIOD_RE.match(period):
        raise ValidationError(_("Periode ditulis TTTT-Qn, misalnya 2026-Q4."))
    return int(period[:4]), int(period[-1])


def make_period(year: int, quarter: int) -> str:
    return f"{year:04d}-Q{quarter}"


def period_start(period: str) -> datetime.date:
    """The first day of the quarter: ages for programme conditions are counted on it."""
    year, quarter = parse_period(period)
    return datetime.date(year, 3 * (quarter - 1) + 1, 1)


def period_of(day: datetime.date) -> str:
    return make_period(day.year, (day.month - 1) // 3 + 1)


def shift_period(period: str, quarters: int) -> str:
    year, quarter = parse_period(period)
    index = year * 4 + (quarter - 1) + quarters
    return make_period(index // 4, index % 4 + 1)


def previous_period(period: str) -> str:
    return shift_period(period, -1)


def period_choices(around: datetime.date, *, before: int = 4, after: int = 2) -> list[tuple[str, str]]:
    """Periods near ``around`` for a select box, latest first."""
    current = period_of(around)
    periods = [shift_period(current, n) for n in range(after, -before - 1, -1)]
    return [(p, p) for p in periods]
