"""Population flags: who sees them, counts, and resolving one."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dtsen_portal.errors import DomainError, InvalidTransition, NotAllowed
from registrations.permissions import user_may
from verification.errors import FLAG_ERRORS
from verification.models import PopulationFlag


def flags_for(user):
    """The flags ``user`` may see (their region; none for other roles)."""
    if not user_may(user, "population.flags"):
        return PopulationFlag.objects.none()
    return PopulationFlag.objects.visible_to(user)


def open_flag_counts(user) -> dict[str, int]:
    """Open flags in the user's region, per kind (for the dashboard)."""
    from django.db.models import Count

    rows = flags_for(user).open().order_by().values("kind").annotate(n=Count("pk"))
    return {r["kind"]: r["n"] for r in rows}


def resolve_flag(*, flag_id: int, user, note: str) -> PopulationFlag:
    """Mark a flag handled, with the note saying how. A flag already resolved (someone
    else was first) is refused, so the first note stands."""
    note = (note or "").strip()
    if not note:
        raise DomainError(FLAG_ERRORS["note_required"], field="note")
    if len(note) > 1000:
        raise DomainError(FLAG_ERRORS["note_too_long"], field="note")
    with transaction.atomic():
        flag = flags_for(user).select_for_update().filter(pk=flag_id).first()
        if flag is None:
            raise NotAllowed(FLAG_ERRORS["outside_region"])
        if flag.resolved_at is not None:
            raise InvalidTransition(FLAG_ERRORS["already_resolved"])
        flag.resolved_at = timezone.now()
        flag.resolved_by = user
        flag.resolution_note = note
        flag.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    return flag


def proposal_flags(proposal) -> list[PopulationFlag]:
    """All flags of one proposal (its staff page), newest first."""
    return list(PopulationFlag.objects.filter(proposal=proposal).select_related("event", "resolved_by"))
