"""The population import's fast path: a block of CSV rows checked column by column.

Why: checking a million rows one at a time in Python costs about 9 s, eight times a
plain ``COPY`` of the file (``bench/import_population.py``). Here every rule is a
vector kernel (pyarrow compute, numpy) over the block's columns. The fast path only
accepts rows in their plain form: exact codes, ``L``/``P``/``M``/``F``, ``alive``/
``deceased``/``moved`` or blank, ``YYYY-MM-DD`` dates, free text of printable ASCII
with single spaces and nothing around it. Every other row (maybe valid: an accented
name, a lower-case ``l``, spaces around a value, 29 February in a NIK; or bad) goes
to the per-row ``_RowValidator``, which decides and words the reasons. The accepted
values, ``name_key`` and ``row_hash`` are those the per-row path computes for the same
row; the tests compare the two paths row by row.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from registrations.names import DEGREES, PREFIX_TITLES, normalize_name
from registrations.nik import NIK_DAY_MONTH
from registrations.scoping import NATIONAL

_NIK = r"^[0-9]{16}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_VILLAGE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"
_REGION = r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$"
_SMALL_NUMBER = r"^[0-9]{0,3}$"
#: Printable ASCII words separated by single spaces (``""`` allowed / not allowed).
_TEXT = r"^([!-~]+( [!-~]+)*)?$"
_NAME = r"^[!-~]+( [!-~]+)*$"
#: Names of plain letters: their key is built word by word here.
_LETTER_NAME = r"^[A-Za-z]+( [A-Za-z]+)*$"
#: What the import accepts for sex and life status (the per-row validator uses them too).
SEXES = {"L": "L", "P": "P", "M": "L", "F": "P", "l": "L", "p": "P", "m": "L", "f": "P"}
STATUSES = {"": "alive", "alive": "alive", "deceased": "deceased", "moved": "moved"}
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_TOKEN_CACHE_LIMIT = 200_000


@dataclass
class Block:
    """Accepted rows of one block, as columns (``columns[name]`` a list or array per
    ``_ROW_COLUMNS`` name, ``line`` a numpy array), and the rows left for the per-row path."""

    columns: dict[str, pa.Array]
    lines: np.ndarray
    leftover: list[int]  # positions in the block


def _text(values) -> pa.Array:
    return pa.array(values, type=pa.string())


def _match(array: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(array, pattern)


def _slice(array: pa.Array, start: int, stop: int) -> pa.Array:
    return pc.utf8_slice_codeunits(array, start, stop)


def _iso_dates_ok(values: pa.Array, today: str) -> np.ndarray:
    """``YYYY-MM-DD``, a real calendar date (year 1 or later), not after ``today``."""
    shaped = _match(values, _DATE)
    safe = pc.if_else(shaped, values, "2000-01-01")
    year = pc.cast(_slice(safe, 0, 4), pa.int64()).to_numpy()
    month = pc.cast(_slice(safe, 5, 7), pa.int64()).to_numpy()
    day = pc.cast(_slice(safe, 8, 10), pa.int64()).to_numpy()
    month_ok = (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS[np.where(month_ok, month, 1)] + ((month == 2) & leap)
    ok = shaped.to_numpy(zero_copy_only=False) & month_ok & (day >= 1) & (day <= last) & (year >= 1)
    return ok & pc.less_equal(values, today).to_numpy(zero_copy_only=False)


class BlockValidator:
    """Checks blocks of rows for one import (the header's columns, the importer's scope)."""

    def __init__(self, rows_validator):
        self.rows = rows_validator  # the per-row _RowValidator: its settings and its name cache
        self.index = rows_validator.index
        self.scope = rows_validator.scope
        self.today = rows_validator.today
        self.hash_prefix = rows_validator.hash_prefix
        self.provinces = pa.array(sorted(rows_validator.provinces), type=pa.string())
        from verification.population.columns import _RECORD_COLUMNS  # one list of the record's columns

        self.day_months = pa.array(sorted(NIK_DAY_MONTH), type=pa.string())
        #: What ``_RowValidator._accept`` hashes, in its order: the record but the NIK and the hash.
        self.hashed = [name for name in _RECORD_COLUMNS if name not in ("nik", "row_hash")]
        self.tokens: dict[str, str] = {}

    def __call__(self, rows: list[list[str]]) -> Block | None:
        """The block's rows that pass every vector check, as columns; ``None`` when the
        block cannot be checked as columns (text that is not valid UTF-8): then every
        row takes the per-row path."""
        width = self.rows.width
        positions = [i for i, row in enumerate(rows) if len(row) >= width]
        short = [i for i, row in enumerate(rows) if len(row) < width]
        if not positions:
            return Block({}, np.empty(0, dtype=np.int64), short)
        full = [rows[i] for i in positions] if short else rows
        transposed = list(zip(*full, strict=False))
        try:
            columns = {name: _text(transposed[i]) for name, i in self.index.items()}
        except (UnicodeEncodeError, pa.ArrowInvalid):
            return None
        block = self.columns(columns)
        if short:
            kept = np.asarray(positions, dtype=np.int64)
            block.lines = kept[block.lines]
            block.leftover = sorted(short + [positions[i] for i in block.leftover])
        return block

    def columns(self, col: dict[str, pa.Array]) -> Block:
        """The same for a block already in columns (``col[name]`` for each header column):
        ``Block.lines`` and ``Block.leftover`` are positions in the block."""
        n = len(col["nik"])
        blank = pa.array([""] * n, type=pa.string())
        nik, kk = col["nik"], col["kk_number"]
        sex_raw, status_raw = col["sex"], col["status"]
        birth_date, status_date = col["birth_date"], col["status_date"]
        village = col["village_code"]
        rt, rw, moved_to = (col.get(name, blank) for name in ("rt", "rw", "moved_to"))

        ok = np.ones(n, dtype=bool)

        def need(mask) -> None:
            nonlocal ok
            ok &= pc.fill_null(mask, False).to_numpy(zero_copy_only=False) if isinstance(mask, pa.Array) else mask

        need(_match(nik, _NIK))
        need(pc.is_in(_slice(nik, 0, 2), value_set=self.provinces))
        need(pc.not_equal(_slice(nik, 2, 4), "00"))
        need(pc.not_equal(_slice(nik, 4, 6), "00"))
        need(pc.not_equal(_slice(nik, 12, 16), "0000"))
        need(pc.is_in(_slice(nik, 6, 10), value_set=self.day_months))
        need(_match(kk, _NIK))
        need(pc.is_in(_slice(kk, 0, 2), value_set=self.provinces))
        need(_match(col["full_name"], _NAME))
        need(pc.less_equal(pc.utf8_length(col["full_name"]), 120))
        need(_match(col["birth_place"], _TEXT))
        need(pc.less_equal(pc.utf8_length(col["birth_place"]), 80))
        need(_match(col["address"], _TEXT))
        need(pc.less_equal(pc.utf8_length(col["address"]), 200))
        need(pc.is_in(sex_raw, value_set=pa.array(list(SEXES), type=pa.string())))
        need(pc.is_in(status_raw, value_set=pa.array(list(STATUSES), type=pa.string())))
        need(_iso_dates_ok(birth_date, self.today))
        no_status_date = pc.equal(status_date, "").to_numpy(zero_copy_only=False)
        status_date_ok = _iso_dates_ok(status_date, self.today) & pc.greater_equal(status_date, birth_date).to_numpy(
            zero_copy_only=False
        )
        need(no_status_date | status_date_ok)
        need(_match(village, _VILLAGE))
        if self.scope is None:  # no reach at all: the per-row path refuses and says why
            ok[:] = False
        elif self.scope != NATIONAL:
            need(pc.or_(pc.equal(village, self.scope), pc.starts_with(village, f"{self.scope}.")))
        need(_match(rt, _SMALL_NUMBER))
        need(_match(rw, _SMALL_NUMBER))
        need(pc.or_(pc.equal(moved_to, ""), _match(moved_to, _REGION)))

        leftover = np.flatnonzero(~ok).tolist()
        keep = pa.array(ok)
        take = {name: pc.filter(array, keep) for name, array in col.items()}
        good = int(ok.sum())
        blank = pa.array([""] * good, type=pa.string())
        full_name = take["full_name"]
        sex = _mapped(take["sex"], SEXES)
        status = _mapped(take["status"], STATUSES)
        optional = {name: take.get(name, blank) for name in ("rt", "rw", "moved_to")}
        name_key = self._name_keys(full_name)
        values = {
            "nik": take["nik"],
            "kk_number": take["kk_number"],
            "full_name": full_name,
            "name_key": name_key,
            "birth_place": take["birth_place"],
            "birth_date": take["birth_date"],
            "sex": sex,
            "village_code": take["village_code"],
            "address": take["address"],
            "rt": optional["rt"],
            "rw": optional["rw"],
            "status": status,
            "status_date": take["status_date"],
            "moved_to_code": optional["moved_to"],
        }
        values["row_hash"] = self._row_hashes(values)
        return Block(values, np.flatnonzero(ok), leftover)

    def _name_keys(self, names: pa.Array) -> pa.Array:
        """``normalize_name`` of each name, word by word for names of plain letters (as
        ``_RowValidator.name_key`` does), whole for the others."""
        plain = _match(names, _LETTER_NAME).to_numpy(zero_copy_only=False)
        keys = np.empty(len(names), dtype=object)
        if plain.any():
            keys[plain] = self._plain_keys(pc.filter(names, pa.array(plain))).to_numpy(zero_copy_only=False)
        if not plain.all():
            others = np.flatnonzero(~plain)
            keys[others] = [self.rows.name_key(name) for name in pc.take(names, pa.array(others)).to_pylist()]
        return _text(keys)

    def _plain_keys(self, names: pa.Array) -> pa.Array:
        words = pc.split_pattern(pc.utf8_lower(names), " ")
        lengths = pc.list_value_length(words).to_numpy(zero_copy_only=False).astype(np.int64)
        flat = pc.list_flatten(words)
        unique = pc.unique(flat)
        ids = pc.index_in(flat, value_set=unique).to_numpy(zero_copy_only=False).astype(np.int64)
        unique_words = unique.to_pylist()
        tokens = [self._token(word) for word in unique_words]
        title = np.array([word in PREFIX_TITLES for word in unique_words], dtype=bool)[ids]
        degree = np.array([word in DEGREES for word in unique_words], dtype=bool)[ids]
        end = np.cumsum(lengths)
        start = end - lengths
        # Titles before and degrees after the name go, one word at a time, never the last one.
        while True:
            drop = (end - start > 1) & title[np.minimum(start, len(title) - 1)]
            if not drop.any():
                break
            start += drop
        while True:
            drop = (end - start > 1) & degree[np.maximum(end - 1, 0)]
            if not drop.any():
                break
            end -= drop
        parent = np.repeat(np.arange(len(lengths)), lengths)
        position = np.arange(len(ids))
        kept = (position >= start[parent]) & (position < end[parent])
        offsets = np.concatenate([[0], np.cumsum(end - start)]).astype(np.int32)
        token_array = pc.take(_text(tokens), pa.array(ids[kept]))
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), token_array), " ")
        return pc.utf8_slice_codeunits(joined, 0, 120)

    def _token(self, word: str) -> str:
        token = self.tokens.get(word)
        if token is None:
            if len(self.tokens) >= _TOKEN_CACHE_LIMIT:
                self.tokens.clear()
            token = self.tokens[word] = normalize_name(word)
        return token

    def _row_hashes(self, values: dict[str, pa.Array]) -> pa.Array:
        """MD5 of the row as ``_RowValidator._accept`` joins it (plain ASCII here, and
        UTF-8 of the per-row path's text otherwise)."""
        parts = [values[name] for name in self.hashed]
        joined = pc.binary_join_element_wise(pa.scalar(self.hash_prefix), *parts, "\x1f")
        # Hash each row's UTF-8 bytes straight from the array's buffer (no str per row).
        offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)[joined.offset : joined.offset + len(joined) + 1]
        data = joined.buffers()[2].to_pybytes() if len(joined) else b""
        md5 = hashlib.md5
        bounds = offsets.tolist()
        return _text([md5(data[a:b], usedforsecurity=False).hexdigest() for a, b in itertools.pairwise(bounds)])


def _mapped(values: pa.Array, mapping: dict[str, str]) -> pa.Array:
    """Each value through ``mapping`` (every value is a key: checked before)."""
    keys = pa.array(list(mapping), type=pa.string())
    return pc.take(_text(list(mapping.values())), pc.index_in(values, value_set=keys))
