"""Builders for calculation tests: real model objects, built the way the rule engine builds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xl_brm.model import Benefit, Measurement, TrajectoryPoint

BASE_BENEFIT: dict[str, Any] = {
    "benefit_id": "B1",
    "trust_ods": "RJ1",
    "programme": "GDE",
    "project": "EPMA",
    "title": "Fewer medication administration errors",
    "benefit_type": "cash_releasing",
    "category": "safety_quality",
    "benefit_owner": "Chief Pharmacist",
    "approval_status": "approved",
    "approved_by": "Director of Finance",
    "approved_on": "2019-03-01",
}


@pytest.fixture
def make_benefit() -> Callable[..., Benefit]:
    """`make_benefit(direction="decrease", ...)`: a valid Benefit with the given fields changed."""

    def build(**fields: Any) -> Benefit:
        return Benefit.model_validate({**BASE_BENEFIT, **fields})

    return build


@pytest.fixture
def make_series() -> Callable[..., list[Measurement]]:
    """`make_series({"2019-04": 95, ...})`: measurements of one benefit, in period order."""

    def build(values: dict[str, Any], *, benefit_id: str = "B1", **extra: Any) -> list[Measurement]:
        return [
            Measurement.model_validate({"benefit_id": benefit_id, "period": p, "value": v, **extra})
            for p, v in values.items()
        ]

    return build


@pytest.fixture
def make_trajectory() -> Callable[..., list[TrajectoryPoint]]:
    """`make_trajectory({"2019-04": 5, ...})`: Trajectory rows of one benefit."""

    def build(values: dict[str, float], *, benefit_id: str = "B1") -> list[TrajectoryPoint]:
        return [
            TrajectoryPoint.model_validate(
                {"benefit_id": benefit_id, "period": p, "planned_value": v}
            )
            for p, v in values.items()
        ]

    return build
