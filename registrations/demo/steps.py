"""What every demo step shares, and which steps ``seed_demo`` runs in what order.

A step is ``step(ctx: SeedContext) -> list[StepReport]``, run inside the command's one
transaction. Steps are idempotent and deterministic: each draws from its own seeded
Faker (``seeded_faker("step-name", ...)``, so adding a step never shifts the data of
another), counts ages from ``REFERENCE_DATE`` rather than today, and leaves alone what
already exists, so a second run creates nothing.

Each app lists its steps in its own ``demo`` module (this app's is the
``registrations.demo`` package), found by ``demo_steps()`` the way Django's admin finds
``admin`` modules; the command and this app name no other app. Steps run in two rounds:

1. ``DEMO_STEPS``: the data itself (regions, households, accounts, proposals and their
   workflow, eligibility's conditions, scores and determinations);
2. ``DEMO_LAST_STEPS``: what reacts to the finished register and needs every app's first
   round done (population events raised on registered households, the public lookup's
   index).

Within a round apps run in INSTALLED_APPS order, and each app's steps in its list's
order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

SEED = 2026
LOCALE = "id_ID"
#: Ages and KK issue dates are counted from this day, not from today, so the data
#: does not change from one day to the next.
REFERENCE_DATE = datetime.date(2026, 1, 1)


def seeded_faker(*key: str):
    """A Faker ``id_ID`` seeded by ``SEED`` and ``key``: the same names on every run."""
    try:
        from faker import Faker
    except ImportError as exc:  # Faker is a dev dependency; demo data is for development only.
        raise CommandError("seed_demo memerlukan Faker: pip install -r requirements-dev.txt") from exc
    fake = Faker(LOCALE)
    fake.seed_instance(":".join([str(SEED), *key]))
    return fake


@dataclass
class StepReport:
    label: str
    created: int = 0
    present: int = 0


@dataclass
class SeedContext:
    """What every step may use; ``options`` are the command's parsed options."""

    reference_date: datetime.date = REFERENCE_DATE
    options: dict = field(default_factory=dict)


Step = Callable[[SeedContext], list[StepReport]]

#: The rounds, in order: the attribute of each app's ``demo`` module that lists its steps.
ROUNDS = ("DEMO_STEPS", "DEMO_LAST_STEPS")


def demo_steps() -> list[Step]:
    """Every installed app's demo steps: round by round, apps in INSTALLED_APPS order."""
    modules = [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "demo")
    ]
    return [step for attribute in ROUNDS for module in modules for step in getattr(module, attribute, ())]


def seed_demo(options: dict | None = None) -> list[StepReport]:
    """Run every step in one transaction; their report lines, in order."""
    ctx = SeedContext(options=options or {})
    reports: list[StepReport] = []
    with transaction.atomic():
        for step in demo_steps():
            reports += step(ctx)
    return reports
