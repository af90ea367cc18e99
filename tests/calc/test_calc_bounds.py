"""The calculations never produce inf or NaN (SPEC §2.1, §5), and their work is bounded.

Property tests generate benefits at and inside the plausible bounds the cell parsers enforce
(measurements, baselines and targets within ±1e12, unit values within £1bn, attribution 0-100,
periods inside the window, dates anywhere): every figure, every period row and every present
value is finite. Outside the bounds a building block says so (UsageError), never hands on inf.
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_brm.calc import (
    TrajectoryPlan,
    compute_baseline,
    compute_benefit,
    improvement,
    present_value,
    realised_by_quarter,
    realised_quantity,
    realised_value,
    straight_line_level,
)
from xl_brm.enums import BaselineMethod, BenefitType, Direction, EvidenceGrade
from xl_brm.errors import UsageError
from xl_brm.model import Benefit, Measurement, TrajectoryPoint
from xl_brm.normalise import MAX_MAGNITUDE, MAX_UNIT_VALUE_GBP
from xl_brm.periods import Period, plausible_window

FIRST, LAST = plausible_window()
PROPERTY = settings(
    max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


def bounded(limit: float) -> st.SearchStrategy[float]:
    """Floats within ±limit, with the bounds themselves and tiny and zero values favoured."""
    edges = [limit, -limit, 0.0, 5e-324, -5e-324, 1e-300, limit / 3, -limit / 7]
    return st.one_of(st.sampled_from(edges), st.floats(min_value=-limit, max_value=limit, allow_nan=False))


DATES = st.one_of(st.sampled_from([date(1, 1, 1), date(9999, 12, 31)]), st.dates())
MONTHS = st.integers(min_value=FIRST.index, max_value=LAST.index)


@st.composite
def benefits(draw: st.DrawFn) -> tuple[Benefit, list[Measurement], list[TrajectoryPoint], Period, int | None]:
    benefit = Benefit.model_construct(
        **{
            "benefit_id": "B1",
            "trust_ods": "RJ1",
            "programme": "GDE",
            "project": "EPMA",
            "title": "t",
            "benefit_type": draw(st.sampled_from([t for t in BenefitType if t.value != "qualitative"])),
            "category": "safety_quality",
            "benefit_owner": "o",
            "approval_status": "approved",
            "is_disbenefit": draw(st.booleans()),
            "direction": draw(st.sampled_from([*Direction, None])),
            "baseline_value": draw(st.one_of(st.none(), bounded(MAX_MAGNITUDE))),
            "baseline_method": draw(st.sampled_from(list(BaselineMethod))),
            "baseline_start": draw(st.one_of(st.none(), DATES)),
            "baseline_end": draw(st.one_of(st.none(), DATES)),
            "target_value": draw(st.one_of(st.none(), bounded(MAX_MAGNITUDE))),
            "target_date": draw(st.one_of(st.none(), DATES)),
            "realisation_start": draw(st.one_of(st.none(), DATES)),
            "unit_value_gbp": draw(st.one_of(st.none(), bounded(MAX_UNIT_VALUE_GBP))),
            "attribution_pct": draw(st.one_of(st.sampled_from([0.0, 100.0, 1e-300]), st.floats(0, 100))),
        }
    )
    quarterly = draw(st.booleans())
    indexes = draw(st.lists(MONTHS, min_size=0, max_size=30, unique=True))
    periods = {Period(i - i % 3, 3) if quarterly else Period(i, 1) for i in indexes}
    measurements = [
        Measurement.model_construct(
            benefit_id="B1",
            period=p,
            value=draw(bounded(MAX_MAGNITUDE)),
            evidence_grade=draw(st.sampled_from(list(EvidenceGrade))),
        )
        for p in sorted(periods)
    ]
    plan_months = draw(st.lists(MONTHS, max_size=6, unique=True)) if draw(st.booleans()) else []
    trajectory = [
        TrajectoryPoint.model_construct(
            benefit_id="B1", period=Period(i, 1), planned_value=draw(bounded(MAX_MAGNITUDE))
        )
        for i in plan_months
    ]
    as_of = Period(draw(MONTHS), 1)
    base_fy = draw(st.one_of(st.none(), st.integers(FIRST.fy_start_year, LAST.fy_start_year)))
    return benefit, measurements, trajectory, as_of, base_fy


def finite_or_none(value: float | None) -> bool:
    return value is None or math.isfinite(value)


@PROPERTY
@given(case=benefits())
def test_no_figure_is_ever_inf_or_nan_within_the_bounds(case: Any) -> None:
    benefit, measurements, trajectory, as_of, base_fy = case
    figures = compute_benefit(benefit, measurements, trajectory=trajectory, as_of=as_of, base_fy=base_fy)
    for name in ("baseline", "latest", "improvement", "realised_quantity", "realised_value_gbp", "pv_gbp",
                 "percent_of_target", "planned_to_date"):
        assert finite_or_none(getattr(figures, name)), name
    assert all(math.isfinite(v) for v in figures.value_by_fy.values())
    for row in figures.series:
        for name in ("actual", "baseline", "planned_level", "improvement", "planned_improvement",
                     "realised_quantity", "realised_value_gbp"):
            assert finite_or_none(getattr(row, name)), (row.period, name)
    for quarter in realised_by_quarter(figures.series):
        assert math.isfinite(quarter.realised_quantity) and finite_or_none(quarter.realised_value_gbp)
    # the store's measured-periods-only walk gives the same figures
    lean = compute_benefit(
        benefit, measurements, trajectory=trajectory, as_of=as_of, base_fy=base_fy, every_period=False
    )
    assert lean.to_json(rounded=False) == figures.to_json(rounded=False)
    assert lean.value_by_fy == figures.value_by_fy
    assert [r.period for r in lean.series] == [m.period for m in measurements]


def test_the_issue_s_unit_value_is_refused_not_summed_to_inf(make_benefit: Any, make_series: Any) -> None:
    """9.9e307 per unit once crashed compute with `ValueError: -inf + inf in fsum`."""
    benefit = make_benefit(direction="decrease", baseline_value=100, unit_value_gbp=9.9e307)
    series = make_series({"2019-04": 90, "2019-05": 110})
    with pytest.raises(UsageError, match=r"unit_value_gbp 9\.9e\+307 is beyond the plausible limit"):
        compute_benefit(benefit, series, as_of=Period.month(2019, 5))


@pytest.mark.parametrize("field", ["baseline_value", "target_value"])
def test_benefit_figures_beyond_1e12_are_refused(make_benefit: Any, field: str) -> None:
    benefit = make_benefit(direction="increase", **{"baseline_value": 1, "target_value": 2, field: -1.5e12})
    with pytest.raises(UsageError, match=f"B1: {field} -1500000000000.0 is beyond"):
        compute_benefit(benefit, [], as_of=Period.month(2019, 5))


def test_measurements_beyond_1e12_are_refused_and_nan_is_not_a_number(make_benefit: Any) -> None:
    benefit = make_benefit(direction="increase", baseline_value=1)
    def m(value: float) -> Measurement:
        return Measurement.model_construct(
            benefit_id="B1", period=Period.month(2019, 4), value=value, evidence_grade=EvidenceGrade.MEASURED
        )
    for wild in (math.inf, -math.inf, 2e12, 10**13):
        with pytest.raises(UsageError, match="measurement"):
            compute_benefit(benefit, [m(wild)], as_of=Period.month(2019, 5))
    figures = compute_benefit(benefit, [m(math.nan)], as_of=Period.month(2019, 5))
    # nothing was counted, so there is no figure (None, shown as "—"), and a warning says why
    assert figures.improvement is None and "held no number" in figures.warnings[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda: improvement(-1.7e308, 1.7e308, "increase"),
        lambda: improvement(math.nan, 1.0, "decrease"),
        lambda: realised_quantity(math.inf, 50),
        lambda: realised_value(1e200, 1e200),
        lambda: compute_baseline([1.7e308, 1.7e308], "mean"),
        lambda: compute_baseline([math.inf], "last"),
        lambda: present_value({2019: 1.7e308, 2020: 1.7e308}, base_fy=2019),
        lambda: present_value({2019: 1e300}, base_fy=2019 + 70_000),
        lambda: straight_line_level(-1.7e308, 1.7e308, k=1, n=2),
    ],
)
def test_building_blocks_refuse_rather_than_return_inf_or_nan(call: Any) -> None:
    with pytest.raises(UsageError, match="too large to work out"):
        call()


def test_building_blocks_at_the_bounds_stay_finite() -> None:
    d = improvement(-MAX_MAGNITUDE, MAX_MAGNITUDE, "increase")
    assert d == 2e12
    assert realised_value(realised_quantity(d, 100), MAX_UNIT_VALUE_GBP) == 2e21
    assert present_value({FIRST.fy_start_year: 2e21 * 600}, base_fy=LAST.fy_start_year) < 1e26


def test_percent_of_target_with_a_target_a_hair_from_the_baseline(
    make_benefit: Any, make_series: Any
) -> None:
    benefit = make_benefit(
        direction="increase", baseline_value=0.0, target_value=5e-324, target_date="2020-03-01",
        realisation_start="2019-04-01",
    )
    figures = compute_benefit(benefit, make_series({"2019-04": 1e12}), as_of=Period.month(2019, 4))
    assert figures.percent_of_target is None
    assert any("too close to the baseline" in w for w in figures.warnings)


def test_a_walk_never_outgrows_the_window(make_benefit: Any, make_series: Any) -> None:
    """Dates from year 1 to 9999 once made compute walk 120,000 empty months per benefit."""
    benefit = make_benefit(
        direction="decrease", baseline_value=100, target_value=50, target_date="9999-12-31",
        realisation_start="0001-01-01", unit_value_gbp=10,
    )
    series = make_series({str(FIRST): 90, str(LAST): 80})
    start = time.perf_counter()
    figures = compute_benefit(benefit, series, as_of=LAST)
    assert time.perf_counter() - start < 1.0
    assert len(figures.series) == LAST.index - FIRST.index + 1  # every month of the window, no more
    assert figures.series[0].period == FIRST and figures.series[-1].period == LAST
    assert figures.realised_quantity == 10 + 20
    lean = compute_benefit(benefit, series, as_of=LAST, every_period=False)
    assert [r.period for r in lean.series] == [FIRST, LAST]
    assert lean.realised_value_gbp == figures.realised_value_gbp == 300


def test_hand_built_periods_outside_the_window_are_still_counted(make_benefit: Any) -> None:
    benefit = make_benefit(direction="increase", baseline_value=0, unit_value_gbp=1)
    far = [
        Measurement.model_construct(benefit_id="B1", period=Period.month(1990, 1), value=1.0,
                                    evidence_grade=EvidenceGrade.MEASURED),
        Measurement.model_construct(benefit_id="B1", period=Period.month(2019, 1), value=2.0,
                                    evidence_grade=EvidenceGrade.MEASURED),
    ]
    figures = compute_benefit(benefit, far, as_of=Period.month(2019, 1))
    assert figures.realised_quantity == 3.0
    assert figures.series[0].period == Period.month(1990, 1)


# ------------------------------------------------------------------ trajectory look-ups


def reference_level(points: dict[Period, float], period: Period, baseline: float | None) -> float | None:
    """The plan's rule written plainly (the scan TrajectoryPlan used before its binary search)."""
    if period in points:
        return points[period]
    if period.months == 1 and period.to_quarter() in points:
        return points[period.to_quarter()]
    if period.months == 3:
        months = [points[m] for m in period.month_periods() if m in points]
        if months:
            return sum(months) / len(months)
    earlier = [v for p, v in sorted(points.items()) if p.index + p.months - 1 < period.index]
    return earlier[-1] if earlier else baseline


PLAN_PERIODS = st.builds(
    lambda i, quarter: Period(i - i % 3, 3) if quarter else Period(i, 1),
    st.integers(24_000, 24_060),
    st.booleans(),
)


@PROPERTY
@given(
    points=st.dictionaries(PLAN_PERIODS, st.integers(-100, 100).map(float), max_size=12),
    period=PLAN_PERIODS,
)
def test_trajectory_look_ups_match_the_plain_rule(points: dict[Period, float], period: Period) -> None:
    plan = TrajectoryPlan(
        TrajectoryPoint.model_construct(benefit_id="B1", period=p, planned_value=v) for p, v in points.items()
    )
    expected = reference_level(points, period, 7.0)
    got = plan.level(period, baseline=7.0)
    assert got == pytest.approx(expected) if expected is not None else got is None
