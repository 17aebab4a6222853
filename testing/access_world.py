"""One object of every routed kind in an in-scope and an out-of-scope region.

Used by the access matrix (``registrations/tests/test_access_matrix.py``). "In" is
the personas' own places (village A, Kabupaten Bandung, Jawa Barat); "out" is a village
of Sleman (DI Yogyakarta), outside every regional persona's reach. The resident
persona owns the in-scope resident objects; another resident owns the out-of-scope
ones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache

from lookup.models import Objection, ObjectionEvidence, ObjectionKind, ObjectionReason
from registrations.models import (
    Household,
    IdentityDocument,
    Member,
    Proposal,
    ProposalMember,
    ProposalStatus,
    Region,
    Role,
    User,
)
from registrations.services.proposals import proposal_submit
from testing.factories import DeliberationFactory, ObjectionFactory
from testing.households import registered_household
from testing.personas import Personas, make_user
from testing.proposals import complete_draft
from testing.regions import OTHER_PROVINCE_VILLAGE, VILLAGE_A
from testing.residents import resident_profile
from testing.uploads import stored_photo
from verification.models import Batch, Deliberation, FieldVisit, FieldVisitPhoto
from verification.models.flags import FlagKind, PopulationEvent, PopulationFlag

#: Written into the names, addresses and places of every out-of-scope object; no page of
#: a regional user may contain it.
OUT_MARKER = "Luarwilayah"


@dataclass
class Side:
    village: str
    resident: User
    operator: User
    own_proposal: Proposal  # the resident's draft
    staff_proposal: Proposal  # an operator's walk-in, approved by the musdes
    household: Household
    deliberation: Deliberation
    batch: Batch
    visit_photo: FieldVisitPhoto
    identity_document: IdentityDocument
    flag: PopulationFlag
    import_job: str
    objection: object  # lookup.Objection (a sanggah), with one evidence photo
    numbers: set[str] = field(default_factory=set)  # every NIK/KK this side holds


@dataclass
class World:
    personas: Personas
    inside: Side
    outside: Side

    def side(self, name: str) -> Side:
        return self.inside if name == "in" else self.outside

    def numbers(self) -> set[str]:
        return self.inside.numbers | self.outside.numbers


def _import_job(owner: User) -> str:
    job_id = f"{owner.pk:032x}"
    cache.set(
        f"population-import:{job_id}",
        {
            "id": job_id,
            "owner": owner.pk,
            "kind": "records",
            "filename": "penduduk.csv",
            "size": 10,
            "status": "selesai",
            "lines_total": 1,
            "lines_done": 1,
            "read": 1,
            "inserted": 1,
            "updated": 0,
            "unchanged": 0,
            "bad": 0,
            "has_report": False,
            "error": "",
            "created": "",
            "finished": "",
        },
        600,
    )
    return job_id


def _side(*, village: str, resident: User, operator: User, officer: User, head: User, job_owner: User) -> Side:
    regency = village[:5]
    profile = resident_profile(resident, village)
    own = complete_draft(resident)
    Proposal.objects.filter(pk=own.pk).update(address=f"Jl. {OUT_MARKER}" if village != VILLAGE_A else own.address)

    walk_in = complete_draft(operator, kinds=("kk", "formulir"))
    proposal_submit(proposal=walk_in, actor=operator)
    Proposal.objects.filter(pk=walk_in.pk).update(
        status=ProposalStatus.MUSDES_APPROVED, address=f"Jl. {OUT_MARKER}" if village != VILLAGE_A else walk_in.address
    )
    walk_in.refresh_from_db()

    household = registered_household(village)
    if village != VILLAGE_A:
        Household.objects.filter(pk=household.pk).update(address=f"Jl. {OUT_MARKER}")
    deliberation = DeliberationFactory(
        village=Region.objects.get(pk=village),
        basis="musdes",
        held_on=datetime.date(2026, 11, 20),
        place=f"Balai {OUT_MARKER}" if village != VILLAGE_A else "Balai Desa",
        chair="Asep Sunandar",
        opened_by=operator,
    )
    batch = Batch.objects.create(
        kind="sk_bupati",
        region_id=regency,
        issuer_code=regency,
        number=f"SK-{regency}",
        document_date=datetime.date(2026, 11, 21),
        actor=head,
    )
    batch.proposals.add(walk_in)
    visit = FieldVisit.objects.create(
        proposal=walk_in, verifier=officer, visited_on=datetime.date(2026, 11, 22), result="layak"
    )
    image, name, thumb = stored_photo(9, "visits")
    photo = FieldVisitPhoto.objects.create(visit=visit, image=name, thumbnail=thumb, sha256=image.sha256)
    member = household.members.first()
    event = PopulationEvent.objects.create(
        event_key=f"uji-{village}",
        event_type="death",
        nik=member.nik,
        event_date=datetime.date(2026, 10, 1),
        village_code=village,
        row_hash="0" * 32,
    )
    flag = PopulationFlag.objects.create(
        kind=FlagKind.DECEASED,
        event=event,
        household=household,
        member=member,
        member_name=member.full_name,
        masked_nik=member.nik[:6] + "*" * 10,
        village_id=village,
    )
    objection = ObjectionFactory(
        number=f"SG{village.replace('.', '')[-8:]}",
        kind=ObjectionKind.MISSING,
        village=Region.objects.get(pk=village),
        rt="",
        rw="",
        objector=resident,
        target_name="Tetangga Uji",
        target_masked_name="T****** U**",
        reason=ObjectionReason.MISSING_POOR,
        statement=f"Jl. {OUT_MARKER}" if village != VILLAGE_A else "Belum terdata.",
    )
    image, name, thumb = stored_photo(11, "objections")
    ObjectionEvidence.objects.create(
        objection=objection, image=name, thumbnail=thumb, sha256=image.sha256, width=image.width, height=image.height
    )
    if village != VILLAGE_A:
        name = f"Zulkarnaen {OUT_MARKER}"
        Member.objects.filter(household=household).update(full_name=name)
        ProposalMember.objects.filter(proposal__in=[own, walk_in]).update(full_name=name)
        Objection.objects.filter(pk=objection.pk).update(target_name=name)
    numbers = {profile.nik, profile.kk_number, household.kk_number, own.kk_number, walk_in.kk_number}
    numbers |= set(household.members.values_list("nik", flat=True))
    for proposal in (own, walk_in):
        numbers |= set(proposal.members.values_list("nik", flat=True))
    return Side(
        village=village,
        resident=resident,
        operator=operator,
        own_proposal=own,
        staff_proposal=walk_in,
        household=household,
        deliberation=deliberation,
        batch=batch,
        visit_photo=photo,
        identity_document=profile.documents.get(),
        flag=flag,
        import_job=_import_job(job_owner),
        objection=objection,
        numbers={n for n in numbers if n},
    )


def build_world(personas: Personas) -> World:
    """Both sides; the out-of-scope side gets its own resident and staff in Sleman."""
    out_regency = OTHER_PROVINCE_VILLAGE[:5]
    out_resident = make_user("warga_sleman", Role.RESIDENT, OTHER_PROVINCE_VILLAGE)
    out_operator = make_user("operator_sleman", Role.VILLAGE_OPERATOR, OTHER_PROVINCE_VILLAGE)
    out_officer = make_user("dinsos_sleman", Role.SOCIAL_OFFICER, out_regency)
    out_head = make_user("bupati_sleman", Role.REGENCY_HEAD, out_regency)
    inside = _side(
        village=VILLAGE_A,
        resident=personas.resident,
        operator=personas.operator_a,
        officer=personas.social_officer,
        head=personas.regency_head,
        job_owner=personas.social_officer,
    )
    outside = _side(
        village=OTHER_PROVINCE_VILLAGE,
        resident=out_resident,
        operator=out_operator,
        officer=out_officer,
        head=out_head,
        job_owner=out_officer,
    )
    return World(personas=personas, inside=inside, outside=outside)
