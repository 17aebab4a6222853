"""Builders for lookup tests: registered people with desil and programme results."""

import datetime

from django.utils import timezone

from eligibility.models import DeterminationRun, HouseholdScore, Programme, RecipientResult, ScoreModel
from registrations.models import Household
from registrations.tests.factories import MemberFactory, make_household_with_members
from registrations.tests.personas import VILLAGE_A

PERIOD = "2026-Q4"


def registered_household(head_name: str, village: str = VILLAGE_A, *, size: int = 2, registered: bool = True):
    household = make_household_with_members(village, size=size)
    head = household.members.get(relation="kepala")
    head.full_name = head_name
    head.save(update_fields=["full_name"])
    if registered:
        Household.objects.filter(pk=household.pk).update(registered_at=timezone.now())
    return household


def add_member(household, full_name: str):
    return MemberFactory(household=household, full_name=full_name)


def give_desil(household, desil: int) -> None:
    model = ScoreModel.objects.active()
    HouseholdScore.objects.create(
        model=model,
        household=household,
        village_code=household.village_id,
        score=10.0,
        model_desil=desil,
        desil_national=desil,
        desil_province=desil,
        source="model",
        computed_at=timezone.now(),
    )


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
