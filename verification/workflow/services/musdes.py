"""Musdes / muskel (or SPTJM): open, pull proposals in, record outcomes, close, sign.

Closing freezes the outcomes and renders the berita acara PDF; only when the operator
uploads the signed scan do the proposals move (approved to the social office,
rejected closed), each through ``proposal_transition`` with the minutes as reason.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dtsen_portal.errors import Conflict, DomainError
from registrations.models import Proposal, Region, User
from registrations.permissions import ensure_user_may
from registrations.services.documents import discard_on_failure, process_or_refuse
from registrations.storage import private_storage, random_document_path
from registrations.workflow import TRANSITIONS, move_applies, proposal_transition
from verification.errors import MUSDES_ERRORS
from verification.models import (
    Attendee,
    Deliberation,
    DeliberationBasis,
    DeliberationItem,
    DeliberationStatus,
    Outcome,
)
from verification.workflow.musdes_workflow import MUSDES_STEPS, musdes_locked, musdes_move
from verification.workflow.services.documents import render_minutes_pdf


def deliberation_open(
    *,
    actor: User,
    village: Region,
    basis: str,
    held_on: datetime.date,
    place: str,
    chair: str,
    chair_position: str,
    notes: str = "",
) -> Deliberation:
    ensure_user_may(actor, "musdes.run", region=village.code if village else "")
    if basis not in DeliberationBasis.values:
        raise DomainError(MUSDES_ERRORS["basis_required"], field="basis")
    try:
        with transaction.atomic():
            return Deliberation.objects.create(
                village=village,
                basis=basis,
                held_on=held_on,
                place=place,
                chair=chair,
                chair_position=chair_position,
                notes=notes,
                opened_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(MUSDES_ERRORS["already_open"]) from exc


def deliberation_add_attendee(*, deliberation_id: int, actor: User, name: str, position: str, signs: bool) -> Attendee:
    with transaction.atomic():
        deliberation = musdes_locked(deliberation_id, actor, "add_attendee")
        return Attendee.objects.create(deliberation=deliberation, name=name, position=position, signs_minutes=signs)


def deliberation_remove_attendee(*, deliberation_id: int, actor: User, attendee_id: int) -> None:
    with transaction.atomic():
        deliberation = musdes_locked(deliberation_id, actor, "remove_attendee")
        deliberation.attendees.filter(pk=attendee_id).delete()


def deliberation_pull_proposals(*, deliberation_id: int, actor: User) -> int:
    """Bring in every submitted proposal of the village (online and walk-in) that is
    not already in another open deliberation. Returns how many were added."""
    with transaction.atomic():
        deliberation = musdes_locked(deliberation_id, actor, "pull_proposals")
        # A proposal already on an open deliberation's list, or on a closed one's that
        # it was submitted before, is taken care of there.
        waiting = (
            Proposal.objects.filter(village_id=deliberation.village_id, status__in=TRANSITIONS["musdes_approve"].source)
            .exclude(deliberation_items__deliberation__status=DeliberationStatus.OPEN)
            .exclude(
                deliberation_items__deliberation__status=DeliberationStatus.CLOSED,
                submitted_at__lte=F("deliberation_items__deliberation__closed_at"),
            )
            .order_by("submitted_at", "pk")
            .values_list("pk", flat=True)
        )
        items = [DeliberationItem(deliberation=deliberation, proposal_id=pk) for pk in waiting]
        DeliberationItem.objects.bulk_create(items, ignore_conflicts=True)
        return len(items)


def deliberation_record_outcome(*, item_id: int, actor: User, outcome: str, reason: str = "") -> DeliberationItem:
    reason = reason.strip()
    if outcome not in (Outcome.APPROVED, Outcome.REJECTED, Outcome.DEFERRED, Outcome.PENDING):
        raise DomainError(MUSDES_ERRORS["unknown_outcome"], field="outcome")
    if outcome == Outcome.REJECTED and not reason:
        raise DomainError(MUSDES_ERRORS["rejection_reason_required"], field="reason")
    with transaction.atomic():
        item = DeliberationItem.objects.select_for_update().select_related("deliberation").get(pk=item_id)
        musdes_locked(item.deliberation_id, actor, "record_outcome")
        item.outcome, item.reason = outcome, reason
        item.recorded_by, item.recorded_at = actor, timezone.now()
        item.save(update_fields=["outcome", "reason", "recorded_by", "recorded_at"])
        return item


def deliberation_close(*, deliberation_id: int, actor: User) -> Deliberation:
    """Freeze the outcomes and render the berita acara (or SPTJM) for signing."""
    with transaction.atomic():
        deliberation = musdes_locked(deliberation_id, actor, "close")
        items = list(deliberation.items.all())
        if not items:
            raise DomainError(MUSDES_ERRORS["no_items"])
        if any(i.outcome == Outcome.PENDING for i in items):
            raise DomainError(MUSDES_ERRORS["outcomes_pending"])
        signers = deliberation.attendees.filter(signs_minutes=True).count()
        if deliberation.basis != DeliberationBasis.SPTJM and signers == 0:
            raise DomainError(MUSDES_ERRORS["signer_required"])
        # Deferred proposals leave this deliberation and wait for the next one.
        deliberation.items.filter(outcome=Outcome.DEFERRED).delete()
        deliberation.status = MUSDES_STEPS["close"].target  # the minutes say "closed"
        deliberation.closed_at = timezone.now()
        pdf = render_minutes_pdf(deliberation)
        deliberation.minutes_pdf = private_storage().save(random_document_path("berita-acara", "pdf"), ContentFile(pdf))
        return musdes_move(deliberation, "close", fields=["closed_at", "minutes_pdf"])


def deliberation_sign(*, deliberation_id: int, actor: User, scan) -> Deliberation:
    """Store the signed scan, then move every proposal per its recorded outcome."""
    image = process_or_refuse(scan, kind="document", field="scan")
    written: list[str] = []
    with discard_on_failure(written):
        name = private_storage().save(random_document_path("berita-acara/ttd"), ContentFile(image.content))
        written.append(name)
        with transaction.atomic():
            deliberation = musdes_locked(deliberation_id, actor, "sign")
            deliberation.signed_scan = name
            deliberation.signed_at = timezone.now()
            musdes_move(deliberation, "sign", fields=["signed_scan", "signed_at"])
            basis = deliberation.get_basis_display()
            for item in deliberation.items.select_related("proposal"):
                proposal = item.proposal
                move = "musdes_approve" if item.outcome == Outcome.APPROVED else "musdes_reject"
                if not move_applies(proposal, move) or proposal.submitted_at > deliberation.closed_at:
                    # Withdrawn or returned since the musdes, or resubmitted after it:
                    # its outcome no longer applies; it waits for the next musdes.
                    continue
                reason = item.reason or _("Hasil %(basis)s tanggal %(date)s.") % {
                    "basis": basis,
                    "date": deliberation.held_on.strftime("%d-%m-%Y"),
                }
                proposal_transition(proposal_id=item.proposal_id, name=move, actor=actor, reason=reason)
            return deliberation
