"""Determination: quotas filled in rank order, ties at the boundary, no quota, review
flags, idempotent reruns, chunks, and the selector the public lookup reads."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from eligibility import determination, runs, scoring
from eligibility.models import DeterminationRun, ModelStatus, Quota, RecipientResult, RunStatus, ScoringRun
from eligibility.selectors import programme_results_for_household
from registrations.models import Household
from registrations.models.choices import Occupation
from testing.regions import OTHER_PROVINCE_VILLAGE, OTHER_REGENCY_VILLAGE, VILLAGE_A, VILLAGE_B
from testing.scoring import AS_OF, PERIOD, household, member, score_model

pytestmark = pytest.mark.django_db

BANDUNG, SUMEDANG = "32.04", "32.11"


def at(minutes: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 1, 1)) + datetime.timedelta(minutes=minutes)


def poor(village, income, minutes, **fields):
    """A single-member household whose score is its income per capita in Rp million."""
    return household(
        village,
        monthly_income=int(income * 1_000_000),
        registered_at=at(minutes),
        members=fields.pop("members", [member("kepala", 40)]),
        **fields,
    )


@pytest.fixture
def bpnt(programmes):
    """BPNT with every desil allowed, so only exclusions and quotas decide."""
    programme = programmes["BPNT"]
    programme.desil_ceiling = 10
    programme.save()
    return programme


@pytest.fixture
def model(regions):
    return score_model({"income_per_capita": 1}, status=ModelStatus.ACTIVE)


def determine(programme, period=PERIOD):
    run = runs.determination_run_now(programme=programme, period=period)
    assert run.status == RunStatus.FINISHED, run.error
    return run


def results(programme, period=PERIOD) -> dict[int, RecipientResult]:
    return {r.household_id: r for r in RecipientResult.objects.filter(programme=programme, period=period)}


def codes(result) -> list[str]:
    return [r["code"] for r in result.reasons]


def test_quota_filled_poorest_first_with_ties_at_the_boundary(model, bpnt):
    a = poor(VILLAGE_A, 0.5, 10)
    b = poor(VILLAGE_B, 1.0, 30)  # same score as c, registered later
    c = poor(VILLAGE_A, 1.0, 20)
    d = poor(VILLAGE_A, 2.0, 5)
    asn = poor(VILLAGE_A, 0.1, 1, members=[member("kepala", 40, occupation=Occupation.CIVIL_SERVANT)])
    s1 = poor(OTHER_REGENCY_VILLAGE, 0.2, 1)
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period=PERIOD, size=2)

    run = determine(bpnt)
    r = results(bpnt)
    assert [(r[h.pk].included, r[h.pk].rank) for h in (a, c, b, d)] == [(True, 1), (True, 2), (False, 3), (False, 4)]
    assert r[a.pk].reasons[-1]["message"] == ("Masuk kuota Kabupaten Bandung: peringkat 1 dari kuota 2 rumah tangga.")
    assert "yang lebih dulu terdaftar di DTSEN didahulukan" in r[b.pk].reasons[-1]["message"]
    assert codes(r[b.pk])[-1] == "quota_full" and "didahulukan" not in r[d.pk].reasons[-1]["message"]
    # Excluded before ranking, whatever its score
    assert (r[asn.pk].eligible, r[asn.pk].included, r[asn.pk].rank) == (False, False, None)
    assert "excluded_occupation" in codes(r[asn.pk])
    # Sumedang has no quota for the period
    assert (r[s1.pk].eligible, r[s1.pk].included) == (True, False)
    assert codes(r[s1.pk])[-1] == "no_quota" and "Kabupaten Sumedang" in r[s1.pk].reasons[-1]["message"]
    assert (run.processed, run.eligible_count, run.included_count) == (6, 5, 2)
    assert {row["regency"]: row["included"] for row in run.summary["regencies"]} == {BANDUNG: 2, SUMEDANG: 0}
    assert all(x.score is not None for x in r.values())


def test_quota_larger_than_the_eligible_takes_them_all(model, bpnt):
    homes = [poor(VILLAGE_A, v, i) for i, v in enumerate([1, 1, 1])]
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period=PERIOD, size=10)
    determine(bpnt)
    assert all(results(bpnt)[h.pk].included for h in homes)


def test_zero_quota_includes_nobody(model, bpnt):
    h = poor(VILLAGE_A, 1, 1)
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period=PERIOD, size=0)
    determine(bpnt)
    assert not results(bpnt)[h.pk].included
    assert codes(results(bpnt)[h.pk])[-1] == "quota_full"


def test_pkh_desil_and_member_rules_in_a_run(regions, v1, programmes):
    pkh = programmes["PKH"]
    # Ten households; the poorest four are desil 1-4 under v1.
    poorest = [
        household(
            VILLAGE_A,
            no_fixed_income=True,
            poor_walls=True,
            poor_floor=True,
            members=[member("kepala", 35), member("anak", 3)] if i % 2 == 0 else [member("kepala", 35)],
        )
        for i in range(4)
    ]
    rich = [
        household(VILLAGE_A, owns_car=True, monthly_income=20_000_000, members=[member("kepala", 50)]) for _ in range(6)
    ]
    scoring.score_all(v1, AS_OF)
    Quota.objects.create(programme=pkh, regency_id=BANDUNG, period=PERIOD, size=100)
    determine(pkh)
    r = results(pkh)
    assert [r[h.pk].included for h in poorest] == [True, False, True, False]
    assert "members" in codes(r[poorest[1].pk]) and not r[poorest[1].pk].eligible
    assert all(not r[h.pk].eligible and "desil" in codes(r[h.pk]) for h in rich)


def test_unregistered_households_get_a_result_saying_so(model, bpnt):
    gone = poor(VILLAGE_A, 0.5, 1)
    Household.objects.filter(pk=gone.pk).update(registered_at=None)
    scoring.score_all(model, AS_OF)
    determine(bpnt)
    result = results(bpnt)[gone.pk]
    assert not result.eligible and codes(result)[:1] == ["not_registered"]


def test_received_last_period_but_no_longer_qualifies_is_flagged(model, bpnt):
    keeps = poor(VILLAGE_A, 0.5, 1)
    loses = poor(VILLAGE_A, 0.6, 2)
    crowded_out = poor(VILLAGE_A, 0.7, 3)
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period="2026-Q3", size=3)
    determine(bpnt, "2026-Q3")
    assert all(results(bpnt, "2026-Q3")[h.pk].included for h in (keeps, loses, crowded_out))

    loses.members.update(occupation=Occupation.SOLDIER)
    newcomer = poor(VILLAGE_A, 0.1, 4)
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period=PERIOD, size=2)
    run = determine(bpnt)
    r = results(bpnt)
    assert run.previous_period == "2026-Q3"
    assert r[loses.pk].flagged_for_review and codes(r[loses.pk])[-1] == "review"
    assert "Menerima bantuan ini pada periode 2026-Q3" in r[loses.pk].reasons[-1]["message"]
    # Still qualifies but the quota ran out: not flagged (the quota, not the household, changed)
    assert not r[crowded_out.pk].included and not r[crowded_out.pk].flagged_for_review
    assert r[keeps.pk].included and r[newcomer.pk].included
    assert run.flagged_count == 1


def test_rerun_replaces_results_without_duplicates(model, bpnt):
    homes = [poor(VILLAGE_A, v, i) for i, v in enumerate([0.3, 0.2, 0.9])]
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period=PERIOD, size=2)
    first = determine(bpnt)
    before = sorted(RecipientResult.objects.values_list("household_id", "included", "rank", "reasons"))
    second = determine(bpnt)
    after = sorted(RecipientResult.objects.values_list("household_id", "included", "rank", "reasons"))
    assert before == after and len(after) == 3
    assert set(RecipientResult.objects.values_list("run_id", flat=True)) == {second.pk} != {first.pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        r = RecipientResult.objects.first()
        r.pk = None
        r.save()
    assert [results(bpnt)[h.pk].included for h in homes] == [True, True, False]


def test_chunks_of_single_regencies_equal_one_chunk(model, bpnt, monkeypatch):
    for i, village in enumerate([VILLAGE_A, VILLAGE_B, OTHER_REGENCY_VILLAGE, OTHER_PROVINCE_VILLAGE] * 3):
        poor(village, (i % 5) / 4, i)
    scoring.score_all(model, AS_OF)
    for regency, size in ((BANDUNG, 3), (SUMEDANG, 1), ("34.04", 2)):
        Quota.objects.create(programme=bpnt, regency_id=regency, period=PERIOD, size=size)
    determine(bpnt)
    single = sorted(RecipientResult.objects.values_list("household_id", "eligible", "included", "rank", "reasons"))
    monkeypatch.setattr(determination, "CHUNK_SIZE", 1)
    run = determine(bpnt)
    assert run.chunks_total == 3 and sorted(run.chunks_done) == [0, 1, 2]
    chunked = sorted(RecipientResult.objects.values_list("household_id", "eligible", "included", "rank", "reasons"))
    assert chunked == single


def test_celery_path_with_eager_tasks(model, bpnt, django_capture_on_commit_callbacks):
    poor(VILLAGE_A, 0.5, 1)
    scoring.score_all(model, AS_OF)
    with django_capture_on_commit_callbacks(execute=True):
        run, started = runs.determination_start(programme=bpnt, period=PERIOD)
    run.refresh_from_db()
    assert started and run.status == RunStatus.FINISHED and run.percent == 100


def test_second_trigger_and_scoring_lock(model, bpnt):
    running = DeterminationRun.objects.create(programme=bpnt, period=PERIOD, score_model=model)
    assert runs.determination_start(programme=bpnt, period=PERIOD) == (running, False)
    _other, started = runs.determination_start(programme=bpnt, period="2027-Q1")
    assert started  # another period may run alongside
    with pytest.raises(runs.RunRefused):  # scoring waits for determination
        runs.scoring_start(model=model)
    DeterminationRun.objects.update(status=RunStatus.FINISHED)
    ScoringRun.objects.create(model=model, as_of=AS_OF)
    with pytest.raises(runs.RunRefused):
        runs.determination_start(programme=bpnt, period=PERIOD)


def test_programme_results_for_household(model, bpnt, programmes):
    h = poor(VILLAGE_A, 0.5, 1)
    scoring.score_all(model, AS_OF)
    Quota.objects.create(programme=bpnt, regency_id=BANDUNG, period="2026-Q3", size=1)
    determine(bpnt, "2026-Q3")
    determine(bpnt, PERIOD)
    determine(programmes["PBI_JK"], PERIOD)
    latest = programme_results_for_household(h)
    assert [(r.programme.code, r.period) for r in latest] == [("BPNT", PERIOD), ("PBI_JK", PERIOD)]
    assert not latest[0].included and latest[0].reasons[-1]["code"] == "no_quota"
    older = programme_results_for_household(h, "2026-Q3")
    assert [(r.programme.code, r.included) for r in older] == [("BPNT", True)]


def test_determination_needs_an_active_model(regions, v1, bpnt):
    from eligibility.models import ScoreModel

    ScoreModel.objects.update(status=ModelStatus.RETIRED)
    with pytest.raises(runs.RunRefused):
        runs.determination_start(programme=bpnt, period=PERIOD)
