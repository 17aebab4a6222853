"""Keeping ``LookupEntry`` in step with the register, proposals and eligibility results.

The lookup index is derived data, rebuilt per village: a village's rows are replaced in
one transaction from its register members, the members of its submitted proposals and
the latest programme results of its households. ``lookup_sweep`` (beat, every five
minutes; also ``manage.py rebuild_lookup --changed``) rebuilds only the villages whose
sources changed since the last sweep, so nothing in the lower apps has to call up here.

Population (Dukcapil) records are deliberately not indexed: listing everyone the civil
registry knows in a village, even masked, would turn the public lookup into a directory
of residents; a person outside DTSEN gets the "not found" guidance instead.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from eligibility.models import HouseholdScore, Programme, RecipientResult
from registrations.models import Household, Member, Proposal, ProposalMember, ProposalStatus, Region
from registrations.models.proposals import CLOSED_STATUSES
from registrations.names import PREFIX_TITLES, mask_name, normalize_name

from .models import LookupEntry, LookupSource, LookupStatus, LookupSync

#: Overlap with the previous sweep, for rows committed while it ran.
SWEEP_OVERLAP = datetime.timedelta(minutes=2)


def person_ref(nik: str) -> str:
    """A keyed hash of the NIK: dedupes a person without keeping the NIK in the index."""
    digest = hmac.new(f"lookup:{settings.SECRET_KEY}".encode(), nik.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def public_mask(full_name: str) -> str:
    """The masked name as shown: titles and degrees off ("Hj. Suharti, S.Pd." → "SU**RTI")."""
    words = full_name.partition(",")[0].split()
    while len(words) > 1 and re.sub(r"[^a-z]", "", words[0].lower()) in PREFIX_TITLES:
        words = words[1:]
    return mask_name(" ".join(words))[:120]


def _active_programmes() -> list[tuple[int, str, str]]:
    return list(Programme.objects.filter(active=True).order_by("id").values_list("id", "code", "name"))


def _programme_rows(household_ids: list[int], programmes: list[tuple[int, str, str]]) -> dict[int, list[dict]]:
    """Each household's latest result per active programme, in programme order."""
    latest: dict[tuple[int, int], tuple[bool, str]] = {}
    results = (
        RecipientResult.objects.filter(household_id__in=household_ids)
        .order_by("household_id", "programme_id", "-period")
        .values_list("household_id", "programme_id", "included", "period")
    )
    for household_id, programme_id, included, period in results:
        latest.setdefault((household_id, programme_id), (included, period))
    rows: dict[int, list[dict]] = {}
    for household_id in household_ids:
        rows[household_id] = [
            {
                "code": code,
                "name": name,
                "included": latest.get((household_id, pid), (None, ""))[0],
                "period": latest.get((household_id, pid), (None, ""))[1],
            }
            for pid, code, name in programmes
        ]
    return rows


def _desils(household_ids: list[int]) -> dict[int, int]:
    if not settings.LOOKUP_PUBLIC_DESIL:
        return {}
    return dict(
        HouseholdScore.objects.current()
        .filter(household_id__in=household_ids)
        .values_list("household_id", "desil_national")
    )


def build_village_entries(village_code: str, programmes: list | None = None) -> list[LookupEntry]:
    """The entries a village should have now (not saved); ``programmes`` are the active
    ones, read once by a caller that indexes many villages."""
    entries: dict[str, LookupEntry] = {}
    registered = dict(Household.objects.filter(village_id=village_code).values_list("id", "registered_at"))
    household_ids = list(registered)
    if programmes is None:
        programmes = _active_programmes()
    results = _programme_rows(household_ids, programmes) if household_ids else {}
    desils = _desils(household_ids) if household_ids else {}
    members = Member.objects.filter(household_id__in=household_ids).values_list(
        "id", "household_id", "nik", "full_name"
    )
    for member_id, household_id, nik, full_name in members:
        is_registered = registered[household_id] is not None
        ref = person_ref(nik)
        entries[ref] = LookupEntry(
            village_code=village_code,
            name_key=normalize_name(full_name)[:120],
            masked_name=public_mask(full_name),
            status=LookupStatus.REGISTERED if is_registered else LookupStatus.NOT_REGISTERED,
            desil=desils.get(household_id) if is_registered else None,
            programmes=results.get(household_id, []) if is_registered else [],
            source=LookupSource.REGISTER,
            source_id=member_id,
            household_id=household_id,
            person_ref=ref,
        )
    # Submitted proposals (drafts are nobody's business yet); the newest per person wins.
    proposal_members = (
        ProposalMember.objects.filter(proposal__village_id=village_code)
        .exclude(proposal__status=ProposalStatus.DRAFT)
        .order_by("proposal__created_at", "proposal_id")
        .values_list("id", "nik", "full_name", "proposal__status", "proposal__household_id")
    )
    labels = dict(ProposalStatus.choices)
    for pm_id, nik, full_name, status, household_id in proposal_members:
        ref = person_ref(nik)
        is_open = status not in CLOSED_STATUSES
        current = entries.get(ref)
        if current is not None and current.source == LookupSource.REGISTER:
            if is_open:  # a registered household asking for an update
                current.step = gettext("Usulan perubahan: %(status)s") % {"status": labels[status]}
            continue
        if not is_open and status == ProposalStatus.DETERMINED:
            continue  # determined: the register row (if written) speaks for them
        entries[ref] = LookupEntry(
            village_code=village_code,
            name_key=normalize_name(full_name)[:120],
            masked_name=public_mask(full_name),
            status=LookupStatus.IN_PROGRESS if is_open else LookupStatus.NOT_REGISTERED,
            step=str(labels[status]) if is_open else "",
            source=LookupSource.PROPOSAL,
            source_id=pm_id,
            household_id=household_id,
            person_ref=ref,
        )
    return [e for e in entries.values() if e.name_key]


def lookup_index_village(village_code: str, programmes: list | None = None) -> int:
    """Replace one village's entries; returns how many it now has.

    The village's region row is locked first, so two rebuilds of one village (a sweep
    still running when the next begins, or ``rebuild_lookup`` beside it) take turns:
    the second deletes what the first wrote instead of colliding with it.
    """
    entries = build_village_entries(village_code, programmes)
    with transaction.atomic():
        list(Region.objects.select_for_update().filter(pk=village_code).values_list("pk"))
        LookupEntry.objects.filter(village_code=village_code).delete()
        LookupEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def lookup_index_villages(village_codes: Iterable[str]) -> int:
    programmes = _active_programmes()
    return sum(lookup_index_village(code, programmes) for code in sorted(set(village_codes)))


def all_source_villages() -> set[str]:
    codes = set(Household.objects.values_list("village_id", flat=True).distinct())
    codes |= set(Proposal.objects.values_list("village_id", flat=True).distinct())
    return codes


def changed_villages(since: datetime.datetime) -> set[str]:
    """Villages whose register, proposals, scores or results changed after ``since``."""
    codes = set(Household.objects.filter(updated_at__gt=since).values_list("village_id", flat=True).distinct())
    codes |= set(
        Proposal.objects.filter(Q(updated_at__gt=since) | Q(status_changed_at__gt=since))
        .values_list("village_id", flat=True)
        .distinct()
    )
    codes |= set(RecipientResult.objects.filter(decided_at__gt=since).values_list("village_code", flat=True).distinct())
    codes |= set(HouseholdScore.objects.filter(computed_at__gt=since).values_list("village_code", flat=True).distinct())
    return codes


def lookup_sweep() -> int:
    """Rebuild the villages changed since the last sweep (the first sweep: all)."""
    started = timezone.now()
    sync = LookupSync.objects.first()
    villages = all_source_villages() if sync is None else changed_villages(sync.synced_until - SWEEP_OVERLAP)
    count = lookup_index_villages(villages)
    LookupSync.objects.update_or_create(pk=1, defaults={"synced_until": started})
    return count


def lookup_rebuild_all() -> int:
    """Every village with people, from scratch; stale villages lose their rows."""
    started = timezone.now()
    villages = all_source_villages()
    stale = set(LookupEntry.objects.values_list("village_code", flat=True).distinct()) - villages
    LookupEntry.objects.filter(village_code__in=stale).delete()
    count = lookup_index_villages(villages)
    LookupSync.objects.update_or_create(pk=1, defaults={"synced_until": started})
    return count
