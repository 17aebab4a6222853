"""Demo step: one account per role, all with the public ``DEMO_PASSWORD``, and a TOTP
device with the public ``DEMO_TOTP_SECRET`` for the staff who need a second factor."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from registrations.models import Role, User
from registrations.models.choices import Sex

from .steps import SeedContext, StepReport, seeded_faker

DEMO_PASSWORD = "Demo-DTSEN-2026"  # noqa: S105 - public on purpose (README), refused when DEBUG=False
# DEMO ONLY, public on purpose (README): the TOTP secret of every demo staff account that
# must use a second factor; add it to an authenticator app to sign in as them.
DEMO_TOTP_SECRET = "DTSENDEMOPETUGASKEAMANANUJICOBAQ"  # noqa: S105
#: Reserved top-level domain (RFC 2606): demo e-mails can never reach a real inbox.
EMAIL_DOMAIN = "dtsen.example"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region_code: str | None
    description: str
    superuser: bool = False


#: One login per role; all share ``DEMO_PASSWORD``. Copied to the README.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("warga", Role.RESIDENT, "32.04.12.2002", "Warga Desa Dayeuhkolot"),
    DemoAccount("operator.dayeuhkolot", Role.VILLAGE_OPERATOR, "32.04.12.2002", "Operator Desa Dayeuhkolot"),
    DemoAccount("operator.pasawahan", Role.VILLAGE_OPERATOR, "32.04.12.1001", "Operator Kelurahan Pasawahan"),
    DemoAccount("operator.cimungkal", Role.VILLAGE_OPERATOR, "32.11.01.2001", "Operator Desa Cimungkal (Sumedang)"),
    DemoAccount("dinsos.bandung", Role.SOCIAL_OFFICER, "32.04", "Dinas Sosial Kabupaten Bandung"),
    DemoAccount("dinsos.sumedang", Role.SOCIAL_OFFICER, "32.11", "Dinas Sosial Kabupaten Sumedang"),
    DemoAccount("bupati.bandung", Role.REGENCY_HEAD, "32.04", "Bupati Bandung"),
    DemoAccount("provinsi.jabar", Role.PROVINCIAL_STAFF, "32", "Petugas Provinsi Jawa Barat"),
    DemoAccount("kemensos", Role.MINISTRY_STAFF, None, "Petugas Kementerian Sosial (nasional)"),
    DemoAccount("admin", Role.ADMIN, None, "Administrator (Django admin, superuser)", superuser=True),
)


def step_accounts(ctx: SeedContext) -> list[StepReport]:
    """One account per role (``DEMO_ACCOUNTS``); existing usernames are left untouched."""
    existing = set(
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list("username", flat=True)
    )
    # One hash for all: PBKDF2 at full strength costs ~0.3 s per call.
    password_hash = make_password(DEMO_PASSWORD) if len(existing) < len(DEMO_ACCOUNTS) else None
    created = 0
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        fake = seeded_faker("account", account.username)
        sex = fake.random.choice([Sex.MALE, Sex.FEMALE])
        user = User(
            username=account.username,
            role=account.role,
            region_id=account.region_code,
            first_name=fake.first_name_male() if sex == Sex.MALE else fake.first_name_female(),
            last_name=fake.last_name_male() if sex == Sex.MALE else fake.last_name_female(),
            email=f"{account.username}@{EMAIL_DOMAIN}",
            phone=fake.numerify("0812########"),
            is_staff=account.superuser,
            is_superuser=account.superuser,
            password=password_hash,
        )
        user.full_clean()
        user.save()
        created += 1
    return [StepReport("akun demo", created=created, present=len(existing)), _demo_totp_devices()]


def _demo_totp_devices() -> StepReport:
    """A confirmed TOTP device with ``DEMO_TOTP_SECRET`` for each demo account that needs one."""
    from base64 import b32decode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dtsen_portal.security import otp_required

    key = b32decode(DEMO_TOTP_SECRET).hex()
    created = present = 0
    for user in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]):
        if not otp_required(user):
            continue
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            present += 1
            continue
        TOTPDevice.objects.create(user=user, name="Demo (kunci publik)", key=key, confirmed=True)
        created += 1
    return StepReport("perangkat TOTP demo", created=created, present=present)


#: Run in order inside one transaction. Later issues append their steps here.
