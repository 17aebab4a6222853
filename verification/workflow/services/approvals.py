"""Batch decisions: the regency head's decree, the province's forwarding letter, and
the ministry's determination round (penetapan), which enters households into DTSEN."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dtsen_portal.errors import Conflict, DomainError
from registrations.models import Proposal, User
from registrations.permissions import ensure_user_may
from registrations.services.register import register_household_from_proposal
from registrations.workflow import proposals_transition_batch
from verification.errors import BATCH_ERRORS
from verification.models import Batch, BatchKind


def _batch(*, kind: str, actor: User, number: str, document_date: datetime.date, period: str = "") -> Batch:
    number = number.strip()
    if not number:
        raise DomainError(BATCH_ERRORS["number_required"], field="number")
    try:
        with transaction.atomic():
            return Batch.objects.create(
                kind=kind,
                region=actor.region,
                issuer_code=actor.region_id or "",
                number=number,
                document_date=document_date,
                period=period,
                actor=actor,
            )
    except IntegrityError as exc:
        raise Conflict(BATCH_ERRORS["number_taken"], field="number") from exc


def _batch_move(*, kind: str, move: str, reason: str, actor: User, proposal_ids, number, document_date) -> Batch:
    """One document (decree, letter) moving every chosen proposal; all or nothing."""
    with transaction.atomic():
        batch = _batch(kind=kind, actor=actor, number=number, document_date=document_date)
        proposals_transition_batch(
            proposal_ids=proposal_ids,
            name=move,
            actor=actor,
            reason=reason % {"number": batch.number, "date": document_date.strftime("%d-%m-%Y")},
        )
        batch.proposals.add(*proposal_ids)
        return batch


def regency_approve_batch(*, actor: User, proposal_ids: list[int], number: str, document_date: datetime.date) -> Batch:
    """The bupati/wali kota approves verified proposals under one decree (SK)."""
    return _batch_move(
        kind=BatchKind.REGENCY_DECREE,
        move="regency_approve",
        reason=_("Keputusan %(number)s tanggal %(date)s."),
        actor=actor,
        proposal_ids=proposal_ids,
        number=number,
        document_date=document_date,
    )


def province_forward_batch(*, actor: User, proposal_ids: list[int], number: str, document_date: datetime.date) -> Batch:
    """Provincial staff forward the regencies' approved proposals to the ministry."""
    return _batch_move(
        kind=BatchKind.PROVINCE_FORWARD,
        move="forward",
        reason=_("Surat pengantar %(number)s tanggal %(date)s."),
        actor=actor,
        proposal_ids=proposal_ids,
        number=number,
        document_date=document_date,
    )


def ministry_determine(
    *,
    actor: User,
    period: str,
    number: str,
    document_date: datetime.date,
    determine_ids: list[int],
    reject_ids: list[int],
    reject_reason: str = "",
) -> Batch:
    """A determination round: the chosen proposals enter DTSEN (their households are
    written to the register), the others are not determined, with a reason."""
    ensure_user_may(actor, "batch.determine")
    if not determine_ids and not reject_ids:
        raise DomainError(BATCH_ERRORS["none_selected"])
    if set(determine_ids) & set(reject_ids):
        raise DomainError(BATCH_ERRORS["determine_and_reject"])
    if not period.strip():
        raise DomainError(BATCH_ERRORS["period_required"], field="period")
    with transaction.atomic():
        batch = _batch(
            kind=BatchKind.DETERMINATION, actor=actor, number=number, document_date=document_date, period=period.strip()
        )
        reason = _("Penetapan %(number)s periode %(period)s.") % {"number": batch.number, "period": batch.period}
        if determine_ids:
            proposals_transition_batch(proposal_ids=determine_ids, name="determine", actor=actor, reason=reason)
            for proposal in Proposal.objects.filter(pk__in=determine_ids).prefetch_related("members"):
                register_household_from_proposal(proposal=proposal)
        if reject_ids:
            proposals_transition_batch(
                proposal_ids=reject_ids, name="not_determine", actor=actor, reason=reject_reason or reason
            )
        batch.proposals.add(*determine_ids, *reject_ids)
        return batch
