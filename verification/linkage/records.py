"""Rows of a file turned into compact columns of normalised values, with blocking keys.

A batch of rows (:class:`RawColumns`: Python lists from the csv module, or pyarrow arrays
from its CSV reader) becomes one :class:`Columns`: numpy arrays, one per field (object
arrays of shared strings, int64 codes), the row numbers in the file and the ids to
write. The same code builds the reference index and each batch of candidates, so both
sides are normalised identically.

Each field's parser runs once per *distinct* value of a batch (names, dates, places and
regions repeat a lot; a name is normalised once per file), and the results are spread
over the rows with numpy. The blocking keys of every pass are computed with numpy from
integer columns (:func:`_mix`): no per-row Python work beyond a dictionary lookup.

Hashes of strings (name keys, blocking keys) use Python's ``hash``, which is salted per
process: they are only ever compared within one process (a chunk task builds both of its
sides itself).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import normalize as nz

try:
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover - pyarrow is in requirements; Python lists still work
    pa = pc = None

#: The fields a ``--map`` may name.
FIELDS = ("id_number", "name", "birth_date", "birth_place", "sex", "address", "region")

# Blocking passes (the first element of each key tuple).
PASS_ID, PASS_DATE_NAME, PASS_REGION_NAME, PASS_NAME_YEAR, PASS_REGION_DATE = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Layout:
    """Where each mapped field is in a file: column positions, joined with a space."""

    columns: dict[str, tuple[int, ...]]
    id_column: int
    width: int

    @classmethod
    def from_header(cls, header: Sequence[str], mapping: dict[str, list[str]], id_column: str, *, label: str):
        """Resolve column names; a name missing from the header raises ``KeyError`` naming it."""
        position = {}
        for i, name in enumerate(header):
            position.setdefault(name.strip(), i)
        folded = {}
        for i, name in enumerate(header):
            folded.setdefault(name.strip().lower(), i)

        def find(name: str) -> int:
            name = name.strip()
            if name in position:
                return position[name]
            if name.lower() in folded:
                return folded[name.lower()]
            raise KeyError(f"column {name!r} is not in {label} (columns: {', '.join(h.strip() for h in header)})")

        columns = {f: tuple(find(c) for c in cols) for f, cols in mapping.items()}
        return cls(columns=columns, id_column=find(id_column), width=len(header))


@dataclass
class Settings:
    """What both sides of a link run share: mapped fields and data-derived switches."""

    fields: frozenset[str]
    ids_carry_birth_date: bool = False  # NIK-like ids: fill a blank birth date / sex from the id
    max_block: int = 300  # a blocking key shared by more reference rows than this is skipped

    def to_dict(self) -> dict:
        return {
            "fields": sorted(self.fields),
            "ids_carry_birth_date": self.ids_carry_birth_date,
            "max_block": self.max_block,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Settings:
        return cls(
            fields=frozenset(data["fields"]),
            ids_carry_birth_date=data["ids_carry_birth_date"],
            max_block=data["max_block"],
        )


_COLUMN_NAMES = (
    "rows",
    "ids",
    "id_number",
    "name",
    "name_key",
    "birth_date",
    "sex",
    "birth_place",
    "address",
    "region",
)


@dataclass
class Columns:
    """Normalised fields of a set of rows (``rows`` are 0-based data-row numbers in the file).

    ``name`` is the normalised name (:func:`~verification.linkage.normalize.name_words`) in
    its original word order; ``name_key`` a hash of its words sorted (equal keys: the same
    words in any order); ``birth_date`` and ``sex`` codes as in :mod:`.normalize`.
    """

    rows: np.ndarray
    ids: np.ndarray
    id_number: np.ndarray
    name: np.ndarray
    name_key: np.ndarray
    birth_date: np.ndarray
    sex: np.ndarray
    birth_place: np.ndarray
    address: np.ndarray
    region: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, positions: np.ndarray) -> Columns:
        return Columns(**{name: _take(getattr(self, name), positions) for name in _COLUMN_NAMES})

    @classmethod
    def concatenate(cls, parts: list[Columns]) -> Columns:
        return cls(**{n: _concatenate([getattr(p, n) for p in parts]) for n in _COLUMN_NAMES})


class StrColumn:
    """A column of strings kept in a pyarrow array: a few bytes a value instead of a
    Python object each (ids and addresses of a million-row reference). Indexing it with
    positions gives a numpy object array of just those values."""

    def __init__(self, array):
        self.array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, positions) -> np.ndarray:
        positions = np.asarray(positions)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        return self.array.take(pa.array(positions, type=pa.int64())).to_numpy(zero_copy_only=False)

    def take(self, positions: np.ndarray) -> StrColumn:
        return StrColumn(self.array.take(pa.array(np.asarray(positions), type=pa.int64())))

    def tolist(self) -> list[str]:
        return self.array.to_pylist()

    def present(self) -> np.ndarray:
        return pc.not_equal(self.array, "").to_numpy(zero_copy_only=False)


def _take(column, positions: np.ndarray):
    return column.take(positions) if isinstance(column, StrColumn) else column[positions]


def _concatenate(columns: list):
    if columns and all(isinstance(c, StrColumn) for c in columns):
        return StrColumn(pa.concat_arrays([c.array for c in columns]))
    return np.concatenate([c.array.to_numpy(zero_copy_only=False) if isinstance(c, StrColumn) else c for c in columns])


def _present(column) -> np.ndarray:
    return column.present() if isinstance(column, StrColumn) else column != ""


def _object_array(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _blank_objects(n: int) -> np.ndarray:
    return _object_array([""] * n)


@dataclass
class Batch:
    """Columns plus their blocking keys (``key_rows`` index into the columns)."""

    columns: Columns
    keys: np.ndarray
    key_rows: np.ndarray


def _is_arrow(values) -> bool:
    return pa is not None and isinstance(values, pa.Array | pa.ChunkedArray)


def _raw_column(raw: list[Sequence[str]], positions: tuple[int, ...]) -> list[str]:
    """One field's raw text for every row (columns joined by a space)."""
    if len(positions) == 1:
        p = positions[0]
        return [r[p] for r in raw]
    return [" ".join(v for v in (r[i].strip() for i in positions) if v) for r in raw]


@dataclass
class RawColumns:
    """Raw text of a batch of rows: the row numbers, the ids to write and each mapped
    field (columns already joined by ``+``), as Python lists or pyarrow arrays."""

    rows: np.ndarray
    ids: object
    fields: dict[str, object]

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def from_rows(cls, pairs: list[tuple[int, Sequence[str]]], layout: Layout) -> RawColumns:
        width = layout.width
        raw = [r if len(r) >= width else [*r, *[""] * (width - len(r))] for _n, r in pairs]
        fields = {f: _raw_column(raw, positions) for f, positions in layout.columns.items()}
        rows = np.fromiter((r for r, _row in pairs), dtype=np.int64, count=len(pairs))
        return cls(rows=rows, ids=[r[layout.id_column].strip() for r in raw], fields=fields)

    @classmethod
    def from_arrow(cls, first_row: int, arrays: dict, layout: Layout) -> RawColumns:
        fields = {}
        for f, positions in layout.columns.items():
            if len(positions) == 1:
                fields[f] = arrays[positions[0]]
            else:
                fields[f] = pc.binary_join_element_wise(*[arrays[i] for i in positions], " ")
        ids = pc.utf8_trim_whitespace(arrays[layout.id_column])
        return cls(rows=np.arange(first_row, first_row + len(ids), dtype=np.int64), ids=ids, fields=fields)

    def as_lists(self) -> RawColumns:
        def plain(values):
            return values.to_pylist() if _is_arrow(values) else list(values)

        return RawColumns(rows=self.rows, ids=plain(self.ids), fields={f: plain(v) for f, v in self.fields.items()})

    @classmethod
    def concatenate(cls, parts: list[RawColumns], layout: Layout) -> RawColumns:
        parts = [p.as_lists() for p in parts]
        if not parts:
            return cls.from_rows([], layout)
        return cls(
            rows=np.concatenate([p.rows for p in parts]),
            ids=[v for p in parts for v in p.ids],
            fields={f: [v for p in parts for v in p.fields[f]] for f in parts[0].fields},
        )

    def take(self, positions: np.ndarray) -> RawColumns:
        def pick(values):
            if _is_arrow(values):
                return values.take(pa.array(positions, type=pa.int64()))
            return [values[i] for i in positions.tolist()]

        return RawColumns(
            rows=self.rows[positions], ids=pick(self.ids), fields={f: pick(v) for f, v in self.fields.items()}
        )


# --- distinct values ---------------------------------------------------------------


class _Distinct:
    """A column's distinct values and, for every row, the index of its value."""

    def __init__(self, values):
        if _is_arrow(values):
            encoded = pc.dictionary_encode(values)
            if isinstance(encoded, pa.ChunkedArray):
                encoded = encoded.combine_chunks()
            self.values = encoded.dictionary.to_pylist()
            self.codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            return
        table = dict.fromkeys(values)
        self.values = list(table)
        for i, v in enumerate(self.values):
            table[v] = i
        self.codes = np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def _shared(values, fn, n: int, blank) -> np.ndarray:
    """``fn`` applied once per distinct value of a column, spread back over the rows."""
    if values is None:
        return _blank_objects(n) if isinstance(blank, str) else np.zeros(n, dtype=np.int64)
    distinct = _Distinct(values)
    table = [fn(v) for v in distinct.values]
    if isinstance(blank, str):
        return _object_array(table)[distinct.codes]
    return np.array(table, dtype=np.int64)[distinct.codes]


def _objects(values) -> np.ndarray | StrColumn:
    """A column of strings: compact (:class:`StrColumn`) from pyarrow, an object array otherwise."""
    if _is_arrow(values):
        return StrColumn(values)
    return _object_array(values)


def _normalize_ids(values) -> np.ndarray:
    """:func:`~verification.linkage.normalize.normalize_id` of a column; digits-only
    columns (the usual case) are checked with one vectorised pass."""
    if _is_arrow(values):
        digits = pc.utf8_is_digit(values)
        if pc.all(pc.or_(digits, pc.equal(pc.utf8_length(values), 0))).as_py():
            zeros = pc.match_substring_regex(values, "^0*$")
            return StrColumn(pc.if_else(zeros, "", values))
        values = values.to_pylist()
    normalize = nz.normalize_id
    return _object_array([v if v.isdigit() and v.isascii() and v.strip("0") else normalize(v) for v in values])


# --- names -------------------------------------------------------------------------

_NO_NAME = ("", 0, (), ())
_phonetic_hash: dict[str, int] = {}
_info_cache: dict[str, tuple] = {}


def _phonetic_hash_of(word: str) -> int:
    value = _phonetic_hash.get(word)
    if value is None:
        value = _phonetic_hash[word] = hash(nz.phonetic_key(word))
    return value


def name_info(raw: str) -> tuple:
    """``(name, key, phonetic-key hashes, hashes of pairs of phonetic keys)`` of a raw name:
    the normalised words joined in their order, a hash of the words sorted, and the
    blocking material. Cached by the raw text."""
    info = _info_cache.get(raw)
    if info is not None:
        return info
    words = nz.name_words(raw)
    if not words:
        info = _NO_NAME
    else:
        name = " ".join(words)
        key = hash(" ".join(sorted(words))) if len(words) > 1 else hash(name)
        tokens = sorted(set(map(_phonetic_hash_of, words)))
        couples = [hash(c) for c in itertools.combinations(tokens, 2)] if len(tokens) > 1 else tokens
        info = (name, key, tokens, couples)
    if len(_info_cache) >= 1_000_000:
        _info_cache.clear()
    _info_cache[raw] = info
    return info


def forget_names() -> None:
    """Drop the cache of normalised names (after a reference file is indexed)."""
    _info_cache.clear()


def clear_caches() -> None:
    """Forget cached parsed values."""
    nz.clear_caches()
    _info_cache.clear()
    _phonetic_hash.clear()


def _flatten(lists: list, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the items of ``lists[code]``: ``(row positions, items)``, flattened."""
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    offsets = np.cumsum(counts) - counts
    row_counts = counts[codes]
    total = int(row_counts.sum())
    rows = np.repeat(np.arange(len(codes), dtype=np.int64), row_counts)
    ends = np.cumsum(row_counts)
    within = np.arange(total, dtype=np.int64) - np.repeat(ends - row_counts, row_counts)
    return rows, flat[np.repeat(offsets[codes], row_counts) + within]


# --- keys --------------------------------------------------------------------------

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)


def _mix(kind: int, *parts: np.ndarray) -> np.ndarray:
    """One 64-bit key from a pass number and integer columns (splitmix-style mixing)."""
    with np.errstate(over="ignore"):
        h = np.full(len(parts[0]), np.uint64(kind) * _M1, dtype=np.uint64)
        for part in parts:
            h = (h ^ part.astype(np.uint64)) * _M2
            h ^= h >> np.uint64(31)
    return h.view(np.int64)


def _hashes(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(hash, values.tolist()), dtype=np.int64, count=len(values))


def _swapped_dates(dates: np.ndarray) -> np.ndarray:
    """Each date with day and month swapped where that is another real date, else 0."""
    out = np.zeros(len(dates), dtype=np.int64)
    valid = dates > 0
    if valid.any():
        distinct, codes = np.unique(dates[valid], return_inverse=True)
        out[valid] = np.array(list(map(nz.swap_day_month, distinct.tolist())), dtype=np.int64)[codes]
    return out


def build(
    rows: RawColumns | Iterable[tuple[int, Sequence[str]]],
    layout: Layout,
    settings: Settings,
    *,
    query: bool = False,
    key_filter: np.ndarray | None = None,
) -> Batch:
    """Normalise rows (``RawColumns`` or ``(row number, values)`` pairs) into columns and
    blocking keys (see :mod:`verification.linkage.blocking` for the passes).

    ``query=True`` adds the keys only a candidate asks with (its birth date with day and
    month swapped). With ``key_filter`` (a sorted array of keys), only rows having at
    least one key in it are kept: how a chunk loads just the reference rows its
    candidates can meet.
    """
    raw = rows if isinstance(rows, RawColumns) else RawColumns.from_rows(list(rows), layout)
    n = len(raw)
    fields = raw.fields
    out_ids = _objects(raw.ids)
    ids = _normalize_ids(fields["id_number"]) if "id_number" in fields else _blank_objects(n)
    dates = _shared(fields.get("birth_date"), nz.parse_date, n, 0)
    sexes = _shared(fields.get("sex"), nz.parse_sex, n, 0)
    regions = _shared(fields.get("region"), nz.normalize_region, n, "")
    places = _shared(fields.get("birth_place"), nz.shared_text, n, "")
    addresses = _objects(fields["address"]) if "address" in fields else _blank_objects(n)
    names = _Distinct(fields["name"] if "name" in fields else [""] * n)
    row_numbers = raw.rows
    del raw, fields

    if settings.ids_carry_birth_date:
        needed = np.flatnonzero((dates == 0) | (sexes == 0))
        for i, value in zip(needed.tolist(), ids[needed].tolist(), strict=True):
            if value and (derived := nz.nik_birth(value)):
                dates[i] = dates[i] or derived[0]
                sexes[i] = sexes[i] or derived[1]

    infos = [name_info(v) for v in names.values]
    codes = names.codes
    name_arr = _object_array([x[0] for x in infos])[codes]
    name_key = np.array([x[1] for x in infos], dtype=np.int64)[codes]
    token_rows, tokens = _flatten([x[2] for x in infos], codes)
    couple_rows, couples = _flatten([x[3] for x in infos], codes)
    del infos, names

    has_id = _present(ids)
    has_region = regions != ""
    has_name = name_key != 0
    id_hash = _hashes(ids)  # (a StrColumn gives its values as a list)
    region_hash = _hashes(regions)
    positions = np.arange(n, dtype=np.int64)
    both = has_region & (dates != 0)
    named = has_name & (dates > 0)
    token_dates = dates[token_rows]
    dated = token_dates != 0
    placed = has_region[couple_rows]

    key_parts = [
        (_mix(PASS_ID, id_hash[has_id]), positions[has_id]),
        (_mix(PASS_REGION_DATE, region_hash[both], dates[both]), positions[both]),
        (_mix(PASS_NAME_YEAR, name_key[named], dates[named] // 10000), positions[named]),
        (_mix(PASS_DATE_NAME, token_dates[dated], tokens[dated]), token_rows[dated]),
        (_mix(PASS_REGION_NAME, region_hash[couple_rows[placed]], couples[placed]), couple_rows[placed]),
    ]
    if query:
        swapped = _swapped_dates(dates)[token_rows]
        ok = swapped != 0
        key_parts.append((_mix(PASS_DATE_NAME, swapped[ok], tokens[ok]), token_rows[ok]))
    keys = np.concatenate([k for k, _r in key_parts])
    key_rows = np.concatenate([r for _k, r in key_parts])

    columns = Columns(
        rows=row_numbers,
        ids=out_ids,
        id_number=ids,
        name=name_arr,
        name_key=name_key,
        birth_date=dates,
        sex=sexes,
        birth_place=places,
        address=addresses,
        region=regions,
    )
    if key_filter is not None:
        wanted = np.isin(keys, key_filter)
        keep = np.zeros(n, dtype=bool)
        keep[key_rows[wanted]] = True
        new_position = np.cumsum(keep) - 1
        mine = keep[key_rows]
        columns = columns.take(np.flatnonzero(keep))
        keys, key_rows = keys[mine], new_position[key_rows[mine]]
    return Batch(columns=columns, keys=keys, key_rows=key_rows)
