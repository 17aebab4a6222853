"""The social office's step: assign a verifier, visit the household, decide."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from dtsen_portal.errors import DomainError, NotAllowed
from registrations.models import Proposal, Role, User
from registrations.services.documents import discard_on_failure, process_or_refuse, store_processed_image
from registrations.services.proposals import CONDITION_FIELDS
from registrations.workflow import ensure_move_allowed, proposal_transition
from verification.errors import REVIEW_ERRORS
from verification.models import Assignment, FieldVisit, FieldVisitPhoto, FieldVisitResult

MAX_VISIT_PHOTOS = 6
_RESULT_TO_TRANSITION = {
    FieldVisitResult.VERIFIED: "verify",
    FieldVisitResult.REJECTED: "verification_reject",
    FieldVisitResult.RETURNED: "return_for_correction",
}


def verifier_assign(*, proposal_id: int, actor: User, verifier: User) -> Assignment:
    """Name the officer who visits; only while the proposal waits for verification,
    and only by an officer who could verify it (the workflow's own check)."""
    proposal = Proposal.objects.get(pk=proposal_id)
    ensure_move_allowed(proposal, "verify", actor)
    if verifier.role != Role.SOCIAL_OFFICER or verifier.region_id != actor.region_id or not verifier.is_active:
        raise DomainError(REVIEW_ERRORS["verifier_invalid"], field="verifier")
    assignment, _created = Assignment.objects.update_or_create(
        proposal=proposal, defaults={"verifier": verifier, "assigned_by": actor}
    )
    return assignment


def field_visit_record(
    *,
    proposal_id: int,
    actor: User,
    visited_on: datetime.date,
    result: str,
    conditions: dict,
    notes: str = "",
    latitude=None,
    longitude=None,
    photos=(),
) -> FieldVisit:
    """Record the visit, correct the proposal's household data to what was observed,
    and make the decision the visit supports (verified, rejected, or returned)."""
    if result not in _RESULT_TO_TRANSITION:
        raise DomainError(REVIEW_ERRORS["result_required"], field="result")
    if result != FieldVisitResult.VERIFIED and not notes.strip():
        raise DomainError(REVIEW_ERRORS["notes_required"], field="notes")
    if len(photos) > MAX_VISIT_PHOTOS:
        raise DomainError(REVIEW_ERRORS["too_many_photos"] % {"n": MAX_VISIT_PHOTOS}, field="photos")
    processed = [process_or_refuse(photo, kind="house", field="photos") for photo in photos]
    written: list[str] = []
    with discard_on_failure(written):
        stored = []
        for image in processed:
            name, thumb = store_processed_image(image, prefix="kunjungan")
            written += [name, thumb]
            stored.append((name, thumb, image.sha256))
        with transaction.atomic():
            proposal = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal_id)
            ensure_move_allowed(proposal, "verify", actor)  # a visit is the verification hand's work
            assignment = Assignment.objects.filter(proposal=proposal).select_related("verifier").first()
            if assignment and assignment.verifier_id != actor.pk:
                raise NotAllowed(
                    REVIEW_ERRORS["assigned_to_other"]
                    % {"name": assignment.verifier.get_full_name() or assignment.verifier.username}
                )
            values = {f: conditions.get(f) for f in CONDITION_FIELDS}
            for f in FieldVisit.INDICATOR_FIELDS + FieldVisit.ASSET_FIELDS:
                values[f] = bool(values[f])
            visit = FieldVisit.objects.create(
                proposal=proposal,
                verifier=actor,
                visited_on=visited_on,
                result=result,
                notes=notes.strip(),
                latitude=latitude,
                longitude=longitude,
                **values,
            )
            FieldVisitPhoto.objects.bulk_create(
                [FieldVisitPhoto(visit=visit, image=n, thumbnail=t, sha256=h) for n, t, h in stored]
            )
            # The visit's observation replaces what was declared: the register takes
            # what the social office saw.
            Proposal.objects.filter(pk=proposal.pk).update(**values)
            proposal_transition(
                proposal_id=proposal.pk,
                name=_RESULT_TO_TRANSITION[result],
                actor=actor,
                reason=notes.strip()
                or _("Sesuai hasil kunjungan lapangan %(date)s.") % {"date": visited_on.strftime("%d-%m-%Y")},
            )
            return visit
