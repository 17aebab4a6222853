"""Welfare score and desil: known weights, boundaries, ties, provinces, official file,
idempotent reruns, chunked runs, activation and the one-run-at-a-time lock."""

import datetime
import random

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from eligibility import runs, scoring
from eligibility.models import (
    DesilSource,
    HouseholdScore,
    ModelStatus,
    OfficialDesil,
    RunStatus,
    ScoreModel,
    ScoringRun,
)
from eligibility.services import model_copy, official_import
from registrations.models import Household
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B
from testing.scoring import AS_OF, household, member, score_model
from testing.scoring_reference import reference_desils, reference_score

pytestmark = pytest.mark.django_db

KNOWN = {
    "constant": 10,
    "no_fixed_income": -5,
    "poor_walls": -2,
    "owns_car": 20,
    "income_per_capita": 4,
    "household_size": -1,
    "dependency_ratio": -2,
    "crowded": -3,
}


def scores_of(model) -> dict[int, HouseholdScore]:
    return {s.household_id: s for s in HouseholdScore.objects.filter(model=model)}


def snapshot(model):
    return sorted(
        HouseholdScore.objects.filter(model=model).values_list(
            "household_id", "score", "model_desil", "desil_national", "desil_province", "source", "village_code"
        )
    )


@pytest.fixture
def known(regions):
    model = score_model(KNOWN, overrides=[("constant", "34", 30)], status=ModelStatus.ACTIVE)
    h1 = household(
        VILLAGE_A,
        no_fixed_income=True,
        poor_walls=True,
        floor_area_m2=10,
        monthly_income=1_000_000,
        members=[member("kepala", 40), member("anak", 3)],
    )
    h2 = household(
        VILLAGE_B, owns_car=True, monthly_income=12_000_000, floor_area_m2=100, members=[member("kepala", 70)]
    )
    h3 = household(
        OTHER_PROVINCE_VILLAGE,
        owns_car=True,
        monthly_income=12_000_000,
        floor_area_m2=100,
        members=[member("kepala", 70)],
    )
    h4 = household(OTHER_REGENCY_VILLAGE, members=[])
    return model, (h1, h2, h3, h4)


def test_known_weights_give_exact_scores_and_desils(known):
    model, (h1, h2, h3, h4) = known
    scoring.score_all(model, AS_OF)
    s = scores_of(model)
    # h1: 10 − 5 (no income) − 2 (walls) − 3 (10 m² for 2) + 4×0.5 (Rp 0.5 jt each) − 2 (size) − 2×1 (dependency)
    assert s[h1.pk].score == -2
    # h2: 10 + 20 (car) + 4×5 (income capped at Rp 5 jt) − 1 (size) − 2×1 (one elderly, no working age)
    assert s[h2.pk].score == 47
    # h3: as h2, but Yogyakarta's constant is 30
    assert s[h3.pk].score == 67
    # h4: nobody in the KK: only the constant
    assert s[h4.pk].score == 10
    # Nationally [-2, 10, 47, 67]: 1 + floor(10 × lower / 4)
    assert [s[h.pk].desil_national for h in (h1, h4, h2, h3)] == [1, 3, 6, 8]
    assert all(x.model_desil == x.desil_national and x.source == DesilSource.MODEL for x in s.values())
    # Jawa Barat alone [-2, 10, 47]; DI Yogyakarta alone [67]
    assert [s[h.pk].desil_province for h in (h1, h4, h2)] == [1, 4, 7]
    assert s[h3.pk].desil_province == 1
    assert s[h1.pk].village_code == VILLAGE_A


def test_contributions_explain_the_stored_score(known):
    model, (h1, _h2, h3, _h4) = known
    scoring.score_all(model, AS_OF)
    contributions, live = scoring.household_contributions(model, h1, AS_OF)
    by_code = {c.code: c for c in contributions}
    assert by_code["crowded"].value == 1 and by_code["crowded"].amount == -3
    assert by_code["income_per_capita"].value == 0.5
    assert by_code["dependency_ratio"].value == 1
    assert round(sum(c.amount for c in contributions), 4) == live == scores_of(model)[h1.pk].score
    contributions, live = scoring.household_contributions(model, h3, AS_OF)
    assert {c.code: c.weight for c in contributions}["constant"] == 30 and live == 67


def test_sql_matches_the_python_reference_on_random_households(regions):
    rng = random.Random(7)
    model = score_model(
        {
            "constant": 50,
            "no_fixed_income": -6,
            "poor_floor": -4,
            "crowded": -5,
            "owns_motorcycle": 4,
            "owns_refrigerator": 5,
            "income_per_capita": 8,
            "household_size": -1,
            "dependency_ratio": -3,
        },
        overrides=[("income_per_capita", "34", 5), ("constant", "34", 45)],
        status=ModelStatus.ACTIVE,
    )
    villages = [VILLAGE_A, VILLAGE_B, OTHER_REGENCY_VILLAGE, OTHER_PROVINCE_VILLAGE]
    households = []
    for _ in range(60):
        size = rng.randint(0, 6)
        households.append(
            household(
                rng.choice(villages),
                no_fixed_income=rng.random() < 0.5,
                poor_floor=rng.random() < 0.5,
                owns_motorcycle=rng.random() < 0.5,
                owns_refrigerator=rng.random() < 0.3,
                floor_area_m2=rng.choice([None, 9, 20, 36, 70]),
                monthly_income=rng.choice([None, 0, 750_000, 1_500_000, 3_000_000, 9_000_000]),
                members=[
                    member("kepala" if i == 0 else "anak", rng.choice([2, 10, 30, 45, 66, 80])) for i in range(size)
                ],
            )
        )
    scoring.score_all(model, AS_OF)
    weights = scoring.Weights.of(model)
    stored = scores_of(model)
    expected = {h.pk: reference_score(Household.objects.get(pk=h.pk), weights, AS_OF) for h in households}
    assert {pk: s.score for pk, s in stored.items()} == pytest.approx(expected, abs=1e-9)
    ids = list(expected)
    national = reference_desils([stored[i].score for i in ids])
    assert [stored[i].desil_national for i in ids] == national
    for province in ("32", "34"):
        in_province = [i for i in ids if stored[i].village_code.startswith(province)]
        assert [stored[i].desil_province for i in in_province] == reference_desils(
            [stored[i].score for i in in_province]
        )


def _income_households(per_capita_millions):
    """One single-member household per value; with weight 1 on income the score is the value."""
    return [
        household(VILLAGE_A, monthly_income=int(v * 1_000_000), members=[member("kepala", 40)])
        for v in per_capita_millions
    ]


def test_desil_boundaries_twenty_distinct_scores(regions):
    model = score_model({"income_per_capita": 1}, status=ModelStatus.ACTIVE)
    homes = _income_households([i / 10 for i in range(1, 21)])
    scoring.score_all(model, AS_OF)
    s = scores_of(model)
    assert [s[h.pk].desil_national for h in homes] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]


def test_ties_share_a_desil_where_ntile_would_split_them(regions):
    model = score_model({"income_per_capita": 1}, status=ModelStatus.ACTIVE)
    values = [0.5, 0.5, 0.5, 0.5, 1, 1.5, 1.5, 2, 2.5, 3]
    homes = _income_households(values)
    scoring.score_all(model, AS_OF)
    s = scores_of(model)
    # 1 + floor(10 × lower / 10): the four 1s are all desil 1 (ntile would give 1, 2, 3, 4)
    assert [s[h.pk].desil_national for h in homes] == [1, 1, 1, 1, 5, 6, 6, 8, 9, 10]
    assert [s[h.pk].desil_national for h in homes] == reference_desils(values)


def test_everyone_equal_is_desil_one_and_one_household_is_desil_one(regions):
    model = score_model({"constant": 3}, status=ModelStatus.ACTIVE)
    homes = [household(VILLAGE_A) for _ in range(7)]
    lonely = household(OTHER_PROVINCE_VILLAGE)
    scoring.score_all(model, AS_OF)
    s = scores_of(model)
    assert {s[h.pk].desil_national for h in [*homes, lonely]} == {1}
    assert s[lonely.pk].desil_province == 1


def test_desil_rule_in_python_matches_thresholds():
    scores = [5, 1, 1, 3, 9, 9, 9, 2, 7, 4, 4, 8, 6]
    thresholds = scoring.thresholds_from_rows(
        (("32", s, rn, len(scores), rn, len(scores)) for rn, s in enumerate(sorted(scores), start=1))
    )
    assert [scoring.desil_for(s, thresholds.national) for s in scores] == reference_desils(scores)


def test_unregistered_households_are_not_scored_and_leave_when_unregistered(regions):
    model = score_model({"income_per_capita": 1}, status=ModelStatus.ACTIVE)
    a, b, c = _income_households([1, 2, 3])
    never = household(VILLAGE_A, registered=False, monthly_income=500_000)
    scoring.score_all(model, AS_OF)
    assert set(scores_of(model)) == {a.pk, b.pk, c.pk}
    Household.objects.filter(pk=a.pk).update(registered_at=None)
    scoring.score_all(model, AS_OF)
    s = scores_of(model)
    assert set(s) == {b.pk, c.pk} and never.pk not in s
    assert [s[b.pk].desil_national, s[c.pk].desil_national] == [1, 6]


def test_rerun_is_idempotent_and_touches_only_changed_rows(regions):
    model = score_model(KNOWN, status=ModelStatus.ACTIVE)
    homes = _income_households([1, 2, 3, 4])
    scoring.score_all(model, AS_OF)
    first = list(HouseholdScore.objects.filter(model=model).order_by("household_id").values())
    scoring.score_all(model, AS_OF)
    assert list(HouseholdScore.objects.filter(model=model).order_by("household_id").values()) == first
    # One household changes: only its row (and rows whose desil moved) get a new computed_at.
    Household.objects.filter(pk=homes[3].pk).update(monthly_income=0)
    scoring.score_all(model, AS_OF)
    after = {r["household_id"]: r for r in HouseholdScore.objects.filter(model=model).values()}
    assert after[homes[3].pk]["score"] != first[3]["score"]
    assert after[homes[3].pk]["computed_at"] > first[3]["computed_at"]
    assert HouseholdScore.objects.filter(model=model).count() == 4


def test_official_file_takes_precedence_latest_period_wins(regions, v1, personas):
    homes = _income_households([1, 2, 3])
    target = homes[0]
    scoring.score_all(v1, AS_OF)
    model_desil = scores_of(v1)[target.pk].model_desil

    csv = f"no_kk;desil\n{target.kk_number};9\n3204120000000000;2\n123;4\n{homes[1].kk_number};11\n".encode()
    report = official_import(data=csv, file_name="bps.csv", period="2026-Q3", user=personas.ministry)
    assert (report.record.rows_saved, report.record.rows_matched, report.record.rows_invalid) == (2, 1, 2)
    assert len(report.errors) == 2
    s = scores_of(v1)[target.pk]
    assert (s.desil_national, s.source, s.official_period, s.model_desil) == (9, "official", "2026-Q3", model_desil)

    official_import(
        data=f"no_kk,desil\n{target.kk_number},2\n".encode(), file_name="old.csv", period="2026-Q2", user=None
    )
    assert scores_of(v1)[target.pk].desil_national == 9  # an older period does not win
    official_import(
        data=f"no_kk,desil\n{target.kk_number},3\n".encode(), file_name="new.csv", period="2026-Q4", user=None
    )
    assert scores_of(v1)[target.pk].desil_national == 3

    scoring.score_all(v1, AS_OF)  # a rescoring keeps applying the official desil
    s = scores_of(v1)[target.pk]
    assert (s.desil_national, s.source, s.official_period) == (3, "official", "2026-Q4")
    assert scores_of(v1)[homes[1].pk].source == "model"
    assert OfficialDesil.objects.filter(kk_number=target.kk_number).count() == 3


def test_official_file_for_the_same_period_replaces(regions, v1):
    (target,) = _income_households([1])
    official_import(
        data=f"no_kk,desil\n{target.kk_number},7\n".encode(), file_name="a.csv", period="2026-Q3", user=None
    )
    official_import(
        data=f"no_kk,desil\n{target.kk_number},8\n".encode(), file_name="b.csv", period="2026-Q3", user=None
    )
    assert OfficialDesil.objects.get(kk_number=target.kk_number).desil == 8
    scoring.score_all(v1, AS_OF)
    assert scores_of(v1)[target.pk].desil_national == 8


def test_official_file_needs_the_columns(regions):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        official_import(data=b"kk,nilai\n1,2\n", file_name="x.csv", period="2026-Q3", user=None)


# --- runs --------------------------------------------------------------------------------------------


def test_chunked_run_equals_the_direct_path(regions, v1, monkeypatch, django_capture_on_commit_callbacks):
    rng = random.Random(3)
    for _ in range(23):
        household(
            rng.choice([VILLAGE_A, OTHER_REGENCY_VILLAGE, OTHER_PROVINCE_VILLAGE]),
            no_fixed_income=rng.random() < 0.5,
            monthly_income=rng.choice([0, 1_000_000, 2_500_000]),
            members=[member("kepala", rng.choice([30, 70])), member("anak", rng.choice([4, 12]))],
        )
    copy = model_copy(source=v1, user=None)
    scoring.score_all(copy, timezone.localdate())  # direct: one chunk, no Celery

    monkeypatch.setattr(scoring, "CHUNK_SIZE", 4)
    with django_capture_on_commit_callbacks(execute=True):
        run, started = runs.scoring_start(model=v1, user=None)  # Celery tasks, eager
    run.refresh_from_db()
    assert started and run.status == RunStatus.FINISHED
    assert run.chunks_total == 2 * 6 and sorted(run.chunks_done) == list(range(12))
    assert run.processed == run.total == 2 * 23 and run.percent == 100
    direct = {r[0]: r[1:5] for r in snapshot(copy)}
    chunked = {r[0]: r[1:5] for r in snapshot(v1)}
    assert chunked == direct
    assert run.summary["households"] == 23 and sum(run.summary["per_desil"].values()) == 23


def test_activating_a_copy_switches_models_and_keeps_history(regions, v1, personas):
    homes = _income_households([1, 2, 3])
    runs.scoring_run_now(model=v1)
    v2 = model_copy(source=v1, user=personas.ministry)
    v2.weights.filter(variable="income_per_capita", province_code="").update(weight=-8)
    run = runs.scoring_run_now(model=v2, user=personas.ministry, activate=True)
    assert run.status == RunStatus.FINISHED
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (ModelStatus.RETIRED, ModelStatus.ACTIVE)
    assert v2.activated_by == personas.ministry and v2.activated_at
    assert HouseholdScore.objects.filter(model=v1).count() == 3  # history per version
    current = {s.household_id: s for s in HouseholdScore.objects.current()}
    assert {s.model_id for s in current.values()} == {v2.pk}
    # The richest by income is now the poorest: the desils moved.
    assert current[homes[2].pk].desil_national == 1 and current[homes[0].pk].desil_national > 1


def test_second_trigger_returns_the_running_run(regions, v1):
    running = ScoringRun.objects.create(model=v1, as_of=AS_OF, status=RunStatus.RUNNING)
    run, started = runs.scoring_start(model=v1)
    assert (run, started) == (running, False)
    with pytest.raises(runs.RunRefused):
        runs.scoring_run_now(model=v1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRun.objects.create(model=v1, as_of=AS_OF, status=RunStatus.RUNNING)
    assert ScoringRun.objects.filter(status=RunStatus.RUNNING).count() == 1


def test_a_failing_chunk_fails_the_run_and_releases_the_lock(regions, v1, monkeypatch):
    _income_households([1, 2])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scoring, "write_chunk", broken)
    with pytest.raises(RuntimeError):
        runs.scoring_run_now(model=v1)
    run = ScoringRun.objects.get()
    assert run.status == RunStatus.FAILED and "disk full" in run.error
    monkeypatch.undo()
    assert runs.scoring_run_now(model=v1).status == RunStatus.FINISHED


def test_a_stale_run_is_expired_before_a_new_one(regions, v1):
    stale = ScoringRun.objects.create(model=v1, as_of=AS_OF, status=RunStatus.RUNNING)
    ScoringRun.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    run = runs.scoring_run_now(model=v1)
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED and run.status == RunStatus.FINISHED


def test_only_drafts_activate_and_only_the_active_model_reruns(regions, v1):
    draft = model_copy(source=v1, user=None)
    with pytest.raises(runs.RunRefused):
        runs.scoring_start(model=v1, activate=True)
    with pytest.raises(runs.RunRefused):
        runs.scoring_start(model=draft)


def test_one_active_model_is_a_database_constraint(v1):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreModel.objects.create(version=9, name="x", status=ModelStatus.ACTIVE, activated_at=timezone.now())


def test_scheduled_rescoring_task(regions, v1, django_capture_on_commit_callbacks):
    from eligibility.tasks import scheduled_rescoring

    _income_households([1, 2])
    with django_capture_on_commit_callbacks(execute=True):
        run_id = scheduled_rescoring()
    run = ScoringRun.objects.get(pk=run_id)
    assert run.status == RunStatus.FINISHED and run.triggered_by is None
    assert HouseholdScore.objects.filter(model=v1).count() == 2


def test_nobody_registered_finishes_and_clears_old_rows(regions, v1):
    _income_households([1])
    runs.scoring_run_now(model=v1)
    assert HouseholdScore.objects.filter(model=v1).count() == 1
    Household.objects.update(registered_at=None)
    run = runs.scoring_run_now(model=v1)
    assert run.status == RunStatus.FINISHED and run.percent == 100 and run.summary["households"] == 0
    assert not HouseholdScore.objects.exists()


def test_deleting_a_household_deletes_its_scores(regions, v1):
    (h,) = _income_households([1])
    scoring.score_all(v1, AS_OF)
    h.delete()  # no database-level foreign key: Django's CASCADE does it
    assert not HouseholdScore.objects.exists()
