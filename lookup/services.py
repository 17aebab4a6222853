"""Writes for usul sanggah: filing an objection and moving its case.

A resident picks a person from a lookup result through a signed token (the result
page signs the entry's source, so nobody can object to a person they never found in
their own village), or names a missing neighbour. Every move of a case locks the row,
re-checks state, role and region, writes an ``ObjectionEvent`` and, for a decision,
e-mails the objector after commit. The objector is never named in anything the person
objected to, or the public, can see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from registrations.exceptions import DomainError, InvalidTransition, NotAllowed
from registrations.models import Member, ProposalMember, Role, User
from registrations.notifications import email_on_commit
from registrations.scoping import user_can_reach_region
from registrations.services.documents import discard_on_failure, process_or_refuse, store_processed_image
from registrations.services.proposals import new_tracking_number

from .indexing import public_mask
from .models import (
    OBJECTION_CLOSED,
    REASONS_BY_KIND,
    LookupEntry,
    LookupSource,
    Objection,
    ObjectionEvent,
    ObjectionEvidence,
    ObjectionKind,
    ObjectionStatus,
)

PICK_SALT = "lookup.sanggah.pick"
PICK_MAX_AGE = 24 * 3600  # a result picked today; a search again tomorrow
MAX_PHOTOS = 3


# --- picking a person from a lookup result -----------------------------------------------------


def pick_token(entry: LookupEntry) -> str:
    return signing.dumps(
        {"v": entry.village_code, "s": entry.source, "i": entry.source_id, "h": entry.household_id},
        salt=PICK_SALT,
        compress=True,
    )


@dataclass(frozen=True)
class PickedPerson:
    village_code: str
    source: str
    source_id: int
    household_id: int | None
    full_name: str

    @property
    def masked_name(self) -> str:
        return public_mask(self.full_name)


def picked_person(token: str) -> PickedPerson:
    """The person a signed token names, read again from its source."""
    try:
        data = signing.loads(token, salt=PICK_SALT, max_age=PICK_MAX_AGE)
    except signing.BadSignature as exc:
        raise DomainError(_("Pilihan orang tidak sah atau sudah kedaluwarsa. Cari kembali di Cek Bansos.")) from exc
    model = Member if data["s"] == LookupSource.REGISTER else ProposalMember
    full_name = model.objects.filter(pk=data["i"]).values_list("full_name", flat=True).first()
    if full_name is None:
        raise DomainError(_("Data orang tersebut sudah berubah. Cari kembali di Cek Bansos."))
    return PickedPerson(
        village_code=data["v"], source=data["s"], source_id=data["i"], household_id=data["h"], full_name=full_name
    )


# --- filing ----------------------------------------------------------------------------------


def resident_village(user: User) -> str | None:
    """The village of a confirmed resident (who may object there), else ``None``."""
    if not user.is_authenticated or user.role != Role.RESIDENT:
        return None
    profile = getattr(user, "resident", None)  # cached on the user: one query per request
    if profile is None or not profile.is_confirmed:
        return None
    return profile.village_id


def objection_file(
    *,
    objector: User,
    kind: str,
    reason: str,
    statement: str,
    photos: list,
    pick: str = "",
    person_name: str = "",
    rt: str = "",
    rw: str = "",
) -> Objection:
    village = resident_village(objector)
    if village is None:
        raise NotAllowed(_("Hanya warga dengan identitas terkonfirmasi yang dapat mengajukan sanggah."))
    if reason not in REASONS_BY_KIND.get(kind, []):
        raise DomainError(_("Pilih alasan yang sesuai dengan jenis sanggah."), field="reason")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("Paling banyak %(n)d foto bukti.") % {"n": MAX_PHOTOS}, field="photos")
    fields = {"kind": kind, "reason": reason, "statement": statement.strip(), "village_id": village}
    if kind == ObjectionKind.NOT_ELIGIBLE:
        person = picked_person(pick)
        if person.village_code != village:
            raise NotAllowed(_("Sanggah hanya untuk warga desa/kelurahan Anda sendiri."))
        fields |= {
            "target_source": person.source,
            "target_source_id": person.source_id,
            "target_household_id": person.household_id,
            "target_name": person.full_name,
            "target_masked_name": person.masked_name,
        }
    else:
        name = " ".join(person_name.split())
        if len(name) < 3:
            raise DomainError(_("Tulis nama tetangga yang diusulkan."), field="person_name")
        fields |= {"target_name": name, "target_masked_name": public_mask(name), "rt": rt, "rw": rw}
    # Photos are checked before anything is written: a bad file loses nothing else.
    processed = [process_or_refuse(photo, kind="photo", field="photos") for photo in photos]
    written: list[str] = []
    with discard_on_failure(written), transaction.atomic():
        # The objector's own row is the lock: two submissions at once cannot both pass
        # the daily count.
        User.objects.select_for_update().filter(pk=objector.pk).first()
        day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        today = Objection.objects.filter(objector=objector, created_at__gte=day_start).count()
        if today >= settings.SANGGAH_PER_DAY:
            raise DomainError(
                _("Batas %(n)d sanggah per hari sudah tercapai. Silakan ajukan lagi besok.")
                % {"n": settings.SANGGAH_PER_DAY}
            )
        objection = _create_numbered(objector=objector, **fields)
        for image in processed:
            name, thumb = store_processed_image(image, prefix="sanggah")
            written += [name, thumb]
            ObjectionEvidence.objects.create(
                objection=objection,
                image=name,
                thumbnail=thumb,
                sha256=image.sha256,
                width=image.width,
                height=image.height,
            )
        ObjectionEvent.objects.create(
            objection=objection, actor=objector, actor_role=objector.role, to_status=ObjectionStatus.RECEIVED
        )
    return objection


def _create_numbered(**fields) -> Objection:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Objection.objects.create(number=new_tracking_number("SG"), **fields)
        except IntegrityError:
            continue  # a number already taken (1 in 10^12): draw again
    raise DomainError(_("Nomor sanggah tidak dapat dibuat. Coba lagi."))


# --- moving a case -----------------------------------------------------------------------------

S = ObjectionStatus
STAFF = frozenset({Role.VILLAGE_OPERATOR, Role.SOCIAL_OFFICER})


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    source: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False


#: Every allowed move of a case. The village operator gathers facts; Dinas Sosial
#: decides (the hand that checks is not the hand that rules).
MOVES = {
    m.name: m
    for m in [
        Move("review", _l("Mulai tinjau"), frozenset({S.RECEIVED}), S.UNDER_REVIEW, STAFF),
        Move("field_check", _l("Catat cek lapangan"), frozenset({S.UNDER_REVIEW}), S.FIELD_CHECKED, STAFF, True),
        Move(
            "uphold",
            _l("Kabulkan"),
            frozenset({S.UNDER_REVIEW, S.FIELD_CHECKED}),
            S.UPHELD,
            frozenset({Role.SOCIAL_OFFICER}),
            True,
        ),
        Move(
            "dismiss",
            _l("Tolak"),
            frozenset({S.RECEIVED, S.UNDER_REVIEW, S.FIELD_CHECKED}),
            S.DISMISSED,
            frozenset({Role.SOCIAL_OFFICER}),
            True,
        ),
    ]
}


def moves_for(objection: Objection, user: User) -> list[Move]:
    return [
        m
        for m in MOVES.values()
        if objection.status in m.source and user.role in m.roles and user_can_reach_region(user, objection.village_id)
    ]


def objection_move(*, objection_id: int, actor: User, move: str, note: str = "") -> Objection:
    step = MOVES.get(move)
    if step is None:
        raise DomainError(_("Langkah tidak dikenal."))
    if actor.role not in step.roles:
        raise NotAllowed(_("Peran Anda tidak dapat melakukan langkah ini."))
    note = note.strip()
    if step.needs_note and not note:
        raise DomainError(_("Tuliskan catatan untuk langkah ini."), field="note")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
        if objection is None or not user_can_reach_region(actor, objection.village_id):
            raise NotAllowed(_("Sanggah ini di luar wilayah tugas Anda."))
        if objection.status not in step.source:
            raise InvalidTransition(
                _("Sanggah %(number)s sudah berstatus %(status)s.")
                % {"number": objection.number, "status": objection.get_status_display()}
            )
        previous = objection.status
        objection.status = step.target
        fields = ["status", "updated_at"]
        if step.target in OBJECTION_CLOSED:
            objection.decision_note = note
            objection.decided_by = actor
            objection.decided_at = timezone.now()
            fields += ["decision_note", "decided_by", "decided_at"]
        objection.save(update_fields=fields)
        ObjectionEvent.objects.create(
            objection=objection,
            actor=actor,
            actor_role=actor.role,
            from_status=previous,
            to_status=step.target,
            note=note,
        )
        if step.target in OBJECTION_CLOSED:
            _tell_objector(objection)
    return objection


def _tell_objector(objection: Objection) -> None:
    from django.urls import reverse

    email_on_commit(
        to=objection.objector.email,
        subject=_("Hasil sanggah %(number)s") % {"number": objection.number},
        template="lookup/email/objection_outcome.txt",
        context={
            "objection": objection,
            "status_label": objection.get_status_display(),
            "url": settings.PORTAL_BASE_URL + reverse("sanggah-mine"),
        },
    )
