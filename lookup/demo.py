"""Demo step for ``seed_demo``: index the demo villages for the public lookup, so that a
visitor can find a demo recipient on ``cek-bansos/`` right after ``make run``."""

from __future__ import annotations

from registrations.management.commands.seed_demo import SeedContext, StepReport

from .indexing import lookup_rebuild_all


def step_lookup(ctx: SeedContext) -> list[StepReport]:
    return [StepReport("entri cek bansos (indeks dibangun ulang)", created=lookup_rebuild_all())]
