"""``manage.py import_population_events FILE.csv``: births, deaths, moves and KK changes.

Thin: the rules live in ``verification.population.events`` (format in
``docs/population.md``). Prints ``read=N inserted=N unchanged=N bad=N records_created=N
records_updated=N flags=N``; bad rows (``line,nik,reason``, NIK masked) go to stderr or
to ``--errors FILE.csv`` and do not fail the command; an unreadable file does.
"""

from verification.management.csv_import import CsvImportCommand
from verification.population.event_rows import DEFAULT_CHUNK_SIZE
from verification.population.events import import_population_events


class Command(CsvImportCommand):
    help = (
        "Import population events from a CSV file with the columns event_type,nik,event_date "
        "(optional: event_id,kk_number,full_name,birth_date,sex,village_code,moved_to_code,new_kk_number); "
        "each event updates the population record and flags the households and open proposals it touches. "
        "Rerunning the same file changes nothing."
    )
    run_import = staticmethod(import_population_events)
    default_chunk_size = DEFAULT_CHUNK_SIZE
