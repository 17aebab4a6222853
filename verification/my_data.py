"""Verification's section of "Data saya" (``registrations.services.my_data``): for each of
the resident's proposals, the matching result of every member, the field visits and the
musdes outcomes. Registered in ``VerificationConfig.ready()``.

Matching candidates and duplicate flags name other people, and staff appear nowhere:
those fields are left out.
"""

from registrations.services.my_data import Export, fields_of
from verification.models import DeliberationItem, FieldVisit, MemberMatch


def _by_proposal(queryset) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in queryset:
        grouped.setdefault(row.proposal_id, []).append(row)
    return grouped


def proposal_outcomes(export: Export) -> None:
    """One query per kind for all the proposals, never one per proposal or member."""
    matches = {m.member_id: m for m in MemberMatch.objects.filter(member__proposal__in=export.proposals)}
    for member_id, row in export.member_rows.items():
        match = matches.get(member_id)
        if match is not None:
            row["hasil_pencocokan"] = fields_of(match, exclude=("candidates", "duplicates", "record", "member"))
    visits = _by_proposal(FieldVisit.objects.filter(proposal__in=export.proposals))
    items = _by_proposal(DeliberationItem.objects.filter(proposal__in=export.proposals))
    for proposal_id, entry in export.proposal_entries.items():
        entry["kunjungan_lapangan"] = [
            fields_of(v, exclude=("verifier", "proposal")) for v in visits.get(proposal_id, [])
        ]
        entry["musyawarah"] = [fields_of(i, exclude=("recorded_by", "proposal")) for i in items.get(proposal_id, [])]
