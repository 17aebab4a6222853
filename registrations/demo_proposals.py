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

from registrations.management.commands.seed_demo import (
    REFERENCE_DATE,
    SeedContext,
    StepReport,
    plan_family,
    seeded_faker,
)
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
from registrations.services.documents import store_processed_image
from registrations.services.proposals import CONDITION_FIELDS
from registrations.uploads import process_image_upload
from registrations.workflow import proposal_transition

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


def _kk(village: str, serial: int) -> str:
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
        kk_number=_kk(RESIDENT_VILLAGE, 1),
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
        name, thumb = store_processed_image(image, prefix="identity")
        IdentityDocument.objects.create(
            profile=profile,
            kind=kind,
            image=name,
            thumbnail=thumb,
            sha256=image.sha256,
            width=image.width,
            height=image.height,
        )
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
        kk_number = actor.resident.kk_number if hasattr(actor, "resident") else _kk(village, serial)
        if Proposal.objects.filter(kk_number=kk_number).exists():
            present += 1
            continue
        _make_proposal(key, actor, village, kk_number, size=size, serial=serial, outcome=outcome)
        created += 1
    return [StepReport("usulan demo", created=created, present=present)]


def _make_proposal(key, actor, village, kk_number, *, size, serial, outcome) -> Proposal:
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


WORKFLOW_VILLAGE = "32.04.12.1001"  # Kelurahan Pasawahan: one proposal waiting at each step
WORKFLOW_MARKER = "Data demo: satu usulan menunggu di setiap tahap."


def step_workflow(ctx: SeedContext) -> list[StepReport]:
    """A signed muskel in Pasawahan, then proposals carried to each later step, so every
    role has work waiting in its queue (and one household enters the register)."""
    from verification.models import Deliberation
    from verification.workflow.services import approvals, musdes, review

    if Deliberation.objects.filter(village_id=WORKFLOW_VILLAGE, notes=WORKFLOW_MARKER).exists():
        return [StepReport("alur verifikasi demo", present=1)]
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["operator.pasawahan", "dinsos.bandung", "bupati.bandung", "provinsi.jabar", "kemensos"]
        )
    }
    if len(users) < 5:
        return [StepReport("alur verifikasi demo")]
    operator = users["operator.pasawahan"]
    stages = [
        "musdes",
        "verified",
        "regency",
        "forwarded",
        "determined",
        "rejected",
        "dinsos_rejected",
        "not_determined",
    ]
    proposals = {}
    for i, stage in enumerate(stages):
        serial = 40 + i
        proposals[stage] = _make_proposal(
            f"alur-{stage}",
            operator,
            WORKFLOW_VILLAGE,
            _kk(WORKFLOW_VILLAGE, serial),
            size=3 + i % 3,
            serial=serial,
            outcome="submit",
        )
    day = REFERENCE_DATE.replace(month=11, day=2)
    d = musdes.deliberation_open(
        actor=operator,
        village=Region.objects.get(code=WORKFLOW_VILLAGE),
        basis="muskel",
        held_on=day,
        place="Aula Kantor Kelurahan Pasawahan",
        chair="Lurah Pasawahan",
        chair_position="Lurah",
        notes=WORKFLOW_MARKER,
    )
    musdes.deliberation_add_attendee(deliberation_id=d.pk, actor=operator, name="Ketua LPM", position="LPM", signs=True)
    musdes.deliberation_add_attendee(
        deliberation_id=d.pk, actor=operator, name="Ketua RW 03", position="RW 03", signs=True
    )
    musdes.deliberation_pull_proposals(deliberation_id=d.pk, actor=operator)
    rejected_id = proposals["rejected"].pk
    for item in d.items.all():
        if item.proposal_id == rejected_id:
            musdes.deliberation_record_outcome(
                item_id=item.pk, actor=operator, outcome="tolak", reason="Kepala keluarga ASN."
            )
        elif item.proposal.village_id == WORKFLOW_VILLAGE and item.proposal_id in {p.pk for p in proposals.values()}:
            musdes.deliberation_record_outcome(item_id=item.pk, actor=operator, outcome="setuju")
        else:
            musdes.deliberation_record_outcome(item_id=item.pk, actor=operator, outcome="tunda")
    musdes.deliberation_close(deliberation_id=d.pk, actor=operator)
    musdes.deliberation_sign(deliberation_id=d.pk, actor=operator, scan=demo_photo("BERITA-ACARA", seed=99))
    review.field_visit_record(
        proposal_id=proposals["dinsos_rejected"].pk,
        actor=users["dinsos.bandung"],
        visited_on=day.replace(day=9),
        result="tidak_layak",
        conditions={"owns_car": True, "floor_area_m2": 120, "monthly_income": 9_000_000},
        notes="Rumah permanen, memiliki mobil; tidak sesuai kriteria.",
    )
    later = ["verified", "regency", "forwarded", "determined", "not_determined"]
    for stage in later:
        review.field_visit_record(
            proposal_id=proposals[stage].pk,
            actor=users["dinsos.bandung"],
            visited_on=day.replace(day=9),
            result="layak",
            conditions={f: getattr(proposals[stage], f) for f in CONDITION_FIELDS},
            notes="Kondisi rumah sesuai usulan.",
        )
    approvals.regency_approve_batch(
        actor=users["bupati.bandung"],
        proposal_ids=[proposals[s].pk for s in later[1:]],
        number="400.9/101/DINSOS/2026",
        document_date=day.replace(day=16),
    )
    approvals.province_forward_batch(
        actor=users["provinsi.jabar"],
        proposal_ids=[proposals[s].pk for s in later[2:]],
        number="460/2201/DINSOS-JABAR/2026",
        document_date=day.replace(day=20),
    )
    approvals.ministry_determine(
        actor=users["kemensos"],
        period="2026-Q4",
        number="KEPMENSOS 150/HUK/2026",
        document_date=day.replace(day=25),
        determine_ids=[proposals["determined"].pk],
        reject_ids=[proposals["not_determined"].pk],
        reject_reason="Hasil pemeringkatan di atas desil 5.",
    )
    return [StepReport("alur verifikasi demo", created=1)]
