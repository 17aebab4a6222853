"""Blocking: which reference rows a candidate is compared with at all.

Every row gets a handful of keys (:func:`verification.linkage.records.build`), one or
more per pass:

1. its id number, exactly;
2. its birth date with the phonetic key of each name word (a candidate also asks with
   its birth date's day and month swapped);
3. its region with each *pair* of its name words' phonetic keys (one word for a one-word
   name): finds people whose birth date is wrong or missing;
4. its region with its birth date: finds people whose name is badly misspelt;
5. its whole normalised name (words sorted) with its birth year: finds people whose
   region changed and whose day or month is wrong.

A candidate is compared with the union of the reference rows sharing any of its keys.
A key shared by more than ``max_block`` reference rows (a placeholder id, a very common
name in a big region) is skipped: it would cost many comparisons and tell little.

The index is two numpy arrays, the keys sorted with the reference row positions beside
them (12 bytes a key); a batch of candidates is looked up with one ``searchsorted``.
"""

from __future__ import annotations

import numpy as np


class BlockIndex:
    def __init__(self, keys: np.ndarray, key_rows: np.ndarray, size: int, *, max_block: int):
        order = np.argsort(keys)
        self.keys = keys[order]
        self.rows = key_rows[order].astype(np.int32 if size < 2**31 else np.int64)
        self.size = size
        self.max_block = max_block
        self.skipped_keys = 0

    def __len__(self) -> int:
        return len(self.keys)

    def pairs(self, query_keys: np.ndarray, query_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unique ``(query position, reference position)`` pairs sharing a key, sorted."""
        if len(query_keys) == 0 or self.size == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        left = np.searchsorted(self.keys, query_keys, side="left")
        right = np.searchsorted(self.keys, query_keys, side="right")
        counts = right - left
        usable = (counts > 0) & (counts <= self.max_block)
        self.skipped_keys += int(np.count_nonzero(counts > self.max_block))
        left, counts, query_rows = left[usable], counts[usable], query_rows[usable]
        total = int(counts.sum())
        if total == 0:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        ends = np.cumsum(counts)
        positions = np.arange(total, dtype=np.int64) + np.repeat(left - (ends - counts), counts)
        ref = self.rows[positions].astype(np.int64)
        query = np.repeat(query_rows.astype(np.int64), counts)
        code = np.unique(query * self.size + ref)
        return code // self.size, code % self.size
