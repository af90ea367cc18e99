"""Rolling monthly figures up to NHS financial quarters (SPEC §3).

Measurements are *levels* (errors per month, minutes per admission), so a quarter's level is the
mean of its months' values: that is what a quarterly plan or a quarterly baseline is compared
with. Realised quantity and value are *amounts*, so a quarter's realised figure is the sum of its
months' q(p) and v(p) (`realised_by_quarter`).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from xl_brm.calc._figures import PeriodFigures
from xl_brm.calc._numbers import as_number
from xl_brm.enums import EvidenceGrade
from xl_brm.model import Measurement
from xl_brm.periods import Period

_STRENGTH = {EvidenceGrade.ASSUMED: 0, EvidenceGrade.ESTIMATED: 1, EvidenceGrade.MEASURED: 2}


def weakest_grade(grades: Iterable[EvidenceGrade]) -> EvidenceGrade:
    """The least certain grade: a figure partly built on assumptions is never shown as measured."""
    return min(grades, key=_STRENGTH.__getitem__, default=EvidenceGrade.MEASURED)


def roll_up_to_quarters(measurements: Iterable[Measurement]) -> list[Measurement]:
    """Quarterly measurements: monthly numbers averaged per quarter, quarters passed through.

    A quarter measured directly wins over its months. Months without a number are left out; the
    rolled-up quarter's note says which months it is the mean of (fewer than three when some are
    missing) and its evidence grade is the weakest of theirs. Sorted by benefit, then period.
    """
    direct: dict[tuple[str, Period], Measurement] = {}
    months: dict[tuple[str, Period], dict[Period, Measurement]] = defaultdict(dict)
    for measurement in measurements:
        if measurement.period.is_quarter:
            direct.setdefault((measurement.benefit_id, measurement.period), measurement)
        elif as_number(measurement.value) is not None:
            key = (measurement.benefit_id, measurement.period.to_quarter())
            months[key].setdefault(measurement.period, measurement)
    rolled = dict(direct)
    for key, by_month in months.items():
        if key in rolled:
            continue
        group = [by_month[month] for month in sorted(by_month)]
        values = [number for m in group if (number := as_number(m.value)) is not None]
        sources = {m.source for m in group}
        rolled[key] = Measurement(
            benefit_id=key[0],
            period=key[1],
            value=statistics.fmean(values),
            source=sources.pop() if len(sources) == 1 else None,
            evidence_grade=weakest_grade(m.evidence_grade for m in group),
            note=f"mean of {len(group)} of 3 months ({', '.join(str(m.period) for m in group)})",
        )
    return [rolled[key] for key in sorted(rolled)]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarterTotal:
    """Realised figures of one financial quarter, summed from its counted periods."""

    period: Period
    realised_quantity: float
    realised_value_gbp: float | None


def realised_by_quarter(series: Iterable[PeriodFigures]) -> list[QuarterTotal]:
    """Sum counted q(p) and v(p) per financial quarter (months add up; quarters pass through).

    A quarter's value is None when any of its counted periods has no value (non-financial).
    """
    quantities: dict[Period, list[float]] = defaultdict(list)
    values: dict[Period, list[float | None]] = defaultdict(list)
    for row in series:
        if row.counted and row.realised_quantity is not None:
            quarter = row.period.to_quarter()
            quantities[quarter].append(row.realised_quantity)
            values[quarter].append(row.realised_value_gbp)
    totals = []
    for quarter in sorted(quantities):
        money = [v for v in values[quarter] if v is not None]
        totals.append(
            QuarterTotal(
                period=quarter,
                realised_quantity=math.fsum(quantities[quarter]),
                realised_value_gbp=math.fsum(money) if len(money) == len(values[quarter]) else None,
            )
        )
    return totals
