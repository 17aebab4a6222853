"""Demo population events for ``seed_demo``: a few deaths, a move and a birth in the
demo villages, imported through the same service as an uploaded events file, so the
operator and Dinas Sosial find real flags in their queues. Idempotent: every event has
a fixed ``event_id``, and the import skips ids it already holds.
"""

from __future__ import annotations

import datetime
import io

from registrations.management.commands.seed_demo import SeedContext, StepReport
from registrations.models import Household, Relation
from registrations.nik import parse_nik
from verification.models import PopulationEvent
from verification.population.events import import_population_events

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
