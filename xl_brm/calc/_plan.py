"""Planned levels (SPEC §5.4): the Trajectory sheet when a benefit has one, else a straight line.

Straight line: with N periods from the plan's first period (realisation_start's period) to
target_date's period inclusive, period k = 1..N is planned at b + (target - b) x k / N and every
later period at the target; periods before the first are planned at the baseline. N counts
periods of the benefit's own length, so quarterly measurements give N in quarters.

Trajectory: a point for the period itself wins. A monthly period under a quarterly point takes
the quarter's level; a quarterly period over monthly points takes the mean of those months
(planned values are levels, like measurements). A period with no point takes the level of the
latest earlier point (a plan holds its level until the next point), or the baseline before the
first point.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from xl_brm.model import TrajectoryPoint
from xl_brm.periods import Period


def periods_inclusive(first: Period, last: Period) -> int:
    """How many periods of `first`'s length run from `first` to `last` inclusive (N)."""
    return (last.index - first.index) // first.months + 1


def straight_line_level(baseline: float, target: float, *, k: int, n: int) -> float:
    """The planned level of the k-th period of a straight-line plan over n periods."""
    if k <= 0:
        return baseline
    if n < 1 or k >= n:
        return target
    return baseline + (target - baseline) * k / n


class TrajectoryPlan:
    """Planned levels from a benefit's Trajectory rows, looked up by period."""

    def __init__(self, points: Iterable[TrajectoryPoint]) -> None:
        self._by_period: dict[Period, float] = {}
        for point in points:
            self._by_period.setdefault(point.period, point.planned_value)
        self._ordered = sorted(self._by_period.items())

    def __bool__(self) -> bool:
        return bool(self._by_period)

    @property
    def months(self) -> int:
        """The common length of the points' periods (1 if mixed or empty)."""
        lengths = {period.months for period in self._by_period}
        return lengths.pop() if len(lengths) == 1 else 1

    def level(self, period: Period, *, baseline: float | None) -> float | None:
        if period in self._by_period:
            return self._by_period[period]
        if period.months == 1 and period.to_quarter() in self._by_period:
            return self._by_period[period.to_quarter()]
        if period.months == 3:
            months = [self._by_period[m] for m in period.month_periods() if m in self._by_period]
            if months:
                return statistics.fmean(months)
        earlier = [value for p, value in self._ordered if p.index + p.months - 1 < period.index]
        return earlier[-1] if earlier else baseline
