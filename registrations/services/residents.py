"""Resident accounts: sign-up, e-mail activation, identity documents and review."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from registrations.errors import IDENTITY_ERRORS, SIGNUP_ERRORS
from registrations.models import IdentityDocument, IdentityStatus, Region, ResidentProfile, Role, User
from registrations.nik import parse_nik, validate_kk_number
from registrations.notifications import email_on_commit
from registrations.permissions import ensure_user_may
from registrations.scoping import user_can_reach_region
from registrations.services.documents import discard_on_failure, process_or_refuse, stored_photo

ACTIVATION_SALT = "registrations.activation"
ACTIVATION_MAX_AGE = datetime.timedelta(days=3)


@dataclass(frozen=True)
class SignUpData:
    nik: str
    kk_number: str
    full_name: str
    birth_date: datetime.date
    sex: str
    village: Region
    email: str
    phone: str
    password: str


def check_identity_numbers(*, nik: str, kk_number: str, birth_date: datetime.date, sex: str) -> list[str]:
    """Raise on a NIK/KK that is malformed or disagrees with the birth date and sex;
    return warnings (e.g. a region code no longer in the current list)."""
    check = parse_nik(nik, birth_date=birth_date, sex=sex)
    if check.errors:
        raise DomainError(check.errors[0], field="nik")
    try:
        validate_kk_number(kk_number)
    except Exception as exc:
        raise DomainError(getattr(exc, "messages", [str(exc)])[0], field="kk_number") from exc
    return list(check.warnings)


def resident_sign_up(*, data: SignUpData, ktp_file, selfie_file, request_base_url: str) -> User:
    """Create an inactive resident account with its two identity photos.

    Everything is checked before anything is written: numbers, then both photos
    (re-encoded, metadata stripped); then the user, profile and documents are created
    in one transaction, and the activation e-mail goes out after it commits.
    """
    check_identity_numbers(nik=data.nik, kk_number=data.kk_number, birth_date=data.birth_date, sex=data.sex)
    if data.village.level != 4:
        raise DomainError(SIGNUP_ERRORS["village_required"], field="village")
    ktp = process_or_refuse(ktp_file, kind="ktp", field="ktp_photo")
    selfie = process_or_refuse(selfie_file, kind="selfie", field="selfie_photo")
    if ResidentProfile.objects.filter(nik=data.nik).exists():
        raise Conflict(SIGNUP_ERRORS["nik_registered"], field="nik")
    if User.objects.filter(email__iexact=data.email).exists():
        raise Conflict(SIGNUP_ERRORS["email_taken"], field="email")

    written: list[str] = []
    with discard_on_failure(written):
        try:
            with transaction.atomic():
                user = User(
                    username=_username_for(data.email),
                    email=data.email.lower(),
                    first_name=data.full_name[:150],
                    role=Role.RESIDENT,
                    region=data.village,
                    phone=data.phone,
                    is_active=False,
                )
                user.set_password(data.password)
                user.save()
                profile = ResidentProfile.objects.create(
                    user=user,
                    nik=data.nik,
                    kk_number=data.kk_number,
                    full_name=data.full_name,
                    birth_date=data.birth_date,
                    sex=data.sex,
                    village=data.village,
                )
                for kind, image in (("ktp", ktp), ("selfie", selfie)):
                    photo = stored_photo(image, prefix="identity", written=written)
                    IdentityDocument.objects.create(profile=profile, kind=kind, **photo)
                _send_activation_email(user, request_base_url)
        except IntegrityError as exc:  # a double click or a race past the checks above
            raise Conflict(SIGNUP_ERRORS["nik_or_email_registered"]) from exc
    return user


def _username_for(email: str) -> str:
    return email.lower()[:150]


def activation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=ACTIVATION_SALT)


def _send_activation_email(user: User, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("resident-activate", args=[activation_token(user)])
    email_on_commit(
        to=user.email,
        subject=gettext_lazy("Aktivasi akun Portal DTSEN"),
        template="registrations/email/activation.txt",
        context={"user": user, "link": link},
    )


def resident_activate(*, token: str) -> User:
    """Activate the account named by a signed, time-limited token (idempotent)."""
    try:
        payload = signing.loads(token, salt=ACTIVATION_SALT, max_age=ACTIVATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError(SIGNUP_ERRORS["activation_expired"]) from exc
    except signing.BadSignature as exc:
        raise DomainError(SIGNUP_ERRORS["activation_invalid"]) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=payload["user"], email=payload["email"]).first()
        if user is None or not hasattr(user, "resident"):
            raise DomainError(SIGNUP_ERRORS["activation_invalid"])
        if user.resident.activated_at is None:
            user.is_active = True
            user.save(update_fields=["is_active"])
            ResidentProfile.objects.filter(pk=user.resident.pk).update(activated_at=timezone.now())
    return user


def identity_document_replace(*, profile: ResidentProfile, kind: str, file_obj) -> IdentityDocument:
    """Re-upload a KTP photo or selfie; a rejected identity goes back for review."""
    image = process_or_refuse(file_obj, kind=kind, field="photo")
    written: list[str] = []
    with discard_on_failure(written):
        photo = stored_photo(image, prefix="identity", written=written)
        with transaction.atomic():
            locked = ResidentProfile.objects.select_for_update().get(pk=profile.pk)
            if locked.identity_status == IdentityStatus.CONFIRMED:
                raise InvalidTransition(IDENTITY_ERRORS["already_confirmed"])
            old = IdentityDocument.objects.filter(profile=locked, kind=kind).first()
            old_files = (old.image.name, old.thumbnail.name) if old else ()
            document, _created = IdentityDocument.objects.update_or_create(profile=locked, kind=kind, defaults=photo)
            if locked.identity_status == IdentityStatus.REJECTED:
                locked.identity_status = IdentityStatus.AWAITING_REVIEW
                locked.save(update_fields=["identity_status"])
            transaction.on_commit(lambda: _delete_files(old_files))
    return document


def _delete_files(names) -> None:
    from registrations.services.documents import delete_stored

    delete_stored(*names)


def identity_review(*, profile_id: int, actor: User, confirm: bool, reason: str = "") -> ResidentProfile:
    """The village operator confirms or rejects a resident's identity, with a reason.

    Locks the profile so two operators acting at once give one decision and one
    clear refusal.
    """
    ensure_user_may(actor, "identity.review")
    reason = reason.strip()
    if not confirm and not reason:
        raise DomainError(IDENTITY_ERRORS["rejection_reason_required"], field="reason")
    with transaction.atomic():
        profile = ResidentProfile.objects.select_for_update(of=("self",)).select_related("user").get(pk=profile_id)
        if not user_can_reach_region(actor, profile.village_id):
            raise NotAllowed(IDENTITY_ERRORS["outside_village"])
        if profile.identity_status != IdentityStatus.AWAITING_REVIEW:
            raise InvalidTransition(IDENTITY_ERRORS["already_reviewed"])
        profile.identity_status = IdentityStatus.CONFIRMED if confirm else IdentityStatus.REJECTED
        profile.identity_reason = "" if confirm else reason
        profile.identity_reviewed_by = actor
        profile.identity_reviewed_at = timezone.now()
        profile.save(
            update_fields=["identity_status", "identity_reason", "identity_reviewed_by", "identity_reviewed_at"]
        )
        email_on_commit(
            to=profile.user.email,
            subject=gettext_lazy("Hasil pemeriksaan identitas Portal DTSEN"),
            template="registrations/email/identity_review.txt",
            context={"profile": profile},
        )
    return profile
