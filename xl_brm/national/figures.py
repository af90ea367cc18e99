"""Realised figures per financial year and evidence grade, from `xl_brm.calc` (never our own).

Computed once when a version is stored, so the national summary is a plain SQL aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from xl_brm.enums import EvidenceGrade
from xl_brm.model import Benefit, Measurement, Register
from xl_brm.periods import Period


@dataclass(frozen=True, slots=True)
class FyValue:
    financial_year: str
    evidence_grade: str
    realised_quantity: float
    realised_value_gbp: float | None


def fy_values(
    trust_ods: str,
    items: Sequence[tuple[Benefit, list[Measurement]]],
    *,
    base_fy: int | None = None,
    today: date | None = None,
) -> dict[str, list[FyValue]]:
    """benefit_id -> its counted realised quantity/value summed per (financial year, grade).

    As-of is the month of the benefit's newest measurement, so every figure sent counts and
    the stored result does not depend on the day it was received. Benefits are computed in
    groups sharing that month (the calculations take one as-of per register), over their
    measured periods only, so the work is linear in the measurements sent.
    """
    from xl_brm.calc import compute_register

    groups: dict[Period, list[tuple[Benefit, list[Measurement]]]] = {}
    for benefit, ms in items:
        if not ms:
            continue  # nothing measured, nothing realised
        last = max(m.period.index + m.period.months - 1 for m in ms)
        groups.setdefault(Period(last, 1), []).append((benefit, ms))
    out: dict[str, list[FyValue]] = {}
    for as_of, group in groups.items():
        register = Register(
            trust_ods=trust_ods,
            benefits=[b for b, _ in group],
            measurements={b.benefit_id: list(ms) for b, ms in group},
        )
        for figures in compute_register(register, as_of=as_of, base_fy=base_fy, every_period=False):
            out[figures.benefit_id] = _per_fy(figures.series)
    return out


@lru_cache(maxsize=8192)
def _fy(index: int) -> str:
    """`period.fy` of the period starting at month `index` ('2019/20'), worked out once."""
    return Period(index, 1).fy


def _per_fy(series: Sequence[Any]) -> list[FyValue]:
    sums: dict[tuple[str, str], list[float | None]] = {}
    for p in series:
        if not p.counted or p.realised_quantity is None:
            continue
        grade = (p.evidence_grade or EvidenceGrade.MEASURED).value
        acc = sums.setdefault((_fy(p.period.index), grade), [0.0, None])
        acc[0] = (acc[0] or 0.0) + p.realised_quantity
        if p.realised_value_gbp is not None:
            acc[1] = (acc[1] or 0.0) + p.realised_value_gbp
    return [FyValue(fy, grade, q or 0.0, v) for (fy, grade), (q, v) in sorted(sums.items())]
