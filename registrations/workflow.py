"""The proposal's state machine: every allowed move in one table, and the one mover.

Each transition names the statuses it leaves, the status it reaches, and the roles that
may make it (role separation: the hand that records a musdes outcome does not verify
or approve). ``proposal_transition`` (one proposal) and ``proposals_transition_batch``
(a decree over thousands) are the only code that changes ``Proposal.status``; both lock
the rows and ask ``_refusal`` the same questions. ``allowed_moves`` asks them too,
without a lock, so pages and the API offer only what the mover would accept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from registrations.errors import WORKFLOW_ERRORS
from registrations.models import Channel, Proposal, ProposalEvent, Role, User
from registrations.models import ProposalStatus as S
from registrations.scoping import user_can_reach_region
from registrations.services.followups import followups_create


@dataclass(frozen=True)
class Transition:
    name: str
    source: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_reason: bool = False


def _t(name, source, target, roles, needs_reason=False) -> Transition:
    return Transition(name, frozenset(source), target, frozenset(roles), needs_reason)


# The proposer (a resident online, or the village operator for a walk-in) submits,
# withdraws before the musdes, and resubmits after correcting.
PROPOSER_ROLES = {Role.RESIDENT, Role.VILLAGE_OPERATOR}
PROPOSER_MOVES = frozenset({"submit", "resubmit", "withdraw"})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("submit", {S.DRAFT}, S.SUBMITTED, PROPOSER_ROLES),
        _t("resubmit", {S.RETURNED}, S.SUBMITTED, PROPOSER_ROLES),
        _t("withdraw", {S.DRAFT, S.SUBMITTED, S.RETURNED}, S.WITHDRAWN, PROPOSER_ROLES, needs_reason=True),
        _t("musdes_approve", {S.SUBMITTED}, S.MUSDES_APPROVED, {Role.VILLAGE_OPERATOR}),
        _t("musdes_reject", {S.SUBMITTED}, S.MUSDES_REJECTED, {Role.VILLAGE_OPERATOR}, needs_reason=True),
        _t(
            "return_for_correction",
            {S.SUBMITTED, S.MUSDES_APPROVED},
            S.RETURNED,
            {Role.VILLAGE_OPERATOR, Role.SOCIAL_OFFICER},
            needs_reason=True,
        ),
        _t("verify", {S.MUSDES_APPROVED}, S.VERIFIED, {Role.SOCIAL_OFFICER}),
        _t(
            "verification_reject",
            {S.MUSDES_APPROVED},
            S.VERIFICATION_REJECTED,
            {Role.SOCIAL_OFFICER},
            needs_reason=True,
        ),
        _t("regency_approve", {S.VERIFIED}, S.REGENCY_APPROVED, {Role.REGENCY_HEAD}),
        _t("forward", {S.REGENCY_APPROVED}, S.FORWARDED, {Role.PROVINCIAL_STAFF}),
        _t("determine", {S.FORWARDED}, S.DETERMINED, {Role.MINISTRY_STAFF}),
        _t("not_determine", {S.FORWARDED}, S.NOT_DETERMINED, {Role.MINISTRY_STAFF}, needs_reason=True),
    ]
}


#: Which hand each move belongs to. One account may act for only one of these hands on
#: the same proposal (role separation); entering a walk-in (the proposer's hand) does
#: not stop the village operator from recording its musdes outcome.
STEP_GROUPS = {
    "submit": "proposer",
    "resubmit": "proposer",
    "withdraw": "proposer",
    "musdes_approve": "musdes",
    "musdes_reject": "musdes",
    "verify": "verification",
    "verification_reject": "verification",
    "regency_approve": "regency",
    "forward": "province",
    "determine": "ministry",
    "not_determine": "ministry",
}


def step_group(name: str, actor_role: str) -> str:
    if name == "return_for_correction":
        return "musdes" if actor_role == Role.VILLAGE_OPERATOR else "verification"
    return STEP_GROUPS[name]


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.source]


def move_applies(proposal: Proposal, name: str) -> bool:
    """Whether move ``name`` leaves the proposal's current status (the table's answer,
    before any question of who asks)."""
    return proposal.status in TRANSITIONS[name].source


def is_proposer(proposal: Proposal, actor: User) -> bool:
    """The resident who owns it, or the village operator for a walk-in of their village."""
    if actor.role == Role.RESIDENT:
        return proposal.applicant_id == actor.pk
    if actor.role == Role.VILLAGE_OPERATOR:
        return proposal.channel == Channel.OFFLINE and user_can_reach_region(actor, proposal.village_id)
    return False


# --- the guard both movers share --------------------------------------------------------------


def _transition_for(name: str, actor: User, reason: str | None) -> Transition:
    """The move, refused early when the actor's role never makes it or a reason it
    needs is missing (``reason=None``: no reason is being given yet, only asked)."""
    transition = TRANSITIONS[name]
    if reason is not None and transition.needs_reason and not reason:
        raise DomainError(WORKFLOW_ERRORS["reason_required"], field="reason")
    if actor.role not in transition.roles:
        raise NotAllowed(WORKFLOW_ERRORS["role_not_allowed"])
    return transition


def _refusal(proposal: Proposal, transition: Transition, actor: User, *, numbered: bool) -> DomainError | None:
    """Why ``actor`` may not make ``transition`` on ``proposal`` now, or ``None``.

    ``numbered`` names the proposal in the message (a batch must say which one refused).
    Role separation reads the proposal's events, so it is asked apart
    (``_hands_acted`` once for all the proposals, then ``_separation_refusal``).
    """
    number = {"number": proposal.tracking_number}
    if transition.name in PROPOSER_MOVES:
        if not is_proposer(proposal, actor):
            return NotAllowed(WORKFLOW_ERRORS["not_proposer"])
    elif not user_can_reach_region(actor, proposal.village_id):
        if numbered:
            return NotAllowed(WORKFLOW_ERRORS["numbered_outside_region"] % number)
        return NotAllowed(WORKFLOW_ERRORS["outside_region"])
    if proposal.status not in transition.source:
        status = {"status": proposal.get_status_display()}
        if numbered:
            return InvalidTransition(WORKFLOW_ERRORS["numbered_wrong_status"] % (number | status))
        return InvalidTransition(WORKFLOW_ERRORS["wrong_status"] % status)
    return None


#: The move that reaches each status (a return's hand depends on who returned it).
_MOVE_REACHING = {t.target: t.name for t in TRANSITIONS.values()}


def _hands_acted(proposal_ids: Iterable[int], actor: User) -> dict[int, set[str]]:
    """The hands ``actor`` already acted for on each of these proposals, in one query."""
    hands: dict[int, set[str]] = defaultdict(set)
    events = ProposalEvent.objects.filter(proposal_id__in=proposal_ids, actor=actor)
    for pk, to_status, role in events.values_list("proposal_id", "to_status", "actor_role"):
        name = "return_for_correction" if to_status == S.RETURNED else _MOVE_REACHING.get(to_status)
        if name:
            hands[pk].add(step_group(name, role))
    return hands


def _separation_refusal(name: str, actor: User, hands: set[str]) -> NotAllowed | None:
    """Refuse an account that already acted on this proposal for another hand."""
    group = step_group(name, actor.role)
    if group != "proposer" and hands - {"proposer", group}:
        return NotAllowed(WORKFLOW_ERRORS["role_separation"])
    return None


def _refusal_of_one(proposal: Proposal, transition: Transition, actor: User) -> DomainError | None:
    """``_refusal`` and role separation, for a single proposal (the events read once)."""
    hands = _hands_acted([proposal.pk], actor)[proposal.pk]
    return _refusal(proposal, transition, actor, numbered=False) or _separation_refusal(transition.name, actor, hands)


def ensure_move_allowed(proposal: Proposal, name: str, actor: User) -> None:
    """Raise the mover's own refusal if ``actor`` may not make move ``name`` now.

    For work that prepares a move (assigning a verifier, recording a field visit)
    and must be refused exactly as the move itself would be.
    """
    refusal = _refusal_of_one(proposal, _transition_for(name, actor, reason=None), actor)
    if refusal is not None:
        raise refusal


def allowed_moves(proposal: Proposal, actor: User) -> list[str]:
    """The moves ``actor`` could make on ``proposal`` now (for pages and the API)."""
    if actor is None or not actor.is_authenticated:
        return []
    candidates = [t for t in transitions_from(proposal.status) if actor.role in t.roles]
    if not candidates:
        return []
    hands = _hands_acted([proposal.pk], actor)[proposal.pk]
    return [
        t.name
        for t in candidates
        if _refusal(proposal, t, actor, numbered=False) is None and _separation_refusal(t.name, actor, hands) is None
    ]


# --- the mover ---------------------------------------------------------------------------------


def proposal_transition(*, proposal_id: int, name: str, actor: User, reason: str = "") -> ProposalEvent:
    """Make one move of the workflow, or refuse it with a clear reason.

    The row is locked (``select_for_update``) and its status re-read, so of two people
    acting at once exactly one succeeds and the other is told the proposal has moved on.
    """
    reason = reason.strip()
    transition = _transition_for(name, actor, reason)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=proposal_id)
        refusal = _refusal_of_one(proposal, transition, actor)
        if refusal is not None:
            raise refusal
        previous = proposal.status
        now = timezone.now()
        proposal.status = transition.target
        proposal.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if transition.target == S.SUBMITTED:
            proposal.submitted_at = now
            fields.append("submitted_at")
        try:
            with transaction.atomic():
                proposal.save(update_fields=fields)
        except IntegrityError as exc:
            raise Conflict(WORKFLOW_ERRORS["kk_other_open_proposal"]) from exc
        event = ProposalEvent.objects.create(
            proposal=proposal,
            actor=actor,
            actor_role=actor.role,
            from_status=previous,
            to_status=transition.target,
            reason=reason,
        )
        _followups([event])
    return event


def proposals_transition_batch(
    *, proposal_ids: list[int], name: str, actor: User, reason: str = ""
) -> list[ProposalEvent]:
    """The same move over many proposals at once (a decree over 2,000 of them).

    All or nothing: the rows are locked in primary-key order (so two batches cannot
    deadlock), every one is checked as ``proposal_transition`` would, and one refusal
    refuses the batch with the tracking number that caused it.
    """
    reason = reason.strip()
    transition = _transition_for(name, actor, reason)
    ids = sorted(set(proposal_ids))
    if not ids:
        raise DomainError(WORKFLOW_ERRORS["none_selected"])
    with transaction.atomic():
        proposals = list(
            Proposal.objects.select_for_update(of=("self",))
            .select_related("applicant")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(proposals) != len(ids):
            raise DomainError(WORKFLOW_ERRORS["some_not_found"])
        hands = _hands_acted(ids, actor)
        for proposal in proposals:
            refusal = _refusal(proposal, transition, actor, numbered=True)
            if refusal is None:
                refusal = _separation_refusal(name, actor, hands[proposal.pk])
            if refusal is not None:
                raise refusal
        now = timezone.now()
        Proposal.objects.filter(pk__in=ids).update(status=transition.target, status_changed_at=now, updated_at=now)
        events = ProposalEvent.objects.bulk_create(
            [
                ProposalEvent(
                    proposal=p,
                    actor=actor,
                    actor_role=actor.role,
                    from_status=p.status,
                    to_status=transition.target,
                    reason=reason,
                )
                for p in proposals
            ]
        )
        for proposal in proposals:
            proposal.status = transition.target
        _followups(events)
    return events


def _followups(events: list[ProposalEvent]) -> None:
    """The outbox rows of these events, dispatched after commit: every kind registered for
    their status (every change e-mails the proposer; other apps add theirs, e.g. the
    matching of a submission's members; ``services.followups.KINDS``)."""
    followups_create(events=events)
