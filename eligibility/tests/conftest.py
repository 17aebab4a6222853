"""Fixtures for eligibility tests (regions and personas come from the root conftest)."""

import pytest

from eligibility.models import ModelStatus, Programme, ScoreModel


@pytest.fixture
def programmes(db):
    """The five programmes seeded by migration 0002, by code."""
    return {p.code: p for p in Programme.objects.all()}


@pytest.fixture
def v1(db):
    """Score model v1 (active, seeded by migration 0002)."""
    return ScoreModel.objects.get(version=1, status=ModelStatus.ACTIVE)
