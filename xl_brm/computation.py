"""A register computed as of a period: what every output is built from.

The compute table and JSON, the computed workbook (`compute --out`), the demo and the board
report all take one `Computation`, so they cannot disagree about a figure, a title or a £ per
unit. Pure: no I/O.

Decisions where SPEC is silent:
- **Default as-of** is the latest period holding a numeric measurement (any measurement when
  none is numeric; the current month when the register has none), and outputs say so: "the
  current month" made every RAG `no_data` for a register whose figures stop last quarter.
- **Blocked**: a benefit with an error finding on its row, or on one of its measurement or
  trajectory rows that joined the register, keeps its figures but gets no RAG until the error
  is fixed. (A row left out of the register, such as a second value for a period, is not in
  the figures; its error shows in the data-quality annex.)
- **Planned value to date** (£) is the planned improvement of every period up to the as-of
  period, times the benefit's £ per unit (unit value × attribution %). It is the plan, whether
  or not a period was measured, and is what the computed workbook's chart shows at the as-of
  period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xl_brm import display
from xl_brm.calc import BenefitFigures, compute_register, round_half_up
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Register
from xl_brm.periods import Period, current_month

if TYPE_CHECKING:
    from xl_brm.validate import Validation


@dataclass(frozen=True, slots=True)
class Computation:
    """The figures of a register as of a period, with what a reader must know beside them."""

    register: Register
    figures: list[BenefitFigures]
    as_of: Period
    as_of_given: bool
    """False: the as-of was chosen (the latest period with data), and outputs say so."""
    findings: list[Finding] = field(default_factory=list)
    blocked: dict[str, list[Finding]] = field(default_factory=dict)
    """benefit_id -> the error findings that keep it from a RAG."""
    left_out: dict[str, list[Finding]] = field(default_factory=dict)
    """benefit_id -> the error findings that keep a benefit's row out of the figures altogether
    (an unknown benefit type, a blank owner...): listed, never dropped in silence."""
    base_fy: int | None = None

    @property
    def as_of_note(self) -> str:
        """'as of 2020-09' and, when it was not given, why that period."""
        if self.as_of_given:
            return f"as of {self.as_of}"
        if latest_period(self.register) is None:
            return f"as of {self.as_of} (this month: the register has no measurements yet)"
        return f"as of {self.as_of} (the latest period with data; choose another with --as-of)"

    def benefit(self, benefit_id: str) -> Benefit:
        found = self.register.benefit(benefit_id)
        if found is None:  # figures are only ever made from the register's benefits
            raise KeyError(benefit_id)
        return found

    def sheet_row(self, figures: BenefitFigures) -> dict[str, Any]:
        """One benefit's row of the Computed sheet (`sheet_names.COMPUTED_COLUMNS`), whichever
        route writes it: the compute JSON's figures, the title, the type in words, and the
        reason instead of a RAG for a benefit with errors. None where a figure does not apply."""
        values: dict[str, Any] = figures.to_json()
        values["title"] = self.benefit(figures.benefit_id).title
        values["benefit_type"] = display.TYPE_LABEL[figures.benefit_type]
        values["is_disbenefit"] = "Yes" if figures.is_disbenefit else "No"
        values["rag"] = self.blocked_text(figures.benefit_id) or values["rag"]
        return values

    def sheet_rows(self) -> list[dict[str, Any]]:
        """Every row of the Computed sheet: each benefit's figures, then each benefit left out of
        them, with only its ID and what to fix."""
        from xl_brm.sheet_names import COMPUTED_COLUMNS

        rows = [self.sheet_row(f) for f in self.figures]
        for bid in self.left_out:
            rows.append(dict.fromkeys(COMPUTED_COLUMNS) | {"benefit_id": bid, "rag": self.blocked_text(bid)})
        return rows

    def blocked_text(self, benefit_id: str) -> str | None:
        """'blocked: fix BRM308 (Benefits!R9)', or None when nothing blocks the benefit."""
        found = self.blocked.get(benefit_id) or self.left_out.get(benefit_id)
        if not found:
            return None
        places = [f"{f.code} ({f.sheet}!{f.cell})" if f.sheet and f.cell else f.code for f in found]
        return "blocked: fix " + ", ".join(dict.fromkeys(places))

    def gbp_per_unit(self, benefit_id: str) -> float | None:
        """£ of realised value per unit of improvement: unit value × attribution % / 100."""
        benefit = self.benefit(benefit_id)
        if not benefit.benefit_type.is_financial or benefit.unit_value_gbp is None:
            return None
        return benefit.unit_value_gbp * benefit.attribution_pct / 100

    def planned_value_gbp(self, figures: BenefitFigures) -> float | None:
        """Planned £ up to the as-of period, to the penny; None for a benefit without money."""
        factor = self.gbp_per_unit(figures.benefit_id)
        if factor is None:
            return None
        last = self.as_of.index + self.as_of.months - 1
        planned = [
            p.planned_improvement * factor
            for p in figures.series
            if p.planned_improvement is not None and p.period.index + p.period.months - 1 <= last
        ]
        return round_half_up(sum(planned), 2) if planned else None


def compute(
    validation: Validation,
    *,
    as_of: Period | None = None,
    base_fy: int | None = None,
    smooth: bool = False,
) -> Computation:
    """Compute a validated workbook's register as of `as_of` (default: its latest period with data)."""
    register = validation.register
    chosen = as_of or latest_period(register) or current_month()
    figures = compute_register(register, as_of=chosen, base_fy=base_fy, smooth=smooth)
    blocked = {
        bid: errors
        for bid in _touched_by_errors(register, validation.findings)
        if (errors := [f for f in validation.for_benefit(bid) if f.severity == "error"])
    }
    figures = [dataclasses.replace(f, rag=None) if f.benefit_id in blocked else f for f in figures]
    errors_at: dict[tuple[str | None, int | None], list[Finding]] = {}
    if validation.left_out:
        for f in validation.findings:
            if f.severity == "error":
                errors_at.setdefault((f.sheet, f.row), []).append(f)
    left_out = {bid: errors_at.get((sheet, row), []) for bid, sheet, row in validation.left_out}
    return Computation(
        register=register,
        figures=figures,
        as_of=chosen,
        as_of_given=as_of is not None,
        findings=list(validation.findings),
        blocked=blocked,
        left_out=left_out,
        base_fy=base_fy,
    )


def _touched_by_errors(register: Register, findings: Sequence[Finding]) -> list[str]:
    """Benefits with a row (their own, a measurement's or a plan's) numbered like an error's,
    or named by one.

    A cheap first pass over row numbers alone; `Validation.for_benefit` then checks the sheet
    too. Asking it about every benefit would cost O(benefits²) on a 10k-benefit register.
    """
    errors = [f for f in findings if f.severity == "error"]
    rows = {f.row for f in errors if f.row is not None}
    named = {str(f.value) for f in errors}  # e.g. a duplicate benefit_id's second row
    if not errors:
        return []
    return [
        b.benefit_id
        for b in register.benefits
        if b.row in rows
        or b.benefit_id in named
        or any(m.row in rows for m in register.measurements.get(b.benefit_id, ()))
        or any(p.row in rows for p in register.trajectory.get(b.benefit_id, ()))
    ]


def latest_period(register: Register) -> Period | None:
    """The latest period with a numeric measurement (else with any measurement), or None.

    Of a month and a quarter ending together the month is given: the figures are the same.
    """
    best: tuple[int, int, Period] | None = None
    fallback: tuple[int, int, Period] | None = None
    for measurements in register.measurements.values():
        for m in measurements:
            key = (m.period.index + m.period.months - 1, -m.period.months, m.period)
            if fallback is None or key[:2] > fallback[:2]:
                fallback = key
            numeric = isinstance(m.value, (int, float)) and not isinstance(m.value, bool)
            if numeric and (best is None or key[:2] > best[:2]):
                best = key
    pick = best or fallback
    return None if pick is None else pick[2]


def totals(values: Sequence[float | None]) -> float | None:
    """The sum of figures as shown (each to the penny), to the penny; None when none applies."""
    present = [v for v in values if v is not None]
    return round_half_up(sum(present), 2) if present else None
