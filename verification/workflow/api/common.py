"""What every workflow endpoint shares: authentication, the staff gate, scoped lookups."""

from __future__ import annotations

from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from dtsen_portal.errors import DomainError
from registrations.models import Proposal, ProposalStatus, User
from registrations.permissions import api_may
from registrations.scoping import get_scoped_object_or_404
from verification.errors import BATCH_ERRORS

#: The most tracking numbers one request may name (a regency decree covers thousands).
MAX_BATCH = 5000


class StaffApiMixin:
    """Token first, so an anonymous call is answered 401 with ``WWW-Authenticate:
    Token`` (with session first DRF would answer 403); then portal staff only.
    Residents get 403; everything else is decided by the region scope and the services."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [api_may("staff")]


def workflow_proposals():
    """Proposals that have entered the workflow. A draft is still its proposer's own
    work and is not offered to staff systems."""
    return Proposal.objects.exclude(status=ProposalStatus.DRAFT)


def scoped_proposal(user: User, tracking_number: str, queryset=None) -> Proposal:
    """The proposal if it lies in the user's region scope; 404 otherwise."""
    queryset = workflow_proposals() if queryset is None else queryset
    return get_scoped_object_or_404(queryset, user, tracking_number=tracking_number.strip().upper())


def normalise_numbers(numbers) -> list[str]:
    """Upper-cased, stripped, duplicates removed, order kept."""
    return list(dict.fromkeys(n.strip().upper() for n in numbers if n and n.strip()))


def proposal_ids_in_scope(user: User, numbers: list[str], *, field: str | None = None) -> dict[str, int]:
    """Tracking number → id for every number, in one query restricted to the user's
    scope. A number that is unknown or outside the scope is refused by name, with the
    same words either way: the answer never tells whether it exists elsewhere."""
    if not numbers:
        return {}
    found = dict(
        workflow_proposals().visible_to(user).filter(tracking_number__in=numbers).values_list("tracking_number", "pk")
    )
    missing = [n for n in numbers if n not in found]
    if missing:
        raise DomainError(
            BATCH_ERRORS["numbers_not_found"] % {"numbers": ", ".join(missing)},
            field=field,
        )
    return found
