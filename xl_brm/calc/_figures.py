"""What the calculations hand to reports: figures per period and per benefit.

Figures keep full floating-point precision; rounding happens only in `to_json` (display).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from xl_brm.enums import BenefitType, EvidenceGrade, Rag
from xl_brm.periods import Period
from xl_brm.rounding import round_half_up

MONEY_PLACES = 2
"""Pounds are shown to the penny."""
NUMBER_PLACES = 6
"""Other figures are shown to 6 decimal places: enough for any unit, free of float noise."""

JSON_KEYS = (
    "benefit_id",
    "baseline",
    "latest",
    "improvement",
    "realised_quantity",
    "realised_value_gbp",
    "pv_gbp",
    "percent_of_target",
    "planned_to_date",
    "rag",
)
"""The per-benefit keys of `xl-brm compute --format json` (SPEC §7.2), in order."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodFigures:
    """One period of one benefit. `counted` = it contributes to the cumulative figures."""

    period: Period
    actual: float | None
    baseline: float | None
    planned_level: float | None
    improvement: float | None
    planned_improvement: float | None
    realised_quantity: float | None
    realised_value_gbp: float | None
    counted: bool
    evidence_grade: EvidenceGrade | None = None

    def to_json(self, *, rounded: bool = True) -> dict[str, Any]:
        number = _rounder(NUMBER_PLACES, rounded)
        money = _rounder(MONEY_PLACES, rounded)
        return {
            "period": str(self.period),
            "actual": number(self.actual),
            "baseline": number(self.baseline),
            "planned_level": number(self.planned_level),
            "improvement": number(self.improvement),
            "planned_improvement": number(self.planned_improvement),
            "realised_quantity": number(self.realised_quantity),
            "realised_value_gbp": money(self.realised_value_gbp),
            "counted": self.counted,
            "evidence_grade": None if self.evidence_grade is None else self.evidence_grade.value,
        }


def _period_figures_maker() -> Callable[..., PeriodFigures]:
    """`PeriodFigures(...)` with positional values in field order, about three times faster.

    A frozen dataclass's `__init__` goes through `object.__setattr__` once per field; this sets
    the slots directly, which matters at ~24 periods for each of 10k benefits in a national
    submission. The unpacking below fails at import if a field is ever added or reordered.
    """
    (
        period,
        actual,
        baseline,
        planned_level,
        improvement,
        planned_improvement,
        realised_quantity,
        realised_value_gbp,
        counted,
        evidence_grade,
    ) = (getattr(PeriodFigures, f.name).__set__ for f in fields(PeriodFigures))
    new = object.__new__

    def make(
        p: Any, a: Any, b: Any, pl: Any, d: Any, pd: Any, q: Any, v: Any, c: bool, g: Any
    ) -> PeriodFigures:
        row: PeriodFigures = new(PeriodFigures)
        period(row, p)
        actual(row, a)
        baseline(row, b)
        planned_level(row, pl)
        improvement(row, d)
        planned_improvement(row, pd)
        realised_quantity(row, q)
        realised_value_gbp(row, v)
        counted(row, c)
        evidence_grade(row, g)
        return row

    return make


new_period_figures = _period_figures_maker()
"""new_period_figures(period, actual, baseline, planned_level, improvement, planned_improvement,
realised_quantity, realised_value_gbp, counted, evidence_grade) == PeriodFigures(period=..., ...)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BenefitFigures:
    """A benefit's figures up to the as-of period (SPEC §5). None = the figure does not apply.

    Dis-benefits use the same arithmetic; `is_disbenefit` travels with the figures so reports
    keep their (usually negative) values apart from benefits.
    """

    benefit_id: str
    benefit_type: BenefitType
    is_disbenefit: bool
    baseline: float | None
    latest: float | None
    improvement: float | None
    realised_quantity: float | None
    realised_value_gbp: float | None
    pv_gbp: float | None
    percent_of_target: float | None
    planned_to_date: float | None
    rag: Rag | None
    series: list[PeriodFigures] = field(default_factory=list)
    base_fy: int | None = None
    """The financial year (start year) the PV is discounted to."""
    value_by_fy: dict[int, float] = field(default_factory=dict)
    """Realised value per financial year (start year -> £), before discounting."""
    warnings: list[str] = field(default_factory=list)
    """Why a figure is missing or should be read with care, in plain words."""

    def to_json(self, *, rounded: bool = True, detail: bool = False) -> dict[str, Any]:
        """The SPEC §7.2 keys; money to the penny and other numbers to 6 dp unless not `rounded`.

        `detail=True` adds benefit_type, is_disbenefit, base_fy, warnings and the series.
        """
        number = _rounder(NUMBER_PLACES, rounded)
        money = _rounder(MONEY_PLACES, rounded)
        data: dict[str, Any] = {
            "benefit_id": self.benefit_id,
            "baseline": number(self.baseline),
            "latest": number(self.latest),
            "improvement": number(self.improvement),
            "realised_quantity": number(self.realised_quantity),
            "realised_value_gbp": money(self.realised_value_gbp),
            "pv_gbp": money(self.pv_gbp),
            "percent_of_target": number(self.percent_of_target),
            "planned_to_date": number(self.planned_to_date),
            "rag": None if self.rag is None else self.rag.value,
        }
        if detail:
            data |= {
                "benefit_type": self.benefit_type.value,
                "is_disbenefit": self.is_disbenefit,
                "base_fy": self.base_fy,
                "value_by_fy": {str(fy): money(v) for fy, v in sorted(self.value_by_fy.items())},
                "warnings": list(self.warnings),
                "series": [row.to_json(rounded=rounded) for row in self.series],
            }
        return data


def _rounder(places: int, rounded: bool) -> Any:
    def display(value: float | None) -> float | None:
        return round_half_up(value, places) if rounded else value

    return display
