"""PostgreSQL only: the scratch table, the lock under real concurrency, and the
benchmark's hand-written SQL floor agreeing with the portal's scores."""

import random

import pytest
from django.db import connection
from django.utils import timezone

from eligibility import runs, scoring, tasks
from eligibility.models import HouseholdScore, ModelStatus, RunStatus, ScoringRun
from testing.concurrency import at_once
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_A
from testing.scoring import household, member, score_model

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_scratch_table_is_unlogged():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [scoring.STAGE_TABLE])
        assert cursor.fetchone() == ("u",)


@pytest.mark.django_db
def test_bench_floor_statement_agrees_with_the_portal(regions, v1):
    from bench.scoring import floor_statement

    rng = random.Random(11)
    for _ in range(80):
        household(
            rng.choice([VILLAGE_A, OTHER_REGENCY_VILLAGE, OTHER_PROVINCE_VILLAGE]),
            no_fixed_income=rng.random() < 0.5,
            poor_roof=rng.random() < 0.5,
            owns_land=rng.random() < 0.3,
            floor_area_m2=rng.choice([None, 12, 30, 60]),
            monthly_income=rng.choice([None, 900_000, 2_000_000, 7_000_000]),
            members=[member("kepala", 40)]
            + [member("anak", rng.choice([3, 12, 70])) for _ in range(rng.randint(0, 4))],
        )
    today = timezone.localdate()
    scoring.score_all(v1, today)
    with connection.cursor() as cursor:
        cursor.execute(floor_statement(v1, today))
        cursor.execute(
            "SELECT count(*), sum((abs(s.score - f.score) > 1e-9)::int) FROM eligibility_householdscore s "
            "JOIN pg_temp.bench_floor f ON f.hid = s.household_id WHERE s.model_id = %s",
            [v1.pk],
        )
        assert cursor.fetchone() == (80, 0)
        cursor.execute("DROP TABLE pg_temp.bench_floor")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_triggers_start_one_run(regions, monkeypatch):
    # Transactional tests may run after a flush: no reliance on migration data.
    v1 = score_model({"constant": 1}, status=ModelStatus.ACTIVE, version=101)
    monkeypatch.setattr(tasks.scoring_prepare, "delay", lambda run_id: None)  # keep it "running"
    outcomes = [(run.pk, started) for run, started in at_once(lambda: runs.scoring_start(model=v1))]
    assert sorted(started for _pk, started in outcomes) == [False, True]
    assert len({pk for pk, _started in outcomes}) == 1
    assert ScoringRun.objects.filter(status=RunStatus.RUNNING).count() == 1
    assert not HouseholdScore.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 2, 3, 7, 10, 11, 19, 20, 23, 101])
def test_percentile_thresholds_equal_the_window_ones(regions, size):
    """PostgreSQL's percentile path gives exactly the T_k of the window path: ties,
    province sizes below ten, sizes that are and are not multiples of ten."""
    rng = random.Random(size)
    model = score_model({"income_per_capita": 1}, status=ModelStatus.ACTIVE)
    villages = [VILLAGE_A, OTHER_REGENCY_VILLAGE, OTHER_PROVINCE_VILLAGE]
    for i in range(size):
        household(
            villages[i % 3] if size > 3 else VILLAGE_A,
            monthly_income=rng.choice([0, 250_000, 500_000, 1_000_000, 2_000_000, 3_700_000]),
            members=[member("kepala", 40)],
        )
    for chunk in scoring.chunk_ranges():
        scoring.stage_chunk(7, model, timezone.localdate(), chunk.lo, chunk.hi)
    window = scoring.compute_thresholds(7, method="window")
    percentile = scoring.compute_thresholds(7, method="percentile")
    assert percentile.national == window.national and percentile.total == window.total == size
    assert percentile.provinces == window.provinces and percentile.counts == window.counts
    scoring.clear_stage(7)
