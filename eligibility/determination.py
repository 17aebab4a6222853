"""Recipient determination: per programme and period, fill each regency's quota.

For every household of a regency (registered or not), ``rules.evaluate`` decides
eligibility; the eligible are ranked by score, **poorest first** (lowest score), and
take the regency's quota in that order.

**Ties at the quota boundary.** The quota is never exceeded. Among households with the
same score, the one registered in DTSEN earlier goes first, then the lower household id;
a household left out although its score equals the last included one is told so.

A household included in the programme in the previous period with results (the latest
earlier period) that no longer qualifies by the rules is ``flagged_for_review``.

Chunks are groups of whole regencies (a quota is per regency); each chunk replaces its
regencies' results in one transaction, so a rerun leaves exactly one row per
household, programme and period.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from registrations.models import Household, Member, Region
from registrations.models.choices import EXCLUDED_OCCUPATIONS, Disability, Occupation, Relation
from verification.models import PopulationRecord
from verification.models.population import LifeStatus

from . import sql
from .models import DesilSource, HouseholdScore, Quota, RecipientResult
from .periods import period_start
from .rules import Facts, ProgrammeRules, evaluate, quota_reason, review_reason

#: Households per chunk task (whole regencies; a regency larger than this is one chunk).
CHUNK_SIZE = 300_000
WORK_MEM = "256MB"

FACT_COLUMNS = (
    "members",
    "living",
    "head_deceased",
    "excluded_occupation",
    "pregnant",
    "child_under_5",
    "school_age",
    "elderly",
    "severe_disability",
    "student",
)


def _facts_statement(where: str, member_where: str) -> tuple[str, dict]:
    household = sql.table(Household)
    member = sql.table(Member)
    population = sql.table(PopulationRecord)
    score = sql.table(HouseholdScore)
    alive = "d.nik IS NULL"
    params: dict = {}

    def living(condition: str) -> str:
        return f"SUM(CASE WHEN {alive} AND {condition} THEN 1 ELSE 0 END)"

    occupations = ", ".join(f"'{o.value}'" for o in sorted(EXCLUDED_OCCUPATIONS))
    aggregates = {
        "members": "COUNT(*)",
        "living": f"SUM(CASE WHEN {alive} THEN 1 ELSE 0 END)",
        "head_deceased": (
            f"SUM(CASE WHEN mb.relation = '{Relation.HEAD.value}' AND d.nik IS NOT NULL THEN 1 ELSE 0 END)"
        ),
        "excluded_occupation": living(f"mb.occupation IN ({occupations})"),
        "pregnant": living("mb.pregnant"),
        "child_under_5": living("mb.birth_date > %(born_after_5)s"),
        "school_age": living("mb.birth_date > %(born_after_19)s AND mb.birth_date <= %(born_by_6)s"),
        "elderly": living("mb.birth_date <= %(born_by_60)s"),
        "severe_disability": living(f"mb.disability = '{Disability.SEVERE.value}'"),
        "student": living(
            f"mb.occupation = '{Occupation.STUDENT.value}' "
            "AND mb.birth_date > %(born_after_25)s AND mb.birth_date <= %(born_by_18)s"
        ),
    }
    assert tuple(aggregates) == FACT_COLUMNS
    member_counts = (
        "SELECT mb.household_id AS hid, "  # noqa: S608 - table names from _meta
        + ", ".join(f"{expr} AS {name}" for name, expr in aggregates.items())
        + f" FROM {member} mb LEFT JOIN {population} d ON d.nik = mb.nik AND d.status = '{LifeStatus.DECEASED.value}'"
        f" {member_where} GROUP BY mb.household_id"
    )
    statement = (
        "SELECT h.id, h.village_id, h.registered_at, s.score, s.desil_national, s.source, "  # noqa: S608
        + ", ".join(f"COALESCE(m.{c}, 0)" for c in FACT_COLUMNS)
        + f" FROM {household} h LEFT JOIN ({member_counts}) m ON m.hid = h.id"
        f" LEFT JOIN {score} s ON s.household_id = h.id AND s.model_id = %(model_id)s"
        f" {where}"
    )
    return statement, params


def _age_params(as_of: datetime.date) -> dict:
    return {
        "born_after_5": sql.born_by(as_of, 5),
        "born_after_19": sql.born_by(as_of, 19),
        "born_by_6": sql.born_by(as_of, 6),
        "born_by_60": sql.born_by(as_of, 60),
        "born_after_25": sql.born_by(as_of, 25),
        "born_by_18": sql.born_by(as_of, 18),
    }


def _aware(value) -> datetime.datetime | None:
    """SQLite hands back text, PostgreSQL an aware datetime."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(str(value))
    return parsed.replace(tzinfo=datetime.UTC) if parsed and parsed.tzinfo is None else parsed


def _facts_from_rows(rows) -> list[Facts]:
    facts = []
    for row in rows:
        hid, village, registered_at, score, desil, source, *counts = row
        registered_at = _aware(registered_at)
        facts.append(
            Facts(
                hid,
                village,
                registered_at,
                score,
                desil,
                source or DesilSource.MODEL,
                *(int(c) for c in counts),
            )
        )
    return facts


def load_facts(regencies: list[str], *, model_id: int | None, as_of: datetime.date) -> list[Facts]:
    """Facts of every household in ``regencies`` (codes like ``"32.04"``)."""
    if not regencies:
        return []
    names = {f"r{i}": code for i, code in enumerate(regencies)}
    in_list = ", ".join(f"%({name})s" for name in names)
    household = sql.table(Household)
    where = f"WHERE SUBSTR(h.village_id, 1, 5) IN ({in_list})"
    member_where = (
        f"WHERE mb.household_id IN (SELECT id FROM {household} WHERE SUBSTR(village_id, 1, 5) IN ({in_list}))"  # noqa: S608
    )
    statement, params = _facts_statement(where, member_where)
    params.update(names, model_id=model_id, **_age_params(as_of))
    with transaction.atomic(), connection.cursor() as cursor:
        sql.set_local_work_mem(cursor, WORK_MEM)
        cursor.execute(statement, params)
        return _facts_from_rows(cursor.fetchall())


def household_facts(household: Household, *, model_id: int | None, as_of: datetime.date) -> Facts:
    statement, params = _facts_statement("WHERE h.id = %(hid)s", "WHERE mb.household_id = %(hid)s")
    params.update(hid=household.pk, model_id=model_id, **_age_params(as_of))
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return _facts_from_rows(cursor.fetchall())[0]


# --- deciding ------------------------------------------------------------------------------


@dataclass
class Decision:
    facts: Facts
    eligible: bool
    reasons: list[dict]
    included: bool = False
    rank: int | None = None
    quota: int | None = None
    flagged: bool = False


_LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def rank_key(facts: Facts):
    """Poorest first; ties: registered earlier, then lower household id."""
    return (facts.score, facts.registered_at or _LATEST, facts.household_id)


def decide(
    rules: ProgrammeRules,
    facts: list[Facts],
    *,
    quotas: dict[str, int],
    regency_names: dict[str, str],
    period: str,
    previously_included: set[int],
    previous_period: str = "",
) -> list[Decision]:
    """Rules for every household, then each regency's quota filled in rank order.

    Households with the same facts get the same reasons, so ``evaluate`` runs once per
    distinct ``Facts.rule_key`` (the reason lists are shared until something is added).
    """
    decisions = []
    eligible_by_regency: dict[str, list[Decision]] = defaultdict(list)
    evaluated: dict[tuple, tuple[bool, list[dict]]] = {}
    for f in facts:
        key = f.rule_key(rules)
        outcome = evaluated.get(key)
        if outcome is None:
            outcome = evaluated[key] = evaluate(rules, f)
        decision = Decision(f, outcome[0], outcome[1])
        decisions.append(decision)
        if decision.eligible:
            eligible_by_regency[f.regency_code].append(decision)
        elif f.household_id in previously_included:
            decision.flagged = True
            decision.reasons = [*decision.reasons, review_reason(previous_period)]

    for regency, ranked in eligible_by_regency.items():
        ranked.sort(key=lambda d: rank_key(d.facts))
        quota = quotas.get(regency)
        name = regency_names.get(regency, regency)
        last_in_score = ranked[quota - 1].facts.score if quota and len(ranked) >= quota else None
        for position, decision in enumerate(ranked, start=1):
            decision.rank = position
            decision.quota = quota
            decision.included = quota is not None and position <= quota
            tied = not decision.included and last_in_score is not None and decision.facts.score == last_in_score
            decision.reasons = [
                *decision.reasons,
                quota_reason(
                    included=decision.included,
                    rank=position,
                    quota=quota,
                    regency_name=name,
                    period=period,
                    tied=tied,
                ),
            ]
    return decisions


# --- one chunk ---------------------------------------------------------------------------------


@dataclass
class ChunkCounts:
    households: int = 0
    eligible: int = 0
    included: int = 0
    flagged: int = 0


RESULT_COLUMNS = [
    "run_id",
    "programme_id",
    "period",
    "household_id",
    "village_code",
    "eligible",
    "included",
    "rank",
    "quota_size",
    "score",
    "desil",
    "reasons",
    "flagged_for_review",
    "decided_at",
]


def regency_names(codes) -> dict[str, str]:
    return {r.code: r.display_name for r in Region.objects.filter(code__in=list(codes))}


def run_chunk(run, regencies: list[str]) -> ChunkCounts:
    """Decide every household of ``regencies`` and replace their results (idempotent)."""
    programme = run.programme
    rules = ProgrammeRules.of(programme)
    facts = load_facts(regencies, model_id=run.score_model_id, as_of=period_start(run.period))
    quotas = dict(
        Quota.objects.filter(programme=programme, period=run.period, regency_id__in=regencies).values_list(
            "regency_id", "size"
        )
    )
    previously_included: set[int] = set()
    if run.previous_period:
        previously_included = _previously_included_in(programme.pk, run.previous_period, regencies)
    decisions = decide(
        rules,
        facts,
        quotas=quotas,
        regency_names=regency_names(regencies),
        period=run.period,
        previously_included=previously_included,
        previous_period=run.previous_period,
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    counts = ChunkCounts(households=len(decisions))
    rows = []
    dumped: dict[int, tuple[list, str]] = {}  # shared reason lists are dumped once
    for d in decisions:
        counts.eligible += d.eligible
        counts.included += d.included
        counts.flagged += d.flagged
        cached = dumped.get(id(d.reasons))
        if cached is None or cached[0] is not d.reasons:
            cached = dumped[id(d.reasons)] = (d.reasons, json.dumps(d.reasons, ensure_ascii=False))
        rows.append(
            (
                run.pk,
                programme.pk,
                run.period,
                d.facts.household_id,
                d.facts.village_code,
                d.eligible,
                d.included,
                d.rank,
                d.quota,
                d.facts.score,
                d.facts.desil,
                cached[1],
                d.flagged,
                now,
            )
        )
    names = {f"r{i}": code for i, code in enumerate(regencies)}
    in_list = ", ".join(f"%({name})s" for name in names)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {sql.table(RecipientResult)} WHERE programme_id = %(programme)s "  # noqa: S608
            f"AND period = %(period)s AND SUBSTR(village_code, 1, 5) IN ({in_list})",
            {"programme": programme.pk, "period": run.period, **names},
        )
        sql.copy_rows(
            cursor, RecipientResult._meta.db_table, RESULT_COLUMNS, rows, not_null_text=("period", "village_code")
        )
    return counts


def _previously_included_in(programme_id: int, period: str, regencies: list[str]) -> set[int]:
    """Households now in ``regencies`` that the programme included in ``period``."""
    names = {f"r{i}": code for i, code in enumerate(regencies)}
    in_list = ", ".join(f"%({name})s" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT household_id FROM {sql.table(RecipientResult)} WHERE programme_id = %(programme)s "  # noqa: S608
            f"AND period = %(period)s AND included AND household_id IN "
            f"(SELECT id FROM {sql.table(Household)} WHERE SUBSTR(village_id, 1, 5) IN ({in_list}))",
            {"programme": programme_id, "period": period, **names},
        )
        return {row[0] for row in cursor.fetchall()}


def regency_groups(chunk_size: int | None = None) -> list[tuple[list[str], int]]:
    """Whole regencies grouped into chunks of about ``chunk_size`` households."""
    chunk_size = chunk_size or CHUNK_SIZE
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUBSTR(village_id, 1, 5) AS regency, COUNT(*) FROM {sql.table(Household)} "  # noqa: S608
            f"GROUP BY SUBSTR(village_id, 1, 5) ORDER BY regency"
        )
        counts = cursor.fetchall()
    groups: list[tuple[list[str], int]] = []
    current: list[str] = []
    size = 0
    for regency, n in counts:
        if current and size + n > chunk_size:
            groups.append((current, size))
            current, size = [], 0
        current.append(regency)
        size += n
    if current:
        groups.append((current, size))
    return groups
