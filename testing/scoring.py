"""Builders for eligibility tests: households with chosen conditions and members, score
models with chosen weights; the day ages are counted on and the period."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from eligibility.models import ModelStatus, ScoreModel, ScoreWeight
from eligibility.variables import VARIABLE_CODES
from registrations.models import Household, Member
from registrations.models.choices import Relation

#: Ages are counted on this day in tests (scoring ``as_of`` / the period's first day).
AS_OF = datetime.date(2026, 10, 1)
PERIOD = "2026-Q4"

_serial = itertools.count(1)


def birth_for_age(age: int, on: datetime.date = AS_OF) -> datetime.date:
    """Born ``age`` years and ~half a year before ``on``."""
    return on.replace(year=on.year - age) - datetime.timedelta(days=180)


def member(relation: str = Relation.CHILD, age: int = 30, **fields) -> dict:
    return {"relation": relation, "age": age, **fields}


def household(
    village: str,
    *,
    members: list[dict] | None = None,
    registered: bool = True,
    registered_at: datetime.datetime | None = None,
    kk_number: str | None = None,
    **conditions,
) -> Household:
    """A household in ``village`` with the given condition fields and members.

    ``members`` default to one head aged 40; each is ``member(relation, age, **fields)``.
    """
    serial = next(_serial)
    digits = village.replace(".", "")[:6]
    if registered and registered_at is None:
        registered_at = timezone.make_aware(datetime.datetime(2025, 1, 1)) + datetime.timedelta(minutes=serial)
    h = Household.objects.create(
        kk_number=kk_number or f"{digits}{serial:010d}",
        village_id=village,
        address=f"Jl. Uji No. {serial}",
        rt="001",
        rw="002",
        registered_at=registered_at if registered else None,
        **conditions,
    )
    for i, spec in enumerate(members if members is not None else [member(Relation.HEAD, 40)]):
        spec = dict(spec)
        age = spec.pop("age")
        relation = spec.pop("relation")
        Member.objects.create(
            household=h,
            nik=f"{digits}{serial:06d}{i:04d}",
            full_name=spec.pop("full_name", f"Anggota {serial}-{i}"),
            birth_place="Bandung",
            birth_date=spec.pop("birth_date", birth_for_age(age)),
            sex=spec.pop("sex", "L" if relation == Relation.HEAD else "P"),
            relation=relation,
            marital_status=spec.pop("marital_status", "kawin"),
            **spec,
        )
    return h


def score_model(weights: dict[str, float], *, overrides=(), status=ModelStatus.DRAFT, version=None) -> ScoreModel:
    """A model with exactly these national weights (others 0) and ``(var, prov, w)`` overrides."""
    version = version or (ScoreModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    if status == ModelStatus.ACTIVE:
        ScoreModel.objects.filter(status=ModelStatus.ACTIVE).update(status=ModelStatus.RETIRED)
    model = ScoreModel.objects.create(
        version=version,
        name=f"uji v{version}",
        status=status,
        activated_at=timezone.now() if status != ModelStatus.DRAFT else None,
    )
    ScoreWeight.objects.bulk_create(
        [ScoreWeight(model=model, variable=v, weight=Decimal(str(weights.get(v, 0)))) for v in VARIABLE_CODES]
        + [ScoreWeight(model=model, variable=v, province_code=p, weight=Decimal(str(w))) for v, p, w in overrides]
    )
    return model
