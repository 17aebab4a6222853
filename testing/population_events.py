"""Population-event files for tests: the events file's columns, a CSV of event rows,
a date a month back, and the civil-registry record of a member (so that an event about
the member finds the person)."""

import csv
import datetime
import io

from testing.factories import PopulationRecordFactory
from verification.models import PopulationRecord

COLUMNS = [
    "event_id",
    "event_type",
    "nik",
    "event_date",
    "kk_number",
    "full_name",
    "birth_date",
    "sex",
    "village_code",
    "moved_to_code",
    "new_kk_number",
]
TODAY = datetime.date.today()
RECENT = (TODAY - datetime.timedelta(days=30)).isoformat()


def events_csv(rows: list[dict], columns=COLUMNS) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return io.BytesIO(out.getvalue().encode())


def record_for(member, **overrides) -> PopulationRecord:
    """The civil-registry record of a household or proposal member (no place, no
    address: what matching and the events need)."""
    values = {
        "nik": member.nik,
        "kk_number": member.household.kk_number if hasattr(member, "household") else member.proposal.kk_number,
        "full_name": member.full_name,
        "name_key": "",
        "birth_date": member.birth_date,
        "sex": member.sex,
        "village_code": member.household.village_id if hasattr(member, "household") else member.proposal.village_id,
        "birth_place": "",
        "address": "",
        "rt": "",
        "rw": "",
    }
    values.update(overrides)
    return PopulationRecordFactory(**values)
