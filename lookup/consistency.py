"""The public lookup's invariant for ``manage.py check_consistency``: every register
household is in the lookup index (once a sweep has run since it changed)."""

from __future__ import annotations

from collections.abc import Iterator

from lookup.models import LookupEntry, LookupSource, LookupSync
from registrations.models import Household
from registrations.services.consistency import Finding


def register_households_indexed() -> Iterator[Finding]:
    """A household changed after the last sweep began is not late yet; the next sweep (or
    the event that changed it) indexes it. Every other register household has entries."""
    sync = LookupSync.objects.first()
    households = Household.objects.filter(registered_at__isnull=False, members__isnull=False).distinct()
    if sync is not None:
        households = households.filter(updated_at__lt=sync.synced_until)
    indexed = LookupEntry.objects.filter(source=LookupSource.REGISTER).values("household_id")
    for pk, village in households.exclude(pk__in=indexed).values_list("pk", "village_id").iterator():
        yield Finding("lookup_index", f"household #{pk} ({village})", "in the register, not in the lookup index")
