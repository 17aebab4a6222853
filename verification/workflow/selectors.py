"""Reads for the staff queues: per-step counts, the queues themselves, duplicate flags.

Every queryset here starts from ``Proposal.objects.visible_to(user)``: the region scope
is applied before anything else, so a filter value from the URL (a village, a regency)
can only narrow a user's reach, never widen it. The lists annotate what each row shows
(head of household, member count, flag count, waiting since) as subqueries, so a page
of 100 rows costs one query, not one per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import (
    Member,
    Proposal,
    ProposalMember,
    ProposalStatus,
    Region,
    RegionLevel,
    Relation,
    Role,
    User,
)
from registrations.models.proposals import CLOSED_STATUSES
from registrations.scoping import get_scoped_object_or_404, region_scope, scope_filter
from verification.models import Batch, MatchOutcome

# --- the steps and who works each ---------------------------------------------------------


@dataclass(frozen=True)
class QueueStep:
    status: str
    role: str
    label: str
    url_name: str


#: The waiting work of each hand, in the order of the path. The dashboard shows a
#: user the steps of their own role (an admin sees them all, read-only).
QUEUE_STEPS: tuple[QueueStep, ...] = (
    QueueStep(ProposalStatus.SUBMITTED, Role.VILLAGE_OPERATOR, _("Menunggu musyawarah desa/kelurahan"), "musdes-list"),
    QueueStep(ProposalStatus.RETURNED, Role.VILLAGE_OPERATOR, _("Dikembalikan untuk perbaikan"), "proposal-list"),
    QueueStep(
        ProposalStatus.MUSDES_APPROVED, Role.SOCIAL_OFFICER, _("Menunggu verifikasi Dinas Sosial"), "verification-queue"
    ),
    QueueStep(ProposalStatus.VERIFIED, Role.REGENCY_HEAD, _("Menunggu persetujuan bupati/wali kota"), "approval-queue"),
    QueueStep(
        ProposalStatus.REGENCY_APPROVED, Role.PROVINCIAL_STAFF, _("Menunggu penerusan provinsi"), "forwarding-queue"
    ),
    QueueStep(
        ProposalStatus.FORWARDED, Role.MINISTRY_STAFF, _("Menunggu penetapan Kementerian Sosial"), "determination-queue"
    ),
)


def steps_for(user: User) -> list[QueueStep]:
    if user.role == Role.ADMIN or user.is_superuser:
        return list(QUEUE_STEPS)
    return [s for s in QUEUE_STEPS if s.role == user.role]


def waiting_since():
    """When the proposal entered its current status (older rows: submitted/created)."""
    return Coalesce("status_changed_at", "submitted_at", "created_at")


def days_since(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> int | None:
    if moment is None:
        return None
    return max(((now or timezone.now()) - moment).days, 0)


@dataclass
class StepCount:
    step: QueueStep
    count: int
    oldest: datetime.datetime | None
    mine: int

    @property
    def oldest_days(self) -> int | None:
        return days_since(self.oldest)


def queue_counts(user: User) -> list[StepCount]:
    """Per step of the user's role: how many wait, since when the oldest, how many are
    assigned to the user. One aggregate query for all steps."""
    steps = steps_for(user)
    if not steps:
        return []
    rows = (
        Proposal.objects.visible_to(user)
        .filter(status__in=[s.status for s in steps])
        .order_by()
        .values("status")
        .annotate(
            n=Count("pk"),
            oldest=Min(waiting_since()),
            mine=Count("pk", filter=Q(assignment__verifier=user)),
        )
    )
    by_status = {r["status"]: r for r in rows}
    result = []
    for step in steps:
        row = by_status.get(step.status, {})
        result.append(StepCount(step, row.get("n", 0), row.get("oldest"), row.get("mine", 0)))
    return result


# --- duplicate / match flags ------------------------------------------------------------------


def flagged_members(proposal_ref="pk", household_ref="household_id") -> QuerySet[ProposalMember]:
    """Members of the outer proposal whose NIK already stands elsewhere: in a registered
    household other than the one the proposal updates, or in another open proposal.

    The query form of ``registrations.selectors.member_duplicate_flags`` (same rules),
    for filtering and counting over a whole queue.
    """
    registered_elsewhere = Member.objects.filter(nik=OuterRef("nik")).exclude(
        # COALESCE: a new proposal (no household) excludes nothing; a bare OuterRef to
        # a NULL column would make the negated comparison NULL and hide every match.
        household_id=Coalesce(OuterRef(OuterRef(household_ref)), Value(0))
    )
    in_other_open_proposal = (
        ProposalMember.objects.filter(nik=OuterRef("nik"))
        .exclude(proposal_id=OuterRef("proposal_id"))
        .exclude(proposal__status__in=CLOSED_STATUSES)
    )
    return ProposalMember.objects.filter(proposal_id=OuterRef(proposal_ref)).filter(
        Exists(registered_elsewhere) | Exists(in_other_open_proposal)
    )


def has_flags() -> Exists:
    return Exists(flagged_members())


def flag_count():
    counted = flagged_members().order_by().values("proposal_id").annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def population_attention_members(proposal_ref="pk") -> QuerySet[ProposalMember]:
    """Members of the outer proposal whose check against the population records
    (``verification.workflow.services.matching``) needs a look: NIK not found, different data,
    deceased, moved, invalid. Members not yet checked are not counted."""
    attention = [o for o in MatchOutcome.values if o != MatchOutcome.MATCHED]
    return ProposalMember.objects.filter(proposal_id=OuterRef(proposal_ref), match__outcome__in=attention)


def has_population_attention() -> Exists:
    return Exists(population_attention_members())


def population_attention_count():
    counted = population_attention_members().order_by().values("proposal_id").annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --- the queues -------------------------------------------------------------------------------


def _annotated(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What every queue row shows, without a query per row."""
    head = ProposalMember.objects.filter(proposal_id=OuterRef("pk"), relation=Relation.HEAD).values("full_name")[:1]
    members = (
        ProposalMember.objects.filter(proposal_id=OuterRef("pk"))
        .order_by()
        .values("proposal_id")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return (
        queryset.select_related("village__parent__parent", "assignment__verifier")
        .annotate(
            head_name=Subquery(head),
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            flag_count=flag_count(),
            match_count=population_attention_count(),
            waiting_since=waiting_since(),
        )
        .order_by("waiting_since", "pk")
    )


@dataclass
class QueueFilters:
    """The filters a queue page accepts (all optional; invalid values are ignored)."""

    village: str = ""
    region: str = ""
    min_days: int | None = None
    flagged: str = ""  # "ya" (NIK elsewhere) / "dukcapil" (population check) / "tidak" (neither)
    assigned: str = ""  # "saya" / "belum"
    number: str = ""


def _apply(queryset: QuerySet[Proposal], user: User, filters: QueueFilters) -> QuerySet[Proposal]:
    if filters.village:
        queryset = queryset.filter(village_id=filters.village)
    if filters.region:
        queryset = queryset.filter(scope_filter("village", filters.region))
    if filters.min_days:
        queryset = queryset.filter(waiting_since__lte=timezone.now() - datetime.timedelta(days=filters.min_days))
    if filters.flagged == "ya":
        queryset = queryset.filter(has_flags())
    elif filters.flagged == "dukcapil":
        queryset = queryset.filter(has_population_attention())
    elif filters.flagged == "tidak":
        queryset = queryset.filter(~has_flags() & ~has_population_attention())
    if filters.assigned == "saya":
        queryset = queryset.filter(assignment__verifier=user)
    elif filters.assigned == "belum":
        queryset = queryset.filter(assignment__isnull=True)
    if filters.number:
        queryset = queryset.filter(tracking_number=filters.number.strip().upper())
    return queryset


def queue(user: User, status: str, filters: QueueFilters | None = None) -> QuerySet[Proposal]:
    """The proposals of one status in the user's scope, annotated for the lists and exports."""
    queryset = _annotated(Proposal.objects.visible_to(user).filter(status=status))
    return _apply(queryset, user, filters or QueueFilters())


def counts_by_region(user: User, status: str, level: int) -> list[dict]:
    """How many of the user's proposals in ``status`` each region of ``level`` holds
    (regencies for the province, provinces for the ministry). One query."""
    # A village code's first ``level`` parts are its region of that level.
    prefix_length = {RegionLevel.PROVINCE: 2, RegionLevel.REGENCY: 5}[level]
    rows = (
        Proposal.objects.visible_to(user)
        .filter(status=status)
        .annotate(region_code=Left("village_id", prefix_length))
        .order_by()
        .values("region_code")
        .annotate(n=Count("pk"), oldest=Min(waiting_since()))
        .order_by("region_code")
    )
    rows = list(rows)
    names = Region.objects.in_bulk([r["region_code"] for r in rows])
    for r in rows:
        r["region"] = names.get(r["region_code"])
        r["oldest_days"] = days_since(r["oldest"])
    return rows


# --- choices for the filter and assignment forms --------------------------------------------


def regions_in_scope(user: User, level: int) -> QuerySet[Region]:
    return Region.objects.filter(scope_filter("code", region_scope(user)), level=level).order_by("code")


def villages_in_scope(user: User) -> QuerySet[Region]:
    return regions_in_scope(user, RegionLevel.VILLAGE).select_related("parent")


def verifiers_for(user: User) -> QuerySet[User]:
    """Active social-office staff of the user's own regency (who may be assigned)."""
    if user.role != Role.SOCIAL_OFFICER or not user.region_id:
        return User.objects.none()
    return User.objects.filter(role=Role.SOCIAL_OFFICER, region_id=user.region_id, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


# --- batches (decrees, letters, rounds) ---------------------------------------------------------


def batches_for(user: User, kind: str) -> QuerySet[Batch]:
    """Past batches of one kind the user's scope reaches, with their proposal count.

    A batch belongs to its issuer's region; national rounds (no region) are reached
    only by national users.
    """
    return (
        Batch.objects.visible_to(user)
        .filter(kind=kind)
        .select_related("region", "actor")
        .annotate(proposal_count=Count("proposals"))
        .order_by("-created_at", "-pk")
    )


def batch_for(user: User, pk: int) -> Batch:
    return get_scoped_object_or_404(Batch.objects.select_related("region", "actor"), user, pk=pk)


def batch_proposals(user: User, batch: Batch) -> QuerySet[Proposal]:
    """The batch's proposals that the user may see (all of them for its own issuer)."""
    queryset = Proposal.objects.visible_to(user).filter(batches=batch)
    return _annotated(queryset).order_by("village_id", "tracking_number")
