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

import bisect
import statistics
from collections.abc import Iterable

from xl_brm.calc._numbers import finite, within
from xl_brm.model import TrajectoryPoint
from xl_brm.normalise import MAX_MAGNITUDE
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
    return finite(baseline + (target - baseline) * k / n, "planned level")


class TrajectoryPlan:
    """Planned levels from a benefit's Trajectory rows, looked up by period (each look-up
    costs a dictionary probe and a binary search, however many points there are)."""

    def __init__(self, points: Iterable[TrajectoryPoint]) -> None:
        self._by_period: dict[Period, float] = {}
        for point in points:
            within(point.planned_value, MAX_MAGNITUDE, f"planned value for {point.period}")
            self._by_period.setdefault(point.period, point.planned_value)
        by_end = sorted((p.index + p.months - 1, p, value) for p, value in self._by_period.items())
        # For "the latest point that ends before a period starts": the points in order of their
        # last month, and for each prefix of that order the value of its latest-starting point.
        self._ends = [end for end, _, _ in by_end]
        self._latest: list[float] = []
        best: Period | None = None
        level = 0.0
        for _, started, value in by_end:
            if best is None or started > best:
                best, level = started, value
            self._latest.append(level)

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
        ended = bisect.bisect_left(self._ends, period.index)  # points ending before `period`
        return self._latest[ended - 1] if ended else baseline
