"""The register itself (DTSEN households and members), written only by determination."""

from django.db import transaction
from django.utils import timezone

from registrations.models import Household, Member, Proposal
from registrations.services.proposals import CONDITION_FIELDS, MEMBER_FIELDS


def register_household_from_proposal(*, proposal: Proposal) -> Household:
    """Enter (or update) the household of a determined proposal in the register.

    The household becomes exactly what the proposal said: its KK, address and
    conditions, and its member list (people who left the KK are removed; a NIK found
    in another household moves here, as a move between KKs does).
    """
    with transaction.atomic():
        household, _created = Household.objects.update_or_create(
            kk_number=proposal.kk_number,
            defaults={
                "village_id": proposal.village_id,
                "address": proposal.address,
                "rt": proposal.rt,
                "rw": proposal.rw,
                "registered_at": timezone.now(),
                **{f: getattr(proposal, f) for f in CONDITION_FIELDS},
            },
        )
        members = list(proposal.members.all())
        niks = [m.nik for m in members]
        household.members.exclude(nik__in=niks).delete()
        for member in members:
            Member.objects.update_or_create(
                nik=member.nik,
                defaults={"household": household, **{f: getattr(member, f) for f in MEMBER_FIELDS if f != "nik"}},
            )
        if proposal.household_id != household.pk:
            Proposal.objects.filter(pk=proposal.pk).update(household=household)
        return household
