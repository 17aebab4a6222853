"""Reads for the public lookup, the tracking page and the sanggah queues.

Public reads return plain dataclasses built from whitelisted columns only, so a NIK,
KK number, address or photo cannot reach a response even by a template mistake.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.utils.translation import gettext_lazy as _

from registrations.models import Proposal, ProposalEvent, ProposalStatus, Region, Relation
from registrations.models.proposals import CLOSED_STATUSES
from registrations.models.regions import RegionLevel
from registrations.names import normalize_name

from .models import LookupEntry, LookupStatus, Objection

#: Fewest letters (after normalising) a searched name must have.
MIN_NAME_LETTERS = 4
#: Most people one search may show; more matches ask for the full name instead.
MAX_RESULTS = 10
#: Seconds a worker trusts a village it has looked up (codes and names change by decree).
VILLAGE_TTL = 300


@dataclass(frozen=True)
class PublicPerson:
    entry_id: int
    masked_name: str
    status: str
    status_label: str
    step: str
    desil: int | None
    programmes: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class SearchOutcome:
    people: list[PublicPerson]
    too_many: bool = False

    @property
    def found(self) -> bool:
        return bool(self.people)


def name_key_or_none(name: str) -> str | None:
    """The searchable key of a typed name, or ``None`` when too short to search."""
    key = normalize_name(name)
    return key if len(key.replace(" ", "")) >= MIN_NAME_LETTERS else None


@dataclass(frozen=True)
class Village:
    code: str
    display_name: str


def village_or_none(code: str) -> Village | None:
    """The village with this code, or ``None``; kept per worker for ``VILLAGE_TTL`` seconds
    so a search does not pay a query for reference data."""
    return _village(code, int(time.monotonic() // VILLAGE_TTL))


@lru_cache(maxsize=4096)
def _village(code: str, _period: int) -> Village | None:
    region = Region.objects.filter(level=RegionLevel.VILLAGE, code=code).only("code", "name", "kind").first()
    return Village(code=region.code, display_name=region.display_name) if region else None


village_or_none.cache_clear = _village.cache_clear


def _public(row: tuple) -> PublicPerson:
    entry_id, masked_name, status, step, desil, programmes = row
    if isinstance(programmes, str):  # raw cursors hand JSON over as text
        programmes = json.loads(programmes)
    return PublicPerson(
        entry_id=entry_id,
        masked_name=masked_name,
        status=status,
        status_label=str(_STATUS_LABELS[status]),
        step=step,
        desil=desil,
        programmes=[
            {"code": p["code"], "name": p["name"], "included": p["included"], "period": p["period"]} for p in programmes
        ],
    )


_STATUS_LABELS = dict(LookupStatus.choices)
_COLUMNS = "id, masked_name, status, step, desil, programmes"  # the whitelist of PublicPerson
_TABLE = LookupEntry._meta.db_table
_EXACT = f"SELECT {_COLUMNS} FROM {_TABLE} WHERE village_code = %s AND name_key = %s ORDER BY name_key, id LIMIT %s"  # noqa: S608
#: Byte-order comparisons, as the index orders keys: ``varchar_pattern_ops`` on PostgreSQL
#: (whatever the collation), SQLite's BINARY by default.
_RANGE = {"postgresql": ("~>=~", "~<~")}
_WORDS = (
    f"SELECT {_COLUMNS} FROM {_TABLE} WHERE village_code = %s AND name_key {{ge}} %s AND name_key {{lt}} %s"  # noqa: S608
    " ORDER BY name_key, id LIMIT %s"
)


def search_sql(*, village_code: str, name_key: str) -> tuple[str, list]:
    """The statement of ``lookup_search`` (also explained by ``bench/lookup.py``)."""
    if " " in name_key:
        ge, lt = _RANGE.get(connection.vendor, (">=", "<"))
        return _WORDS.format(ge=ge, lt=lt), [village_code, name_key, f"{name_key}!", MAX_RESULTS + 1]
    return _EXACT, [village_code, name_key, MAX_RESULTS + 1]


def lookup_search(*, village_code: str, name_key: str) -> SearchOutcome:
    """People of one village whose normalised name is ``name_key`` or, for a name of two
    or more words, starts with it word by word ("siti aminah" finds "siti aminah lestari").

    One index range scan on ``(village_code, name_key)``; a single word matches only
    exactly, so "siti" cannot list every Siti of the village. Keys hold only letters and
    single spaces (``normalize_name``), so "the key, or the key, a space and more" is
    exactly the range ``[key, key + "!")`` (``!`` follows the space). Plain SQL: compiling
    the ORM query cost more than running it.
    """
    sql, params = search_sql(village_code=village_code, name_key=name_key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if len(rows) > MAX_RESULTS:
        return SearchOutcome(people=[], too_many=True)
    return SearchOutcome(people=[_public(row) for row in rows])


# --- tracking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicStep:
    label: str
    at: datetime.datetime


@dataclass(frozen=True)
class PublicTracking:
    tracking_number: str
    status_label: str
    is_closed: bool
    village_name: str
    submitted_at: datetime.datetime | None
    steps: list[PublicStep]


def tracking_lookup(*, tracking_number: str, birth_date: datetime.date) -> PublicTracking | None:
    """A submitted proposal's public timeline, if the birth date is its head of family's.

    ``None`` both for an unknown number and a wrong date: the answer does not tell
    which one was wrong. Reasons are left out: they may name people.
    """
    proposal = (
        Proposal.objects.filter(tracking_number=tracking_number.strip().upper())
        .exclude(status=ProposalStatus.DRAFT)
        .select_related("village")
        .only("id", "tracking_number", "status", "submitted_at", "village__code", "village__name", "village__kind")
        .first()
    )
    if proposal is None:
        return None
    if not proposal.members.filter(relation=Relation.HEAD, birth_date=birth_date).exists():
        return None
    labels = dict(ProposalStatus.choices)
    events = ProposalEvent.objects.filter(proposal=proposal).values_list("to_status", "created_at")
    return PublicTracking(
        tracking_number=proposal.tracking_number,
        status_label=str(labels[proposal.status]),
        is_closed=proposal.status in CLOSED_STATUSES,
        village_name=proposal.village.display_name,
        submitted_at=proposal.submitted_at,
        steps=[PublicStep(label=str(labels[status]), at=at) for status, at in events],
    )


# --- objections -------------------------------------------------------------------------------


def objections_for_staff(user, *, status: str | None = None):
    queryset = Objection.objects.visible_to(user).select_related("village")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def objections_of_objector(user):
    return Objection.objects.filter(objector=user).select_related("village").prefetch_related("events")


def not_found_reasons() -> list[str]:
    return [
        _("Belum pernah diusulkan atau didaftarkan ke DTSEN."),
        _("Perubahan keluarga (pindah, kelahiran, perubahan ekonomi) belum diperbarui."),
        _("Data kependudukan belum sesuai dengan Dukcapil."),
        _("Usulan sebelumnya belum atau tidak lolos verifikasi."),
        _("Nama yang diketik berbeda dengan nama di KTP, atau desa/kelurahan yang dipilih keliru."),
    ]
