"""The typed register (SPEC §2): benefits, measurements and trajectories after parsing.

Models are what the calculations, the national store and the sync client share. Building them
from a sheet goes through the rule engine (`xl_brm.validate`), which parses every cell with
`xl_brm.normalise` and reports where a value could not be read.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from xl_brm.enums import (
    ApprovalStatus,
    BaselineMethod,
    Beneficiary,
    BenefitType,
    Category,
    Confidence,
    Direction,
    EvidenceGrade,
)
from xl_brm.periods import Period, parse_period


class Benefit(BaseModel):
    """One row of the benefit register. `local` keeps the trust's own columns (never sent)."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    benefit_id: str = Field(min_length=1, max_length=64)
    trust_ods: str = Field(pattern=r"^[A-Z0-9]{3,5}$")
    programme: str
    project: str
    title: str
    benefit_type: BenefitType
    category: Category
    beneficiary: Beneficiary | None = None
    is_disbenefit: bool = False
    planned: bool = True
    measure: str | None = None
    national_measure_code: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    baseline_value: float | None = None
    baseline_start: date | None = None
    baseline_end: date | None = None
    baseline_method: BaselineMethod = BaselineMethod.GIVEN
    target_value: float | None = None
    target_date: date | None = None
    realisation_start: date | None = None
    unit_value_gbp: float | None = None
    attribution_pct: float = Field(default=100.0, ge=0, le=100)
    benefit_owner: str
    approval_status: ApprovalStatus
    approved_by: str | None = None
    approved_on: date | None = None
    confidence: Confidence | None = None
    evidence: str | None = None
    row: int | None = Field(default=None, exclude=True)
    """Excel row the benefit came from (not part of its content)."""
    local: dict[str, Any] = Field(default_factory=dict, exclude=True)
    """The trust's own columns, header -> value: shown locally, never sent nationally."""


class Measurement(BaseModel):
    """One value of one benefit for one month or quarter."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    benefit_id: str = Field(min_length=1, max_length=64)
    period: Period
    value: float | str | None = None
    """A number; for a qualitative benefit, text evidence."""
    source: str | None = None
    evidence_grade: EvidenceGrade = EvidenceGrade.MEASURED
    note: str | None = None
    row: int | None = Field(default=None, exclude=True)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> Period:
        return parse_period(value)

    @field_serializer("period")
    def _period_text(self, period: Period) -> str:
        return str(period)


class TrajectoryPoint(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    benefit_id: str
    period: Period
    planned_value: float
    row: int | None = Field(default=None, exclude=True)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: object) -> Period:
        return parse_period(value)

    @field_serializer("period")
    def _period_text(self, period: Period) -> str:
        return str(period)


class Register(BaseModel):
    """A parsed workbook: what calculations and submissions work from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    path: str | None = None
    trust_ods: str | None = None
    benefits: list[Benefit] = Field(default_factory=list)
    measurements: dict[str, list[Measurement]] = Field(default_factory=dict)
    """benefit_id -> its measurements, sorted by period."""
    trajectory: dict[str, list[TrajectoryPoint]] = Field(default_factory=dict)

    def benefit(self, benefit_id: str) -> Benefit | None:
        return next((b for b in self.benefits if b.benefit_id == benefit_id), None)

    @property
    def measurement_count(self) -> int:
        return sum(len(ms) for ms in self.measurements.values())


def content_hash(benefit: Benefit, measurements: list[Measurement]) -> str:
    """SHA-256 of a benefit's national content: the same in the client and the store."""
    body = {
        "benefit": benefit.model_dump(mode="json"),
        "measurements": [m.model_dump(mode="json") for m in sorted(measurements, key=lambda m: m.period)],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
