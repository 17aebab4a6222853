"""Reads for the registrations app. Writes go through ``services``."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from registrations.models import Household, Member, Proposal, ProposalMember, Region, Role, User
from registrations.scoping import get_scoped_object_or_404

REGION_SEARCH_MIN_LENGTH = 3
REGION_SEARCH_LIMIT = 20


def region_children(parent_code: str | None) -> QuerySet[Region]:
    """Direct children of a region; the provinces when ``parent_code`` is None."""
    if parent_code is None:
        return Region.objects.filter(parent__isnull=True)
    return Region.objects.filter(parent_id=parent_code)


def region_search(query: str, *, level: int | None = None, limit: int = REGION_SEARCH_LIMIT) -> QuerySet[Region]:
    """Regions whose name contains every word of ``query``, villages last.

    Too-short queries return nothing, so the endpoint cannot be used to page
    through the 91,000 regions one letter at a time.
    """
    words = [w for w in query.split() if w]
    if len("".join(words)) < REGION_SEARCH_MIN_LENGTH:
        return Region.objects.none()
    condition = Q()
    for word in words:
        condition &= Q(name__icontains=word)
    queryset = Region.objects.filter(condition)
    if level:
        queryset = queryset.filter(level=level)
    return queryset.select_related("parent__parent__parent").order_by("level", "name", "code")[:limit]


def household_queryset() -> QuerySet[Household]:
    """Households with what the pages and the API show, not yet scoped."""
    return Household.objects.select_related("village__parent__parent").prefetch_related("members")


def households_for_user(user: User) -> QuerySet[Household]:
    """Households in the user's region scope."""
    return household_queryset().visible_to(user).order_by("village_id", "id")


def proposals_of_resident(user: User) -> QuerySet[Proposal]:
    return Proposal.objects.filter(applicant=user).select_related("village").order_by("-created_at")


def proposal_for_user(user: User, tracking_number: str) -> Proposal:
    """The proposal if the user may see it: its applicant, or staff whose region holds it.

    Anything else is a 404, the same as a number that does not exist.
    """
    queryset = Proposal.objects.select_related("village__parent__parent", "applicant", "household")
    if user.role == Role.RESIDENT:
        proposal = queryset.filter(tracking_number=tracking_number, applicant=user).first()
        if proposal is None:
            raise Http404
        return proposal
    return get_scoped_object_or_404(queryset, user, tracking_number=tracking_number)


def member_duplicate_flags(proposal: Proposal) -> dict[str, list[str]]:
    """For each member's NIK, where else it already stands: another registered
    household, or another proposal still open. Flagged to the operator, not refused:
    the other record may be the stale one."""
    members = list(proposal.members.all())
    niks = [m.nik for m in members]
    flags: dict[str, list[str]] = {nik: [] for nik in niks}
    registered = (
        Member.objects.filter(nik__in=niks)
        .exclude(household_id=proposal.household_id)
        .select_related("household__village")
    )
    for member in registered:
        household = member.household
        flags[member.nik].append(
            _("NIK sudah terdaftar di rumah tangga lain (KK %(kk)s, %(village)s).")
            % {"kk": household.masked_kk_number, "village": household.village.display_name}
        )
    others = (
        ProposalMember.objects.filter(nik__in=niks, proposal__in=Proposal.objects.open())
        .exclude(proposal=proposal)
        .select_related("proposal")
    )
    for member in others:
        flags[member.nik].append(
            _("NIK juga ada di usulan lain yang masih berjalan (%(number)s).")
            % {"number": member.proposal.tracking_number}
        )
    return flags


def proposals_for_staff(user: User) -> QuerySet[Proposal]:
    """Proposals in the staff member's region, newest first, for the lists."""
    return Proposal.objects.visible_to(user).select_related("village").order_by("-created_at")
