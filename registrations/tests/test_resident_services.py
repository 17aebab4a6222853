"""Resident sign-up, activation, identity photos and the operator's review."""

import datetime

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dtsen_portal.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from registrations.models import IdentityDocument, IdentityStatus, ResidentProfile, User
from registrations.services import residents as services
from registrations.storage import private_storage
from testing.residents import sign_up_data
from testing.uploads import pdf_upload, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


def _sign_up(**overrides):
    return services.resident_sign_up(
        data=sign_up_data(**overrides),
        ktp_file=photo_upload("ktp.jpg", seed=1),
        selfie_file=photo_upload("selfie.jpg", seed=2, width=900, height=1200),
        request_base_url="http://testserver/",
    )


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_sign_up_creates_an_inactive_account_with_private_reencoded_photos(
    regions, mailoutbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = _sign_up()
    assert not user.is_active and user.role == "warga" and user.region_id == "32.04.12.2002"
    profile = user.resident
    assert profile.identity_status == IdentityStatus.AWAITING_REVIEW and profile.activated_at is None
    documents = {d.kind: d for d in profile.documents.all()}
    assert set(documents) == {"ktp", "selfie"}
    with private_storage().open(documents["ktp"].image.name) as fh:
        assert Image.open(fh).format == "JPEG"
    assert profile.nik not in documents["ktp"].image.name  # paths carry no personal number
    assert len(_stored_files(settings)) == 4  # two photos, two thumbnails
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email] and "Aktivasi" in message.subject
    assert "/akun/aktivasi/" in message.body and profile.nik not in message.body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nik": "3204120101800001"}, "nik"),  # date part says 1 Jan 1980, birth date given differs
        ({"nik": "12345"}, "nik"),
        ({"kk_number": "99041220010001"}, "kk_number"),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_saved(regions, settings, overrides, field):
    with pytest.raises(DomainError) as excinfo:
        _sign_up(**overrides)
    assert excinfo.value.field == field and excinfo.value.message
    assert not User.objects.filter(role="warga").exists()
    assert _stored_files(settings) == []


def test_a_renamed_pdf_is_refused_and_nothing_is_saved(regions, settings):
    with pytest.raises(DomainError) as excinfo:
        services.resident_sign_up(
            data=sign_up_data(),
            ktp_file=pdf_upload(),
            selfie_file=photo_upload(),
            request_base_url="http://testserver/",
        )
    assert excinfo.value.field == "ktp_photo"
    assert not ResidentProfile.objects.exists() and _stored_files(settings) == []


def test_a_second_sign_up_with_the_same_nik_is_refused(regions):
    first = _sign_up()
    with pytest.raises(Conflict):
        services.resident_sign_up(
            data=sign_up_data(nik=first.resident.nik, birth_date=first.resident.birth_date, sex=first.resident.sex),
            ktp_file=photo_upload(),
            selfie_file=photo_upload(),
            request_base_url="http://testserver/",
        )
    assert ResidentProfile.objects.count() == 1


def test_activation_link_activates_once_and_rejects_tampering(regions):
    user = _sign_up()
    token = services.activation_token(user)
    services.resident_activate(token=token)
    user.refresh_from_db()
    assert user.is_active and user.resident.activated_at is not None
    services.resident_activate(token=token)  # twice: still fine
    with pytest.raises(DomainError):
        services.resident_activate(token=token[:-2] + "xx")


def test_expired_activation_link_is_refused(regions, monkeypatch):
    user = _sign_up()
    token = services.activation_token(user)
    monkeypatch.setattr(services, "ACTIVATION_MAX_AGE", datetime.timedelta(seconds=-1))
    with pytest.raises(DomainError) as excinfo:
        services.resident_activate(token=token)
    assert "kedaluwarsa" in str(excinfo.value.message)
    assert isinstance(signing.dumps({}), str)


def test_operator_confirms_identity_of_own_village_only(
    regions, personas, mailoutbox, django_capture_on_commit_callbacks
):
    user = _sign_up()
    with pytest.raises(NotAllowed):
        services.identity_review(profile_id=user.resident.pk, actor=personas.operator_b, confirm=True)
    with pytest.raises(NotAllowed):
        services.identity_review(profile_id=user.resident.pk, actor=personas.social_officer, confirm=True)
    with django_capture_on_commit_callbacks(execute=True):
        profile = services.identity_review(profile_id=user.resident.pk, actor=personas.operator_a, confirm=True)
    assert profile.identity_status == IdentityStatus.CONFIRMED and profile.identity_reviewed_by == personas.operator_a
    assert "dikonfirmasi" in mailoutbox[-1].body
    with pytest.raises(InvalidTransition):  # a second operator acting late gets a clear refusal
        services.identity_review(profile_id=user.resident.pk, actor=personas.operator_a, confirm=False, reason="x")


def test_rejection_needs_a_reason_and_reupload_sends_it_back_for_review(
    regions, personas, settings, django_capture_on_commit_callbacks
):
    user = _sign_up()
    with pytest.raises(DomainError):
        services.identity_review(profile_id=user.resident.pk, actor=personas.operator_a, confirm=False, reason="  ")
    services.identity_review(
        profile_id=user.resident.pk,
        actor=personas.operator_a,
        confirm=False,
        reason="Foto KTP buram, tulisan tidak terbaca.",
    )
    profile = ResidentProfile.objects.get(pk=user.resident.pk)
    assert profile.identity_status == IdentityStatus.REJECTED
    old = IdentityDocument.objects.get(profile=profile, kind="ktp")
    old_name = old.image.name
    with django_capture_on_commit_callbacks(execute=True):
        services.identity_document_replace(profile=profile, kind="ktp", file_obj=photo_upload(seed=9))
    profile.refresh_from_db()
    assert profile.identity_status == IdentityStatus.AWAITING_REVIEW
    new = IdentityDocument.objects.get(profile=profile, kind="ktp")
    assert new.image.name != old_name
    assert not private_storage().exists(old_name)  # the replaced photo is gone, not orphaned


def test_reupload_of_something_not_an_image_keeps_the_old_photo(regions, personas):
    user = _sign_up()
    before = IdentityDocument.objects.get(profile=user.resident, kind="selfie").image.name
    with pytest.raises(DomainError):
        services.identity_document_replace(
            profile=user.resident, kind="selfie", file_obj=SimpleUploadedFile("a.heic", b"not an image at all")
        )
    assert IdentityDocument.objects.get(profile=user.resident, kind="selfie").image.name == before
    assert private_storage().exists(before)
