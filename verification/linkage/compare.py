"""Comparison vectors: for each blocked pair, one agreement level per comparison.

All comparisons run on whole arrays of pairs (rapidfuzz's ``cpdist`` in C++, numpy for
codes), never one pair at a time in Python. A level of ``-1`` means "cannot say" (a
value blank on either side) and weighs nothing in the model.

**The id number and the birth date are ONE comparison.** A NIK contains the birth date
(and sex and district), so "ids nearly equal" and "same birth date" are not independent
evidence: two neighbours born the same day have NIKs that differ only in the serial.
Scored separately, the two pieces of evidence multiply and link them; as one joint
comparison the model learns from the data how often each combination happens among
matches and non-matches. Its levels:

==  =====================================================
0   ids equal, dates equal or blank
1   ids equal, dates differ
2   ids differ by one or two characters, dates equal
3   ids differ by one or two characters, dates differ or blank
4   ids differ more, dates equal
5   ids differ more, dates differ or blank
6   an id blank, dates equal
7   an id blank, dates nearly equal (day/month swapped, one digit, two digits transposed)
8   an id blank, dates differ
==  =====================================================
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler, Prefix
from rapidfuzz.utils import default_process

from .records import Columns

#: Comparison name → number of levels (besides -1). The model estimates m and u for each.
COMPARISONS = {
    "id_date": 9,
    "name": 5,
    "sex": 2,
    "region": 3,
    "birth_place": 3,
    "address": 3,
}
LEVEL_LABELS = {
    "id_date": [
        "id equal, date equal/blank",
        "id equal, date differs",
        "id 1-2 chars off, date equal",
        "id 1-2 chars off, date differs/blank",
        "id differs, date equal",
        "id differs, date differs/blank",
        "no id, date equal",
        "no id, date nearly equal",
        "no id, date differs",
    ],
    "name": [
        "equal",
        "all words match (typos)",
        "one name's words all in the other",
        "all words match (more typos)",
        "different",
    ],
    "sex": ["equal", "different"],
    "region": ["equal", "same parent (common prefix)", "different"],
    "birth_place": [">= 0.90", ">= 0.70", "different"],
    "address": [">= 0.90", ">= 0.70", "different"],
}
_FIELDS_OF = {
    "id_date": ("id_number", "birth_date"),
    "name": ("name",),
    "sex": ("sex",),
    "region": ("region",),
    "birth_place": ("birth_place",),
    "address": ("address",),
}


def active_comparisons(fields: frozenset[str] | set[str]) -> list[str]:
    """The comparisons a run makes, given the mapped fields (in a fixed order)."""
    return [c for c, needs in _FIELDS_OF.items() if any(f in fields for f in needs)]


_len = np.frompyfunc(len, 1, 1)


def _lengths(values: np.ndarray) -> np.ndarray:
    return _len(values).astype(np.int64) if len(values) else np.empty(0, dtype=np.int64)


def _present(values: np.ndarray) -> np.ndarray:
    return values != ""


def _similarity(a: np.ndarray, b: np.ndarray, scorer, mask: np.ndarray, **kwargs) -> np.ndarray:
    """``scorer`` over the pairs where ``mask`` holds (0 elsewhere)."""
    out = np.zeros(len(a), dtype=np.float32)
    if mask.any():
        out[mask] = process.cpdist(a[mask], b[mask], scorer=scorer, workers=-1, **kwargs)
    return out


def _levels_by_threshold(sim: np.ndarray, thresholds: list[float], present: np.ndarray) -> np.ndarray:
    """Level ``i`` for the first threshold met (last level when none), -1 where absent."""
    level = np.full(len(sim), len(thresholds), dtype=np.int8)
    for i in range(len(thresholds) - 1, -1, -1):
        level[sim >= thresholds[i]] = i
    level[~present] = -1
    return level


def _date_levels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """0 equal, 1 nearly equal, 2 different, -1 blank. Unparseable dates (negative text
    codes) are equal or different, never near."""
    level = np.full(len(a), 2, dtype=np.int8)
    present = (a != 0) & (b != 0)
    level[~present] = -1
    equal = present & (a == b)
    level[equal] = 0
    both = present & ~equal & (a > 0) & (b > 0)
    if both.any():
        x, y = a[both], b[both]
        powers = 10 ** np.arange(8, dtype=np.int64)
        dx = (x[:, None] // powers) % 10
        dy = (y[:, None] // powers) % 10
        diff = dx != dy
        ndiff = diff.sum(axis=1)
        near = ndiff <= 1
        swapped_digits = (dx[:, :-1] == dy[:, 1:]) & (dx[:, 1:] == dy[:, :-1]) & diff[:, :-1] & diff[:, 1:]
        near |= (ndiff == 2) & swapped_digits.any(axis=1)
        xd, xm, yd, ym = x % 100, x // 100 % 100, y % 100, y // 100 % 100
        near |= (x // 10000 == y // 10000) & (xd == ym) & (xm == yd)
        sub = level[both]
        sub[near] = 1
        level[both] = sub
    return level


def compare(ref: Columns, cand: Columns, ri: np.ndarray, ci: np.ndarray, comparisons: list[str]) -> np.ndarray:
    """Levels of each comparison for the pairs ``(ref[ri], cand[ci])``: int8, one column
    per comparison in ``comparisons`` order."""
    n = len(ri)
    out = np.empty((n, len(comparisons)), dtype=np.int8)
    for j, name in enumerate(comparisons):
        out[:, j] = _COMPARE[name](ref, cand, ri, ci)
    return out


def id_date_without_ids(ref: Columns, cand: Columns, ri: np.ndarray, ci: np.ndarray) -> np.ndarray:
    """The id + birth date level the pairs would have if one id were blank (6, 7, 8 or -1)."""
    date = _date_levels(ref.birth_date[ri], cand.birth_date[ci])
    return np.where(date >= 0, 6 + date, -1).astype(np.int8)


def _cmp_id_date(ref, cand, ri, ci) -> np.ndarray:
    date = _date_levels(ref.birth_date[ri], cand.birth_date[ci])
    a, b = ref.id_number[ri], cand.id_number[ci]
    has_id = _present(a) & _present(b)
    same = has_id & (a == b)
    other = has_id & ~same
    close = np.zeros(len(a), dtype=bool)
    if other.any():
        x, y = a[other], b[other]
        dist = np.asarray(process.cpdist(x, y, scorer=OSA.distance, workers=-1, score_cutoff=3))
        short = np.minimum(_lengths(x), _lengths(y)) < 8
        close[other] = dist <= np.where(short, 1, 2)
    differ = other & ~close
    level = np.full(len(a), -1, dtype=np.int8)
    date_equal = date == 0
    level[same] = np.where(date[same] <= 0, 0, 1)
    level[close] = np.where(date_equal[close], 2, 3)
    level[differ] = np.where(date_equal[differ], 4, 5)
    no_id = ~has_id & (date >= 0)
    level[no_id] = 6 + date[no_id]
    return level


_MAX_WORDS = 4  # words compared one by one (the rest of a longer name joins the fourth)


def _word_columns(names: np.ndarray) -> np.ndarray:
    """Names split into ``_MAX_WORDS`` columns of words (``""`` where there are fewer)."""
    out = np.full((len(names), _MAX_WORDS), "", dtype=object)
    for i, words in enumerate(name.split(" ", _MAX_WORDS - 1) for name in names.tolist()):
        out[i, : len(words)] = words
    return out


def _word_similarity(wa: np.ndarray, wb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How well every word of one name is found in the other.

    Returns ``(a_in_b, b_in_a)``: the lowest, over the words of name a (of name b), of the
    best Jaro-Winkler similarity to any word of the other name. Word order is ignored; a
    name whose words all appear in the other, typos aside, scores high, and two people
    sharing a family name but not a given name ("Budi Santoso", "Agus Santoso") score low.
    """
    n = len(wa)
    best_a = np.zeros((_MAX_WORDS, n), dtype=np.float32)
    best_b = np.zeros((_MAX_WORDS, n), dtype=np.float32)
    has_a = wa != ""
    has_b = wb != ""
    for i in range(_MAX_WORDS):
        if not has_a[:, i].any():
            continue
        for j in range(_MAX_WORDS):
            both = has_a[:, i] & has_b[:, j]
            if not both.any():
                continue
            sim = process.cpdist(wa[both, i], wb[both, j], scorer=JaroWinkler.normalized_similarity, workers=-1)
            best_a[i, both] = np.maximum(best_a[i, both], sim)
            best_b[j, both] = np.maximum(best_b[j, both], sim)
    best_a[~has_a.T] = 1.0
    best_b[~has_b.T] = 1.0
    return best_a.min(axis=0), best_b.min(axis=0)


def _cmp_name(ref, cand, ri, ci) -> np.ndarray:
    """0 equal (words in any order); 1 every word of each name in the other, typos aside,
    or the names equal but for spaces; 2 every word of one name in the other (a word
    dropped or added); 3 every word found, with heavier typos; 4 different."""
    ka, kb = ref.name_key[ri], cand.name_key[ci]
    present = (ka != 0) & (kb != 0)
    exact = present & (ka == kb)
    rest = np.flatnonzero(present & ~exact)
    level = np.full(len(ri), 4, dtype=np.int8)
    if len(rest):
        a, b = ref.name[ri[rest]], cand.name[ci[rest]]
        a_in_b, b_in_a = _word_similarity(_word_columns(a), _word_columns(b))
        both, either = np.minimum(a_in_b, b_in_a), np.maximum(a_in_b, b_in_a)
        joined = np.zeros(len(rest), dtype=np.float32)
        maybe = both < 0.92
        if maybe.any():
            joined[maybe] = process.cpdist(
                [x.replace(" ", "") for x in a[maybe]],
                [y.replace(" ", "") for y in b[maybe]],
                scorer=fuzz.ratio,
                workers=-1,
            )
        sub = np.full(len(rest), 4, dtype=np.int8)
        sub[both >= 0.80] = 3
        sub[either >= 0.92] = 2
        sub[(both >= 0.92) | (joined >= 94)] = 1
        level[rest] = sub
    level[exact] = 0
    level[~present] = -1
    return level


def _cmp_sex(ref, cand, ri, ci) -> np.ndarray:
    a, b = ref.sex[ri], cand.sex[ci]
    level = np.where(a == b, 0, 1).astype(np.int8)
    level[(a == 0) | (b == 0)] = -1
    return level


def _cmp_region(ref, cand, ri, ci) -> np.ndarray:
    a, b = ref.region[ri], cand.region[ci]
    present = _present(a) & _present(b)
    exact = present & (a == b)
    rest = present & ~exact
    level = np.full(len(a), 2, dtype=np.int8)
    if rest.any():
        x, y = a[rest], b[rest]
        common = np.asarray(process.cpdist(x, y, scorer=Prefix.similarity, workers=-1))
        shorter = np.minimum(_lengths(x), _lengths(y))
        sub = level[rest]
        sub[(common >= 4) & (common >= 0.6 * shorter)] = 1
        level[rest] = sub
    level[exact] = 0
    level[~present] = -1
    return level


def _cmp_birth_place(ref, cand, ri, ci) -> np.ndarray:
    a, b = ref.birth_place[ri], cand.birth_place[ci]
    present = _present(a) & _present(b)
    sim = _similarity(a, b, fuzz.ratio, present, processor=default_process) / 100
    return _levels_by_threshold(sim, [0.90, 0.70], present)


def _cmp_address(ref, cand, ri, ci) -> np.ndarray:
    a, b = ref.address[ri], cand.address[ci]
    present = _present(a) & _present(b)
    sim = _similarity(a, b, fuzz.token_set_ratio, present, processor=default_process) / 100
    return _levels_by_threshold(sim, [0.90, 0.70], present)


_COMPARE = {
    "id_date": _cmp_id_date,
    "name": _cmp_name,
    "sex": _cmp_sex,
    "region": _cmp_region,
    "birth_place": _cmp_birth_place,
    "address": _cmp_address,
}
