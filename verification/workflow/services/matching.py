"""Matching a proposal's members against the population records.

Runs as a follow-up of submission (outbox kind ``match_members``) and on demand by
staff. Every lookup is an indexed query: by NIK (unique), or, when the NIK is not
found, by blocking on birth date + sex (index ``population_birth_sex``) and name
key within the proposal's district, then scoring the few rows that come back. No
scan, whatever the size of the table. Each member also gets the register audit's
flags (``verification/audit/members.py``), shown next to the match result.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from registrations.models import Member, Proposal, ProposalMember
from registrations.names import name_tokens, normalize_name
from registrations.nik import parse_nik
from registrations.scoping import code_in_scope, q_within
from verification.audit.checks import names_agree
from verification.audit.members import audit_member
from verification.models import LifeStatus, MatchOutcome, MemberMatch, PopulationRecord

CANDIDATE_MIN_SCORE = 0.6
MAX_CANDIDATES = 3


def name_similarity(a: str, b: str) -> float:
    """0-100; word order and Indonesian spelling variants and titles ignored."""
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    return max(fuzz.token_sort_ratio(na, nb), fuzz.ratio(na, nb))


def compare_member(member: ProposalMember, record: PopulationRecord) -> list[dict]:
    """The fields in which the proposal and the population record disagree."""
    differences = []
    # The register audit's rule (titles, degrees, spelling variants, one slip), so the
    # match result and the audit flags beside it never judge one name two ways.
    if not names_agree(member.full_name, record.full_name, b_key=record.name_key):
        differences.append({"field": "nama", "proposal": member.full_name, "population": record.full_name})
    if record.birth_date and member.birth_date != record.birth_date:
        differences.append(
            {
                "field": "tanggal_lahir",
                "proposal": member.birth_date.isoformat(),
                "population": record.birth_date.isoformat(),
            }
        )
    if record.sex and member.sex != record.sex:
        differences.append({"field": "jenis_kelamin", "proposal": member.sex, "population": record.sex})
    if record.kk_number and member.proposal.kk_number and record.kk_number != member.proposal.kk_number:
        differences.append(
            {
                "field": "nomor_kk",
                "proposal": "…" + member.proposal.kk_number[-4:],
                "population": "…" + record.kk_number[-4:],
            }
        )
    return differences


def _moved_here(record: PopulationRecord, village: str) -> bool:
    """The record moved into ``village`` (its destination may be a region holding it), as
    the register audit reads a move."""
    return bool(record.moved_to_code) and code_in_scope(village, record.moved_to_code)


def find_candidates(member: ProposalMember) -> list[dict]:
    """Population rows that may be this person though the NIK differs: same birth date
    and sex in the proposal's district, scored on the name."""
    district = member.proposal.village_id.rsplit(".", 1)[0]
    rows = PopulationRecord.objects.filter(
        q_within("village_code", district), birth_date=member.birth_date, sex=member.sex
    ).only("nik", "full_name", "village_code", "status")[:200]
    tokens = set(name_tokens(member.full_name))
    scored = []
    for row in rows:
        similarity = name_similarity(member.full_name, row.full_name) / 100
        overlap = len(tokens & set(name_tokens(row.full_name))) / max(len(tokens), 1)
        score = round(0.7 * similarity + 0.3 * overlap, 3)
        if score >= CANDIDATE_MIN_SCORE:
            scored.append({"nik": row.nik, "name": row.full_name, "village": row.village_code, "score": score})
    return sorted(scored, key=lambda c: -c["score"])[:MAX_CANDIDATES]


def duplicates_of(member: ProposalMember) -> list[dict]:
    found = [
        {"kind": "rumah_tangga_terdaftar", "reference": m.household.masked_kk_number, "village": m.household.village_id}
        for m in Member.objects.filter(nik=member.nik)
        .exclude(household_id=member.proposal.household_id)
        .select_related("household")
    ]
    found += [
        {"kind": "usulan_lain", "reference": m.proposal.tracking_number, "village": m.proposal.village_id}
        for m in ProposalMember.objects.filter(nik=member.nik, proposal__in=Proposal.objects.open())
        .exclude(proposal_id=member.proposal_id)
        .select_related("proposal")
    ]
    return found


def match_member(member: ProposalMember) -> MemberMatch:
    record = None
    differences: list[dict] = []
    candidates: list[dict] = []
    if parse_nik(member.nik).errors:
        outcome = MatchOutcome.INVALID
    else:
        record = PopulationRecord.objects.filter(nik=member.nik).first()
        if record is None:
            candidates = find_candidates(member)
            outcome = MatchOutcome.CANDIDATES if candidates else MatchOutcome.NOT_FOUND
        elif record.status == LifeStatus.DECEASED:
            outcome = MatchOutcome.DECEASED
        elif record.status == LifeStatus.MOVED and not _moved_here(record, member.proposal.village_id):
            outcome = MatchOutcome.MOVED
        else:
            differences = compare_member(member, record)
            outcome = MatchOutcome.MISMATCH if differences else MatchOutcome.MATCHED
    match, _created = MemberMatch.objects.update_or_create(
        member=member,
        defaults={
            "outcome": outcome,
            "record": record,
            "differences": differences,
            "candidates": candidates,
            "duplicates": duplicates_of(member),
            "audit_flags": audit_member(member, record),
        },
    )
    return match


def proposal_match(*, proposal_id: int) -> list[MemberMatch]:
    """Check every member; rerunning replaces the previous result (idempotent)."""
    members = ProposalMember.objects.filter(proposal_id=proposal_id).select_related("proposal")
    return [match_member(m) for m in members]


def run_matching_followup(followup) -> None:
    """Outbox handler for ``match_members``."""
    proposal_match(proposal_id=followup.event.proposal_id)
