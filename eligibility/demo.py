"""Demo step for ``seed_demo``: conditions, scores, quotas and recipients for the demo.

``step_eligibility`` (in ``DEMO_STEPS``, found by ``registrations.demo.steps.demo_steps``):

1. gives the demo households (``registrations.demo.households.plan_households``)
   plausible conditions — the 10 indicators, floor area, income and assets from one
   seeded "how poor" draw per household, and a few pregnancies, severe disabilities
   and school levels among the members — and enters them in the register
   (``registered_at``) if they were not; households whose conditions someone already
   filled in are left alone;
2. scores every registered household with the active model (a real scoring run);
3. seeds the 2026-Q4 quotas of every programme for Kabupaten Bandung and Sumedang
   (about a quarter of their registered households, less for KIP-Kuliah);
4. runs the determination of every active programme for 2026-Q4.

Deterministic (``random.Random`` keyed by the seed and the KK number) and idempotent:
a second run creates nothing (scores are rewritten only where data changed, and a
programme that already has 2026-Q4 results is not determined again).
"""

from __future__ import annotations

import contextlib
import datetime
import random
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from registrations.demo.households import plan_households
from registrations.demo.steps import REFERENCE_DATE, SEED, SeedContext, StepReport
from registrations.models import Household, Member
from registrations.models.choices import Disability, Education, Occupation, Relation, Sex
from registrations.scoping import q_within

from .errors import RunRefused
from .models import HouseholdScore, Programme, Quota, RecipientResult, ScoreModel
from .runs import determination_run_now, scoring_run_now

DEMO_PERIOD = "2026-Q4"
DEMO_REGENCIES = ("32.04", "32.11")  # Kabupaten Bandung, Kabupaten Sumedang
#: Share of a regency's registered households each programme may take in the demo.
QUOTA_SHARE = {"PKH": 0.2, "BPNT": 0.3, "PBI_JK": 0.4, "BLT": 0.25, "KIP_KULIAH": 0.05}
REGISTERED_AT = timezone.make_aware(datetime.datetime(2025, 7, 1, 9, 0))


def _rng(kk_number: str) -> random.Random:
    return random.Random(f"{SEED}:eligibility:{kk_number}")  # noqa: S311 - demo data, not security


def _age(birth: datetime.date) -> int:
    ref = REFERENCE_DATE
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))


def _education(age: int, occupation: str, rng: random.Random) -> str:
    if age < 7:
        return Education.NONE
    if age <= 12:
        return Education.PRIMARY
    if age <= 15:
        return Education.JUNIOR
    if age <= 18 or occupation == Occupation.STUDENT:
        return Education.SENIOR
    return rng.choices(
        [Education.PRIMARY, Education.JUNIOR, Education.SENIOR, Education.DIPLOMA, Education.DEGREE],
        weights=[30, 25, 30, 7, 8],
    )[0]


def _untouched() -> Q:
    """Households whose conditions nobody has filled in yet."""
    condition = Q(floor_area_m2__isnull=True, monthly_income__isnull=True)
    for field in (*Household.INDICATOR_FIELDS, *Household.ASSET_FIELDS):
        condition &= Q(**{field: False})
    return condition


def _give_conditions(household: Household, members: list[Member]) -> None:
    rng = _rng(household.kk_number)
    poverty = rng.betavariate(2, 2)  # 0 = well off, 1 = very poor
    for field in Household.INDICATOR_FIELDS:
        setattr(household, field, rng.random() < 0.05 + 0.75 * poverty)
    size = max(len(members), 1)
    household.floor_area_m2 = Decimal(
        f"{max(12.0, rng.uniform(4, 16) * size + rng.uniform(0, 40) * (1 - poverty)):.1f}"
    )
    household.monthly_income = int(rng.lognormvariate(15.3 - 1.4 * poverty, 0.45) / 1000) * 1000
    household.owns_motorcycle = rng.random() < 0.9 - 0.55 * poverty
    household.owns_car = rng.random() < max(0.0, 0.3 - 0.35 * poverty)
    household.owns_refrigerator = rng.random() < 0.85 - 0.7 * poverty
    household.owns_land = rng.random() < 0.4 - 0.2 * poverty
    household.owns_livestock = rng.random() < 0.12
    if household.registered_at is None:
        household.registered_at = REGISTERED_AT + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 180))
    for member in members:
        age = _age(member.birth_date)
        if not member.education:
            member.education = _education(age, member.occupation, rng)
        if member.sex == Sex.FEMALE and member.relation in (Relation.HEAD, Relation.SPOUSE) and 19 <= age <= 40:
            member.pregnant = rng.random() < 0.1
        if rng.random() < 0.02:
            member.disability = Disability.SEVERE
        elif rng.random() < 0.04:
            member.disability = Disability.MILD


def step_eligibility(ctx: SeedContext) -> list[StepReport]:
    reports = []
    kk_numbers = [p.kk_number for p in plan_households()]
    demo = Household.objects.filter(kk_number__in=kk_numbers)
    fresh = list(demo.filter(_untouched()).prefetch_related("members"))
    members_changed = []
    for household in fresh:
        members = list(household.members.all())
        _give_conditions(household, members)
        members_changed += members
    Household.objects.bulk_update(
        fresh,
        [*Household.INDICATOR_FIELDS, *Household.ASSET_FIELDS, "floor_area_m2", "monthly_income", "registered_at"],
    )
    Member.objects.bulk_update(members_changed, ["education", "pregnant", "disability"], batch_size=500)
    reports.append(
        StepReport("kondisi rumah tangga (kelayakan)", created=len(fresh), present=demo.count() - len(fresh))
    )

    # Scores: a run of the active model (rewrites only what changed).
    model = ScoreModel.objects.active()
    if model is None:
        return [*reports, StepReport("skor rumah tangga (tidak ada model aktif)")]
    registered = Household.objects.filter(registered_at__isnull=False)
    scored_before = HouseholdScore.objects.filter(model=model, household__in=registered).count()
    if scored_before < registered.count() or fresh:
        with contextlib.suppress(RunRefused):  # a run is already going: its scores will do
            scoring_run_now(model=model)
    scored = HouseholdScore.objects.filter(model=model, household__in=registered).count()
    reports.append(StepReport("skor dan desil", created=scored - scored_before, present=scored_before))

    # Quotas for both demo regencies, every programme, the demo period.
    households = {code: registered.filter(q_within("village__code", code)).count() for code in DEMO_REGENCIES}
    created = present = 0
    programmes = list(Programme.objects.filter(active=True).order_by("id"))
    for programme in programmes:
        for code in DEMO_REGENCIES:
            size = max(1, round(households[code] * QUOTA_SHARE.get(programme.code, 0.2)))
            _quota, was_created = Quota.objects.get_or_create(
                programme=programme, regency_id=code, period=DEMO_PERIOD, defaults={"size": size}
            )
            created += was_created
            present += not was_created
    reports.append(StepReport(f"kuota {DEMO_PERIOD}", created=created, present=present))

    # Determination of each programme (skipped where the period already has results).
    results_before = RecipientResult.objects.filter(period=DEMO_PERIOD).count()
    for programme in programmes:
        if RecipientResult.objects.filter(programme=programme, period=DEMO_PERIOD).exists():
            continue
        try:
            determination_run_now(programme=programme, period=DEMO_PERIOD)
        except RunRefused:
            continue
    results = RecipientResult.objects.filter(period=DEMO_PERIOD).count()
    reports.append(
        StepReport(f"hasil penetapan {DEMO_PERIOD}", created=results - results_before, present=results_before)
    )
    return reports


#: This app's steps (see ``registrations.demo.steps`` for the rounds). They enter the demo
#: households in the register, which the last round's steps of other apps look for.
DEMO_STEPS = [step_eligibility]
