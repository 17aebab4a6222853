"""Benchmark: welfare scoring + desil, and a determination run, on PostgreSQL.

    .venv/bin/python bench/scoring.py [--scale N] [--regenerate]

Builds ``1,000,000 × N`` registered households (about 3.9 members each) in the
database ``dtsen_bench_scoring`` (created and migrated when missing; the data is kept
between runs and rebuilt only when its size changes), then times, in the same run:

(a) **portal**: the portal's own full rescoring + desil path — a new model version (a
    copy of v1) activated through ``eligibility.runs.scoring_start``: thresholds
    statement, chunked ``INSERT … ON CONFLICT`` tasks (Celery, run in-process here),
    finish and activation; every household gets a new row;
(b) **sql**: one hand-written SQL statement computing the same linear score and
    ``ntile(10)`` nationally and per province over the same rows, materialised into a
    temporary table (so it is computed in full, like (a), but written without indexes,
    constraints or WAL: the floor);
(c) **determination**: one programme (PKH, desil ≤ 4 and a member condition) for one
    period, every regency with a quota of 10 % of its households.

It checks that (a) and (b) agree on every score, prints both times and their ratio,
and ends with ``RESULT households=N portal_s=X sql_s=Y ratio=Z determination_s=W``.
"""

from __future__ import annotations

import argparse
import datetime
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # also when imported as ``bench.scoring`` (a test)

import _db  # noqa: E402

DB_URL = _db.bench_url("dtsen_bench_scoring")
FULL = 1_000_000
SEED = 20261
PERIOD = "2026-Q4"
AS_OF = datetime.date(2026, 10, 1)


# --- data ------------------------------------------------------------------------------------------

SIZES = {1: 6, 2: 14, 3: 21, 4: 25, 5: 17, 6: 10, 7: 5, 8: 2}
OCCUPATIONS = ["petani", "buruh", "pedagang", "wiraswasta", "karyawan_swasta", "tidak_bekerja", "nelayan"]


def _bool(value: bool) -> str:
    return "t" if value else "f"


def generate(n: int) -> None:
    """``n`` households and their members, written with COPY (about 30 s per million)."""
    from django.db import connection

    from registrations.models import Household, Member, Region

    rng = random.Random(SEED)
    villages = list(Region.objects.filter(level=4).order_by("code").values_list("code", flat=True))
    # Some regencies are much larger than others: weight villages by a per-regency factor.
    factor: dict[str, float] = {}
    weights = []
    for code in villages:
        regency = code[:5]
        if regency not in factor:
            factor[regency] = rng.choice([0.3, 0.6, 1, 1, 1.5, 3])
        weights.append(factor[regency])
    chosen = rng.choices(villages, weights=weights, k=n)

    h_cols = [
        "id", "kk_number", "village_id", "address", "rt", "rw", "registered_at", "created_at", "updated_at",
        *Household.INDICATOR_FIELDS, "floor_area_m2", "monthly_income", *Household.ASSET_FIELDS,
    ]  # fmt: skip
    m_cols = [
        "household_id", "nik", "full_name", "birth_place", "birth_date", "sex", "relation", "marital_status",
        "occupation", "education", "disability", "pregnant",
    ]  # fmt: skip
    stamp = "2025-06-01 08:00:00+07"
    started = time.monotonic()
    nik = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        h_buf, m_buf = io.StringIO(), io.StringIO()
        for i in range(1, n + 1):
            poverty = rng.random()  # 0 = well off, 1 = very poor
            size = rng.choices(list(SIZES), weights=list(SIZES.values()))[0]
            ind = [rng.random() < 0.1 + 0.7 * poverty for _ in Household.INDICATOR_FIELDS]
            assets = [
                rng.random() < 0.85 - 0.6 * poverty,
                rng.random() < 0.25 - 0.24 * poverty,
                rng.random() < 0.8 - 0.7 * poverty,
                rng.random() < 0.35 - 0.2 * poverty,
                rng.random() < 0.15,
            ]
            income = "\\N" if rng.random() < 0.05 else str(int(rng.lognormvariate(15.4 - 1.2 * poverty, 0.6)))
            floor = f"{rng.uniform(12, 45) + size * rng.uniform(4, 14):.1f}"
            fields = [str(i), f"{i:016d}", chosen[i - 1], f"JL. BENCH NO. {i % 200}", "001", "002", stamp, stamp, stamp]
            fields += [*map(_bool, ind), floor, income, *map(_bool, assets)]
            h_buf.write("\t".join(fields) + "\n")
            head_age = rng.randint(22, 75)
            ages = [head_age]
            if size >= 2:
                ages.append(max(18, head_age - rng.randint(0, 8)))
            for _ in range(size - len(ages)):
                if head_age > 50 and rng.random() < 0.3:
                    ages.append(rng.randint(60, 90))
                else:
                    ages.append(rng.randint(0, max(0, min(30, head_age - 18))))
            excluded = rng.random() < 0.03
            for j, age in enumerate(ages):
                nik += 1
                relation = "kepala" if j == 0 else ("pasangan" if j == 1 else ("orang_tua" if age >= 60 else "anak"))
                sex = "L" if j == 0 else ("P" if j == 1 else rng.choice("LP"))
                birth = AS_OF - datetime.timedelta(days=int(age * 365.25) + rng.randint(1, 360))
                if age < 5:
                    occupation = "tidak_bekerja"
                elif age < 19 or (age <= 24 and relation == "anak" and rng.random() < 0.4):
                    occupation = "pelajar"
                elif j == 0 and excluded:
                    occupation = rng.choice(["asn", "tni", "polri"])
                else:
                    occupation = rng.choice(OCCUPATIONS)
                pregnant = sex == "P" and 20 <= age <= 40 and rng.random() < 0.06
                disability = "berat" if rng.random() < 0.01 else "tidak"
                m_buf.write(
                    f"{i}\t{nik:016d}\tANGGOTA {nik}\tBANDUNG\t{birth.isoformat()}\t{sex}\t{relation}\t"
                    f"{'kawin' if j < 2 else 'belum_kawin'}\t{occupation}\t\t{disability}\t{_bool(pregnant)}\n"
                )
            if i % 100_000 == 0 or i == n:
                h_buf.seek(0)
                m_buf.seek(0)
                raw.copy_expert(f"COPY {Household._meta.db_table} ({', '.join(h_cols)}) FROM STDIN", h_buf)
                raw.copy_expert(f"COPY {Member._meta.db_table} ({', '.join(m_cols)}) FROM STDIN", m_buf)
                h_buf, m_buf = io.StringIO(), io.StringIO()
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Household._meta.db_table}', 'id'), %s)", [n])
    print(f"generated {n:,} households, {nik:,} members in {time.monotonic() - started:.1f} s")


def prepare_data(n: int, regenerate: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from registrations.models import Household, Region
    from registrations.services.regions import EXPECTED_COUNTS

    if Region.objects.count() < sum(EXPECTED_COUNTS.values()):
        call_command("load_regions", verbosity=0)
    count = Household.objects.count()
    if count != n or regenerate:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE eligibility_recipientresult, eligibility_householdscore, eligibility_officialdesil, "
                "registrations_member, registrations_household RESTART IDENTITY CASCADE"
            )
        generate(n)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registrations_household")
            cursor.execute("VACUUM ANALYZE registrations_member")
    else:
        print(f"reusing {count:,} households")


def reset_eligibility() -> None:
    """Every run starts from the same state: model v1 active, no scores, no results."""
    from django.db import connection

    from eligibility.models import DeterminationRun, ModelStatus, ScoreModel, ScoringRun

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE eligibility_recipientresult, eligibility_householdscore")
    DeterminationRun.objects.all().delete()
    ScoringRun.objects.all().delete()
    ScoreModel.objects.exclude(version=1).delete()
    ScoreModel.objects.filter(version=1).update(status=ModelStatus.ACTIVE)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE eligibility_householdscore")


# --- (b) the hand-written floor ------------------------------------------------------------------------


def floor_statement(model, as_of: datetime.date, *, provinces: bool = True) -> str:
    """Written out by hand (not through the portal's builder); weights are the model's."""
    from eligibility.scoring import WORK_MEM  # noqa: F401 - same memory as the portal, set by the caller
    from eligibility.sql import born_by

    national = {w.variable: float(w.weight) for w in model.weights.filter(province_code="")}
    overrides: dict[str, dict[str, float]] = {}
    for w in model.weights.exclude(province_code=""):
        overrides.setdefault(w.variable, {})[w.province_code] = float(w.weight)

    def weight(var: str) -> str:
        base = repr(national.get(var, 0.0))
        if var not in overrides:
            return f"{base}::float8"
        whens = " ".join(f"WHEN '{p}' THEN {v!r}::float8" for p, v in sorted(overrides[var].items()))
        return f"(CASE substr(h.village_id, 1, 2) {whens} ELSE {base}::float8 END)"

    flags = ["no_fixed_income", "spends_mostly_on_staple_food", "health_care_only_subsidised",
             "cannot_buy_yearly_clothes", "schooling_up_to_junior_secondary", "poor_walls", "poor_floor",
             "poor_roof", "no_metered_electricity", "unprotected_water_source",
             "owns_motorcycle", "owns_car", "owns_refrigerator", "owns_land", "owns_livestock"]  # fmt: skip
    size = "coalesce(m.size, 0)"
    dep = "(coalesce(m.children, 0) + coalesce(m.elderly, 0))"
    terms = [f"(h.{f})::int * {weight(f)}" for f in flags]
    terms += [
        f"(h.floor_area_m2 IS NOT NULL AND {size} > 0 AND h.floor_area_m2 < 8 * {size})::int * {weight('crowded')}",
        f"(least(coalesce(h.monthly_income, 0)::float8 / greatest({size}, 1), 5000000) / 1000000.0) "
        f"* {weight('income_per_capita')}",
        f"{size} * {weight('household_size')}",
        f"({dep}::float8 / greatest({size} - {dep}, 1)) * {weight('dependency_ratio')}",
        f"{weight('constant')}",
    ]
    province_column = ", ntile(10) OVER (PARTITION BY prov ORDER BY score) AS desil_province" if provinces else ""
    return f"""
        CREATE TEMP TABLE {"bench_floor" if provinces else "bench_floor_national"} AS
        SELECT hid, score,
               ntile(10) OVER (ORDER BY score) AS desil{province_column}
        FROM (
            SELECT h.id AS hid, substr(h.village_id, 1, 2) AS prov,
                   round(({" + ".join(terms)}) * 10000) / 10000.0 AS score
            FROM registrations_household h
            LEFT JOIN (
                SELECT household_id, count(*) AS size,
                       sum((birth_date > '{born_by(as_of, 15)}')::int) AS children,
                       sum((birth_date <= '{born_by(as_of, 65)}')::int) AS elderly
                FROM registrations_member GROUP BY household_id
            ) m ON m.household_id = h.id
            WHERE h.registered_at IS NOT NULL
        ) s
    """  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000,000 households (default 1)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the households even if the size matches")
    args = parser.parse_args()
    n = max(10, round(FULL * args.scale))

    _db.ensure_database(DB_URL)
    _db.setup_django(DB_URL)

    from django.db import connection, transaction
    from django.utils import timezone

    from eligibility import runs, scoring
    from eligibility.models import HouseholdScore, Programme, Quota, RunStatus, ScoreModel
    from eligibility.services import model_copy

    prepare_data(n, args.regenerate)
    reset_eligibility()
    with connection.cursor() as cursor:  # warm the cache for both contenders alike
        cursor.execute("SELECT count(*), sum(length(village_id)) FROM registrations_household")
        cursor.execute("SELECT count(*), max(birth_date) FROM registrations_member")

    v1 = ScoreModel.objects.get(version=1)
    v2 = model_copy(source=v1, user=None, name="bench")
    as_of = timezone.localdate()

    # (b) the floor
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [scoring.WORK_MEM])
        started = time.monotonic()
        cursor.execute(floor_statement(v2, as_of))
        sql_s = time.monotonic() - started
        cursor.execute("SELECT count(*) FROM bench_floor")
        floor_rows = cursor.fetchone()[0]
        # For reference only: the national ntile alone (half the desil work the portal does).
        started = time.monotonic()
        cursor.execute(floor_statement(v2, as_of, provinces=False))
        national_only_s = time.monotonic() - started
        cursor.execute("DROP TABLE bench_floor_national")

    # (a) the portal, in the same session: start → thresholds → chunks → finish/activate
    started = time.monotonic()
    run, started_ok = runs.scoring_start(model=v2, user=None, activate=True)
    portal_s = time.monotonic() - started
    run.refresh_from_db()
    assert started_ok and run.status == RunStatus.FINISHED, (run.status, run.error)
    print(f"(b) sql floor: {sql_s:.2f} s for {floor_rows:,} rows (score + ntile national and per province)")
    print(f"    (the same with the national ntile only: {national_only_s:.2f} s)")
    print(f"(a) portal:    {portal_s:.2f} s in {run.chunks_total} chunks (model v{v2.version} activated)")

    # Agreement: every score equal; desils differ from ntile only where ntile splits ties.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum((abs(s.score - f.score) > 1e-9)::int), sum((s.model_desil <> f.desil)::int), "
            "sum((s.desil_province <> f.desil_province)::int) "
            "FROM eligibility_householdscore s JOIN pg_temp.bench_floor f ON f.hid = s.household_id "
            "WHERE s.model_id = %s",
            [v2.pk],
        )
        joined, score_diff, desil_diff, prov_diff = cursor.fetchone()
    print(
        f"    agreement: {joined:,} rows joined, {score_diff} score differences, "
        f"{desil_diff} national / {prov_diff} province desil differences (ntile splits ties; the portal does not)"
    )
    assert joined == floor_rows == HouseholdScore.objects.filter(model=v2).count() and score_diff == 0

    # A rerun of the same model: nothing changed, so nothing is rewritten.
    started = time.monotonic()
    v2.refresh_from_db()
    rerun, _ = runs.scoring_start(model=v2, user=None)
    rerun_s = time.monotonic() - started
    rerun.refresh_from_db()
    print(f"    rerun of the active model (no data changed): {rerun_s:.2f} s, status {rerun.status}")

    # (c) determination for PKH, quota 10 % of each regency's households.
    pkh = Programme.objects.get(code="PKH")
    Quota.objects.filter(programme=pkh, period=PERIOD).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT substr(village_id, 1, 5), count(*) FROM registrations_household GROUP BY 1 ORDER BY 1")
        Quota.objects.bulk_create(
            Quota(programme=pkh, regency_id=code, period=PERIOD, size=max(1, count // 10))
            for code, count in cursor.fetchall()
        )
    started = time.monotonic()
    det, _ = runs.determination_start(programme=pkh, period=PERIOD, user=None)
    determination_s = time.monotonic() - started
    det.refresh_from_db()
    assert det.status == RunStatus.FINISHED, (det.status, det.error)
    print(
        f"(c) determination PKH {PERIOD}: {determination_s:.2f} s in {det.chunks_total} chunks — "
        f"{det.processed:,} households, {det.eligible_count:,} eligible, {det.included_count:,} included"
    )

    ratio = portal_s / sql_s if sql_s else float("inf")
    print(
        f"ratio portal/sql = {ratio:.2f} (target ≤ 2; {portal_s / national_only_s:.2f} against the national-only "
        f"floor), portal under 120 s: {'yes' if portal_s < 120 else 'NO'}"
    )
    print(f"RESULT households={n} portal_s={portal_s:.2f} sql_s={sql_s:.2f} ratio={ratio:.2f} "
          f"determination_s={determination_s:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
