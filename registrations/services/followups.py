"""The outbox of workflow follow-ups: create with the event, dispatch after commit,
claim once, sweep what was never sent or whose worker died.

Kinds map to handler functions by dotted path, so the verification app's follow-ups
(matching, later) are named here without this lower app importing it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from registrations.models import FollowUp, FollowUpState, ProposalEvent

logger = logging.getLogger(__name__)

HANDLERS = {
    "notify_proposer": "registrations.services.followups.notify_proposer",
    "match_members": "verification.workflow.services.matching.run_matching_followup",
}
MAX_ATTEMPTS = 8
#: A claimed follow-up not finished within this lease is assumed lost (worker died).
LEASE = datetime.timedelta(minutes=10)


def followups_create(*, events: Iterable[ProposalEvent], kinds: Iterable[str]) -> list[FollowUp]:
    """Record follow-ups in the caller's transaction; dispatch them once it commits."""
    rows = FollowUp.objects.bulk_create(
        [FollowUp(event=event, kind=kind) for event in events for kind in kinds if kind in HANDLERS]
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: dispatch(ids))
    return rows


def dispatch(ids: Iterable[int]) -> int:
    """Hand follow-ups to the broker. A broker outage is logged, not raised: the rows
    stay pending and ``followups_sweep`` sends them later."""
    from registrations.tasks import run_followup

    sent = 0
    for followup_id in ids:
        try:
            run_followup.delay(followup_id)
        except Exception:  # noqa: BLE001 - kombu/redis raise many kinds; the row is safe either way
            logger.warning("broker unavailable; follow-up %s stays pending for the sweeper", followup_id)
            return sent
        sent += 1
    return sent


def followup_run(followup_id: int) -> bool:
    """Do one follow-up if it is still pending; True when this call did it."""
    now = timezone.now()
    claimed = FollowUp.objects.filter(pk=followup_id, state=FollowUpState.PENDING, available_at__lte=now).update(
        state=FollowUpState.RUNNING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    followup = FollowUp.objects.select_related("event__proposal__applicant").get(pk=followup_id)
    try:
        import_string(HANDLERS[followup.kind])(followup)
    except Exception as exc:
        logger.exception("follow-up %s (%s) failed", followup.pk, followup.kind)
        failed = followup.attempts >= MAX_ATTEMPTS
        FollowUp.objects.filter(pk=followup.pk).update(
            state=FollowUpState.FAILED if failed else FollowUpState.PENDING,
            available_at=now + datetime.timedelta(seconds=30 * 2 ** min(followup.attempts, 8)),
            last_error=repr(exc)[:2000],
        )
        return False
    FollowUp.objects.filter(pk=followup.pk, state=FollowUpState.RUNNING).update(
        state=FollowUpState.DONE, done_at=timezone.now()
    )
    return True


def followups_sweep(*, lease: datetime.timedelta = LEASE, limit: int = 1000) -> int:
    """Re-dispatch follow-ups never sent (broker was down) or whose worker died."""
    now = timezone.now()
    FollowUp.objects.filter(state=FollowUpState.RUNNING, claimed_at__lt=now - lease).update(
        state=FollowUpState.PENDING, available_at=now
    )
    due = list(
        FollowUp.objects.filter(state=FollowUpState.PENDING, available_at__lte=now)
        .order_by("available_at")
        .values_list("pk", flat=True)[:limit]
    )
    return dispatch(due)


# --- handlers ----------------------------------------------------------------------------


def notify_proposer(followup: FollowUp) -> None:
    """E-mail the resident about the status change, in Indonesian, without numbers."""
    event = followup.event
    proposal = event.proposal
    applicant = proposal.applicant
    if applicant is None or not applicant.email:
        return
    with translation.override("id"):
        body = render_to_string(
            "registrations/email/proposal_status.txt",
            {
                "proposal": proposal,
                "event": event,
                "status_label": dict(event._meta.get_field("to_status").choices)[event.to_status],
                "status_url": settings.PORTAL_BASE_URL + reverse("proposal-status", args=[proposal.tracking_number]),
            },
        )
        subject = gettext("Status usulan DTSEN %(number)s") % {"number": proposal.tracking_number}
    send_mail(subject, body, None, [applicant.email])
