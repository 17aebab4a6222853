"""The welfare score and desil, computed in the database.

**Score.** ``score = Σ value(variable) × weight(variable, province)``, rounded to 4
decimals; a province's override replaces the national weight of that variable for
households of that province. Values are defined once, as SQL, in ``ScoreSql.values``
(see ``eligibility.variables`` for their meaning). Higher = better off.

**Desil.** Over all registered households (nationally, and again per province):
``desil = 1 + floor(10 × (r − 1) / N)`` where ``r − 1`` is the number of households
with a strictly lower score. Households with the same score therefore always share a
desil (the lowest their tied positions reach). Equivalently, with ``T_k`` the score at
sorted position ``ceil(k·N/10)`` (1-based), ``desil = 1 + #{k ∈ 1..9 : score > T_k}``.

**Path** (in the database, in chunks of household ids that spread over workers):

1. ``stage`` per chunk: one ``INSERT … SELECT`` aggregates the members and computes
   the score of every registered household into ``eligibility_scorestage`` (a
   scratch table: UNLOGGED on PostgreSQL, no index), so the expensive part is done once.
2. ``thresholds``: one statement ranks the staged scores with window functions
   (``ROW_NUMBER``/``COUNT`` over the nation and per province) and returns only the
   ~10 boundary rows per partition → the nine ``T_k`` per partition.
3. ``write`` per chunk: one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` stores score
   and both desils (comparing with the ``T_k``) and applies the official desil file,
   skipping rows whose values did not change; one ``DELETE`` removes rows of households
   that left the register. The staged rows are dropped when the run finishes.

Every step is idempotent: a rerun writes the same rows (``UNIQUE(model, household)``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from registrations.models import Household, Member

from . import sql
from .models import DesilSource, HouseholdScore, OfficialDesil, ScoreModel
from .variables import (
    BOOLEAN_FIELDS,
    CHILD_AGE_LIMIT,
    CROWDED_M2_PER_PERSON,
    ELDERLY_AGE,
    INCOME_CAP,
    VARIABLE_CODES,
)

#: Households per chunk task (each step reads the scratch table once per chunk).
CHUNK_SIZE = 250_000
#: Memory for the sorts and hash aggregates of one scoring statement (PostgreSQL).
WORK_MEM = "256MB"
#: Scores are rounded to this many decimals, so equal scores compare equal.
SCORE_DECIMALS = 4
#: Scratch table of one run's scores (created by migration 0003; not a Django model).
STAGE_TABLE = "eligibility_scorestage"
#: Run id the direct path (``score_all``) stages under.
DIRECT_RUN_ID = 0


@dataclass
class Weights:
    """A model's weights as floats: national, and per-province overrides."""

    national: dict[str, float]
    overrides: dict[str, dict[str, float]] = field(default_factory=dict)  # variable -> {province: weight}

    @classmethod
    def of(cls, model: ScoreModel) -> Weights:
        national = dict.fromkeys(VARIABLE_CODES, 0.0)
        overrides: dict[str, dict[str, float]] = defaultdict(dict)
        for variable, province, weight in model.weights.values_list("variable", "province_code", "weight"):
            if province:
                overrides[variable][province] = float(weight)
            else:
                national[variable] = float(weight)
        return cls(national=national, overrides=dict(overrides))

    def for_province(self, province: str) -> dict[str, float]:
        return {v: self.overrides.get(v, {}).get(province, w) for v, w in self.national.items()}


class ScoreSql:
    """Builds the scoring statements for one model's weights and one reference date."""

    def __init__(self, weights: Weights, as_of: datetime.date):
        self.weights = weights
        self.as_of = as_of
        self.household = sql.table(Household)
        self.member = sql.table(Member)
        self.params: dict = {
            "child_born_after": sql.born_by(as_of, CHILD_AGE_LIMIT),
            "elderly_born_by": sql.born_by(as_of, ELDERLY_AGE),
        }

    # -- pieces -------------------------------------------------------------------------

    def member_counts(self, where: str = "") -> str:
        """Per household: members, children (< 15) and elderly (≥ 65) on ``as_of``."""
        return (
            f"SELECT household_id AS hid, COUNT(*) AS size, "  # noqa: S608 - table names from _meta
            f"SUM(CASE WHEN birth_date > %(child_born_after)s THEN 1 ELSE 0 END) AS children, "
            f"SUM(CASE WHEN birth_date <= %(elderly_born_by)s THEN 1 ELSE 0 END) AS elderly "
            f"FROM {self.member} {where} GROUP BY household_id"
        )

    def values(self) -> dict[str, str]:
        """Each variable's value for household ``h`` joined with its member counts ``m``."""
        size = "COALESCE(m.size, 0)"
        dependants = "(COALESCE(m.children, 0) + COALESCE(m.elderly, 0))"
        values = {name: sql.flag(f"h.{name}") for name in BOOLEAN_FIELDS}
        values["crowded"] = sql.flag(
            f"h.floor_area_m2 IS NOT NULL AND {size} > 0 AND h.floor_area_m2 < {CROWDED_M2_PER_PERSON} * {size}"
        )
        income_per_person = sql.as_float("COALESCE(h.monthly_income, 0)") + " / " + sql.greatest(size, "1")
        values["income_per_capita"] = "(" + sql.least(income_per_person, str(INCOME_CAP)) + " / 1000000.0)"
        values["household_size"] = size
        working_age = sql.greatest(f"{size} - {dependants}", "1")
        values["dependency_ratio"] = f"({sql.as_float(dependants)} / {working_age})"
        values["constant"] = "1"
        assert set(values) == set(VARIABLE_CODES)
        return values

    def _weight(self, variable: str) -> str:
        key = f"w_{variable}"
        self.params[key] = self.weights.national[variable]
        overrides = self.weights.overrides.get(variable)
        if not overrides:
            return sql.as_float(f"%({key})s")
        whens = []
        for i, (province, weight) in enumerate(sorted(overrides.items())):
            self.params[f"{key}_p{i}"] = province
            self.params[f"{key}_w{i}"] = weight
            whens.append(f"WHEN %({key}_p{i})s THEN {sql.as_float(f'%({key}_w{i})s')}")
        return f"(CASE SUBSTR(h.village_id, 1, 2) {' '.join(whens)} ELSE {sql.as_float(f'%({key})s')} END)"

    def score(self) -> str:
        terms = [f"{value} * {self._weight(name)}" for name, value in self.values().items()]
        scale = 10**SCORE_DECIMALS
        return f"(ROUND(({' + '.join(terms)}) * {scale}) / {scale}.0)"

    def scored_households(self, where: str = "", member_where: str = "") -> str:
        """``hid, village, kk, score`` of every registered household (matching ``where``)."""
        return (
            f"SELECT h.id AS hid, h.village_id AS village, h.kk_number AS kk, {self.score()} AS score "  # noqa: S608
            f"FROM {self.household} h LEFT JOIN ({self.member_counts(member_where)}) m ON m.hid = h.id "
            f"WHERE h.registered_at IS NOT NULL {where}"
        )

    # -- statements -----------------------------------------------------------------------

    def stage_statements(self, run_id: int, lo: int, hi: int) -> list[str]:
        """Score households ``lo..hi`` into the scratch table (replacing that range)."""
        self.params.update({"run_id": run_id, "lo": lo, "hi": hi})
        stage = sql.quote(STAGE_TABLE)
        scored = self.scored_households(
            "AND h.id BETWEEN %(lo)s AND %(hi)s", "WHERE household_id BETWEEN %(lo)s AND %(hi)s"
        )
        return [
            f"DELETE FROM {stage} WHERE run_id = %(run_id)s AND household_id BETWEEN %(lo)s AND %(hi)s",  # noqa: S608
            f"INSERT INTO {stage} (run_id, household_id, village_code, kk_number, score) "  # noqa: S608
            f"SELECT %(run_id)s, s.hid, s.village, s.kk, s.score FROM ({scored}) s",
        ]

    def thresholds_statement(self, run_id: int) -> str:
        self.params["run_id"] = run_id
        boundary = "(10 * {rn}) / {n} > (10 * ({rn} - 1)) / {n}"
        return (
            f"SELECT prov, score, rn, n, prn, pn FROM ("  # noqa: S608
            f"SELECT SUBSTR(s.village_code, 1, 2) AS prov, s.score, "
            f"ROW_NUMBER() OVER (ORDER BY s.score) AS rn, COUNT(*) OVER () AS n, "
            f"ROW_NUMBER() OVER (PARTITION BY SUBSTR(s.village_code, 1, 2) ORDER BY s.score) AS prn, "
            f"COUNT(*) OVER (PARTITION BY SUBSTR(s.village_code, 1, 2)) AS pn "
            f"FROM {sql.quote(STAGE_TABLE)} s WHERE s.run_id = %(run_id)s) r "
            f"WHERE {boundary.format(rn='rn', n='n')} OR {boundary.format(rn='prn', n='pn')}"
        )

    def percentile_statements(self, run_id: int) -> tuple[str, str]:
        """PostgreSQL: the same ``T_k`` with ``percentile_disc`` (a sort of bare float8
        values, about three times faster than the window functions).

        ``percentile_disc(f)`` takes the first value at a position ≥ f·N, i.e. at
        ``ceil(f·N)``. With ``f = k/10 − 1e-10`` that is exactly ``ceil(k·N/10)``: when
        k·N/10 is whole, subtracting N·1e-10 (< 0.1 below a billion households) does not
        reach the integer below; when it is not, its fraction is at least 0.1. Tested
        against the window version (``test_postgres.py``).
        """
        self.params["run_id"] = run_id
        fractions = "ARRAY[" + ", ".join(f"{k / 10 - 1e-10!r}" for k in range(1, 10)) + "]::float8[]"
        stage = sql.quote(STAGE_TABLE)
        national = (
            f"SELECT percentile_disc({fractions}) WITHIN GROUP (ORDER BY score), COUNT(*) "  # noqa: S608
            f"FROM {stage} WHERE run_id = %(run_id)s"
        )
        provinces = (
            f"SELECT SUBSTR(village_code, 1, 2), percentile_disc({fractions}) WITHIN GROUP (ORDER BY score), "  # noqa: S608
            f"COUNT(*) FROM {stage} WHERE run_id = %(run_id)s GROUP BY SUBSTR(village_code, 1, 2)"
        )
        return national, provinces

    def write_statements(
        self, run_id: int, model_id: int, thresholds: Thresholds, lo: int, hi: int, now, *, existing: bool
    ) -> list[str]:
        """Step 3 for households ``lo..hi``: score, desils and source from the staged rows.

        Without ``existing`` rows of the model in the range: one plain INSERT. With them:
        an UPDATE of the rows whose values changed (unchanged rows are not touched, not
        even locked) and an INSERT of the missing ones.
        """
        self.params.update({"run_id": run_id, "model_id": model_id, "lo": lo, "hi": hi, "now": now})
        national = self._desil_expr("s.score", [f"%(nt{k})s" for k in range(1, 10)])
        for k, value in enumerate(thresholds.national, start=1):
            self.params[f"nt{k}"] = value
        province_rows = []
        for i, (province, values) in enumerate(sorted(thresholds.provinces.items())):
            self.params[f"pp{i}"] = province
            cells = [f"%(pp{i})s"]
            for k, value in enumerate(values, start=1):
                self.params[f"pt{i}_{k}"] = value
                cells.append(sql.as_float(f"%(pt{i}_{k})s"))
            province_rows.append(f"({', '.join(cells)})")
        if not province_rows:  # nobody registered: a row that matches no province
            province_rows = ["('', " + ", ".join(["0.0"] * 9) + ")"]
        province_desil = self._desil_expr("s.score", [f"t.t{k}" for k in range(1, 10)], cast=False)
        t_columns = ", ".join(f"t{k}" for k in range(1, 10))
        official = sql.table(OfficialDesil)
        target = sql.table(HouseholdScore)
        prefix = (
            f"WITH t(prov, {t_columns}) AS (VALUES {', '.join(province_rows)}), "  # noqa: S608
            f"o AS (SELECT o1.kk_number, o1.desil, o1.period FROM {official} o1 "
            f"WHERE o1.period = (SELECT MAX(o2.period) FROM {official} o2 WHERE o2.kk_number = o1.kk_number)) "
        )
        computed = (
            f"SELECT s.household_id, s.village_code, s.score, {national} AS model_desil, "  # noqa: S608
            f"COALESCE(o.desil, {national}) AS desil_national, {province_desil} AS desil_province, "
            f"CASE WHEN o.desil IS NULL THEN '{DesilSource.MODEL.value}' ELSE '{DesilSource.OFFICIAL.value}' END "
            f"AS source, COALESCE(o.period, '') AS official_period "
            f"FROM {sql.quote(STAGE_TABLE)} s LEFT JOIN t ON t.prov = SUBSTR(s.village_code, 1, 2) "
            f"LEFT JOIN o ON o.kk_number = s.kk_number "
            f"WHERE s.run_id = %(run_id)s AND s.household_id BETWEEN %(lo)s AND %(hi)s"
        )
        columns = [
            "village_code",
            "score",
            "model_desil",
            "desil_national",
            "desil_province",
            "source",
            "official_period",
        ]
        insert = (
            f"INSERT INTO {target} (model_id, household_id, {', '.join(columns)}, computed_at) "  # noqa: S608
            f"SELECT %(model_id)s, d.household_id, {', '.join(f'd.{c}' for c in columns)}, %(now)s FROM ({computed}) d"
        )
        if not existing:
            return [prefix + insert]
        changed = " OR ".join(f"{target}.{c} IS DISTINCT FROM d.{c}" for c in columns)
        update = (
            f"UPDATE {target} SET {', '.join(f'{c} = d.{c}' for c in columns)}, computed_at = %(now)s "  # noqa: S608
            f"FROM ({computed}) d WHERE {target}.model_id = %(model_id)s "
            f"AND {target}.household_id BETWEEN %(lo)s AND %(hi)s "
            f"AND {target}.household_id = d.household_id AND ({changed})"
        )
        missing = (
            f" WHERE NOT EXISTS (SELECT 1 FROM {target} x WHERE x.model_id = %(model_id)s "  # noqa: S608
            f"AND x.household_id BETWEEN %(lo)s AND %(hi)s AND x.household_id = d.household_id)"
        )
        return [prefix + update, prefix + insert + missing]

    def delete_statement(self, model_id: int, lo: int, hi: int) -> str:
        self.params.update({"model_id": model_id, "lo": lo, "hi": hi})
        return (
            f"DELETE FROM {sql.table(HouseholdScore)} WHERE model_id = %(model_id)s "  # noqa: S608
            f"AND household_id BETWEEN %(lo)s AND %(hi)s AND household_id NOT IN "
            f"(SELECT id FROM {self.household} WHERE registered_at IS NOT NULL AND id BETWEEN %(lo)s AND %(hi)s)"
        )

    def values_statement(self) -> str:
        """Every variable's value and the score of one household (``%(hid)s``)."""
        values = self.values()
        columns = ", ".join(f"{expr} AS {name}" for name, expr in values.items())
        return (
            f"SELECT {columns}, {self.score()} AS score "  # noqa: S608
            f"FROM {self.household} h LEFT JOIN ({self.member_counts('WHERE household_id = %(hid)s')}) m "
            f"ON m.hid = h.id WHERE h.id = %(hid)s"
        )

    @staticmethod
    def _desil_expr(score: str, thresholds: list[str], *, cast: bool = True) -> str:
        terms = [sql.flag(f"{score} > {sql.as_float(t) if cast else t}") for t in thresholds]
        return f"(1 + {' + '.join(terms)})"


# --- thresholds ------------------------------------------------------------------------------


@dataclass
class Thresholds:
    """The nine ``T_k`` nationally and per province, and the household counts."""

    national: list[float]
    provinces: dict[str, list[float]]
    total: int
    counts: dict[str, int]

    def as_json(self) -> dict:
        return {"national": self.national, "provinces": self.provinces, "total": self.total, "counts": self.counts}

    @classmethod
    def from_json(cls, data: dict) -> Thresholds:
        return cls(data["national"], data["provinces"], data["total"], data["counts"])


def _position(k: int, n: int) -> int:
    """1-based sorted position of ``T_k`` among ``n`` scores: ceil(k·n/10)."""
    return (k * n + 9) // 10


def thresholds_from_rows(rows) -> Thresholds:
    national_at: dict[int, float] = {}
    province_at: dict[str, dict[int, float]] = defaultdict(dict)
    total = 0
    counts: dict[str, int] = {}
    for prov, score, rn, n, prn, pn in rows:
        national_at[rn] = score
        total = n
        province_at[prov][prn] = score
        counts[prov] = pn
    national = [national_at[_position(k, total)] for k in range(1, 10)] if total else []
    provinces = {p: [at[_position(k, counts[p])] for k in range(1, 10)] for p, at in province_at.items()}
    return Thresholds(national=national, provinces=provinces, total=total, counts=counts)


def compute_thresholds(run_id: int, *, method: str | None = None) -> Thresholds:
    """The ``T_k`` of the scores staged under ``run_id``.

    ``method``: ``"percentile"`` (PostgreSQL's ordered-set aggregate, the default there)
    or ``"window"`` (window functions; SQLite, and the reference in tests).
    """
    method = method or ("percentile" if sql.is_postgres() else "window")
    builder = ScoreSql(Weights({}), datetime.date.today())
    with transaction.atomic(), connection.cursor() as cursor:
        if sql.is_postgres():
            # Fresh statistics, or the planner takes the just-filled table for empty and
            # joins it by nested loops in step 3.
            cursor.execute(f"ANALYZE {sql.quote(STAGE_TABLE)}")
        sql.set_local_work_mem(cursor, WORK_MEM)
        if method == "window":
            cursor.execute(builder.thresholds_statement(run_id), builder.params)
            return thresholds_from_rows(cursor.fetchall())
        national, provinces = builder.percentile_statements(run_id)
        cursor.execute(national, builder.params)
        values, total = cursor.fetchone()
        cursor.execute(provinces, builder.params)
        rows = cursor.fetchall()
    return Thresholds(
        national=list(values) if total else [],
        provinces={prov: list(t) for prov, t, _n in rows},
        total=total,
        counts={prov: n for prov, _t, n in rows},
    )


def desil_for(score: float, thresholds: list[float]) -> int:
    """The desil rule in Python (tests and explanations): 1 + #{k : score > T_k}."""
    return 1 + sum(1 for t in thresholds if score > t)


# --- chunks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    index: int
    lo: int
    hi: int
    count: int


#: Bounds of the first and last chunk: households outside every boundary still belong to
#: one, so a household that left the register is always cleaned up.
LOWEST_ID = 0
HIGHEST_ID = 2**62


def chunk_ranges(chunk_size: int | None = None) -> list[Chunk]:
    """Household-id ranges of about ``chunk_size`` registered households each.

    The id span is split evenly (ids are dense enough; a chunk that turns out larger or
    smaller only takes longer or shorter). ``count`` is an estimate until staged.
    """
    chunk_size = chunk_size or CHUNK_SIZE
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(id), MAX(id), COUNT(*) FROM {sql.table(Household)} WHERE registered_at IS NOT NULL"  # noqa: S608
        )
        low, high, total = cursor.fetchone()
    if not total:
        return []
    parts = max(1, -(-total // chunk_size))
    step = -(-(high - low + 1) // parts)
    chunks = []
    for i in range(parts):
        lo = LOWEST_ID if i == 0 else low + i * step
        hi = HIGHEST_ID if i == parts - 1 else low + (i + 1) * step - 1
        count = total // parts + (1 if i < total % parts else 0)
        chunks.append(Chunk(i, lo, hi, count))
    return chunks


def stage_chunk(run_id: int, model: ScoreModel, as_of: datetime.date, lo: int, hi: int) -> int:
    """Step 1 for households ``lo..hi``: their scores into the scratch table."""
    builder = ScoreSql(Weights.of(model), as_of)
    statements = builder.stage_statements(run_id, lo, hi)
    with transaction.atomic(), connection.cursor() as cursor:
        sql.set_local_work_mem(cursor, WORK_MEM)
        for statement in statements:
            cursor.execute(statement, builder.params)
        return max(cursor.rowcount, 0)


@dataclass
class ChunkResult:
    written: int
    deleted: int


def write_chunk(run_id: int, model: ScoreModel, thresholds: Thresholds, lo: int, hi: int) -> ChunkResult:
    """Step 3 for households ``lo..hi``: store score and desils (idempotent)."""
    builder = ScoreSql(Weights({}), datetime.date.today())
    delete = builder.delete_statement(model.pk, lo, hi)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        sql.set_local_work_mem(cursor, WORK_MEM)
        cursor.execute(delete, builder.params)
        deleted = max(cursor.rowcount, 0)
        if thresholds.total:
            cursor.execute(
                f"SELECT 1 FROM {sql.table(HouseholdScore)} WHERE model_id = %s "  # noqa: S608
                f"AND household_id BETWEEN %s AND %s LIMIT 1",
                [model.pk, lo, hi],
            )
            existing = cursor.fetchone() is not None
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            for statement in builder.write_statements(run_id, model.pk, thresholds, lo, hi, now, existing=existing):
                cursor.execute(statement, builder.params)
                written += max(cursor.rowcount, 0)
    return ChunkResult(written=written, deleted=deleted)


def clear_stage(run_id: int) -> None:
    """Drop a finished run's scratch rows (one scoring run at a time: TRUNCATE is safe)."""
    with connection.cursor() as cursor:
        if sql.is_postgres():
            cursor.execute(f"TRUNCATE {sql.quote(STAGE_TABLE)}")
        else:
            cursor.execute(f"DELETE FROM {sql.quote(STAGE_TABLE)} WHERE run_id = %s", [run_id])  # noqa: S608


def analyze_scores() -> None:
    """Fresh planner statistics after a bulk write (PostgreSQL), for the reads that follow."""
    if sql.is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {sql.table(HouseholdScore)}")


def score_all(model: ScoreModel, as_of: datetime.date | None = None) -> Thresholds:
    """The whole path in one process and one chunk per step, without Celery (tests, shell).

    Do not call it while a scoring run is going (both use the scratch table).
    """
    as_of = as_of or timezone.localdate()
    chunks = chunk_ranges() or [Chunk(0, LOWEST_ID, HIGHEST_ID, 0)]
    for chunk in chunks:
        stage_chunk(DIRECT_RUN_ID, model, as_of, chunk.lo, chunk.hi)
    thresholds = compute_thresholds(DIRECT_RUN_ID)
    for chunk in chunks:
        write_chunk(DIRECT_RUN_ID, model, thresholds, chunk.lo, chunk.hi)
    clear_stage(DIRECT_RUN_ID)
    return thresholds


# --- one household -------------------------------------------------------------------------------


@dataclass
class Contribution:
    code: str
    value: float
    weight: float

    @property
    def amount(self) -> float:
        return self.value * self.weight


def household_contributions(model: ScoreModel, household: Household, as_of: datetime.date | None = None):
    """Each variable's value × weight for one household, by the same SQL as the batch.

    Returns ``(contributions, score)``; ``score`` is what a run would store now.
    """
    as_of = as_of or timezone.localdate()
    weights = Weights.of(model)
    builder = ScoreSql(weights, as_of)
    statement = builder.values_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement, {**builder.params, "hid": household.pk})
        row = cursor.fetchone()
        names = [c[0] for c in cursor.description]
    if row is None:
        return [], None
    data = dict(zip(names, row, strict=True))
    province_weights = weights.for_province(household.village_id[:2])
    contributions = [Contribution(code, float(data[code]), province_weights[code]) for code in VARIABLE_CODES]
    return contributions, float(data["score"])
