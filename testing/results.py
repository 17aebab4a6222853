"""Eligibility results of registered households, as the public lookup shows them: a
desil (a score row) and programme results of a period."""

import datetime

from django.utils import timezone

from eligibility.models import DeterminationRun, Programme, RecipientResult, ScoreModel
from testing.factories import HouseholdScoreFactory
from testing.scoring import PERIOD


def give_desil(household, desil: int) -> None:
    """A score of 10 under the active model, with ``desil`` as every desil."""
    HouseholdScoreFactory(household=household, score=10.0, model_desil=desil, computed_at=timezone.now())


def give_result(household, code: str, *, included: bool, period: str = PERIOD) -> None:
    programme = Programme.objects.get(code=code)
    run = DeterminationRun.objects.filter(
        programme=programme, period=period
    ).first() or DeterminationRun.objects.create(
        programme=programme, period=period, score_model=ScoreModel.objects.active(), status="finished"
    )
    RecipientResult.objects.create(
        run=run,
        programme=programme,
        period=period,
        household=household,
        village_code=household.village_id,
        eligible=included,
        included=included,
        rank=1 if included else None,
        quota_size=10 if included else None,
        decided_at=timezone.now() - datetime.timedelta(minutes=1),
    )
