"""Small builders for resident and proposal tests: photos, members, complete drafts."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from registrations.models import Proposal, ResidentProfile, Role, User
from registrations.nik import build_nik
from registrations.services import proposals as proposal_services
from registrations.services.residents import SignUpData
from registrations.tests.personas import PASSWORD, VILLAGE_A

DISTRICT_A = VILLAGE_A.rsplit(".", 1)[0]


def photo_bytes(width: int = 1280, height: int = 800, *, seed: int = 1, fmt: str = "JPEG") -> bytes:
    """A sharp, card-like picture: text-like strokes on a light background."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (235, 240, 250))
    draw = ImageDraw.Draw(image)
    for row in range(20, height - 20, max(height // 16, 12)):
        x = 20
        while x < width - 60:
            w = rng.randint(8, 40)
            draw.rectangle([x, row, x + w, row + max(height // 40, 4)], fill=(20, 20, 30))
            x += w + rng.randint(6, 18)
    out = io.BytesIO()
    image.save(out, format=fmt, quality=90)
    return out.getvalue()


def photo_upload(name: str = "ktp.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type="image/jpeg")


def pdf_upload(name: str = "ktp.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="image/jpeg")


_serials = iter(range(1, 10_000))


def nik_for(birth_date: datetime.date, sex: str, district: str = DISTRICT_A) -> str:
    return build_nik(district_code=district, birth_date=birth_date, sex=sex, serial=next(_serials))


def kk_for(district: str = DISTRICT_A, serial: int | None = None) -> str:
    serial = next(_serials) if serial is None else serial
    return f"{district.replace('.', '')}2001{serial % 100:02d}{serial:04d}"[:16]


def sign_up_data(**overrides) -> SignUpData:
    from registrations.models import Region

    birth = overrides.pop("birth_date", datetime.date(1985, 4, 12))
    sex = overrides.pop("sex", "P")
    data = {
        "nik": nik_for(birth, sex),
        "kk_number": kk_for(),
        "full_name": "Siti Aminah",
        "birth_date": birth,
        "sex": sex,
        "village": Region.objects.get(code=VILLAGE_A),
        "email": f"siti{next(_serials)}@contoh.id",
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
        nik=nik_for(birth, "P", village.rsplit(".", 1)[0]),
        kk_number=kk_for(village.rsplit(".", 1)[0]),
        full_name="Siti Aminah",
        birth_date=birth,
        sex="P",
        village_id=village,
        identity_status="dikonfirmasi",
        activated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    return user


def member_rows(district: str = DISTRICT_A) -> list[dict]:
    head_birth, wife_birth, child_birth = (
        datetime.date(1980, 2, 3),
        datetime.date(1984, 7, 9),
        datetime.date(2016, 11, 20),
    )
    base = {"disability": "tidak", "pregnant": False}
    return [
        {
            **base,
            "nik": nik_for(head_birth, "L", district),
            "full_name": "Budi Santoso",
            "relation": "kepala",
            "birth_place": "Bandung",
            "birth_date": head_birth,
            "sex": "L",
            "marital_status": "kawin",
            "education": "smp",
            "occupation": "buruh",
        },
        {
            **base,
            "nik": nik_for(wife_birth, "P", district),
            "full_name": "Siti Aminah",
            "relation": "pasangan",
            "birth_place": "Garut",
            "birth_date": wife_birth,
            "sex": "P",
            "marital_status": "kawin",
            "education": "sd",
            "occupation": "mengurus_rumah_tangga",
            "pregnant": True,
        },
        {
            **base,
            "nik": nik_for(child_birth, "L", district),
            "full_name": "Ahmad Fauzi",
            "relation": "anak",
            "birth_place": "Bandung",
            "birth_date": child_birth,
            "sex": "L",
            "marital_status": "belum_kawin",
            "education": "sd",
            "occupation": "pelajar",
        },
    ]


CONDITIONS = {
    "no_fixed_income": True,
    "spends_mostly_on_staple_food": True,
    "poor_floor": True,
    "floor_area_m2": 24,
    "monthly_income": 1_200_000,
    "owns_motorcycle": True,
}


def complete_draft(actor: User, *, kinds=("kk",)) -> Proposal:
    """A draft with every step filled, ready to submit."""
    proposal = proposal_services.proposal_create_draft(actor=actor)
    district = proposal.village_id.rsplit(".", 1)[0]
    proposal_services.proposal_save_household(
        proposal=proposal,
        actor=actor,
        data={
            "kk_number": proposal.kk_number or kk_for(district),
            "village": proposal.village,
            "address": "Jl. Sukapura No. 7",
            "rt": "003",
            "rw": "007",
            "phone": "081234567890",
        },
    )
    proposal_services.proposal_save_members(proposal=proposal, actor=actor, members=member_rows(district))
    proposal_services.proposal_save_conditions(proposal=proposal, actor=actor, data=CONDITIONS)
    proposal_services.proposal_save_programmes(
        proposal=proposal, actor=actor, programmes=["PKH", "PBI_JK"], statement=""
    )
    for i, kind in enumerate(kinds):
        proposal_services.proposal_add_document(
            proposal=proposal, actor=actor, kind=kind, file_obj=photo_upload(f"{kind}.jpg", seed=100 + i)
        )
    proposal.refresh_from_db()
    return proposal
