"""Import of population events (births, deaths, moves, KK changes) and the flags they raise.

One code path serves ``manage.py import_population_events`` and the staff upload page
(through ``population.job_run``, the same job machinery as the record import). The
format is in ``docs/population.md``.

Per row: validate (a bad row is reported with its line and every reason, and skipped);
then, in the chunk's transaction, store the event under its key (``event_id``, or the
row's hash when the file has no such column), apply it to the ``PopulationRecord``
and raise ``PopulationFlag`` rows on the registered households and open proposals it
touches. An event whose key is already stored is skipped (same content) or reported
(same ``event_id``, different content), so rerunning a file changes nothing.

Two imports of the same file at the same time (two workers, two staff uploads) do not
collide: a chunk first claims its new keys (``INSERT ... ON CONFLICT DO NOTHING``, see
``_claim``), and only the import that stored an event applies it and raises its
flags; the other counts it as unchanged, as a rerun would.

Applying an event never moves a record back in time: a record already deceased stays
deceased (a death dated earlier only corrects its date), and a move dated before the
record's status date changes nothing. A death always makes a living record deceased,
whatever its date: a death is final, a move recorded after it is a clerical lag.
A death, move or KK change of a NIK the records do not hold is still
stored and still raises its flags (a registered member may be missing from the copy).
A birth of a NIK already held leaves that record as it is.

Drafts are not "open proposals" here: staff never see them, and the matching run at
submission checks every member against the updated records anyway.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import Household, Member, Proposal, ProposalMember, ProposalStatus
from registrations.names import normalize_name
from registrations.scoping import NATIONAL, code_in_scope
from verification.models import EventType, FlagKind, LifeStatus, PopulationEvent, PopulationFlag, PopulationRecord
from verification.population.columns import (
    BadRow,
    mask_nik,
)

# --- Applying events ------------------------------------------------------------------------
from verification.population.event_rows import (
    DEFAULT_CHUNK_SIZE,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    UNDER_FIVE_DAYS,
    EventImportResult,
    EventRow,
    _Chunk,
    _chunks,
    _RowValidator,
    parse_header,
)
from verification.population.reading import _open_text, _read_header


def _open_proposals():
    """Proposals staff work on: submitted and not yet final (drafts excluded, see module doc)."""
    return Proposal.objects.open().exclude(status=ProposalStatus.DRAFT)


class _Targets:
    """The registered members, open-proposal members, households and proposals a chunk's
    events may touch, loaded with one query each."""

    def __init__(self, rows: list[EventRow], records: dict[str, PopulationRecord]):
        niks = {r.nik for r in rows}
        kks = set()
        for r in rows:
            if r.event_type in (EventType.BIRTH, EventType.KK_CHANGE):
                kks.update(k for k in (r.kk_number, r.new_kk_number) if k)
                record = records.get(r.nik)
                if record is not None and record.kk_number:
                    kks.add(record.kk_number)
        self.members: dict[str, list[Member]] = {}
        for m in Member.objects.filter(nik__in=niks).select_related("household"):
            self.members.setdefault(m.nik, []).append(m)
        self.proposal_members: dict[str, list[ProposalMember]] = {}
        for pm in ProposalMember.objects.filter(nik__in=niks, proposal__in=_open_proposals()).select_related(
            "proposal"
        ):
            self.proposal_members.setdefault(pm.nik, []).append(pm)
        self.households = {h.kk_number: h for h in Household.objects.filter(kk_number__in=kks)} if kks else {}
        self.proposals: dict[str, list[Proposal]] = {}
        if kks:
            for p in _open_proposals().filter(kk_number__in=kks):
                self.proposals.setdefault(p.kk_number, []).append(p)


def _flags_for(event: PopulationEvent, row: EventRow, old_kk: str, targets: _Targets) -> list[PopulationFlag]:
    """The flags an event raises, at most one per household and per proposal."""
    flags: dict[tuple[str, int], PopulationFlag] = {}  # one per (household|proposal, pk)
    masked = mask_nik(row.nik)

    def flag(kind, target, member=None, name="", *, on: str):
        """One flag per household (``on="household"``) or proposal (``on="proposal"``)."""
        if (on, target.pk) not in flags:
            flags[on, target.pk] = PopulationFlag(
                kind=kind,
                event=event,
                **{on: target, "member" if on == "household" else "proposal_member": member},
                member_name=(member.full_name if member else name)[:120],
                masked_nik=masked,
                village_id=target.village_id,
            )

    def household_flag(kind, household, member=None, name=""):
        flag(kind, household, member, name, on="household")

    def proposal_flag(kind, proposal, member=None, name=""):
        flag(kind, proposal, member, name, on="proposal")

    members = targets.members.get(row.nik, [])
    proposal_members = targets.proposal_members.get(row.nik, [])
    if row.event_type == EventType.DEATH:
        for m in members:
            household_flag(FlagKind.DECEASED, m.household, m)
        for pm in proposal_members:
            proposal_flag(FlagKind.DECEASED, pm.proposal, pm)
    elif row.event_type == EventType.MOVE:
        for m in members:
            if not code_in_scope(row.moved_to_code, m.household.village_id):
                household_flag(FlagKind.MOVED_OUT, m.household, m)
        for pm in proposal_members:
            if not code_in_scope(row.moved_to_code, pm.proposal.village_id):
                proposal_flag(FlagKind.MOVED_OUT, pm.proposal, pm)
    elif row.event_type == EventType.BIRTH:
        if (datetime.date.today() - row.birth_date).days < UNDER_FIVE_DAYS:
            household = targets.households.get(row.kk_number)
            if household is not None:
                household_flag(FlagKind.BIRTH, household, name=row.full_name)
            for proposal in targets.proposals.get(row.kk_number, []):
                proposal_flag(FlagKind.BIRTH, proposal, name=row.full_name)
    elif row.event_type == EventType.KK_CHANGE:
        for m in members:
            household_flag(FlagKind.KK_CHANGE, m.household, m)
        for pm in proposal_members:
            proposal_flag(FlagKind.KK_CHANGE, pm.proposal, pm)
        for kk in (old_kk, row.new_kk_number):
            household = targets.households.get(kk) if kk else None
            if household is not None:
                household_flag(FlagKind.KK_CHANGE, household, name=row.full_name)
            for proposal in targets.proposals.get(kk, []) if kk else []:
                proposal_flag(FlagKind.KK_CHANGE, proposal, name=row.full_name)
    return list(flags.values())


def _apply(row: EventRow, record: PopulationRecord | None) -> tuple[PopulationRecord | None, str]:
    """Apply the event to the record (creating it for a birth); returns the record and
    what happened to it: ``"created"``, ``"updated"`` or ``""``."""
    if row.event_type == EventType.BIRTH:
        if record is not None:
            return record, ""
        record = PopulationRecord.objects.create(
            nik=row.nik,
            kk_number=row.kk_number,
            full_name=row.full_name,
            name_key=normalize_name(row.full_name)[:120],
            birth_date=row.birth_date,
            sex=row.sex,
            village_code=row.village_code,
            status=LifeStatus.ALIVE,
        )
        return record, "created"
    if record is None:
        return None, ""
    stale = record.status_date is not None and row.event_date < record.status_date
    changed: list[str] = []
    if row.event_type == EventType.DEATH:
        if record.status != LifeStatus.DECEASED or stale:
            record.status, record.status_date = LifeStatus.DECEASED, row.event_date
            changed += ["status", "status_date"]
    elif row.event_type == EventType.MOVE:
        if record.status != LifeStatus.DECEASED and not stale:
            record.status, record.status_date = LifeStatus.MOVED, row.event_date
            record.moved_to_code = row.moved_to_code
            changed += ["status", "status_date", "moved_to_code"]
    elif row.event_type == EventType.KK_CHANGE and record.kk_number != row.new_kk_number:
        record.kk_number = row.new_kk_number
        changed.append("kk_number")
    if not changed:
        return record, ""
    record.save(update_fields=[*changed, "updated_at"])
    return record, "updated"


def _stored_hashes(keys: list[str]) -> dict[str, str]:
    """Event key → row hash of the keys already stored (committed, or by this transaction)."""
    return dict(PopulationEvent.objects.filter(event_key__in=keys).values_list("event_key", "row_hash"))


#: The columns ``_claim`` writes; ``record`` and the old ``kk_number`` follow once applied.
#: The event row as stored: its key, the file's columns (``event_id`` is the key, when
#: given), and the row's hash and time.
_CLAIM_COLUMNS = ("event_key", *REQUIRED_COLUMNS, *OPTIONAL_COLUMNS[1:], "row_hash", "imported_at")
_CLAIM_BATCH = 500  # 13 parameters a row: well under SQLite's 32,766


def _claim(rows: list[EventRow]) -> dict[str, int]:
    """Store the rows' events unless their key is already stored; returns key → id of the
    events this transaction stored (its to apply), leaving out the others.

    ``INSERT ... ON CONFLICT (event_key) DO NOTHING``: when another import has inserted
    the same key and not yet committed, PostgreSQL waits for it and then skips the row (or
    inserts it, if the other rolled back), so of two imports of the same events exactly
    one stores each, and only that one applies it and raises its flags. Keys go in sorted
    order, so two imports of overlapping files wait on each other in one order, never in
    a cycle. SQLite (3.35 or later) runs the same statement.
    """
    meta = PopulationEvent._meta
    fields = [meta.get_field(name) for name in _CLAIM_COLUMNS]
    quote = connection.ops.quote_name
    key_column = quote(meta.get_field("event_key").column)
    columns = ", ".join(quote(f.column) for f in fields)
    row_placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    now = timezone.now()
    claimed: dict[str, int] = {}
    ordered = sorted(rows, key=lambda r: r.key)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), _CLAIM_BATCH):
            batch = ordered[start : start + _CLAIM_BATCH]
            params: list = []
            for r in batch:
                values = (
                    r.key, r.event_type, r.nik, r.event_date, r.kk_number, r.full_name, r.birth_date, r.sex,
                    r.village_code, r.moved_to_code, r.new_kk_number, r.row_hash, now,
                )  # fmt: skip
                params += [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row_placeholders] * len(batch))} "  # noqa: S608 - our names, values bound
                f"ON CONFLICT ({key_column}) DO NOTHING RETURNING {quote(meta.pk.column)}, {key_column}",
                params,
            )
            claimed.update((key, pk) for pk, key in cursor.fetchall())
    return claimed


def _write_chunk(chunk: _Chunk, scope: str | None, first_line: dict[str, tuple[int, str]]) -> tuple[list[BadRow], dict]:
    """Store the chunk's new events, apply them and raise their flags (one transaction).

    Safe against another import of the same (or an overlapping) file at the same time:
    the events are claimed first (``_claim``), and only the claimed ones are applied;
    rows another import stored meanwhile count as ``unchanged`` here, exactly as in a
    rerun. Locks are taken in one order: event keys (sorted), then records (by NIK).
    """
    counts = {"inserted": 0, "unchanged": 0, "records_created": 0, "records_updated": 0, "flags": 0}
    bad: list[BadRow] = []
    if not chunk.rows:
        return bad, counts

    def already_stored(row: EventRow, stored_hash: str) -> None:
        if stored_hash == row.row_hash:
            counts["unchanged"] += 1
        else:
            bad.append(BadRow(row.line, row.nik, _("event_id sudah tercatat dengan isi yang berbeda")))
        first_line[row.key] = (row.line, stored_hash)

    with transaction.atomic():
        stored = _stored_hashes([r.key for r in chunk.rows])
        new_rows: list[EventRow] = []
        for row in chunk.rows:
            seen = first_line.get(row.key)
            if seen is not None:
                if seen[1] == row.row_hash:
                    counts["unchanged"] += 1
                else:
                    bad.append(
                        BadRow(
                            row.line,
                            row.nik,
                            _("event_id sama dengan baris %(n)s tetapi isinya berbeda") % {"n": seen[0]},
                        )
                    )
                continue
            if row.key in stored:
                already_stored(row, stored[row.key])
                continue
            first_line[row.key] = (row.line, row.row_hash)
            new_rows.append(row)
        if not new_rows:
            return bad, counts
        claimed = _claim(new_rows)
        if len(claimed) < len(new_rows):
            # Another import stored these since ``stored`` was read, and has committed
            # (the claim waited for it): a later statement sees its rows.
            lost = [r for r in new_rows if r.key not in claimed]
            now_stored = _stored_hashes([r.key for r in lost])
            for row in lost:  # (a key deleted again since, by anything else, counts as unchanged)
                already_stored(row, now_stored.get(row.key, row.row_hash))
            new_rows = [r for r in new_rows if r.key in claimed]
        if not new_rows:
            return bad, counts
        # Locked after the claim, so what the other import did to them is seen here.
        records = {
            r.nik: r
            for r in PopulationRecord.objects.select_for_update()
            .filter(nik__in={row.nik for row in new_rows})
            .order_by("nik")
        }
        accepted, refused = [], []
        for row in new_rows:
            record = records.get(row.nik)
            village = record.village_code if record is not None else row.village_code
            if scope != NATIONAL and not code_in_scope(village or None, scope):
                bad.append(BadRow(row.line, row.nik, _("di luar wilayah Anda")))
                refused.append(claimed[row.key])
                continue
            accepted.append(row)
        if refused:  # claimed but not ours to store: another import waiting on the key may take it
            PopulationEvent.objects.filter(pk__in=refused).delete()
        targets = _Targets(accepted, records)
        flags: list[PopulationFlag] = []
        completed: list[PopulationEvent] = []
        for row in accepted:
            record = records.get(row.nik)
            old_kk = row.kk_number or (record.kk_number if record is not None else "")
            record, what = _apply(row, record)
            if record is not None:
                records[row.nik] = record
            if what:
                counts[f"records_{what}"] += 1
            event = PopulationEvent(
                pk=claimed[row.key],
                event_key=row.key,
                event_type=row.event_type,
                nik=row.nik,
                event_date=row.event_date,
                kk_number=old_kk,
                full_name=row.full_name,
                birth_date=row.birth_date,
                sex=row.sex,
                village_code=row.village_code,
                moved_to_code=row.moved_to_code,
                new_kk_number=row.new_kk_number,
                row_hash=row.row_hash,
                record=record,
            )
            if record is not None or old_kk != row.kk_number:
                completed.append(event)
            counts["inserted"] += 1
            flags += _flags_for(event, row, old_kk, targets)
        if completed:
            PopulationEvent.objects.bulk_update(completed, ["record", "kk_number"], batch_size=_CLAIM_BATCH)
        if flags:
            # Only this transaction raises flags for the events it claimed: no conflicts.
            counts["flags"] += len(PopulationFlag.objects.bulk_create(flags))
    return bad, counts


def import_population_events(
    source,
    *,
    scope: str | None = NATIONAL,
    on_bad_row: Callable[[BadRow], None] | None = None,
    on_progress: Callable[[EventImportResult], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> EventImportResult:
    """Import an events CSV (path or file object); see the module doc and docs/population.md.

    Streamed: rows are read and written ``chunk_size`` at a time, each chunk in its own
    transaction. ``scope`` limits rows to a region (the record's village, or the row's
    ``village_code`` when the record is unknown) as for the record import.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    result = EventImportResult()
    first_line: dict[str, tuple[int, str]] = {}  # event key → (line, hash), bounded below
    with _open_text(source) as stream:
        delimiter, index, _fields = _read_header(stream, parse=parse_header)
        validate = _RowValidator(index)
        for chunk in _chunks(stream, delimiter=delimiter, validate=validate, chunk_size=chunk_size):
            db_bad, counts = _write_chunk(chunk, scope, first_line)
            if len(first_line) > 200_000:
                first_line.clear()  # later repeats are then found in the table instead
            bad = sorted(chunk.bad + db_bad, key=lambda b: b.line)
            result.read += chunk.read
            result.bad += len(bad)
            result.lines = chunk.lines
            for name, value in counts.items():
                setattr(result, name, getattr(result, name) + value)
            if on_bad_row is not None:
                for item in bad:
                    on_bad_row(item)
            if on_progress is not None:
                on_progress(result)
    return result
