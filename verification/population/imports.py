"""Import of population (Dukcapil) records from CSV: validate, then upsert by NIK.

One code path serves ``manage.py import_population``, the staff upload page (through
the Celery task in ``verification/tasks/population.py``) and ``bench/import_population.py``.

Format (``docs/population.md``): a header row naming at least ``REQUIRED_COLUMNS``; other
columns are ignored, except the optional ``rt``, ``rw`` and ``moved_to``. A column that
is absent is not touched on existing records (a file without ``rt`` keeps the RT
loaded from an earlier, richer file); a column that is present but blank is blank.

Rules, per row (a row breaking any of them is a *bad row*, reported with its line
number and every reason, and skipped; the other rows are kept):

* ``nik``: a structurally valid NIK (``registrations.nik.parse_nik``: 16 digits, known
  province, real date part, serial not 0000). A district code missing from the current
  Kemendagri list is only a warning there, so such a NIK is accepted. The NIK's date
  and sex digits are *not* compared with ``birth_date`` and ``sex``: this file is the
  civil registry itself, and a corrected birth date does not change a NIK.
* ``kk_number``: 16 digits starting with a known province.
* ``full_name``: not blank, at most 120 characters; ``name_key`` is
  ``registrations.names.normalize_name`` of it.
* ``birth_date`` (required) and ``status_date`` (optional): ``YYYY-MM-DD``, not in the
  future; a status date is not before the birth date.
* ``sex``: ``L``/``P``, or ``M``/``F`` (stored as ``L``/``P``).
* ``village_code``: a dotted village code ``NN.NN.NN.NNNN``. A code unknown to the
  ``Region`` table is kept (people keep the codes they were registered under).
* ``status``: ``alive``, ``deceased`` or ``moved``, any case; blank means ``alive``.
* ``moved_to``: blank or a dotted region code of any level.
* ``birth_place`` ≤ 80, ``address`` ≤ 200, ``rt``/``rw`` up to 3 digits.
* The same NIK twice in one file: the *first* good row is kept, each later one is a
  bad row naming the line of the first (a file with two different people under one NIK
  needs a human, not a silent last-one-wins).
* For a regional importer (``scope`` not national): the row's village must lie in the
  scope, and an existing record of that NIK must too; otherwise the row is bad with
  the reason "di luar wilayah Anda".

Line numbers are physical lines of the file, 1-based, the header being line 1; a
record with a quoted line break is numbered by the line it starts on.

Idempotency: ``row_hash`` is the MD5 of the normalised row (and of which optional
columns the file has); a row whose hash equals the stored one is not written, so a
rerun of the same file changes nothing and ``updated_at`` stays put.

Reading and checking (the fast path): a file on disk is parsed by pyarrow's CSV reader
(C++, no Python object per value) in blocks, and each chunk is checked column by column
(``block.BlockValidator``: vector kernels accept the rows in their plain
form); the rows it leaves over go one by one through ``_RowValidator``, which accepts
the unusual but valid ones and words every reason for the bad ones. From the first
record pyarrow cannot read as the ``csv`` module would report it (a row with too many
or too few fields, bytes that are not UTF-8) the ``csv`` module takes over at that
record, so such rows are reported exactly as before; a file object (not a path) is
read by the ``csv`` module throughout. Both give the same rows, keys, hashes and bad
rows on the same lines (``tests/test_population_fast_path.py``). A reader thread reads
and checks the next chunks while the database writes the current one.

Streaming: chunks of ``chunk_size`` rows, so memory does not grow with the file.
Duplicate NIKs within a chunk are found in the chunk; across chunks, in the database.

PostgreSQL, a first load into an empty table (a *bulk load*, ``_PostgresWriter.session``):
one transaction locks the table, drops its secondary indexes and the NIK constraint,
``COPY``s every chunk straight into the table (and each row's NIK and line into a
temporary table), removes the later rows of a NIK repeated across chunks (reported as
bad rows after the others), and builds the indexes again, once: PostgreSQL's advice
for populating a database, several times cheaper than growing five indexes row by row.
All or nothing: a failure or a killed worker rolls it all back, indexes included.

PostgreSQL, any other import: each chunk is ``COPY``'d into a ``TEMP`` staging table,
then one ``INSERT ... SELECT ... ON CONFLICT (nik) DO UPDATE ... WHERE row_hash IS
DISTINCT FROM EXCLUDED.row_hash`` writes it in its own transaction; unchanged rows are
filtered out before the insert (so they are not even locked), ``RETURNING (xmax = 0)``
tells inserts from updates, and a temporary table of the NIKs seen catches repeats
across chunks. SQLite: the chunk's stored hashes are read, then one ``executemany``
upsert with the same rule. All give the same records and the same counts.

Upload jobs (the staff page, records and events files): ``verification.population.jobs``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import IO

from registrations.scoping import NATIONAL
from verification.population.columns import DEFAULT_CHUNK_SIZE, BadRow, ImportResult, _RowValidator
from verification.population.reading import _chunks, _chunks_from_path, _open_text, _read_ahead, _read_header
from verification.population.writing import _writer

logger = logging.getLogger(__name__)


# --- The import ----------------------------------------------------------------------------------


def import_population(
    source: str | os.PathLike | IO,
    *,
    scope: str | None = NATIONAL,
    on_bad_row: Callable[[BadRow], None] | None = None,
    on_progress: Callable[[ImportResult], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> ImportResult:
    """Upsert the population records of a CSV file (path or file object); see the module doc.

    ``scope``: ``NATIONAL`` (``""``) imports anywhere; a region code limits the rows to that
    region (``None``, no reach at all, refuses every row). Bad rows go to ``on_bad_row`` in
    line order (a bulk load's NIKs repeated across chunks come last); ``on_progress`` gets
    the running totals after each chunk (``lines`` = lines consumed so far, header
    included). Raises ``PopulationImportError`` when the file cannot be imported at all;
    chunks written before such an error stay written, except in a bulk load (all or nothing).
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    result = ImportResult()
    writer = _writer(scope)
    with _open_text(source) as stream:
        delimiter, index, fields = _read_header(stream)
        validate = _RowValidator(index, scope)
        update_columns = writer.update_columns(validate.present_optional)
        options = {
            "delimiter": delimiter,
            "validate": validate,
            "chunk_size": chunk_size,
            "serialize": writer.serialize,
        }
        if isinstance(source, str | os.PathLike):
            chunks = _read_ahead(_chunks_from_path(source, fields=fields, **options))
        else:
            chunks = _read_ahead(_chunks(stream, **options))
        try:
            with writer.session():
                for chunk in chunks:
                    inserted, updated, unchanged, db_bad = (
                        writer.write(chunk, update_columns) if chunk.count else (0, 0, 0, [])
                    )
                    bad = sorted(chunk.bad + db_bad, key=lambda b: b.line) if db_bad else chunk.bad
                    result.read += chunk.read
                    result.inserted += inserted
                    result.updated += updated
                    result.unchanged += unchanged
                    result.bad += len(bad)
                    result.lines = chunk.lines
                    if on_bad_row is not None:
                        for item in bad:
                            on_bad_row(item)
                    if on_progress is not None:
                        on_progress(result)
                late = writer.finish()
                if late:
                    result.inserted -= len(late)
                    result.bad += len(late)
                    if on_bad_row is not None:
                        for item in late:
                            on_bad_row(item)
        finally:
            chunks.close()
    return result
