"""Proposals (usulan): drafting, documents, and the proposer's workflow steps.

Every status change goes through the mover in ``registrations.workflow``
(``proposal_transition``): it locks the row, checks the move against the transition
table and the actor's role and region, writes the append-only event, and e-mails the
proposer after commit. The proposer's steps (submit, resubmit, withdraw) are here; the
staff steps live in ``verification.workflow.services`` and call the same mover.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from registrations.errors import PROPOSAL_ERRORS
from registrations.models import (
    Channel,
    Household,
    Proposal,
    ProposalDocument,
    ProposalDocumentKind,
    ProposalEvent,
    ProposalKind,
    ProposalMember,
    Region,
    Relation,
    Role,
    UpdateReason,
    User,
)
from registrations.nik import parse_nik, validate_kk_number
from registrations.scoping import user_can_reach_region
from registrations.services.documents import discard_on_failure, process_or_refuse, stored_photo
from registrations.workflow import is_proposer, move_applies, proposal_transition

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone
MAX_MEMBERS = 20
MAX_DOCUMENTS = 12


def new_tracking_number(prefix: str = "US") -> str:
    """A number a person can read aloud: ``prefix`` and 8 characters (31^8 ≈ 8.5 × 10^11)."""
    return prefix + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


# --- who may do what -------------------------------------------------------------------


def ensure_editable(proposal: Proposal, actor: User) -> None:
    if not is_proposer(proposal, actor):
        raise NotAllowed(PROPOSAL_ERRORS["not_editable_by_actor"])
    if not proposal.is_editable:
        raise InvalidTransition(PROPOSAL_ERRORS["already_submitted"])


# --- drafting ----------------------------------------------------------------------------


def proposal_create_draft(
    *,
    actor: User,
    kind: str = ProposalKind.NEW,
    update_reason: str = "",
    kk_number: str = "",
    village: Region | None = None,
) -> Proposal:
    """Open a draft. A resident's draft starts from their own KK and village; an
    operator's walk-in draft is offline and belongs to the operator's village."""
    if actor.role == Role.RESIDENT:
        profile = getattr(actor, "resident", None)
        if profile is None:
            raise NotAllowed(PROPOSAL_ERRORS["no_resident_profile"])
        kk_number, village, channel, applicant = profile.kk_number, profile.village, Channel.ONLINE, actor
    elif actor.role == Role.VILLAGE_OPERATOR:
        village = village or actor.region
        if village is None or not user_can_reach_region(actor, village.code):
            raise NotAllowed(PROPOSAL_ERRORS["operator_outside_village"])
        channel, applicant = Channel.OFFLINE, None
    else:
        raise NotAllowed(PROPOSAL_ERRORS["proposer_roles_only"])
    if kind == ProposalKind.UPDATE and not update_reason:
        raise DomainError(PROPOSAL_ERRORS["update_reason_required"], field="update_reason")
    if kind == ProposalKind.NEW:
        update_reason = ""
    if kk_number:
        _ensure_no_open_proposal(kk_number)
    household = Household.objects.filter(kk_number=kk_number).first() if kk_number else None
    try:
        with transaction.atomic():
            return Proposal.objects.create(
                tracking_number=new_tracking_number(),
                kind=kind,
                update_reason=update_reason,
                channel=channel,
                applicant=applicant,
                entered_by=actor,
                kk_number=kk_number,
                village=village,
                household=household,
            )
    except IntegrityError as exc:
        raise Conflict(PROPOSAL_ERRORS["kk_open_proposal"]) from exc


def _ensure_no_open_proposal(kk_number: str, *, exclude_pk: int | None = None) -> None:
    existing = Proposal.objects.open().filter(kk_number=kk_number).exclude(pk=exclude_pk).first()
    if existing:
        raise Conflict(
            PROPOSAL_ERRORS["kk_has_open_proposal"] % {"number": existing.tracking_number},
            field="kk_number",
        )


HOUSEHOLD_FIELDS = ("kk_number", "village", "address", "rt", "rw", "phone")


def proposal_save_household(*, proposal: Proposal, actor: User, data: dict) -> Proposal:
    ensure_editable(proposal, actor)
    kk_number = data["kk_number"]
    try:
        validate_kk_number(kk_number)
    except Exception as exc:
        raise DomainError(getattr(exc, "messages", [str(exc)])[0], field="kk_number") from exc
    village = data["village"]
    if actor.role == Role.RESIDENT:
        profile = actor.resident
        # A resident proposes their own family card: another KK would block that family.
        if kk_number != profile.kk_number:
            raise NotAllowed(PROPOSAL_ERRORS["own_kk_only"], field="kk_number")
        if village.code != profile.village_id and proposal.update_reason != UpdateReason.MOVED:
            raise NotAllowed(
                PROPOSAL_ERRORS["village_not_domicile"],
                field="village",
            )
    if actor.role == Role.VILLAGE_OPERATOR and not user_can_reach_region(actor, village.code):
        raise NotAllowed(PROPOSAL_ERRORS["operator_outside_village"], field="village")
    if kk_number != proposal.kk_number:
        _ensure_no_open_proposal(kk_number, exclude_pk=proposal.pk)
    for field in HOUSEHOLD_FIELDS:
        setattr(proposal, field, data[field])
    proposal.household = Household.objects.filter(kk_number=kk_number).first()
    try:
        with transaction.atomic():
            proposal.save(update_fields=[*HOUSEHOLD_FIELDS, "household", "updated_at"])
    except IntegrityError as exc:
        raise Conflict(PROPOSAL_ERRORS["kk_open_proposal"], field="kk_number") from exc
    return proposal


MEMBER_FIELDS = (
    "nik",
    "full_name",
    "relation",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "education",
    "occupation",
    "disability",
    "pregnant",
)


def proposal_save_members(*, proposal: Proposal, actor: User, members: list[dict]) -> list[ProposalMember]:
    """Replace the proposal's members with ``members`` (the whole list, as the form has it).

    Each NIK must be well formed and agree with the birth date and sex given; exactly
    one head of household; no NIK twice.
    """
    ensure_editable(proposal, actor)
    if not members:
        raise DomainError(PROPOSAL_ERRORS["members_required"])
    if len(members) > MAX_MEMBERS:
        raise DomainError(PROPOSAL_ERRORS["too_many_members"] % {"n": MAX_MEMBERS})
    errors = member_list_errors(members)
    if errors:
        raise DomainError(" ".join(str(e) for e in errors))
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        ensure_editable(locked, actor)
        locked.members.all().delete()
        rows = ProposalMember.objects.bulk_create(
            [ProposalMember(proposal=locked, **{f: m.get(f) for f in MEMBER_FIELDS}) for m in members]
        )
        Proposal.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return rows


def member_list_errors(members: Iterable[dict]) -> list[str]:
    members = list(members)
    errors: list[str] = []
    for m in members:
        check = parse_nik(m["nik"], birth_date=m["birth_date"], sex=m["sex"])
        errors += [f"{m['full_name']}: {e}" for e in check.errors]
        if m.get("pregnant") and m["sex"] != "P":
            errors.append(_("%(name)s: hanya perempuan yang dapat ditandai hamil.") % {"name": m["full_name"]})
    heads = sum(1 for m in members if m["relation"] == Relation.HEAD)
    if heads != 1:
        errors.append(_("Harus ada tepat satu kepala keluarga (sekarang %(n)d).") % {"n": heads})
    niks = [m["nik"] for m in members]
    if len(set(niks)) != len(niks):
        errors.append(_("Ada NIK yang tercantum lebih dari sekali."))
    return errors


CONDITION_FIELDS = (
    *Proposal.INDICATOR_FIELDS,
    *Proposal.ASSET_FIELDS,
    "floor_area_m2",
    "monthly_income",
)


def proposal_save_conditions(*, proposal: Proposal, actor: User, data: dict) -> Proposal:
    ensure_editable(proposal, actor)
    for field in (*Proposal.INDICATOR_FIELDS, *Proposal.ASSET_FIELDS):
        setattr(proposal, field, bool(data.get(field, False)))
    for field in ("floor_area_m2", "monthly_income"):
        setattr(proposal, field, data.get(field))
    proposal.save(update_fields=[*CONDITION_FIELDS, "updated_at"])
    return proposal


def proposal_save_programmes(*, proposal: Proposal, actor: User, programmes: list[str], statement: str) -> Proposal:
    ensure_editable(proposal, actor)
    proposal.programmes = sorted(set(programmes))
    proposal.applicant_statement = statement
    proposal.save(update_fields=["programmes", "applicant_statement", "updated_at"])
    return proposal


def proposal_add_document(*, proposal: Proposal, actor: User, kind: str, file_obj) -> ProposalDocument:
    """Attach a supporting photo or scan (re-encoded, metadata stripped, private)."""
    ensure_editable(proposal, actor)
    if kind not in ProposalDocumentKind.values:
        raise DomainError(PROPOSAL_ERRORS["unknown_document_kind"], field="kind")
    if proposal.documents.count() >= MAX_DOCUMENTS:
        raise DomainError(PROPOSAL_ERRORS["too_many_documents"] % {"n": MAX_DOCUMENTS})
    image = process_or_refuse(file_obj, kind="document", field="file")
    if proposal.documents.filter(sha256=image.sha256).exists():
        raise Conflict(PROPOSAL_ERRORS["duplicate_document"], field="file")
    written: list[str] = []
    with discard_on_failure(written):
        photo = stored_photo(image, prefix="proposals", written=written)
        try:
            with transaction.atomic():
                return ProposalDocument.objects.create(proposal=proposal, kind=kind, uploaded_by=actor, **photo)
        except IntegrityError as exc:
            raise Conflict(PROPOSAL_ERRORS["duplicate_document"], field="file") from exc


def proposal_remove_document(*, proposal: Proposal, actor: User, document_id: int) -> None:
    ensure_editable(proposal, actor)
    document = proposal.documents.filter(pk=document_id).first()
    if document is None:
        raise DomainError(PROPOSAL_ERRORS["document_not_found"])
    names = (document.image.name, document.thumbnail.name)
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: _delete(names))


def _delete(names) -> None:
    from registrations.services.documents import delete_stored

    delete_stored(*names)


# --- completeness --------------------------------------------------------------------------


def proposal_problems(proposal: Proposal) -> list[str]:
    """What still keeps a draft from being submitted, in the proposer's words."""
    problems: list[str] = []
    if not proposal.kk_number:
        problems.append(_("Nomor KK belum diisi."))
    if not (proposal.address and proposal.rt and proposal.rw):
        problems.append(_("Alamat, RT, dan RW belum lengkap."))
    if proposal.kind == ProposalKind.NEW and proposal.household_id:
        problems.append(_("KK ini sudah terdaftar di DTSEN; ajukan sebagai perubahan data, bukan pendaftaran baru."))
    if proposal.kind == ProposalKind.UPDATE and not proposal.household_id:
        problems.append(_("Perubahan data hanya untuk KK yang sudah terdaftar di DTSEN."))
    members = [{f: getattr(m, f) for f in MEMBER_FIELDS} for m in proposal.members.all()]
    if not members:
        problems.append(_("Anggota keluarga belum diisi."))
    else:
        problems += member_list_errors(members)
    if not proposal.programmes:
        problems.append(_("Pilih minimal satu program bantuan yang diusulkan."))
    if proposal.floor_area_m2 is None or proposal.monthly_income is None:
        problems.append(_("Luas lantai dan penghasilan per bulan belum diisi."))
    kinds = {d.kind for d in proposal.documents.all()}
    if ProposalDocumentKind.KK_SCAN not in kinds:
        problems.append(_("Unggah foto Kartu Keluarga."))
    if proposal.channel == Channel.OFFLINE and ProposalDocumentKind.PAPER_FORM not in kinds:
        problems.append(_("Unggah pindaian formulir usulan kertas yang ditandatangani warga."))
    return problems


# --- the proposer's moves ------------------------------------------------------------------


def proposal_submit(*, proposal: Proposal, actor: User) -> ProposalEvent:
    """The workflow's first transition: check the draft is complete, then submit it.

    A resident may submit only once the village operator has confirmed their identity.
    The mover enqueues the follow-ups (matching the members) on commit.
    """
    if actor.role == Role.RESIDENT:
        profile = getattr(actor, "resident", None)
        if profile is None or not profile.is_confirmed:
            raise NotAllowed(PROPOSAL_ERRORS["identity_unconfirmed"])
    problems = proposal_problems(proposal)
    if problems:
        raise DomainError(problems[0])
    name = "resubmit" if move_applies(proposal, "resubmit") else "submit"
    return proposal_transition(proposal_id=proposal.pk, name=name, actor=actor)


def proposal_withdraw(*, proposal: Proposal, actor: User, reason: str) -> ProposalEvent:
    return proposal_transition(proposal_id=proposal.pk, name="withdraw", actor=actor, reason=reason)
