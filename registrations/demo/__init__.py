"""Demo data for ``manage.py seed_demo`` (``make run``): the library the command runs.

``steps`` holds what every step shares (the seed, the reference date, seeded Fakers,
``StepReport``/``SeedContext``) and finds every app's steps (``demo_steps``); this
app's steps live in ``households`` (regions, the households of five real villages),
``accounts`` (one account per role) and ``proposals`` (a confirmed resident and
proposals in several states). Higher apps add theirs in their own ``demo`` modules.
"""

from .accounts import step_accounts
from .households import step_households, step_regions
from .proposals import step_proposals, step_resident_profile

#: This app's steps, in order (see ``steps`` for the rounds).
DEMO_STEPS = [step_regions, step_households, step_accounts, step_resident_profile, step_proposals]
