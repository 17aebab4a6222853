"""``manage.py import_population FILE.csv``: upsert population (Dukcapil) records by NIK.

Thin: the rules live in ``verification.population.imports``. Prints
``read=N inserted=N updated=N unchanged=N bad=N``; bad rows (``line,nik,reason``, NIK
masked) go to stderr, or to ``--errors FILE.csv``. Bad rows do not fail the command;
a file that cannot be imported at all (missing column, not CSV text) does.
"""

from verification.management.csv_import import CsvImportCommand
from verification.population.columns import DEFAULT_CHUNK_SIZE
from verification.population.imports import import_population


class Command(CsvImportCommand):
    help = (
        "Upsert population (Dukcapil) records by NIK from a CSV file with the columns "
        "nik,kk_number,full_name,birth_place,birth_date,sex,village_code,address,status,status_date "
        "(optional: rt,rw,moved_to). Bad rows are reported and skipped; good rows are kept."
    )
    run_import = staticmethod(import_population)
    default_chunk_size = DEFAULT_CHUNK_SIZE
