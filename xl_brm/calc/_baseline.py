"""Baselines (SPEC §5.1): the level each period's actual is compared with.

`given` is the baseline_value cell. `mean`, `median` and `last` summarise the measurements whose
period lies in [baseline_start, baseline_end]; a period lies in the window when every month of
it does (the window runs from the month of baseline_start to the month of baseline_end).
`same_period_last_year` gives each period its own baseline: the value 12 months earlier (for a
quarter, the same quarter of the previous financial year).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from datetime import date

from xl_brm.calc._numbers import finite
from xl_brm.enums import BaselineMethod, parse_enum
from xl_brm.errors import UsageError
from xl_brm.periods import Period

MIN_BASELINE_POINTS = 3
"""A computed baseline from fewer points than this gives a warning (SPEC §5.1)."""

SAME_PERIOD_OFFSET_MONTHS = 12


def as_method(method: BaselineMethod | str) -> BaselineMethod:
    """A BaselineMethod from the enum or a human spelling ("Average", "SPLY")."""
    if isinstance(method, BaselineMethod):
        return method
    parsed = parse_enum(BaselineMethod, str(method))
    if parsed is None:
        raise UsageError(
            f"'{method}' is not a baseline method",
            hint="use given, mean, median, last or same_period_last_year",
        )
    return parsed


def compute_baseline(
    values: Sequence[float], method: BaselineMethod | str = BaselineMethod.MEAN
) -> float:
    """The mean, median or last of `values` (given in period order)."""
    chosen = as_method(method)
    if chosen is BaselineMethod.GIVEN:
        raise UsageError(
            "a 'given' baseline is the baseline_value cell itself; there is nothing to compute",
            hint="use mean, median or last to compute one from measurements",
        )
    if chosen is BaselineMethod.SAME_PERIOD_LAST_YEAR:
        raise UsageError(
            "same_period_last_year gives one baseline per period, not one number",
            hint="use same_period_last_year(values_by_period) instead",
        )
    if not values:
        raise UsageError(
            "there are no measurements to take a baseline from",
            hint="add measurements inside the baseline window, or give baseline_value",
        )
    try:
        if chosen is BaselineMethod.MEAN:
            return finite(statistics.fmean(values), "mean baseline")
        if chosen is BaselineMethod.MEDIAN:
            return finite(float(statistics.median(values)), "median baseline")
    except OverflowError:  # fsum of numbers beyond any plausible bound
        return finite(math.inf, f"{chosen.value} baseline")
    return finite(float(values[-1]), "last baseline")


def in_window(period: Period, start: date | None, end: date | None) -> bool:
    """Whether every month of `period` lies from `start`'s month to `end`'s (None = open)."""
    first_month = period.index
    last_month = period.index + period.months - 1
    if start is not None and first_month < Period.of_date(start).index:
        return False
    return end is None or last_month <= Period.of_date(end).index


def same_period_last_year(values_by_period: Mapping[Period, float]) -> dict[Period, float]:
    """Each period's baseline: the value 12 months earlier, where there is one."""
    baselines: dict[Period, float] = {}
    for period in values_by_period:
        earlier = period.shift(-SAME_PERIOD_OFFSET_MONTHS)
        if earlier in values_by_period:
            baselines[period] = values_by_period[earlier]
    return baselines
