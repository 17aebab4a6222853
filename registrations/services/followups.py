"""The outbox of workflow follow-ups: create with the event, dispatch after commit,
claim once, sweep what was never sent or whose worker died.

Which follow-ups an event starts is a registry, ``KINDS``, that each app owning a kind
fills in its ``AppConfig.ready()`` with ``register_followup``: registrations registers
``notify_proposer`` (every status change), verification registers its matching for
submissions. A transition only announces its events (``followups_create``); this lower
app never names a higher app's work. Handlers are dotted paths, imported when a row
runs (in the worker), so registering loads nothing at start-up.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
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

MAX_ATTEMPTS = 8
#: A claimed follow-up not finished within this lease is assumed lost (worker died).
LEASE = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class FollowUpKind:
    name: str
    #: Dotted path of ``handler(followup)``; raising leaves the row for a retry.
    handler: str
    #: The event statuses (``ProposalEvent.to_status``) that start it; ``None``: every event.
    statuses: frozenset[str] | None = None


#: Follow-up kinds by name, in registration order (apps' ``ready()`` run in INSTALLED_APPS
#: order). Filled by the app that owns each kind, in its ``AppConfig.ready()``, through
#: ``register_followup``; read by ``followups_create`` (which kinds an event starts) and
#: ``followup_run`` (the handler). Also filled in a Celery worker: it sets Django up too.
KINDS: dict[str, FollowUpKind] = {}


def register_followup(name: str, handler: str, *, statuses: Iterable[str] | None = None) -> None:
    """Make ``name`` a follow-up kind done by ``handler`` (a dotted path), started by the
    events that reach one of ``statuses`` (every event when ``None``)."""
    kind = FollowUpKind(name, handler, None if statuses is None else frozenset(statuses))
    if KINDS.get(name, kind) != kind:
        raise ImproperlyConfigured(f"follow-up kind {name!r} is registered twice, differently")
    KINDS[name] = kind


def followups_create(*, events: Iterable[ProposalEvent], kinds: Iterable[str] | None = None) -> list[FollowUp]:
    """Record follow-ups in the caller's transaction; dispatch them once it commits.

    Each event gets every registered kind that asked for its status (``kinds`` narrows
    that to the kinds named). A kind nobody registered is refused, not skipped:
    skipping would drop the work without a trace, and the mistake (a typo, an app whose
    ``ready()`` never registered it) would only show as work that never happened.
    """
    events = list(events)
    if kinds is None:
        wanted = list(KINDS.values())
    else:
        unknown = [name for name in kinds if name not in KINDS]
        if unknown:
            raise ImproperlyConfigured(f"follow-up kinds not registered: {unknown}")
        wanted = [KINDS[name] for name in kinds]
    rows = FollowUp.objects.bulk_create(
        [
            FollowUp(event=event, kind=kind.name)
            for kind in wanted
            for event in events
            if kind.statuses is None or event.to_status in kind.statuses
        ]
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
        # A kind this process does not know (its app not installed here) fails like any
        # handler: the row is retried, then kept as failed with the reason; never dropped.
        kind = KINDS.get(followup.kind)
        if kind is None:
            raise LookupError(f"no handler registered for follow-up kind {followup.kind!r}")
        import_string(kind.handler)(followup)
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
