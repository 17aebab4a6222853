"""The resident API, end to end over HTTP: sign-up (multipart), activation, token,
own profile, identity photos, the sign-up throttle, and the identity gate on submit."""

import datetime
import io
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from registrations.api.residents import SignUpThrottle
from registrations.models import IdentityDocument, Proposal, ResidentProfile, Role, User
from testing.numbers import kk_for, nik_for
from testing.personas import PASSWORD
from testing.proposals import CONDITIONS, member_rows
from testing.regions import VILLAGE_A
from testing.uploads import pdf_upload, photo_upload

pytestmark = pytest.mark.django_db

SIGNUP = "/api/residents/signup/"
TOKEN = "/api/auth/token/"
ME = "/api/residents/me/"
PHOTOS = "/api/residents/me/photos/"
BIRTH = datetime.date(1990, 3, 15)
OTHER_CLIENT = "10.20.30.40"  # a second client address, for the throttle


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The sign-up throttle counts in the cache; every test starts with none used.

    Only the throttle's own keys are dropped: with REDIS_URL set the cache shares the
    broker's Redis database, which ``cache.clear()`` would flush."""
    keys = [
        SignUpThrottle.cache_format % {"scope": SignUpThrottle.scope, "ident": ip} for ip in ("127.0.0.1", OTHER_CLIENT)
    ]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def api():
    return APIClient()


def _sign_up_data(**overrides) -> dict:
    data = {
        "nik": nik_for(BIRTH, "L"),
        "kk_number": kk_for(),
        "full_name": "Dede Supriatna",
        "birth_date": BIRTH.isoformat(),
        "sex": "L",
        "village": VILLAGE_A,
        "email": "dede@contoh.id",
        "phone": "081298765432",
        "password": PASSWORD,
        "ktp_photo": photo_upload("ktp.jpg"),
        "selfie_photo": photo_upload("selfie.jpg", seed=4),
    }
    data.update(overrides)
    return data


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _residents() -> int:
    return User.objects.filter(role=Role.RESIDENT).count()


def _activation_path(message) -> str:
    link = next(line for line in message.body.splitlines() if "/akun/aktivasi/" in line).strip()
    assert link.startswith("http://testserver/")
    return link.removeprefix("http://testserver")


def _sign_up_and_activate(api, mailoutbox, django_capture_on_commit_callbacks, **overrides) -> str:
    """Sign up over the API, follow the e-mailed link, and return an API token."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SIGNUP, _sign_up_data(**overrides), format="multipart")
    assert response.status_code == 201, response.json()
    assert api.get(_activation_path(mailoutbox[-1])).status_code == 302
    email = overrides.get("email", "dede@contoh.id")
    response = api.post(TOKEN, {"username": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


# --- sign-up, activation, token, profile ---------------------------------------------------


def test_sign_up_activation_token_and_profile(api, regions, mailoutbox, django_capture_on_commit_callbacks):
    data = _sign_up_data()
    nik, kk_number = data["nik"], data["kk_number"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SIGNUP, data, format="multipart")
    assert response.status_code == 201
    assert "aktivasi" in response.json()["detail"]
    assert "password" not in response.json()
    user = User.objects.get(email="dede@contoh.id")
    assert (user.role, user.is_active, user.region_id) == (Role.RESIDENT, False, VILLAGE_A)
    assert len(_stored_files()) == 4  # two photos, two thumbnails

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["dede@contoh.id"]
    assert nik not in message.body and kk_number not in message.body

    # Not active yet: no token.
    refused = api.post(TOKEN, {"username": "dede@contoh.id", "password": PASSWORD}, format="json")
    assert refused.status_code == 400 and "token" not in refused.json()

    assert api.get(_activation_path(message)).status_code == 302  # to the login page
    user.refresh_from_db()
    assert user.is_active and user.resident.activated_at is not None
    response = api.post(TOKEN, {"username": "dede@contoh.id", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["identity_status"] == "menunggu"
    assert (body["full_name"], body["sex"], body["birth_date"], body["village"], body["email"]) == (
        "Dede Supriatna",
        "L",
        BIRTH.isoformat(),
        VILLAGE_A,
        "dede@contoh.id",
    )
    assert sorted(d["kind"] for d in body["documents"]) == ["ktp", "selfie"]
    assert all(d["width"] and d["height"] for d in body["documents"])
    # The profile deliberately carries no identity numbers, anywhere in the answer.
    assert "nik" not in body and "kk_number" not in body
    assert nik not in response.content.decode() and kk_number not in response.content.decode()


def test_profile_needs_a_resident(api, personas):
    assert api.get(ME).status_code == 403  # anonymous (session auth is first, so 403 not 401)
    api.force_authenticate(personas.operator_a)
    response = api.get(ME)
    assert response.status_code == 403
    assert response.json()["detail"] == "Hanya untuk akun warga."


def test_a_wrong_token_is_refused(api, regions):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get(ME)
    assert response.status_code == 403, response.json()  # 403 not 401: session auth is listed first
    assert "token" in response.json()["detail"].lower()


# --- refusals: nothing is saved -------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"nik": "320412150390"}, "nik", "16"),  # too short
        ({"nik": "32041215039000012"}, "nik", "16"),  # too long
        ({"nik": "32041215O3900001"}, "nik", "16 digit angka"),  # a letter O for a zero
        ({"nik": nik_for(BIRTH, "L"), "sex": "P"}, "nik", "Jenis kelamin"),
        ({"nik": nik_for(BIRTH, "L"), "birth_date": "1991-03-15"}, "nik", "Tanggal lahir pada NIK"),
        ({"kk_number": "12345"}, "kk_number", "16"),
        ({"village": "32.04.12"}, "village", "desa/kelurahan"),  # a district, not a village
        ({"password": "123"}, "password", "sandi"),
    ],
    ids=["nik-short", "nik-long", "nik-letter", "nik-vs-sex", "nik-vs-birth-date", "kk-short", "district", "weak"],
)
def test_sign_up_refusals_name_the_field(api, regions, mailoutbox, overrides, field, fragment):
    response = api.post(SIGNUP, _sign_up_data(**overrides), format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert field in body, body
    assert all(isinstance(m, str) for m in body[field])
    assert fragment in " ".join(body[field])
    assert _residents() == 0 and not ResidentProfile.objects.exists()
    assert _stored_files() == []
    assert mailoutbox == []


def test_nik_messages_are_in_indonesian(api, regions):
    body = api.post(SIGNUP, _sign_up_data(nik=nik_for(BIRTH, "L"), sex="P"), format="multipart").json()
    message = " ".join(body["nik"])
    assert "Jenis kelamin" in message and "NIK" in message
    body = api.post(SIGNUP, _sign_up_data(nik="320412150390"), format="multipart").json()
    assert "karakter" in " ".join(body["nik"])  # Django's own length message, translated


def test_a_renamed_pdf_is_not_a_photo(api, regions, mailoutbox):
    response = api.post(SIGNUP, _sign_up_data(ktp_photo=pdf_upload("ktp.jpg")), format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "ktp_photo"
    assert "bukan foto" in body["detail"]
    assert _residents() == 0 and _stored_files() == [] and mailoutbox == []


def test_a_missing_photo_is_refused(api, regions):
    data = _sign_up_data()
    del data["selfie_photo"]
    response = api.post(SIGNUP, data, format="multipart")
    assert response.status_code == 400 and "selfie_photo" in response.json()
    assert _residents() == 0 and _stored_files() == []


def test_duplicate_nik_or_email_is_a_conflict(api, regions, mailoutbox, django_capture_on_commit_callbacks):
    data = _sign_up_data()
    nik = data["nik"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(SIGNUP, data, format="multipart").status_code == 201
    files_before = sorted(_stored_files())
    assert len(files_before) == 4 and len(mailoutbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SIGNUP, _sign_up_data(nik=nik, email="lain@contoh.id"), format="multipart")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "NIK ini sudah terdaftar. Silakan masuk atau gunakan fitur lupa kata sandi.",
        "field": "nik",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SIGNUP, _sign_up_data(email="DEDE@contoh.id"), format="multipart")
    assert response.status_code == 409
    assert response.json() == {"detail": "Alamat e-mail ini sudah dipakai akun lain.", "field": "email"}

    assert _residents() == 1 and ResidentProfile.objects.count() == 1 and IdentityDocument.objects.count() == 2
    assert sorted(_stored_files()) == files_before
    assert len(mailoutbox) == 1


def test_a_bad_activation_link_activates_nothing(api, regions, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(SIGNUP, _sign_up_data(), format="multipart")
    path = _activation_path(mailoutbox[0])
    assert api.get(path[:-3] + "xyz/").status_code == 400
    assert not User.objects.get(email="dede@contoh.id").is_active


# --- throttle --------------------------------------------------------------------------------


def test_sign_up_is_throttled_per_client_address(api, regions):
    for _ in range(10):
        assert api.post(SIGNUP, {}, format="multipart").status_code == 400
    response = api.post(SIGNUP, {}, format="multipart")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Even a valid sign-up from that address waits; nothing is written.
    assert api.post(SIGNUP, _sign_up_data(), format="multipart").status_code == 429
    assert _residents() == 0 and _stored_files() == []
    # Another client address is counted separately.
    other = APIClient(REMOTE_ADDR=OTHER_CLIENT)
    assert other.post(SIGNUP, _sign_up_data(), format="multipart").status_code == 201


def test_other_endpoints_are_not_throttled_by_sign_up(api, regions):
    for _ in range(11):
        api.post(SIGNUP, {}, format="multipart")
    assert api.get("/api/regions/").status_code == 200


# --- identity photos -------------------------------------------------------------------------


def test_resident_replaces_an_identity_photo(api, regions, mailoutbox, django_capture_on_commit_callbacks):
    token = _sign_up_and_activate(api, mailoutbox, django_capture_on_commit_callbacks)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    before = {d["kind"]: d["id"] for d in api.get(ME).json()["documents"]}

    files_before = set(_stored_files())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(PHOTOS, {"kind": "selfie", "photo": photo_upload("baru.jpg", seed=9)}, format="multipart")
    assert response.status_code == 201
    assert response.json()["kind"] == "selfie"
    documents = api.get(ME).json()["documents"]
    assert len(documents) == 2
    assert {d["kind"]: d["id"] for d in documents} == before  # replaced in place
    files_after = set(_stored_files())
    assert len(files_after) == 4 and len(files_after - files_before) == 2  # the old selfie is gone

    response = api.post(PHOTOS, {"kind": "ktp", "photo": pdf_upload()}, format="multipart")
    assert response.status_code == 400
    assert response.json()["field"] == "photo" and "bukan foto" in response.json()["detail"]

    response = api.post(PHOTOS, {"kind": "paspor", "photo": photo_upload()}, format="multipart")
    assert response.status_code == 400 and "kind" in response.json()


def test_a_confirmed_identity_keeps_its_photos(api, personas):
    from testing.residents import confirmed_resident

    resident = confirmed_resident()
    api.force_authenticate(resident)
    response = api.post(PHOTOS, {"kind": "ktp", "photo": photo_upload()}, format="multipart")
    assert response.status_code == 409
    assert "sudah dikonfirmasi" in response.json()["detail"]
    api.force_authenticate(personas.operator_a)
    assert api.post(PHOTOS, {"kind": "ktp", "photo": photo_upload()}, format="multipart").status_code == 403


# --- identity gate on submit, all over HTTP --------------------------------------------------


def _iso(row: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in row.items()}


def test_submit_waits_for_the_operator_to_confirm_the_identity(
    api, personas, mailoutbox, django_capture_on_commit_callbacks
):
    token = _sign_up_and_activate(api, mailoutbox, django_capture_on_commit_callbacks)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.post("/api/proposals/", {"kind": "baru"}, format="json")
    assert response.status_code == 201
    number, kk_number = response.json()["tracking_number"], response.json()["kk_number"]
    base = f"/api/proposals/{number}/"
    household = {"kk_number": kk_number, "village": VILLAGE_A, "address": "Kp. Bojong 3", "rt": "3", "rw": "7"}
    assert api.put(base + "household/", household, format="json").status_code == 200
    members = {"members": [_iso(r) for r in member_rows()]}
    assert api.put(base + "members/", members, format="json").status_code == 200
    assert api.put(base + "conditions/", CONDITIONS, format="json").status_code == 200
    assert api.put(base + "programmes/", {"programmes": ["PKH"]}, format="json").status_code == 200
    kk_scan = {"kind": "kk", "file": photo_upload("kk.jpg", seed=21)}
    assert api.post(base + "documents/", kk_scan, format="multipart").status_code == 201
    assert api.get(base).json()["problems"] == []

    response = api.post(base + "submit/")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Usulan dapat dikirim setelah identitas Anda dikonfirmasi operator desa/kelurahan."
    )
    assert Proposal.objects.get(tracking_number=number).status == "draf"

    operator = APIClient()  # the operator confirms on the identity page
    operator.force_login(personas.operator_a)
    profile = ResidentProfile.objects.get(user__email="dede@contoh.id")
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("identity-detail", args=[profile.pk]), {"decision": "confirm", "reason": ""}, format="multipart"
        )
    assert response.status_code == 302
    assert api.get(ME).json()["identity_status"] == "dikonfirmasi"

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(base + "submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "diajukan"


def _phone_sized_photo(name: str, seed: int) -> SimpleUploadedFile:
    """A JPEG bigger than Django's in-memory upload limit, so the server spools it to a
    temporary file (a phone photo is 2-6 MB)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (1800, 1400), rng.randbytes(1800 * 1400 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    assert len(out.getvalue()) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_phone_sized_photo_spooled_to_disk_is_accepted(api, regions):
    response = api.post(
        SIGNUP,
        _sign_up_data(ktp_photo=_phone_sized_photo("ktp.jpg", 7), selfie_photo=_phone_sized_photo("selfie.jpg", 8)),
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert IdentityDocument.objects.count() == 2
