"""Accounts (issue 8, item 1): lockout, TOTP second factor, session limits, disabling,
password reset that reveals nothing. These tests log in through the real login page or
``Client.login`` (never the verified ``force_login``) where the factor itself is tested."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from dtsen_portal.security import LOGIN_AT, SEEN_AT, otp_required
from registrations.models import Role, UserSession
from testing.otp import TEST_KEY, code_for, confirmed_device, fresh_code
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/akun/masuk/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """DRF's per-address throttle on the token login counts in the cache across tests.

    Only its key is removed: ``cache.clear()`` would flush a whole Redis database.
    """
    from django.core.cache import cache

    from registrations.api.auth import TokenLoginThrottle

    cache.delete(TokenLoginThrottle.cache_format % {"scope": TokenLoginThrottle.scope, "ident": "127.0.0.1"})


def _login_form(client, user, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.username, "password": password, **extra})


# --- second factor -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.RESIDENT, False),
        (Role.VILLAGE_OPERATOR, False),
        (Role.SOCIAL_OFFICER, True),
        (Role.REGENCY_HEAD, True),
        (Role.PROVINCIAL_STAFF, True),
        (Role.MINISTRY_STAFF, True),
        (Role.ADMIN, True),
    ],
)
def test_second_factor_is_required_above_village_operator(personas, role, required):
    user = next(u for u in personas.all().values() if u.role == role)
    assert otp_required(user) is required


def test_staff_without_device_is_sent_to_enrolment_and_nothing_else_opens(client, personas):
    response = _login_form(client, personas.social_officer)
    assert response.status_code == 302
    page = client.get(reverse("household-list"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("otp-setup") + "?next=")
    for name in ("staff-dashboard", "verification-queue", "proposal-list", "home"):
        assert client.get(reverse(name)).status_code == 302, name
    api = client.get(reverse("api-household-list"))
    assert api.status_code == 403 and "Verifikasi dua langkah" in api.json()["detail"]
    setup = client.get(page["Location"])
    assert setup.status_code == 200
    html = setup.content.decode()
    assert "<svg" in html and "data-otp-secret" in html


def test_enrolment_with_a_wrong_then_a_right_code(client, personas):
    _login_form(client, personas.regency_head)
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=personas.regency_head)
    assert not device.confirmed
    wrong = client.post(reverse("otp-setup"), {"otp_token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "Kode salah atau sudah kedaluwarsa" in wrong.content.decode()
    time.sleep(1.1)  # django-otp throttles: one second after a wrong code
    key_before = client.session.session_key
    ok = client.post(reverse("otp-setup"), {"otp_token": code_for(device), "next": reverse("approval-queue")})
    assert ok.status_code == 302 and ok["Location"] == reverse("approval-queue")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session.session_key != key_before  # a privilege change gets a new session key
    assert client.get(reverse("approval-queue")).status_code == 200


def test_staff_with_device_enters_a_code_after_the_password(client, personas):
    device = confirmed_device(personas.ministry)
    _login_form(client, personas.ministry)
    page = client.get(reverse("determination-queue"))
    assert page["Location"].startswith(reverse("otp-verify"))
    bad = client.post(reverse("otp-verify"), {"otp_token": "12345"})
    assert "Kode terdiri dari 6 angka" in bad.content.decode()
    ok = client.post(reverse("otp-verify"), {"otp_token": fresh_code(device), "next": reverse("determination-queue")})
    assert ok["Location"] == reverse("determination-queue")
    assert client.get(reverse("determination-queue")).status_code == 200


def test_verify_refuses_an_offsite_next(client, personas):
    device = confirmed_device(personas.ministry)
    _login_form(client, personas.ministry)
    ok = client.post(reverse("otp-verify"), {"otp_token": fresh_code(device), "next": "https://jahat.example/"})
    assert ok["Location"] == reverse("home")


def test_operator_may_work_without_factor_and_may_enrol_one(client, personas):
    operator = personas.operator_a
    _login_form(client, operator)
    assert client.get(reverse("proposal-list")).status_code == 200
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=operator)
    client.post(reverse("otp-setup"), {"otp_token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.post(reverse("logout"))
    _login_form(client, operator)
    # Enrolled: from now on the operator's logins need the code too.
    assert client.get(reverse("proposal-list"))["Location"].startswith(reverse("otp-verify"))


def test_resident_needs_no_factor_and_cannot_enrol(client, personas):
    _login_form(client, personas.resident)
    assert client.get(reverse("proposal-list")).status_code == 200
    assert client.get(reverse("otp-setup")).status_code == 403


def test_token_for_staff_needs_a_totp_code(personas):
    from rest_framework.test import APIClient

    api = APIClient()
    device = confirmed_device(personas.social_officer)
    url = reverse("api-token")
    missing = api.post(url, {"username": "dinsos_bandung", "password": PASSWORD}, format="json")
    assert missing.status_code == 400 and "otp_token" in missing.json()
    wrong = api.post(url, {"username": "dinsos_bandung", "password": PASSWORD, "otp_token": "999999"}, format="json")
    assert wrong.status_code == 400 and not Token.objects.filter(user=personas.social_officer).exists()
    time.sleep(1.1)  # django-otp throttles: one second after a wrong code
    ok = api.post(
        url, {"username": "dinsos_bandung", "password": PASSWORD, "otp_token": fresh_code(device)}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["token"] == Token.objects.get(user=personas.social_officer).key
    resident = api.post(url, {"username": "warga_a", "password": PASSWORD}, format="json")
    assert resident.status_code == 200


def test_fresh_codes_let_staff_log_in_again_at_once(client, personas):
    """testing/otp.py: after a used code, the next step's code (inside the device's
    tolerance), not a wait for the next 30-second window."""
    device = confirmed_device(personas.ministry)
    started = time.monotonic()
    for _ in range(3):
        _login_form(client, personas.ministry)
        response = client.post(reverse("otp-verify"), {"otp_token": fresh_code(device)})
        assert response.status_code == 302 and response["Location"] == reverse("home")
        client.post(reverse("logout"))
    assert time.monotonic() - started < 20  # three windows would take more than 30 s


def test_fresh_code_of_a_device_without_tolerance_moves_its_clock(personas):
    """With tolerance 0 only the current step counts: once it is used, the helper moves
    the device's time reference (t0) so that the next step begins now."""
    device = confirmed_device(personas.ministry)
    TOTPDevice.objects.filter(pk=device.pk).update(tolerance=0)
    device.refresh_from_db()
    assert device.verify_token(fresh_code(device))
    assert device.verify_token(fresh_code(device))
    assert device.verify_token(fresh_code(device))


def test_force_login_of_tests_is_verified(client, personas):
    """The test helper (testing/otp.py) is what the other tests rely on."""
    client.force_login(personas.provincial)
    assert client.get(reverse("forwarding-queue")).status_code == 200


# --- lockout -----------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, personas):
    user = personas.operator_a
    for _ in range(4):
        response = _login_form(client, user, password="salah-sandi")
        assert response.status_code == 200  # the form with its usual error
    locked = _login_form(client, user, password="salah-sandi")
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.content.decode()
    # Even the right password is refused during the cool-off.
    again = _login_form(client, user)
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    # An unknown username gets the same answer: the lockout reveals no account.
    for _ in range(5):
        unknown = _login_form(client, type(user)(username="tidak-ada"), password="x")
    assert unknown.status_code == 429
    assert unknown.content.decode().count("Terlalu banyak") == 1


def test_api_token_login_is_locked_too(personas):
    from rest_framework.test import APIClient

    api = APIClient()
    for _ in range(5):
        api.post(reverse("api-token"), {"username": "warga_a", "password": "salah"}, format="json")
    locked = api.post(reverse("api-token"), {"username": "warga_a", "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.json()["detail"]


# --- sessions ----------------------------------------------------------------------------------------


def test_login_rotates_the_session_key(client, personas):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.cookies["sessionid"] = before
    _login_form(client, personas.resident)
    after = client.session.session_key
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.filter(user=personas.resident, session_key=after).exists()


def _age_session(client, *, idle: int = 0, since_login: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SEEN_AT] = now - idle
    session[LOGIN_AT] = now - max(since_login, idle)
    session.save()


def test_staff_idle_for_31_minutes_is_logged_out(client, personas):
    client.force_login(personas.social_officer)
    _age_session(client, idle=29 * 60)
    assert client.get(reverse("verification-queue")).status_code == 200
    _age_session(client, idle=31 * 60)
    response = client.get(reverse("verification-queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    follow = client.get(response["Location"])
    assert "lama tidak aktif" in follow.content.decode()


def test_resident_idle_limit_is_two_hours(client, personas):
    client.force_login(personas.resident)
    _age_session(client, idle=90 * 60)
    assert client.get(reverse("proposal-list")).status_code == 200
    _age_session(client, idle=121 * 60)
    assert client.get(reverse("proposal-list")).status_code == 302


def test_absolute_limit_ends_even_a_busy_session(client, personas):
    client.force_login(personas.resident)
    _age_session(client, idle=10, since_login=12 * 3600 + 5)
    response = client.get(reverse("proposal-list"))
    assert response.status_code == 302
    assert "batas 12 jam" in client.get(response["Location"]).content.decode()


def test_api_request_after_idle_limit_answers_401(client, personas):
    client.force_login(personas.social_officer)
    _age_session(client, idle=31 * 60)
    response = client.get(reverse("api-household-list"))
    assert response.status_code == 401


def test_disabling_an_account_ends_its_sessions_and_token(client, personas, django_capture_on_commit_callbacks):
    user = personas.operator_b
    _login_form(client, user)
    assert client.get(reverse("proposal-list")).status_code == 200
    key = client.session.session_key
    token = Token.objects.create(user=user)
    user.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not Token.objects.filter(pk=token.pk).exists()
    assert not UserSession.objects.filter(user=user).exists()


def test_disabling_ends_the_session_verified_by_the_second_factor(client, personas, django_capture_on_commit_callbacks):
    """Passing the code gives the session a new key; the record of it follows, so
    disabling the account still ends the live session."""
    user = personas.ministry
    device = confirmed_device(user)
    _login_form(client, user)
    response = client.post(reverse("otp-verify"), {"otp_token": fresh_code(device)})
    assert response.status_code == 302
    key = client.session.session_key
    assert client.get(reverse("determination-queue")).status_code == 200
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [key]
    user.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        user.save()
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=user).exists()


def test_disabled_account_with_a_live_session_is_out_on_next_request(client, personas):
    """Even when the flag is set without signals (a bulk update), the next request ends it."""
    user = personas.operator_b
    client.force_login(user)
    assert client.get(reverse("proposal-list")).status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)  # no signal runs
    response = client.get(reverse("proposal-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


# --- password reset ----------------------------------------------------------------------------------


def test_password_reset_answers_alike_for_known_and_unknown_addresses(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password_reset"), {"email": personas.resident.email})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("password_reset"), {"email": "tidak.terdaftar@contoh.go.id"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    done = client.get(known["Location"]).content.decode()
    assert "tidak.terdaftar" not in done
    assert [m.to for m in mail.outbox] == [[personas.resident.email]]


def test_totp_device_key_matches_the_published_test_secret():
    from base64 import b32encode
    from binascii import unhexlify

    assert b32encode(unhexlify(TEST_KEY)).decode() == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def test_demo_staff_get_the_published_demo_totp_secret(personas):
    """seed_demo's step: personas ``kemensos`` and ``admin`` share demo usernames."""
    from base64 import b32decode

    from registrations.demo.accounts import DEMO_TOTP_SECRET, _demo_totp_devices

    report = _demo_totp_devices()
    assert report.created == 2  # kemensos and admin; no operator or resident among the demo names here
    device = TOTPDevice.objects.get(user=personas.ministry)
    assert device.confirmed and device.key == b32decode(DEMO_TOTP_SECRET).hex()
    assert device.verify_token(code_for(device))
    assert _demo_totp_devices().present == 2
