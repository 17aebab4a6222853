"""Every allowed move of a proposal, in one table.

Each transition names the status it leaves, the status it reaches, and the one role
that may make it (role separation: the hand that records a musdes outcome does not
verify or approve). The service functions (``registrations.services.proposals`` for
the proposer's steps, ``verification.workflow.services`` for the staff steps) look their move up
here; nothing else changes ``Proposal.status``.
"""

from dataclasses import dataclass

from registrations.models import ProposalStatus as S
from registrations.models import Role


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
