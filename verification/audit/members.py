"""The register audit's checks for one proposed member (proposal or walk-in), run by
matching on submission so the operator and Dinas Sosial see the flags before the musdes.

Same rules as the register audit (``checks``); the "extract" is the open proposals:
``duplicate_nik`` when the NIK is in a registered household with another KK or in
another open proposal, ``duplicate_person`` when a registered member or a member of an
open proposal (this one included) in the same village has the same name, birth date and
sex under another NIK. Lookups are indexed by NIK or narrowed to one village and birth
date, a handful of rows per member.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from registrations.models import Member, Proposal, ProposalMember
from verification.audit import flags as F
from verification.audit.checks import RECORD_FIELDS, Facts, check_against_record, mask_number, names_agree, nik_errors


def _facts(member: ProposalMember) -> Facts:
    proposal = member.proposal
    return Facts(
        nik=member.nik,
        kk=proposal.kk_number or None,
        name=member.full_name,
        birth_date=member.birth_date,
        sex=member.sex,
        village=proposal.village_id,
    )


def _duplicate_nik(member: ProposalMember) -> list[str]:
    proposal = member.proposal
    details = [
        _("rumah tangga DTSEN KK %(kk)s, desa %(v)s") % {"kk": mask_number(kk), "v": village}
        for kk, village in Member.objects.filter(nik=member.nik)
        .exclude(household__kk_number=proposal.kk_number)
        .values_list("household__kk_number", "household__village_id")
    ]
    details += [
        _("usulan %(n)s (desa %(v)s)") % {"n": number, "v": village}
        for number, village in ProposalMember.objects.filter(nik=member.nik, proposal__in=Proposal.objects.open())
        .exclude(proposal_id=member.proposal_id)
        .exclude(proposal__kk_number=proposal.kk_number)
        .values_list("proposal__tracking_number", "proposal__village_id")
    ]
    return details


def _duplicate_person(member: ProposalMember) -> list[str]:
    village = member.proposal.village_id
    same_day = {"birth_date": member.birth_date, "sex": member.sex}
    details = [
        _("anggota DTSEN NIK %(nik)s") % {"nik": mask_number(nik)}
        for nik, name in Member.objects.filter(household__village_id=village, **same_day)
        .exclude(nik=member.nik)
        .values_list("nik", "full_name")
        if names_agree(member.full_name, name, both_typed=True)
    ]
    details += [
        _("usulan %(n)s, NIK %(nik)s") % {"n": number, "nik": mask_number(nik)}
        for nik, name, number in ProposalMember.objects.filter(
            proposal__village_id=village, proposal__in=Proposal.objects.open(), **same_day
        )
        .exclude(nik=member.nik)
        .values_list("nik", "full_name", "proposal__tracking_number")
        if names_agree(member.full_name, name, both_typed=True)
    ]
    return details


def audit_member(member: ProposalMember, record) -> list[dict]:
    """``[{"flag", "detail"}]`` for one proposed member; ``record`` is its population
    record (a ``PopulationRecord`` or ``None``)."""
    errors = nik_errors(member.nik)
    if errors:
        found = [(F.INVALID_NIK, "; ".join(errors))]
    else:
        values = None if record is None else tuple(getattr(record, name) for name in RECORD_FIELDS)
        found = check_against_record(_facts(member), values)
        if same_nik := _duplicate_nik(member):
            found.append((F.DUPLICATE_NIK, "; ".join(same_nik)))
    if same_person := _duplicate_person(member):
        found.append((F.DUPLICATE_PERSON, "; ".join(same_person)))
    order = {flag: i for i, flag in enumerate(F.FLAGS)}
    return [{"flag": flag, "detail": str(detail)} for flag, detail in sorted(found, key=lambda f: order[f[0]])]
