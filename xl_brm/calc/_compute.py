"""A benefit's figures up to an as-of period (SPEC §5), from the typed register. Pure: no I/O.

Decisions where SPEC §5 is silent (also in the package docstring):
- A benefit's period length is that of its measurements; a mix of months and quarters is rolled
  up to quarters (mean of months) with a warning. realisation_start, target_date and as-of are
  taken to the period of that length containing them.
- "Counted" periods run from realisation_start's period (all periods if blank) to the as-of
  period inclusive, and need an actual and a baseline. A quarter is up to a monthly as-of when it
  contains or precedes it.
- A blank baseline_end window ends just before realisation_start's period; with no window and no
  realisation_start, every measurement is used (with a warning). An empty window falls back to
  baseline_value when one is given.
- same_period_last_year: b(p) is the value 12 months earlier; a counted period without one is
  left out (with a warning); pd(p) uses the same b(p). The reported baseline is that of the most
  recent counted period.
- Σd and Σpd are taken over the same counted periods, so periods without a measurement change
  neither (missing data shows as `no_data`, not as a shortfall).
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from xl_brm.calc._arithmetic import as_direction, realised_quantity
from xl_brm.calc._baseline import (
    MIN_BASELINE_POINTS,
    compute_baseline,
    same_period_last_year,
)
from xl_brm.calc._figures import BenefitFigures, PeriodFigures, new_period_figures
from xl_brm.calc._numbers import BOUNDS, within
from xl_brm.calc._plan import TrajectoryPlan, periods_inclusive, straight_line_level
from xl_brm.calc._present_value import present_value
from xl_brm.calc._rag import DEFAULT_THRESHOLDS, RagThresholds, rag_status
from xl_brm.calc._rollup import roll_up_to_quarters
from xl_brm.enums import BaselineMethod, BenefitType, Direction, EvidenceGrade, Rag
from xl_brm.model import Benefit, Measurement, Register, TrajectoryPoint
from xl_brm.normalise import MAX_MAGNITUDE
from xl_brm.periods import Period, plausible_window


def compute_register(
    register: Register,
    *,
    as_of: Period,
    base_fy: int | None = None,
    smooth: bool = False,
    thresholds: RagThresholds = DEFAULT_THRESHOLDS,
    every_period: bool = True,
) -> list[BenefitFigures]:
    """Figures for every benefit of the register, in register order."""
    return [
        compute_benefit(
            benefit,
            register.measurements.get(benefit.benefit_id, []),
            trajectory=register.trajectory.get(benefit.benefit_id, []),
            as_of=as_of,
            base_fy=base_fy,
            smooth=smooth,
            thresholds=thresholds,
            every_period=every_period,
        )
        for benefit in register.benefits
    ]


@dataclass(slots=True)
class _Data:
    """A benefit's numeric measurements, one per period, all of one length, in period order.

    Keyed by the periods' index (unique, as they share a length): int keys hash in C, where a
    Period's dataclass `__hash__` is Python code run for every measurement.
    """

    months: int
    periods: list[Period] = field(default_factory=list)
    values: dict[int, float] = field(default_factory=dict)
    grades: dict[int, EvidenceGrade] = field(default_factory=dict)

    @property
    def actuals(self) -> dict[Period, float]:
        """Period -> value, in period order (for the baseline building blocks)."""
        return {p: self.values[p.index] for p in self.periods}


@functools.lru_cache(maxsize=8192)
def _period(index: int, months: Literal[1, 3]) -> Period:
    """`Period(index, months)`, shared: periods are immutable and a register repeats a few dozen."""
    return Period(index, months)


@functools.lru_cache(maxsize=8192)
def _fy_start_year(index: int) -> int:
    """`period.fy_start_year` of the period starting at month `index`, worked out once."""
    return Period(index, 1).fy_start_year


def _to_length(month: Period, months: int) -> Period:
    """The period of `months` length (1 or 3) that contains a month."""
    return month.to_quarter() if months == 3 else month


def _last_month(period: Period) -> Period:
    return Period(period.index + period.months - 1, 1)


def _prepare(
    measurements: Iterable[Measurement], plan: TrajectoryPlan, warnings: list[str]
) -> _Data:
    # (period index, period months, position, measurement, number): sorting these tuples orders
    # them as a stable sort by Period would, comparing ints in C rather than calling Period.__lt__.
    numeric: list[tuple[int, int, int, Measurement, float]] = []
    not_numbers = 0
    for position, m in enumerate(measurements):
        value = _number(m.value)
        if value is not None:
            numeric.append((m.period.index, m.period.months, position, m, value))
        elif m.value not in (None, ""):
            not_numbers += 1
    if not_numbers:
        warnings.append(
            f"left out {not_numbers} of the measurements: they held no number"
        )
    lengths = {item[1] for item in numeric}
    if lengths == {1, 3}:
        warnings.append(
            "measurements mix months and quarters: the months were rolled up to quarters "
            "(each quarter is the mean of its months)"
        )
        rolled = roll_up_to_quarters(item[3] for item in numeric)
        numeric = [
            (m.period.index, m.period.months, position, m, value)
            for position, m in enumerate(rolled)
            if (value := _number(m.value)) is not None
        ]
    months = 3 if 3 in lengths else 1 if lengths else plan.months
    data = _Data(months)
    repeated: list[str] = []
    numeric.sort()
    for index, _, _, m, value in numeric:  # every period has length `months` by now
        if index in data.values:
            repeated.append(str(m.period))
            continue
        data.periods.append(m.period)
        data.values[index] = value
        data.grades[index] = m.evidence_grade
    if repeated:
        warnings.append(
            f"more than one measurement for {', '.join(sorted(set(repeated)))}: the first was used"
        )
    return data


def _number(value: object) -> float | None:
    """A measurement as a number within the plausible bounds, the usual float answered at once.

    NaN is not a number (left out, with a warning); a number beyond ±MAX_MAGNITUDE, an infinity
    included, is a UsageError: the cell parsers refuse it, so only hand-built models get here.
    """
    if type(value) is float and -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        return value  # the usual measurement
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None  # text, a blank, a boolean or NaN: not a number
    within(value, MAX_MAGNITUDE, "measurement")
    return float(value)


def _fixed_baseline(
    benefit: Benefit, data: _Data, start: Period | None, warnings: list[str]
) -> float | None:
    """The single baseline of the given/mean/median/last methods, or None with a warning."""
    method = benefit.baseline_method
    if method is BaselineMethod.GIVEN:
        if benefit.baseline_value is None:
            warnings.append("no baseline_value: give one or choose a computed baseline method")
        return benefit.baseline_value
    # The window in month indexes (as `in_window` takes it), so no date arithmetic can leave
    # the calendar: a realisation_start in January of year 1 has no day before it.
    first = Period.of_date(benefit.baseline_start).index if benefit.baseline_start else None
    last = Period.of_date(benefit.baseline_end).index if benefit.baseline_end else None
    if last is None and start is not None:
        last = start.index - 1  # up to just before realisation starts
    if first is None and last is None:
        warnings.append(
            f"no baseline window and no realisation_start: the {method.value} baseline uses "
            "every measurement"
        )
    values = [
        value
        for period, value in sorted(data.actuals.items())
        if (first is None or period.index >= first)
        and (last is None or period.index + period.months - 1 <= last)
    ]
    if not values:
        if benefit.baseline_value is not None:
            warnings.append(
                "no measurements in the baseline window: baseline_value was used instead"
            )
            return benefit.baseline_value
        warnings.append("no measurements in the baseline window, so no baseline")
        return None
    if len(values) < MIN_BASELINE_POINTS:
        warnings.append(
            f"the {method.value} baseline comes from only {len(values)} of the measurements, fewer than "
            f"{MIN_BASELINE_POINTS}: treat it with caution"
        )
    return compute_baseline(values, method)


def compute_benefit(
    benefit: Benefit,
    measurements: Sequence[Measurement],
    *,
    trajectory: Sequence[TrajectoryPoint] = (),
    as_of: Period,
    base_fy: int | None = None,
    smooth: bool = False,
    thresholds: RagThresholds = DEFAULT_THRESHOLDS,
    every_period: bool = True,
) -> BenefitFigures:
    """Figures for one benefit, its measurements and its Trajectory rows (SPEC §5).

    `series` holds every period from the earliest of the first measurement and
    realisation_start to the later of the last measurement and `as_of` (within the plausible
    window, SPEC §3), for charts; with `every_period=False` only the measured periods, so the
    work is linear in the measurements (the national store). The figures are the same.
    """
    warnings: list[str] = []
    if benefit.benefit_type is BenefitType.QUALITATIVE:
        return _qualitative(benefit)
    for name, limit in BOUNDS:
        within(getattr(benefit, name), limit, f"{benefit.benefit_id}: {name}")

    plan = TrajectoryPlan(trajectory)
    data = _prepare(measurements, plan, warnings)
    m = data.months
    start_month = Period.of_date(benefit.realisation_start) if benefit.realisation_start else None
    start = _to_length(start_month, m) if start_month else None
    as_of_month = _last_month(as_of)
    as_of_p = _to_length(as_of_month, m)

    # Baseline: one number, or one per period (same period last year).
    per_period: dict[Period, float] | None = None
    fixed: float | None = None
    if benefit.baseline_method is BaselineMethod.SAME_PERIOD_LAST_YEAR:
        per_period = same_period_last_year(data.actuals)
    else:
        fixed = _fixed_baseline(benefit, data, start, warnings)
    direction = benefit.direction
    if direction is None:
        warnings.append("no direction (increase or decrease), so no improvement can be worked out")
    financial = benefit.benefit_type.is_financial
    unit_value = benefit.unit_value_gbp
    if financial and unit_value is None:
        warnings.append("no unit_value_gbp, so no realised value or present value")

    # The straight-line plan, unless the Trajectory sheet has rows for this benefit.
    data_periods = data.periods
    plan_start = start or (data_periods[0] if data_periods else None)
    target = benefit.target_value
    n_periods: int | None = None
    has_trajectory = bool(plan)
    if not has_trajectory:
        if target is None or benefit.target_date is None:
            warnings.append("no target_value/target_date and no Trajectory rows, so no plan or RAG")
        elif plan_start is not None:
            target_p = _to_length(Period.of_date(benefit.target_date), m)
            n_periods = periods_inclusive(plan_start, target_p)
            if n_periods < 1:
                warnings.append(
                    "target_date is before realisation_start: planned at target throughout"
                )

    # Straight line: (index of its first period, target, N), when there is one.
    line: tuple[int, float, int] | None = None
    if not has_trajectory and n_periods is not None and target is not None and plan_start is not None:
        line = (plan_start.index, target, n_periods)
    line_start, line_target, line_n = line if line is not None else (0, 0.0, 0)

    # Period by period. Every period here (data, start, as-of) has the benefit's length m, so
    # periods compare by index alone and the lookups are keyed by index: the same results as
    # comparing Periods, without a Python-level __hash__/__lt__ per step. The arithmetic is
    # improvement(), realised_quantity() and realised_value() written out, term for term.
    anchors = [*data_periods[:1], start] if start is not None else data_periods[:1]
    first = min(anchors) if anchors else as_of_p  # data_periods is sorted: its ends will do
    last = max(data_periods[-1], as_of_p) if data_periods else as_of_p
    actuals = data.values
    grades = data.grades
    baselines = None if per_period is None else {p.index: b for p, b in per_period.items()}
    start_index = None if start is None else start.index
    as_of_index = as_of_p.index
    attribution = benefit.attribution_pct
    attribution_ok = 0 <= attribution <= 100  # else realised_quantity() raises its UsageError
    money_per_unit = unit_value if financial else None
    increase: bool | None = None  # as_direction(direction) is INCREASE, once first needed
    rows: list[PeriodFigures] = []
    counted: list[PeriodFigures] = []
    in_window_actuals: list[PeriodFigures] = []
    length = first.months  # == m
    measured = [p.index for p in data_periods]
    indexes = _every_period(first.index, last.index, length, measured) if every_period else measured
    for index in indexes:
        period = _period(index, length)
        actual = actuals.get(index)
        baseline = fixed if baselines is None else baselines.get(index)
        d = q = v = pl = pd = None
        if (baseline is not None and direction is not None) or baselines is None:  # planned level
            if has_trajectory:
                pl = plan.level(period, baseline=baseline)
            elif line is not None and baseline is not None:
                k = (index - line_start) // m + 1
                pl = straight_line_level(baseline, line_target, k=k, n=line_n)
        if baseline is not None and direction is not None:
            if actual is not None:
                if increase is None:
                    increase = as_direction(direction) is Direction.INCREASE
                d = actual - baseline if increase else baseline - actual
                q = d * attribution / 100 if attribution_ok else realised_quantity(d, attribution)
                if money_per_unit is not None:
                    v = q * money_per_unit
            if pl is not None:
                if increase is None:
                    increase = as_direction(direction) is Direction.INCREASE
                pd = pl - baseline if increase else baseline - pl
        in_range = (start_index is None or index >= start_index) and index <= as_of_index
        row = new_period_figures(
            period, actual, baseline, pl, d, pd, q, v, in_range and d is not None, grades.get(index)
        )
        rows.append(row)
        if in_range:
            if actual is not None:
                in_window_actuals.append(row)
            if d is not None:
                counted.append(row)

    if per_period is not None:
        _same_period_warnings(in_window_actuals, warnings)
    computable = direction is not None and (fixed is not None or per_period is not None)

    improvement_total = realised_q = planned_to_date = realised_v = pv = None
    value_by_fy: dict[int, float] = {}
    pv_base: int | None = None
    if computable and counted:  # nothing counted: no figure ("—"), not a realised £0.00
        improvement_total = math.fsum([r.improvement or 0.0 for r in counted])
        realised_q = math.fsum([r.realised_quantity or 0.0 for r in counted])
        planned = [r.planned_improvement for r in counted]
        has_plan = has_trajectory or n_periods is not None
        if has_plan and all(p is not None for p in planned):
            planned_to_date = math.fsum([p or 0.0 for p in planned])
        if financial and unit_value is not None:
            realised_v = math.fsum([r.realised_value_gbp or 0.0 for r in counted])
            value_by_fy = _by_financial_year(counted)
            if base_fy is not None:
                pv_base = base_fy
            elif start_month is not None:
                pv_base = start_month.fy_start_year
            elif counted:
                pv_base = counted[0].period.fy_start_year
            pv = present_value(value_by_fy, base_fy=pv_base) if pv_base is not None else 0.0

    latest = in_window_actuals[-1].actual if in_window_actuals else None
    reported_baseline = fixed
    if per_period is not None:
        reported_baseline = counted[-1].baseline if counted else None
    percent = _percent_of_target(counted, target, smooth=smooth, warnings=warnings)

    # RAG.
    rag: Rag | None = None
    if start_month is not None and as_of_month < start_month:
        rag = Rag.NOT_STARTED
    elif not any(
        p.index in actuals for p in (as_of_p.shift(-m), as_of_p) if start is None or p >= start
    ):
        rag = Rag.NO_DATA
    elif improvement_total is not None and planned_to_date is not None:
        rag = rag_status(improvement_total, planned_to_date, thresholds)

    return BenefitFigures(
        benefit_id=benefit.benefit_id,
        benefit_type=benefit.benefit_type,
        is_disbenefit=benefit.is_disbenefit,
        baseline=reported_baseline,
        latest=latest,
        improvement=improvement_total,
        realised_quantity=realised_q,
        realised_value_gbp=realised_v,
        pv_gbp=pv,
        percent_of_target=percent if computable else None,
        planned_to_date=planned_to_date,
        rag=rag,
        series=rows,
        base_fy=pv_base,
        value_by_fy=value_by_fy,
        warnings=warnings,
    )


def _every_period(first: int, last: int, step: int, measured: list[int]) -> Iterable[int]:
    """Every period of `step` months from `first` to `last`, kept inside the plausible window
    (SPEC §3), and every measured period: a realisation_start in 1900 or an as-of in 2999 can
    never make the walk longer than the window. `measured` is sorted and on the same grid."""
    window_first, window_last = plausible_window()
    low = first if first >= window_first.index else first - (first - window_first.index) // step * step
    high = min(last, window_last.index)
    outside = [i for i in measured if not low <= i <= high]  # hand-built periods only
    return sorted([*range(low, high + 1, step), *outside]) if outside else range(low, high + 1, step)


def _qualitative(benefit: Benefit) -> BenefitFigures:
    """Qualitative benefits have no numbers: their status comes from evidence text."""
    return BenefitFigures(
        benefit_id=benefit.benefit_id,
        benefit_type=benefit.benefit_type,
        is_disbenefit=benefit.is_disbenefit,
        baseline=None,
        latest=None,
        improvement=None,
        realised_quantity=None,
        realised_value_gbp=None,
        pv_gbp=None,
        percent_of_target=None,
        planned_to_date=None,
        rag=Rag.QUALITATIVE,
    )


def _same_period_warnings(in_window: list[PeriodFigures], warnings: list[str]) -> None:
    missing = [str(r.period) for r in in_window if r.baseline is None]
    if missing:
        warnings.append(
            f"no value 12 months earlier for {', '.join(missing)}: those periods are not counted"
        )
    found = len(in_window) - len(missing)
    if found < MIN_BASELINE_POINTS:
        warnings.append(
            f"the same_period_last_year baseline comes from only {found} of its points, fewer than "
            f"{MIN_BASELINE_POINTS}: treat it with caution"
        )


def _by_financial_year(counted: list[PeriodFigures]) -> dict[int, float]:
    groups: dict[int, list[float]] = {}
    for r in counted:
        if r.realised_value_gbp is not None:
            groups.setdefault(_fy_start_year(r.period.index), []).append(r.realised_value_gbp)
    return {fy: math.fsum(values) for fy, values in sorted(groups.items())}


def _percent_of_target(
    counted: list[PeriodFigures], target: float | None, *, smooth: bool, warnings: list[str]
) -> float | None:
    """(latest - b) / (target - b) x 100; with `smooth`, both are means of the last three."""
    if target is None or not counted:
        return None
    chosen = counted[-3:] if smooth else counted[-1:]
    latest = statistics.fmean([r.actual for r in chosen if r.actual is not None])
    baseline = statistics.fmean([r.baseline for r in chosen if r.baseline is not None])
    if target == baseline:
        warnings.append("target_value equals the baseline, so percent of target is undefined")
        return None
    percent = (latest - baseline) / (target - baseline) * 100
    if not math.isfinite(percent):  # a target a hair's breadth from the baseline
        warnings.append("target_value is too close to the baseline for a percent of target")
        return None
    return percent
