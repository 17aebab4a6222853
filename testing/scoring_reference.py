"""An independent Python reference of the score and desil rules, to check
``eligibility.scoring`` against."""

from __future__ import annotations

import datetime

from eligibility.scoring import Weights
from eligibility.variables import BOOLEAN_FIELDS


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def reference_values(household, as_of: datetime.date) -> dict[str, float]:
    members = list(household.members.all())
    size = len(members)
    children = sum(1 for m in members if age_on(m.birth_date, as_of) < 15)
    elderly = sum(1 for m in members if age_on(m.birth_date, as_of) >= 65)
    values = {f: float(bool(getattr(household, f))) for f in BOOLEAN_FIELDS}
    floor = household.floor_area_m2
    values["crowded"] = float(floor is not None and size > 0 and float(floor) < 8 * size)
    values["income_per_capita"] = min((household.monthly_income or 0) / max(size, 1), 5_000_000) / 1_000_000
    values["household_size"] = float(size)
    values["dependency_ratio"] = (children + elderly) / max(size - children - elderly, 1)
    values["constant"] = 1.0
    return values


def reference_score(household, weights: Weights, as_of: datetime.date) -> float:
    w = weights.for_province(household.village_id[:2])
    return round(sum(value * w[name] for name, value in reference_values(household, as_of).items()), 4)


def reference_desils(scores: list[float]) -> list[int]:
    """desil = 1 + floor(10 × (households with a strictly lower score) / N)."""
    n = len(scores)
    return [1 + (10 * sum(1 for other in scores if other < s)) // n for s in scores]
