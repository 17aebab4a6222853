"""Demo steps for ``seed_demo`` (found by ``registrations.demo.steps.demo_steps``):

- ``step_workflow``: a signed muskel in Pasawahan, then proposals carried to each later
  step, so every role has work waiting in its queue;
- ``step_population_events`` (last round, once the demo households are registered): a
  few deaths, a move and a birth in the demo villages, imported through the same
  service as an uploaded events file, so the operator and Dinas Sosial find real flags
  in their queues. Idempotent: every event has a fixed ``event_id``, and the import
  skips ids it already holds.
"""

from __future__ import annotations

import datetime
import io

from registrations.demo.proposals import demo_kk_number, demo_photo, make_proposal
from registrations.demo.steps import REFERENCE_DATE, SeedContext, StepReport
from registrations.models import Household, Region, Relation, User
from registrations.nik import parse_nik
from registrations.services.proposals import CONDITION_FIELDS
from verification.models import Deliberation, PopulationEvent
from verification.population.events import import_population_events
from verification.workflow.services import approvals, musdes, review

WORKFLOW_VILLAGE = "32.04.12.1001"  # Kelurahan Pasawahan: one proposal waiting at each step
WORKFLOW_MARKER = "Data demo: satu usulan menunggu di setiap tahap."


def step_workflow(ctx: SeedContext) -> list[StepReport]:
    """A signed muskel in Pasawahan, then proposals carried to each later step, so every
    role has work waiting in its queue (and one household enters the register)."""
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
        proposals[stage] = make_proposal(
            f"alur-{stage}",
            operator,
            WORKFLOW_VILLAGE,
            demo_kk_number(WORKFLOW_VILLAGE, serial),
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


#: Villages whose registered households receive an event (one each), and what happens.
DEMO_EVENTS = (
    ("32.04.12.2002", "death"),  # Desa Dayeuhkolot (operator.dayeuhkolot)
    ("32.04.12.1001", "move"),  # Kelurahan Pasawahan
    ("32.11.01.2001", "birth"),  # Desa Cimungkal, Kabupaten Sumedang
)
EVENT_DATE = datetime.date(2026, 11, 2)
MOVED_TO = "32.73.01.1001"  # Kota Bandung: moved out of the village, the KK stays registered


def _household(village_code: str) -> Household | None:
    return (
        Household.objects.filter(village_id=village_code, registered_at__isnull=False)
        .prefetch_related("members")
        .order_by("kk_number")
        .first()
    )


def _newborn_nik(household: Household) -> str:
    """A NIK the project's own parser accepts: district of the KK, birth date (+40 for a girl)."""
    district = household.village_id.replace(".", "")[:6]
    used = {m.nik for m in household.members.all()}
    for serial in range(1, 10000):
        nik = f"{district}{EVENT_DATE.day + 40:02d}{EVENT_DATE:%m%y}{serial:04d}"
        if nik not in used and parse_nik(nik).is_valid:
            return nik
    raise RuntimeError("no free NIK for the demo birth")


def _rows() -> list[dict[str, str]]:
    rows = []
    for village_code, kind in DEMO_EVENTS:
        household = _household(village_code)
        if household is None:
            continue
        members = list(household.members.all())
        if kind == "death":
            elder = next((m for m in members if m.relation != Relation.HEAD), members[0])
            rows.append({"event_type": "death", "nik": elder.nik})
        elif kind == "move":
            head = next((m for m in members if m.relation == Relation.HEAD), members[0])
            rows.append({"event_type": "move", "nik": head.nik, "moved_to_code": MOVED_TO})
        else:
            rows.append(
                {
                    "event_type": "birth",
                    "nik": _newborn_nik(household),
                    "kk_number": household.kk_number,
                    "full_name": f"Bayi {members[0].full_name.split()[0]}",
                    "birth_date": EVENT_DATE.isoformat(),
                    "sex": "P",
                    "village_code": household.village_id,
                }
            )
        rows[-1]["event_id"] = f"DEMO-{village_code}-{kind}"
    return rows


def step_population_events(ctx: SeedContext) -> list[StepReport]:
    rows = _rows()
    columns = ["event_id", "event_type", "nik", "event_date", "kk_number", "full_name", "birth_date", "sex"]
    columns += ["village_code", "moved_to_code"]
    lines = [",".join(columns)]
    for row in rows:
        row["event_date"] = EVENT_DATE.isoformat()
        lines.append(",".join(row.get(c, "") for c in columns))
    present = PopulationEvent.objects.filter(event_key__in=[f"id:{r['event_id']}" for r in rows]).count()
    import_population_events(io.StringIO("\n".join(lines) + "\n"))
    return [StepReport("peristiwa kependudukan demo (tanda)", created=len(rows) - present, present=present)]


#: This app's steps (see ``registrations.demo.steps`` for the rounds): the population
#: events find the households the whole demo registered, so they come in the last round.
DEMO_STEPS = [step_workflow]
DEMO_LAST_STEPS = [step_population_events]
