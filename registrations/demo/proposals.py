"""Demo steps for ``seed_demo``: a confirmed resident and proposals in several states.

Everything goes through the real services (documents re-encoded, events written,
transitions checked), so the demo shows exactly what the portal does. Each proposal
is keyed by its KK number: a second run finds it and creates nothing.
"""

from __future__ import annotations

import datetime
import io
import random

from django.utils import timezone
from PIL import Image, ImageDraw

from registrations.models import (
    IdentityDocument,
    IdentityStatus,
    Proposal,
    ProposalMember,
    Region,
    ResidentProfile,
    User,
)
from registrations.nik import build_nik
from registrations.services import proposals as services
from registrations.services.documents import stored_photo
from registrations.uploads import process_image_upload
from registrations.workflow import proposal_transition

from .households import plan_family
from .steps import REFERENCE_DATE, SeedContext, StepReport, seeded_faker

RESIDENT_USERNAME = "warga"
RESIDENT_VILLAGE = "32.04.12.2002"


def demo_photo(label: str, *, seed: int, size=(1280, 800)) -> io.BytesIO:
    """A legible, clearly fake card-like picture (never a real person's document)."""
    rng = random.Random(seed)  # noqa: S311 - drawing, not security
    image = Image.new("RGB", size, (228, 238, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, size[0] - 20, size[1] - 20], outline=(30, 60, 120), width=8)
    draw.text((60, 50), f"CONTOH / DEMO - {label}", fill=(150, 0, 0))
    for row in range(140, size[1] - 60, 48):
        x = 60
        while x < size[0] - 120:
            width = rng.randint(12, 60)
            draw.rectangle([x, row, x + width, row + 14], fill=(25, 25, 35))
            x += width + rng.randint(8, 20)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    out.seek(0)
    out.name = f"{label}.jpg"
    return out


def _free_nik(district: str, birth: datetime.date, sex: str, serial: int) -> str:
    taken = set(ProposalMember.objects.values_list("nik", flat=True)) | set(
        ResidentProfile.objects.values_list("nik", flat=True)
    )
    from registrations.models import Member

    for step in range(9000):
        nik = build_nik(district_code=district, birth_date=birth, sex=sex, serial=(serial + step) % 9999 + 1)
        if nik not in taken and not Member.objects.filter(nik=nik).exists():
            return nik
    raise RuntimeError("no free demo NIK")


def _education(age: int, rng) -> str:
    if age < 7:
        return "tidak_sekolah"
    if age <= 12:
        return "sd"
    if age <= 15:
        return "smp"
    return rng.choice(["sd", "sd", "smp", "smp", "sma"])


def _members(key: str, village: str, *, size: int, serial: int) -> list[dict]:
    fake = seeded_faker("proposal-family", key)
    district = village.rsplit(".", 1)[0]
    rows = []
    for i, person in enumerate(plan_family(fake, size=size, village_code=village)):
        age = (REFERENCE_DATE - person.birth_date).days // 365
        rows.append(
            {
                "nik": _free_nik(district, person.birth_date, person.sex, 7000 + serial * 10 + i),
                "full_name": person.full_name,
                "relation": person.relation,
                "birth_place": person.birth_place,
                "birth_date": person.birth_date,
                "sex": person.sex,
                "marital_status": person.marital_status,
                "education": _education(age, fake.random),
                "occupation": person.occupation or "tidak_bekerja",
                "disability": "tidak",
                "pregnant": False,
            }
        )
    return rows


def demo_kk_number(village: str, serial: int) -> str:
    return f"{village.rsplit('.', 1)[0].replace('.', '')}010126{9000 + serial:04d}"


def step_resident_profile(ctx: SeedContext) -> list[StepReport]:
    """The demo resident ``warga``: identity confirmed by the village operator."""
    user = User.objects.filter(username=RESIDENT_USERNAME).first()
    if user is None or hasattr(user, "resident"):
        return [StepReport("profil warga demo", present=1 if user else 0)]
    fake = seeded_faker("resident-profile")
    birth = datetime.date(1987, 8, 17)
    district = RESIDENT_VILLAGE.rsplit(".", 1)[0]
    profile = ResidentProfile.objects.create(
        user=user,
        nik=_free_nik(district, birth, "P", 8100),
        kk_number=demo_kk_number(RESIDENT_VILLAGE, 1),
        full_name=f"{user.first_name} {user.last_name}".strip() or fake.name_female(),
        birth_date=birth,
        sex="P",
        village_id=RESIDENT_VILLAGE,
        identity_status=IdentityStatus.CONFIRMED,
        identity_reviewed_by=User.objects.filter(username="operator.dayeuhkolot").first(),
        identity_reviewed_at=timezone.now(),
        activated_at=timezone.now(),
    )
    for kind, seed in (("ktp", 1), ("selfie", 2)):
        image = process_image_upload(demo_photo(kind.upper(), seed=seed), kind=kind)
        photo = stored_photo(image, prefix="identity", written=[], warnings=False)
        IdentityDocument.objects.create(profile=profile, kind=kind, **photo)
    return [StepReport("profil warga demo", created=1)]


#: (key, proposer username, village, size, what happens after drafting)
DEMO_PROPOSALS = (
    ("warga-online", RESIDENT_USERNAME, RESIDENT_VILLAGE, 4, "submit"),
    ("walkin-diajukan", "operator.dayeuhkolot", RESIDENT_VILLAGE, 5, "submit"),
    ("walkin-draf", "operator.dayeuhkolot", RESIDENT_VILLAGE, 3, "draft"),
    ("walkin-dikembalikan", "operator.dayeuhkolot", RESIDENT_VILLAGE, 4, "return"),
    ("walkin-ditarik", "operator.pasawahan", "32.04.12.1001", 3, "withdraw"),
    ("walkin-cimungkal", "operator.cimungkal", "32.11.01.2001", 6, "submit"),
)


def step_proposals(ctx: SeedContext) -> list[StepReport]:
    created = present = 0
    for serial, (key, username, village, size, outcome) in enumerate(DEMO_PROPOSALS, start=2):
        actor = User.objects.filter(username=username).first()
        if actor is None:
            continue
        kk_number = actor.resident.kk_number if hasattr(actor, "resident") else demo_kk_number(village, serial)
        if Proposal.objects.filter(kk_number=kk_number).exists():
            present += 1
            continue
        make_proposal(key, actor, village, kk_number, size=size, serial=serial, outcome=outcome)
        created += 1
    return [StepReport("usulan demo", created=created, present=present)]


def make_proposal(key, actor, village, kk_number, *, size, serial, outcome) -> Proposal:
    fake = seeded_faker("proposal", key)
    proposal = services.proposal_create_draft(actor=actor, village=Region.objects.get(code=village))
    services.proposal_save_household(
        proposal=proposal,
        actor=actor,
        data={
            "kk_number": kk_number,
            "village": Region.objects.get(code=village),
            "address": f"{fake.street_name()} No. {fake.random.randint(1, 120)}",
            "rt": f"{fake.random.randint(1, 9):03d}",
            "rw": f"{fake.random.randint(1, 6):03d}",
            "phone": fake.numerify("0813########"),
        },
    )
    if outcome == "draft":
        return proposal
    services.proposal_save_members(
        proposal=proposal, actor=actor, members=_members(key, village, size=size, serial=serial)
    )
    services.proposal_save_conditions(
        proposal=proposal,
        actor=actor,
        data={
            "no_fixed_income": True,
            "spends_mostly_on_staple_food": fake.boolean(),
            "health_care_only_subsidised": True,
            "poor_floor": fake.boolean(),
            "poor_walls": fake.boolean(),
            "floor_area_m2": fake.random.randint(18, 60),
            "monthly_income": fake.random.randrange(600_000, 2_400_000, 50_000),
            "owns_motorcycle": fake.boolean(),
        },
    )
    services.proposal_save_programmes(
        proposal=proposal, actor=actor, programmes=["PKH", "BPNT", "PBI_JK"], statement=""
    )
    services.proposal_add_document(
        proposal=proposal, actor=actor, kind="kk", file_obj=demo_photo("KK", seed=serial * 10)
    )
    if proposal.channel == "luring":
        services.proposal_add_document(
            proposal=proposal, actor=actor, kind="formulir", file_obj=demo_photo("FORMULIR", seed=serial * 10 + 1)
        )
    proposal = Proposal.objects.get(pk=proposal.pk)
    services.proposal_submit(proposal=proposal, actor=actor)
    if outcome == "withdraw":
        services.proposal_withdraw(proposal=proposal, actor=actor, reason="Keluarga pindah ke luar desa.")
    elif outcome == "return":
        proposal_transition(
            proposal_id=proposal.pk,
            name="return_for_correction",
            actor=actor,
            reason="Foto KK kurang jelas; mohon unggah ulang.",
        )
    return proposal
