"""The calculations' own limits, at, inside and outside (found by `tests/rules/mutate.py`):
attribution from 0 to 100% inclusive, and RAG thresholds in order and written as ratios."""

from __future__ import annotations

import pytest

from xl_brm.calc import RagThresholds, realised_quantity
from xl_brm.errors import UsageError


def test_attribution_is_0_to_100_inclusive() -> None:
    assert realised_quantity(10.0, 0) == 0.0
    assert realised_quantity(10.0, 0.5) == 0.05
    assert realised_quantity(10.0, 100) == 10.0
    for outside in (-0.001, 100.001):
        with pytest.raises(UsageError):
            realised_quantity(10.0, outside)


def test_rag_thresholds_may_meet_but_not_cross() -> None:
    RagThresholds(amber=0.0, green=0.0)
    RagThresholds(amber=0.9, green=0.9)
    RagThresholds(amber=0.0, green=10.0)  # ten times the plan: odd, but a ratio
    for amber, green in ((0.91, 0.9), (-0.01, 0.9), (0.7, 10.01)):
        with pytest.raises(UsageError):
            RagThresholds(amber=amber, green=green)
