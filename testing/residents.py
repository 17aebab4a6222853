"""Residents for tests: sign-up data, and residents whose identity is already confirmed."""

import datetime

from registrations.models import IdentityDocument, Region, ResidentProfile, Role, User
from registrations.services.residents import SignUpData
from testing.numbers import kk_for, next_serial, nik_for
from testing.personas import PASSWORD
from testing.regions import VILLAGE_A, district_of
from testing.uploads import stored_photo


def sign_up_data(**overrides) -> SignUpData:
    birth = overrides.pop("birth_date", datetime.date(1985, 4, 12))
    sex = overrides.pop("sex", "P")
    data = {
        "nik": nik_for(birth, sex),
        "kk_number": kk_for(),
        "full_name": "Siti Aminah",
        "birth_date": birth,
        "sex": sex,
        "village": Region.objects.get(code=VILLAGE_A),
        "email": f"siti{next_serial()}@contoh.id",
        "phone": "081234567890",
        "password": PASSWORD,
    }
    data.update(overrides)
    return SignUpData(**data)


def confirmed_resident(username: str = "siti", village: str = VILLAGE_A) -> User:
    """An active resident whose identity the operator has already confirmed."""
    birth = datetime.date(1985, 4, 12)
    user = User.objects.create_user(
        username=username, email=f"{username}@contoh.id", password=PASSWORD, role=Role.RESIDENT, region_id=village
    )
    user.first_name = "Siti"
    user.save()
    ResidentProfile.objects.create(
        user=user,
        nik=nik_for(birth, "P", district_of(village)),
        kk_number=kk_for(district_of(village)),
        full_name="Siti Aminah",
        birth_date=birth,
        sex="P",
        village_id=village,
        identity_status="dikonfirmasi",
        activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    return user


def resident_profile(user: User, village: str) -> ResidentProfile:
    """A confirmed profile for an existing ``user``, with a stored KTP photo."""
    birth = datetime.date(1985, 4, 12)
    district = district_of(village)
    profile = ResidentProfile.objects.create(
        user=user,
        nik=nik_for(birth, "P", district),
        kk_number=kk_for(district),
        full_name="Siti Aminah",
        birth_date=birth,
        sex="P",
        village_id=village,
        identity_status="dikonfirmasi",
        activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    image, name, thumb = stored_photo(7, "identity")
    IdentityDocument.objects.create(
        profile=profile,
        kind="ktp",
        image=name,
        thumbnail=thumb,
        sha256=image.sha256,
        width=image.width,
        height=image.height,
    )
    return profile
