"""The seed_demo step: plausible conditions, scores, quotas and results, idempotent."""

import pytest

from eligibility.demo import DEMO_PERIOD, step_eligibility
from eligibility.models import HouseholdScore, Quota, RecipientResult
from registrations.demo.households import step_households, step_regions
from registrations.demo.steps import SeedContext
from registrations.models import Household

pytestmark = pytest.mark.django_db


def test_step_eligibility_seeds_and_is_idempotent(v1, programmes):
    ctx = SeedContext()
    step_regions(ctx)
    step_households(ctx)
    reports = {r.label: r for r in step_eligibility(ctx)}
    households = Household.objects.count()
    assert reports["kondisi rumah tangga (kelayakan)"].created == households
    assert Household.objects.filter(registered_at__isnull=True).count() == 0
    assert Household.objects.filter(floor_area_m2__isnull=True).count() == 0
    assert HouseholdScore.objects.filter(model=v1).count() == households
    assert set(Quota.objects.filter(period=DEMO_PERIOD).values_list("regency_id", flat=True)) == {"32.04", "32.11"}
    assert Quota.objects.filter(period=DEMO_PERIOD).count() == 10
    results = RecipientResult.objects.filter(period=DEMO_PERIOD)
    assert results.count() == 5 * households
    for code in programmes:
        assert results.filter(programme__code=code, included=True).exists() or code == "KIP_KULIAH"
    codes = {r["code"] for reasons in results.values_list("reasons", flat=True) for r in reasons}
    assert {"desil", "members", "quota", "quota_full", "excluded_occupation"} <= codes
    # Spread over the desils, not all in one
    assert HouseholdScore.objects.values("desil_national").distinct().count() >= 8

    snapshot = sorted(RecipientResult.objects.values_list("household_id", "programme_id", "included", "rank"))
    again = step_eligibility(ctx)
    assert all(r.created == 0 for r in again), again
    assert sorted(RecipientResult.objects.values_list("household_id", "programme_id", "included", "rank")) == snapshot
