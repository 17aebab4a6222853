"""The TOTP second factor in tests: a known key per account, and codes from it.

``force_login`` means "this session is fully authenticated", which for staff above
village operator includes the second factor: ``force_login_verified`` (installed for
every test by the autouse fixture below, a plugin of the root conftest) gives such a
user a confirmed device and marks the session verified exactly as ``django_otp.login``
does after a correct code. Nothing in the portal's code knows about tests. Tests of
the factor itself log in through the login page, or use ``Client.login``, which this
does not touch.
"""

import time
from binascii import unhexlify

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dtsen_portal.security import otp_expected

#: Hex key of every test device (20 bytes); base32: GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.
TEST_KEY = "3132333435363738393031323334353637383930"


def confirmed_device(user, key: str = TEST_KEY) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="uji", key=key, confirmed=True)
    return device


def code_for(device_or_key, *, at: float | None = None) -> str:
    """The 6-digit code a phone would show now (or at the epoch second ``at``)."""
    key = device_or_key if isinstance(device_or_key, str) else device_or_key.key
    generator = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    if at is not None:
        generator.time = at
    return f"{generator.token():06d}"


def fresh_code(device) -> str:
    """A code the device has not accepted yet (each code counts once: replay protection)."""
    device.refresh_from_db()
    while True:
        step = int(time.time()) // 30
        if device.last_t < step:
            return code_for(device)
        time.sleep(max(0.05, 30 - time.time() % 30 + 0.05))


_original_force_login = Client.force_login


def force_login_verified(self, user, backend=None):
    _original_force_login(self, user, backend)
    if otp_expected(user):
        device = confirmed_device(user)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _force_login_includes_second_factor(monkeypatch):
    """``client.force_login(staff)`` gives a fully signed-in session, TOTP included."""
    monkeypatch.setattr(Client, "force_login", force_login_verified)
