"""Verification models: population records (Dukcapil copy) and the proposal workflow."""

from .flags import EventType, FlagKind, PopulationEvent, PopulationFlag
from .matching import MatchOutcome, MemberMatch
from .population import LifeStatus, PopulationRecord
from .workflow import (
    Assignment,
    Attendee,
    Batch,
    BatchKind,
    Deliberation,
    DeliberationBasis,
    DeliberationItem,
    DeliberationStatus,
    FieldVisit,
    FieldVisitPhoto,
    FieldVisitResult,
    Outcome,
)

__all__ = [
    "Assignment",
    "Attendee",
    "Batch",
    "BatchKind",
    "Deliberation",
    "DeliberationBasis",
    "DeliberationItem",
    "DeliberationStatus",
    "EventType",
    "FieldVisit",
    "FieldVisitPhoto",
    "FieldVisitResult",
    "FlagKind",
    "LifeStatus",
    "MatchOutcome",
    "MemberMatch",
    "Outcome",
    "PopulationEvent",
    "PopulationFlag",
    "PopulationRecord",
]
