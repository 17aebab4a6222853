"""Writes for usul sanggah: picking a person and filing an objection.

A resident picks a person from a lookup result through a signed token (the result
page signs the entry's source, so nobody can object to a person they never found in
their own village), or names a missing neighbour. A filed case then moves only
through ``lookup.sanggah_workflow``. The objector is never named in anything the
person objected to, or the public, can see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from dtsen_portal.errors import DomainError, NotAllowed
from lookup.errors import SANGGAH_ERRORS
from registrations.models import Member, ProposalMember, Role, User
from registrations.services.documents import discard_on_failure, process_or_refuse, stored_photo
from registrations.services.proposals import new_tracking_number

from .indexing import public_mask
from .models import (
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
        raise DomainError(SANGGAH_ERRORS["pick_invalid"]) from exc
    model = Member if data["s"] == LookupSource.REGISTER else ProposalMember
    full_name = model.objects.filter(pk=data["i"]).values_list("full_name", flat=True).first()
    if full_name is None:
        raise DomainError(SANGGAH_ERRORS["pick_changed"])
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
        raise NotAllowed(SANGGAH_ERRORS["resident_unconfirmed"])
    if reason not in REASONS_BY_KIND.get(kind, []):
        raise DomainError(SANGGAH_ERRORS["reason_not_for_kind"], field="reason")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(SANGGAH_ERRORS["too_many_photos"] % {"n": MAX_PHOTOS}, field="photos")
    fields = {"kind": kind, "reason": reason, "statement": statement.strip(), "village_id": village}
    if kind == ObjectionKind.NOT_ELIGIBLE:
        person = picked_person(pick)
        if person.village_code != village:
            raise NotAllowed(SANGGAH_ERRORS["outside_own_village"])
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
            raise DomainError(SANGGAH_ERRORS["neighbour_name_required"], field="person_name")
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
            raise DomainError(SANGGAH_ERRORS["daily_limit"] % {"n": settings.SANGGAH_PER_DAY})
        objection = _create_numbered(objector=objector, **fields)
        for image in processed:
            photo = stored_photo(image, prefix="sanggah", written=written, warnings=False)
            ObjectionEvidence.objects.create(objection=objection, **photo)
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
    raise DomainError(SANGGAH_ERRORS["number_unavailable"])
