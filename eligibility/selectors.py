"""Reads for eligibility: current scores, programme results, explanations, distribution."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from registrations.models import Household, Region, ResidentProfile, Role
from registrations.scoping import q_within, region_scope

from . import determination, scoring
from .models import (
    HouseholdScore,
    Programme,
    Quota,
    RecipientResult,
    RunStatus,
    ScoreModel,
    ScoringRun,
)
from .periods import period_of, period_start
from .rules import ProgrammeRules, evaluate
from .variables import VARIABLE_BY_CODE


def current_score(household: Household) -> HouseholdScore | None:
    return HouseholdScore.objects.filter(household=household).current().select_related("model").first()


def latest_period_with_results() -> str | None:
    return RecipientResult.objects.order_by("-period").values_list("period", flat=True).first()


def programme_results_for_household(household: Household, period: str | None = None) -> list[RecipientResult]:
    """The household's result in each programme: in ``period``, or in the latest period
    that programme has results for. For the public lookup and the explanation page.

    Each result carries ``reasons`` (``{"code", "ok", "message"}``, plain Indonesian).
    """
    results = RecipientResult.objects.filter(household=household).select_related("programme")
    if period:
        return list(results.filter(period=period).order_by("programme_id"))
    latest: dict[int, RecipientResult] = {}
    for result in results.order_by("programme_id", "-period"):
        latest.setdefault(result.programme_id, result)
    return list(latest.values())


def resident_household(user) -> Household | None:
    """The registered household whose KK matches the resident's confirmed profile."""
    if not user.is_authenticated or user.role != Role.RESIDENT:
        return None
    profile = ResidentProfile.objects.filter(user=user).first()
    if profile is None or not profile.is_confirmed:
        return None
    return Household.objects.filter(kk_number=profile.kk_number, registered_at__isnull=False).first()


# --- explanation ----------------------------------------------------------------------------------


@dataclass
class ContributionRow:
    code: str
    label: str
    unit: str
    value: float
    weight: float
    amount: float
    override: bool


@dataclass
class ProgrammeOutcome:
    programme: Programme
    result: RecipientResult | None
    included: bool
    eligible: bool
    reasons: list[dict]
    decided: bool  # True: from a determination run; False: the rules applied now


@dataclass
class Explanation:
    household: Household
    model: ScoreModel | None
    score: HouseholdScore | None
    contributions: list[ContributionRow] = field(default_factory=list)
    live_score: float | None = None
    outcomes: list[ProgrammeOutcome] = field(default_factory=list)
    members: int = 0

    @property
    def data_changed(self) -> bool:
        return self.score is not None and self.live_score is not None and abs(self.score.score - self.live_score) > 1e-9


def explanation(household: Household) -> Explanation:
    model = ScoreModel.objects.active()
    score = current_score(household)
    result = Explanation(household=household, model=model, score=score, members=household.members.count())
    if model is not None:
        contributions, live = scoring.household_contributions(model, household)
        overrides = {
            v
            for v, p in model.weights.exclude(province_code="").values_list("variable", "province_code")
            if p == household.village_id[:2]
        }
        result.live_score = live
        for c in contributions:
            variable = VARIABLE_BY_CODE[c.code]
            result.contributions.append(
                ContributionRow(
                    c.code, str(variable.label), str(variable.unit), c.value, c.weight, c.amount, c.code in overrides
                )
            )
    decided = {r.programme_id: r for r in programme_results_for_household(household)}
    period = period_of(timezone.localdate())
    facts = None
    for programme in Programme.objects.filter(active=True).order_by("id"):
        recorded = decided.get(programme.pk)
        if recorded is not None:
            result.outcomes.append(
                ProgrammeOutcome(programme, recorded, recorded.included, recorded.eligible, recorded.reasons, True)
            )
            continue
        if facts is None:
            facts = determination.household_facts(
                household, model_id=model.pk if model else None, as_of=period_start(period)
            )
        eligible, reasons = evaluate(ProgrammeRules.of(programme), facts)
        result.outcomes.append(ProgrammeOutcome(programme, None, False, eligible, reasons, False))
    return result


# --- distribution -----------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: int
    total: int
    code: str = ""

    @property
    def percent(self) -> float:
        return round(100 * self.value / self.total, 1) if self.total else 0.0


@dataclass
class RegencyRow:
    code: str
    name: str
    households: int
    per_desil: list[int]
    included: dict[str, int]
    quotas: dict[str, int | None]

    @property
    def poorest_share(self) -> float:
        return round(100 * sum(self.per_desil[:4]) / self.households, 1) if self.households else 0.0

    def desil_segments(self):
        """``(x, width, desil)`` of a 100-wide stacked bar (SVG, no inline style)."""
        x = 0.0
        segments = []
        for desil, n in enumerate(self.per_desil, start=1):
            width = 100 * n / self.households if self.households else 0
            if width:
                segments.append((round(x, 3), round(width, 3), desil))
            x += width
        return segments


@dataclass
class Distribution:
    scope: str
    period: str | None
    model: ScoreModel | None
    households: int
    per_desil: list[Bar]
    per_programme: list[dict]
    regencies: list[RegencyRow]
    programmes: list[Programme]
    last_run: ScoringRun | None


def distribution(user, period: str | None, regency: str | None = None) -> Distribution:
    """Households per desil, per programme, per regency, within the user's scope.

    ``regency`` narrows further (it must already be inside the scope; the view checks).
    """
    scope = region_scope(user)
    model = ScoreModel.objects.active()
    scores = HouseholdScore.objects.filter(model=model).visible_to(user) if model else HouseholdScore.objects.none()
    results = (
        RecipientResult.objects.filter(period=period).visible_to(user) if period else RecipientResult.objects.none()
    )
    quotas = Quota.objects.filter(period=period).visible_to(user) if period else Quota.objects.none()
    if regency:
        code_q = q_within("village_code", regency)
        scores, results = scores.filter(code_q), results.filter(code_q)
        quotas = quotas.filter(regency_id=regency)

    desil_counts = dict(scores.values_list("desil_national").annotate(n=Count("id")).order_by())
    households = sum(desil_counts.values())
    per_desil = [Bar(f"Desil {d}", desil_counts.get(d, 0), households, str(d)) for d in range(1, 11)]

    programmes = list(Programme.objects.order_by("id"))
    by_programme = {
        row["programme_id"]: row
        for row in results.values("programme_id")
        .annotate(
            eligible=Count("id", filter=Q(eligible=True)),
            included=Count("id", filter=Q(included=True)),
            flagged=Count("id", filter=Q(flagged_for_review=True)),
        )
        .order_by()
    }
    quota_totals = dict(quotas.values_list("programme_id").annotate(n=Sum("size")).order_by())
    max_included = max([r["included"] for r in by_programme.values()] + [1])
    per_programme = []
    for p in programmes:
        row = by_programme.get(p.pk, {})
        per_programme.append(
            {
                "programme": p,
                "eligible": row.get("eligible", 0),
                "included": row.get("included", 0),
                "flagged": row.get("flagged", 0),
                "quota": quota_totals.get(p.pk),
                "bar": Bar(p.code, row.get("included", 0), max_included),
            }
        )

    regency_desil: dict[str, list[int]] = {}
    for code, desil, n in (
        scores.annotate(regency=Substr("village_code", 1, 5))
        .values_list("regency", "desil_national")
        .annotate(n=Count("id"))
        .order_by()
    ):
        regency_desil.setdefault(code, [0] * 10)[desil - 1] = n
    included: dict[str, dict[str, int]] = {}
    code_by_id = {p.pk: p.code for p in programmes}
    for code, programme_id, n in (
        results.filter(included=True)
        .annotate(regency=Substr("village_code", 1, 5))
        .values_list("regency", "programme_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        included.setdefault(code, {})[code_by_id[programme_id]] = n
    quota_by_regency: dict[str, dict[str, int]] = {}
    for code, programme_id, size in quotas.values_list("regency_id", "programme_id", "size"):
        quota_by_regency.setdefault(code, {})[code_by_id[programme_id]] = size
    codes = sorted(set(regency_desil) | set(included) | set(quota_by_regency))
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=codes)}
    regencies = [
        RegencyRow(
            code=code,
            name=names.get(code, code),
            households=sum(regency_desil.get(code, [])),
            per_desil=regency_desil.get(code, [0] * 10),
            included={p.code: included.get(code, {}).get(p.code, 0) for p in programmes},
            quotas={p.code: quota_by_regency.get(code, {}).get(p.code) for p in programmes},
        )
        for code in codes
    ]
    last_run = ScoringRun.objects.filter(status=RunStatus.FINISHED).select_related("model").first()
    return Distribution(
        scope=scope or "",
        period=period,
        model=model,
        households=households,
        per_desil=per_desil,
        per_programme=per_programme,
        regencies=regencies,
        programmes=programmes,
        last_run=last_run,
    )
