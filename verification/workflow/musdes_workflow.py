"""The musdes's state machine: what may be done to a deliberation in each status, and
the one mover.

A deliberation is ``open`` while the village records attendees and outcomes, ``closed``
once its berita acara is rendered for signing (outcomes frozen), and ``signed`` when
the signed scan is stored and the proposals have moved. Steps that edit an open
deliberation keep its status (``target`` is ``None``). Every service in
``services/musdes.py`` begins with ``musdes_locked`` and ends with ``musdes_move`` when
its step changes the status; none reads ``status`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from dtsen_portal.errors import InvalidTransition
from registrations.models import User
from registrations.permissions import ensure_user_may, user_may
from verification.errors import MUSDES_ERRORS
from verification.models import Deliberation, DeliberationStatus

S = DeliberationStatus


@dataclass(frozen=True)
class MusdesStep:
    name: str
    source: frozenset[str]
    target: str | None = None


MUSDES_STEPS: dict[str, MusdesStep] = {
    s.name: s
    for s in [
        MusdesStep("add_attendee", frozenset({S.OPEN})),
        MusdesStep("remove_attendee", frozenset({S.OPEN})),
        MusdesStep("pull_proposals", frozenset({S.OPEN})),
        MusdesStep("record_outcome", frozenset({S.OPEN})),
        MusdesStep("close", frozenset({S.OPEN}), S.CLOSED),
        MusdesStep("sign", frozenset({S.CLOSED}), S.SIGNED),
    ]
}


def musdes_steps_allowed(deliberation: Deliberation, user: User) -> set[str]:
    """The steps ``user`` could take on ``deliberation`` now (for pages)."""
    if not user_may(user, "musdes.run", region=deliberation.village_id):
        return set()
    return {s.name for s in MUSDES_STEPS.values() if deliberation.status in s.source}


def musdes_locked(deliberation_id: int, actor: User, step: str) -> Deliberation:
    """Lock the deliberation (inside the caller's transaction) and refuse ``step`` unless
    the actor runs this village's musdes and its status allows the step."""
    deliberation = Deliberation.objects.select_for_update().get(pk=deliberation_id)
    ensure_user_may(actor, "musdes.run", region=deliberation.village_id)
    if deliberation.status not in MUSDES_STEPS[step].source:
        raise InvalidTransition(MUSDES_ERRORS["wrong_status"] % {"status": deliberation.get_status_display()})
    return deliberation


def musdes_move(deliberation: Deliberation, step: str, *, fields: list[str]) -> Deliberation:
    """Save a locked deliberation in its step's target status, with ``fields`` the step set."""
    deliberation.status = MUSDES_STEPS[step].target
    deliberation.save(update_fields=["status", *fields])
    return deliberation
