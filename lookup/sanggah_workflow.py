"""The objection's (sanggah) state machine: every allowed move in one table, and the one mover.

Every move of a case locks the row, re-checks state, role and region, writes an
``ObjectionEvent`` and, for a decision, e-mails the objector after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from dtsen_portal.errors import DomainError, InvalidTransition, NotAllowed
from lookup.errors import SANGGAH_WORKFLOW_ERRORS
from registrations.models import Role, User
from registrations.notifications import email_on_commit
from registrations.scoping import user_can_reach_region

from .models import OBJECTION_CLOSED, Objection, ObjectionEvent, ObjectionStatus

S = ObjectionStatus
STAFF = frozenset({Role.VILLAGE_OPERATOR, Role.SOCIAL_OFFICER})


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    source: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False


#: Every allowed move of a case. The village operator gathers facts; Dinas Sosial
#: decides (the hand that checks is not the hand that rules).
MOVES = {
    m.name: m
    for m in [
        Move("review", _l("Mulai tinjau"), frozenset({S.RECEIVED}), S.UNDER_REVIEW, STAFF),
        Move("field_check", _l("Catat cek lapangan"), frozenset({S.UNDER_REVIEW}), S.FIELD_CHECKED, STAFF, True),
        Move(
            "uphold",
            _l("Kabulkan"),
            frozenset({S.UNDER_REVIEW, S.FIELD_CHECKED}),
            S.UPHELD,
            frozenset({Role.SOCIAL_OFFICER}),
            True,
        ),
        Move(
            "dismiss",
            _l("Tolak"),
            frozenset({S.RECEIVED, S.UNDER_REVIEW, S.FIELD_CHECKED}),
            S.DISMISSED,
            frozenset({Role.SOCIAL_OFFICER}),
            True,
        ),
    ]
}


def moves_for(objection: Objection, user: User) -> list[Move]:
    return [
        m
        for m in MOVES.values()
        if objection.status in m.source and user.role in m.roles and user_can_reach_region(user, objection.village_id)
    ]


def objection_move(*, objection_id: int, actor: User, move: str, note: str = "") -> Objection:
    step = MOVES.get(move)
    if step is None:
        raise DomainError(SANGGAH_WORKFLOW_ERRORS["unknown_move"])
    if actor.role not in step.roles:
        raise NotAllowed(SANGGAH_WORKFLOW_ERRORS["role_not_allowed"])
    note = note.strip()
    if step.needs_note and not note:
        raise DomainError(SANGGAH_WORKFLOW_ERRORS["note_required"], field="note")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None or not user_can_reach_region(actor, objection.village_id):
            raise NotAllowed(SANGGAH_WORKFLOW_ERRORS["outside_region"])
        if objection.status not in step.source:
            raise InvalidTransition(
                SANGGAH_WORKFLOW_ERRORS["wrong_status"]
                % {"number": objection.number, "status": objection.get_status_display()}
            )
        previous = objection.status
        objection.status = step.target
        fields = ["status", "updated_at"]
        if step.target in OBJECTION_CLOSED:
            objection.decision_note = note
            objection.decided_by = actor
            objection.decided_at = timezone.now()
            fields += ["decision_note", "decided_by", "decided_at"]
        objection.save(update_fields=fields)
        ObjectionEvent.objects.create(
            objection=objection,
            actor=actor,
            actor_role=actor.role,
            from_status=previous,
            to_status=step.target,
            note=note,
        )
        if step.target in OBJECTION_CLOSED:
            _tell_objector(objection)
    return objection


def _tell_objector(objection: Objection) -> None:
    from django.urls import reverse

    email_on_commit(
        to=objection.objector.email,
        subject=_("Hasil sanggah %(number)s") % {"number": objection.number},
        template="lookup/email/objection_outcome.txt",
        context={
            "objection": objection,
            "status_label": objection.get_status_display(),
            "url": settings.PORTAL_BASE_URL + reverse("sanggah-mine"),
        },
    )
