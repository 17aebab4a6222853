"""Demo step for ``seed_demo``: index the demo villages for the public lookup, so that a
visitor can find a demo recipient on ``cek-bansos/`` right after ``make run``."""

from __future__ import annotations

from registrations.demo.steps import SeedContext, StepReport

from .indexing import lookup_rebuild_all


def step_lookup(ctx: SeedContext) -> list[StepReport]:
    return [StepReport("entri cek bansos (indeks dibangun ulang)", created=lookup_rebuild_all())]


#: Last round (``registrations.demo.steps``): the index reads what every other step wrote.
DEMO_LAST_STEPS = [step_lookup]
