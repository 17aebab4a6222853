"""The Fellegi–Sunter model: m and u probabilities estimated from the data.

For each comparison ``k`` and level ``l``:

* ``m[k][l]`` = P(level l | the pair is the same person),
* ``u[k][l]`` = P(level l | the pair is two different people),

and ``lam`` = the share of blocked pairs that are matches. A pair's evidence is the sum
of ``log(m/u)`` over its comparisons (a blank value adds nothing), and its match
probability is ``lam·Πm / (lam·Πm + (1-lam)·Πu)``.

**Non-matches are not independent coincidences.** Two different people whose ids
differ only in the serial and who share a birth date are neighbours or twins; twins
also share the address, the village, the birth place and the family name. Scored as
independent evidence (the classic model) those agreements multiply and link the twin.
So u is modelled as a chain, each link estimated from the data:

1. ``id_date`` (the joint id + birth date comparison): one distribution;
2. ``address``: one distribution per ``id_date`` level;
3. every other comparison: one distribution per (``id_date`` level, ``address`` level).

Among pairs with the same birth date, ids one serial apart and the same address, a
shared village or birth place is then no news, while a different given name is strong
news. m stays one distribution per comparison (the same person's typos do not depend
on each other much). Comparisons that are not mapped drop out of the chain.

**Where the numbers come from** (nothing is hard-coded from a data set):

* u: from *known non-matches*, the blocked pairs of a sample of reference rows with
  other reference rows — twins, neighbours and namesakes included, as they are in the
  population — compared as they are and as if one id were blank; a parent level seen
  in few pairs is pulled towards the coarser estimate (``PRIOR_GROUP_PAIRS``), and
  random pairs give the starting point and a weak prior;
* m and ``lam``: EM over the comparison vectors of the blocked pairs of a sample of
  candidates (collapsed into counts of distinct vectors, so an iteration costs
  microseconds), with u held fixed, so the non-match class cannot bend itself around an
  awkward group of true matches (people who moved, say). m of the comparisons other
  than id + birth date is learnt from the pairs whose ids are equal, when there are at
  least ``MIN_ANCHOR_PAIRS`` of them (as Splink trains each comparison on a blocking rule
  that does not involve it): those are nearly all the same person, while elsewhere the
  twins the model is unsure about would pass as matches "with a different name".

Without known non-matches (a reference with no blocked pairs), EM estimates every u
too, unconditionally (the classic model), starting from the random-pair u.

Decision: a candidate is linked to its best reference row when that pair's match
probability is at least ``threshold`` (0.5 by default: more likely the same person
than not, under the model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .compare import COMPARISONS, LEVEL_LABELS

PRIOR_PAIRS = 5.0  # Dirichlet pseudo-pairs per comparison, for m and the pooled u
#: Pseudo-pairs pulling each group's u towards the coarser estimate: a group seen in few
#: non-matching pairs keeps that estimate instead of fitting those few pairs.
PRIOR_GROUP_PAIRS = 20.0
CHAIN = ("id_date", "address")  # the comparisons the others' u depends on, in order
ANCHOR_LEVELS = (0, 1)  # id_date levels with equal ids: m of the other comparisons is learnt there
MIN_ANCHOR_PAIRS = 500
_EPS = 1e-12


def _generic_m(name: str) -> np.ndarray:
    """A starting shape for m: the first (best) level most likely, falling steeply."""
    levels = COMPARISONS[name]
    if name == "id_date":
        shape = np.array([0.55, 0.01, 0.03, 0.005, 0.0002, 0.0002, 0.35, 0.03, 0.018])
    else:
        shape = np.array([0.8 * 0.25**i for i in range(levels)])
    return shape / shape.sum()


def effective_u(name: str, m: np.ndarray, u: np.ndarray) -> np.ndarray:
    """u with agreement kept the strongest evidence: no lower level of a comparison may
    weigh more than its top level (exact agreement). u of the lower levels is raised to
    ``m[l] * u[0] / m[0]`` where it is smaller.

    Why: u comes from pairs of reference rows, which have few typos, so u of the "nearly
    equal" levels is underestimated (two different people's birth places are rarely one
    typo apart in a clean file, but a typing clerk makes the typo for matches and
    non-matches alike). The id + birth date comparison is not ordinal and is left alone.
    """
    if name == "id_date" or len(m) < 2:
        return u
    floor = m[None, 1:] * (u[:, :1] / max(m[0], _EPS))
    return np.concatenate([u[:, :1], np.maximum(u[:, 1:], floor)], axis=1)


@dataclass(frozen=True)
class Chain:
    """Which comparisons' levels u of each comparison is conditioned on."""

    comparisons: tuple[str, ...]

    @property
    def parents(self) -> list[int]:
        return [self.comparisons.index(c) for c in CHAIN if c in self.comparisons]

    def parents_of(self, j: int) -> list[int]:
        """The chain comparisons before ``j`` (all of them for a comparison not in the chain)."""
        parents = self.parents
        return parents[: parents.index(j)] if j in parents else parents

    def group_count(self, j: int) -> int:
        count = 1
        for p in self.parents_of(j):
            count *= COMPARISONS[self.comparisons[p]] + 1
        return count

    def groups(self, j: int, levels: np.ndarray) -> np.ndarray:
        """Each pair's group for comparison ``j`` (a blank parent level is a level of its own)."""
        group = np.zeros(len(levels), dtype=np.int64)
        for p in self.parents_of(j):
            size = COMPARISONS[self.comparisons[p]] + 1
            col = levels[:, p].astype(np.int64)
            group = group * size + np.where(col >= 0, col, size - 1)
        return group


@dataclass
class Model:
    """m per comparison; u per comparison and group (``u[j]`` has shape ``(groups, levels)``)."""

    comparisons: list[str]
    m: list[np.ndarray]
    u: list[np.ndarray]
    lam: float
    iterations: int = 0
    pairs: int = 0
    pooled_u: list[np.ndarray] = field(default_factory=list)  # for describe()

    @property
    def chain(self) -> Chain:
        return Chain(tuple(self.comparisons))

    def _group(self, j: int, levels: np.ndarray) -> np.ndarray:
        if self.u[j].shape[0] == 1:
            return np.zeros(len(levels), dtype=np.int64)
        return self.chain.groups(j, levels)

    def log_odds(self, levels: np.ndarray) -> np.ndarray:
        """Prior log-odds plus the evidence of each pair (rows of ``levels``)."""
        total = np.full(len(levels), math.log(self.lam / (1 - self.lam)), dtype=np.float64)
        for j, name in enumerate(self.comparisons):
            col = levels[:, j].astype(np.int64)
            present = col >= 0
            log_m = np.log(np.maximum(self.m[j], _EPS))
            log_u = np.log(np.maximum(effective_u(name, self.m[j], self.u[j]), _EPS))
            group = self._group(j, levels)
            total[present] += log_m[col[present]] - log_u[group[present], col[present]]
        return total

    def probability(self, levels: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.log_odds(levels)))

    def to_dict(self) -> dict:
        return {
            "comparisons": self.comparisons,
            "m": [m.tolist() for m in self.m],
            "u": [u.tolist() for u in self.u],
            "lam": float(self.lam),
            "iterations": self.iterations,
            "pairs": self.pairs,
            "pooled_u": [p.tolist() for p in self.pooled_u],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        return cls(
            comparisons=list(data["comparisons"]),
            m=[np.array(m, dtype=np.float64) for m in data["m"]],
            u=[np.array(u, dtype=np.float64) for u in data["u"]],
            lam=float(data["lam"]),
            iterations=int(data.get("iterations", 0)),
            pairs=int(data.get("pairs", 0)),
            pooled_u=[np.array(p, dtype=np.float64) for p in data.get("pooled_u", [])],
        )

    def weight(self, j: int, level: int) -> float:
        """log2(m/u) of a level with u pooled over the groups (as shown by :meth:`describe`)."""
        u = self.pooled_u[j] if self.pooled_u else self.u[j][0]
        u = effective_u(self.comparisons[j], self.m[j], u[None, :])[0]
        return math.log2(max(self.m[j][level], _EPS) / max(u[level], _EPS))

    def describe(self) -> str:
        """m, u (pooled over the groups) and weight of every level, for logs and docs."""
        lines = [
            f"lambda (share of blocked pairs that match) = {self.lam:.4f}; "
            f"EM iterations = {self.iterations}; pairs = {self.pairs}"
        ]
        for j, name in enumerate(self.comparisons):
            groups = self.u[j].shape[0]
            lines.append(f"  {name}:" + (f" (u per {groups} groups of the chain; pooled below)" if groups > 1 else ""))
            u = self.pooled_u[j] if self.pooled_u else self.u[j][0]
            u = effective_u(name, self.m[j], u[None, :])[0]
            for level, (label, mi, ui) in enumerate(zip(LEVEL_LABELS[name], self.m[j], u, strict=True)):
                lines.append(f"    {label:<38} m={mi:.4f} u={ui:.6f} log2(m/u)={self.weight(j, level):+.2f}")
        return "\n".join(lines)


def _patterns(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct comparison vectors (sorted) and how often each occurs."""
    width = levels.shape[1]
    if len(levels) == 0:
        return np.empty((0, width), dtype=np.int8), np.empty(0, dtype=np.float64)
    base = 16  # levels are -1..14
    code = np.zeros(len(levels), dtype=np.int64)
    for j in range(width):
        code = code * base + (levels[:, j].astype(np.int64) + 1)
    unique, counts = np.unique(code, return_counts=True)
    patterns = np.empty((len(unique), width), dtype=np.int8)
    for j in range(width - 1, -1, -1):
        patterns[:, j] = unique % base - 1
        unique = unique // base
    return patterns, counts.astype(np.float64)


def _level_totals(col: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    present = col >= 0
    return np.bincount(col[present].astype(np.int64), weights=weights[present], minlength=size).astype(np.float64)


def _grouped_totals(col: np.ndarray, groups: np.ndarray, weights: np.ndarray, n_groups: int, size: int) -> np.ndarray:
    present = col >= 0
    flat = groups[present] * size + col[present].astype(np.int64)
    totals = np.bincount(flat, weights=weights[present], minlength=n_groups * size).astype(np.float64)
    return totals.reshape(n_groups, size)


def u_from_random_pairs(levels: np.ndarray, comparisons: list[str]) -> list[np.ndarray]:
    """u estimated from the comparison vectors of random pairs (nearly all non-matches),
    with add-half smoothing so that no level is impossible."""
    out = []
    for j, name in enumerate(comparisons):
        totals = _level_totals(levels[:, j], np.ones(len(levels)), COMPARISONS[name]) + 0.5
        out.append(totals / totals.sum())
    return out


def u_from_non_matches(
    known: np.ndarray,
    known_without_ids: np.ndarray | None,
    comparisons: list[str],
    u_start: list[np.ndarray],
    *,
    id_blank_share: float,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """u of every comparison from comparison vectors of pairs known to be different
    people, along the chain. Returns ``(u, pooled u)``.

    ``known`` are those pairs as they are; ``known_without_ids`` the same pairs compared
    as if one id were blank. The id + birth date comparison's u is ``(1 - id_blank_share)``
    × its distribution over the pairs with both ids plus ``id_blank_share`` × that of
    the date-only levels (how often an id is blank in a pair depends on the files, not on
    who is who). Pairs with equal ids (levels 0 and 1) are left out: between two rows of
    one file they are mostly one person recorded twice; those levels get the random-pair u.
    """
    chain = Chain(tuple(comparisons))
    sizes = [COMPARISONS[c] for c in comparisons]
    has_id_date = bool(comparisons) and comparisons[0] == "id_date"
    if has_id_date:
        keep = ~np.isin(known[:, 0], [0, 1])
        known = known[keep]
        if known_without_ids is not None:
            known_without_ids = known_without_ids[keep]
    every = known if known_without_ids is None else np.vstack([known, known_without_ids])
    patterns, counts = _patterns(every)

    pooled = []
    for j, size in enumerate(sizes):
        totals = _level_totals(patterns[:, j], counts, size)
        totals = totals + PRIOR_PAIRS * u_start[j] + 0.5  # add-half: no level is impossible
        pooled.append(totals / totals.sum())

    u: list[np.ndarray] = []
    for j, size in enumerate(sizes):
        if j == 0 and has_id_date:
            with_ids = _level_totals(known[:, 0], np.ones(len(known)), size)
            with_ids[6:] = 0
            with_ids += (PRIOR_PAIRS * u_start[0] + 0.5) * (np.arange(size) < 6)
            blank = np.zeros(size)
            if known_without_ids is not None:
                blank = _level_totals(known_without_ids[:, 0], np.ones(len(known_without_ids)), size)
            blank += (PRIOR_PAIRS * u_start[0] + 0.5) * (np.arange(size) >= 6)
            parent = (1 - id_blank_share) * with_ids / with_ids.sum() + id_blank_share * blank / blank.sum()
            u.append((parent / parent.sum())[None, :])
            continue
        n_groups = chain.group_count(j)
        if n_groups == 1:
            u.append(pooled[j][None, :])
            continue
        # Shrink level by level: no parents → first parent → both parents.
        estimate_ = pooled[j][None, :]
        parents = chain.parents_of(j)
        for depth in range(1, len(parents) + 1):
            groups = _partial_groups(chain, parents[:depth], patterns)
            count = _count_groups(comparisons, parents[:depth])
            totals = _grouped_totals(patterns[:, j], groups, counts, count, size)
            estimate_ = totals + PRIOR_GROUP_PAIRS * _expand(estimate_, comparisons, parents[:depth])
            estimate_ = estimate_ / estimate_.sum(axis=1, keepdims=True)
        u.append(estimate_)
    return u, pooled


def _count_groups(comparisons: list[str], parents: list[int]) -> int:
    count = 1
    for p in parents:
        count *= COMPARISONS[comparisons[p]] + 1
    return count


def _partial_groups(chain: Chain, parents: list[int], patterns: np.ndarray) -> np.ndarray:
    group = np.zeros(len(patterns), dtype=np.int64)
    for p in parents:
        size = COMPARISONS[chain.comparisons[p]] + 1
        col = patterns[:, p].astype(np.int64)
        group = group * size + np.where(col >= 0, col, size - 1)
    return group


def _expand(coarse: np.ndarray, comparisons: list[str], parents: list[int]) -> np.ndarray:
    """Repeat a coarser estimate (groups over ``parents[:-1]``) for each level of the last parent."""
    last = COMPARISONS[comparisons[parents[-1]]] + 1
    return np.repeat(coarse, last, axis=0)


def estimate(
    levels: np.ndarray,
    comparisons: list[str],
    *,
    u: list[np.ndarray] | None = None,
    pooled_u: list[np.ndarray] | None = None,
    u_start: list[np.ndarray] | None = None,
    max_iterations: int = 1000,
    tolerance: float = 1e-7,
) -> Model:
    """EM over the comparison vectors of blocked pairs (rows of ``levels``).

    With ``u`` given (from :func:`u_from_non_matches`), u is held fixed and EM estimates
    m and ``lam`` only. Without it, EM estimates u too (unconditionally, the classic
    model), starting from ``u_start``.
    """
    patterns, counts = _patterns(levels)
    sizes = [COMPARISONS[c] for c in comparisons]
    chain = Chain(tuple(comparisons))
    fixed_u = u is not None
    if fixed_u:
        u = [x.copy() for x in u]
    else:
        start = u_start if u_start is not None else [np.full(s, 1 / s) for s in sizes]
        u = [x[None, :].copy() for x in start]
    groups = [
        chain.groups(j, patterns) if u[j].shape[0] > 1 else np.zeros(len(patterns), np.int64) for j in range(len(sizes))
    ]

    m = [_generic_m(c) for c in comparisons]
    m_prior = [PRIOR_PAIRS * x for x in m]
    lam = 0.1
    total = counts.sum()
    # m of the other comparisons from the pairs whose ids are equal, when there are enough:
    # nearly all the same person, and no twin (ids one serial apart) among them to blur m.
    anchor = np.ones(len(patterns), dtype=bool)
    if comparisons and comparisons[0] == "id_date":
        equal_ids = np.isin(patterns[:, 0], ANCHOR_LEVELS)
        if counts[equal_ids].sum() >= MIN_ANCHOR_PAIRS:
            anchor = equal_ids
    iteration = 0
    if total == 0:
        return Model(comparisons, m, u, lam, 0, 0, list(pooled_u or []))

    for iteration in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        log_m = np.full(len(patterns), math.log(lam))
        log_u = np.full(len(patterns), math.log(1 - lam))
        for j, name in enumerate(comparisons):
            col = patterns[:, j].astype(np.int64)
            present = col >= 0
            log_m[present] += np.log(m[j][col[present]])
            table = effective_u(name, m[j], u[j])
            log_u[present] += np.log(table[groups[j][present], col[present]])
        g = 1.0 / (1.0 + np.exp(np.clip(log_u - log_m, -700, 700)))  # P(match | vector)
        matched = g * counts
        new_lam = float(np.clip(matched.sum() / total, 1e-6, 1 - 1e-6))
        change = abs(new_lam - lam)
        for j, size in enumerate(sizes):
            col = patterns[:, j]
            if j == 0:
                new_m = _level_totals(col, matched, size) + m_prior[j]
            else:
                new_m = _level_totals(col[anchor], matched[anchor], size) + m_prior[j]
            new_m /= new_m.sum()
            change = max(change, float(np.abs(new_m - m[j]).max()))
            m[j] = new_m
            if not fixed_u:
                new_u = _level_totals(col, (1 - g) * counts, size) + PRIOR_PAIRS * u[j][0]
                new_u = (new_u / new_u.sum())[None, :]
                change = max(change, float(np.abs(new_u - u[j]).max()))
                u[j] = new_u
        lam = new_lam
        if change < tolerance:
            break
    pooled = list(pooled_u) if pooled_u is not None else [x[0] for x in u]
    return Model(comparisons, m, u, lam, iteration, int(total), pooled)
