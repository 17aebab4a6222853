"""The TOTP second factor in tests: a known key per account, and codes from it.

``force_login`` means "this session is fully authenticated", which for staff above
village operator includes the second factor: ``force_login_verified`` (installed for
every test by the autouse fixture below, a plugin of the root conftest) gives such a
user a confirmed device and marks the session verified exactly as ``django_otp.login``
does after a correct code. Nothing in the portal's code knows about tests. Tests of
the factor itself log in through the login page, or use ``Client.login``, which this
does not touch.

Fresh codes without waiting
---------------------------
django-otp accepts each code once: ``TOTPDevice.verify_token`` looks for the code at
the time steps ``t - tolerance .. t + tolerance`` around the device's step ``t``
(``(now - t0) // step + drift``) and only at steps above ``last_t``, the step of the
last accepted code; on success it stores that step in ``last_t`` and, with
``OTP_TOTP_SYNC`` (django-otp's default; the portal does not change it), moves
``drift`` by the offset it matched at, as for a phone whose clock runs ahead. The
portal's devices keep the model's defaults: 30-second steps, ``tolerance`` 1, ``drift``
0 (dtsen_portal/settings.py sets no ``OTP_TOTP_*`` but the issuer).

So a second login within the same 30 seconds needs no wait: ``fresh_code`` computes
the code of the lowest step that is both unused (above ``last_t``) and not in the past
(at least ``t``). For a first login that is the current step ``t``; once ``t`` is
used, it is the next step, ``t + 1``, inside the tolerance window, as a phone a few
seconds fast would show it. Once accepted, the drift follows it, so the window moves
along and a third login gets ``t + 2``, and so on. Never choosing a past step also
keeps the code good if a step boundary passes before the portal checks it (the window
moves up by one step; the chosen step is still inside it).

If no step of the window is left (a device whose drift does not follow, or one with
``tolerance`` 0 whose current code was used), ``fresh_code`` moves the device's time
reference instead: it stores a ``t0`` (the Unix time steps are counted from) that makes
the wanted step begin now, and returns that step's code, good for a whole step. The
change is in the database, so it holds for every process that checks the code (a live
server, the test client), unlike patching ``time.time`` in the test. With ``tolerance``
0 the same is done when fewer than ``MARGIN`` seconds are left in the current step,
since a boundary between the code and its check would make it fail. No portal device
is in that case today, so the branch is a safety net, tested in
registrations/tests/test_security_accounts.py.
"""

import time
from binascii import unhexlify

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dtsen_portal.security import otp_expected

#: Hex key of every test device (20 bytes); base32: GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.
TEST_KEY = "3132333435363738393031323334353637383930"

#: Seconds a code must stay good for when the device accepts only the current step.
MARGIN = 2


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


def _device_step(device, now: int) -> int:
    """The step ``verify_token`` centres its window on at the time ``now``."""
    return (int(now) - device.t0) // device.step + device.drift


def fresh_code(device) -> str:
    """A code the device accepts now and has not accepted before (see the module's
    docstring: the next unused step of the tolerance window; never a wait)."""
    device.refresh_from_db()
    now = int(time.time())
    current = _device_step(device, now)
    wanted = max(device.last_t + 1, current)
    step_ends_in = device.step - (now - device.t0) % device.step
    if wanted > current + device.tolerance or (device.tolerance == 0 and step_ends_in < MARGIN):
        # Re-anchor the device's clock so that the wanted step begins now.
        device.t0 = now - (wanted - device.drift) * device.step
        device.save(update_fields=["t0"])
    return f"{hotp(device.bin_key, wanted, digits=device.digits):0{device.digits}d}"


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
