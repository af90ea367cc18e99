"""Quarterly roll-up, Trajectory look-ups, and what happens when figures are missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xl_brm.calc import (
    TrajectoryPlan,
    compute_benefit,
    periods_inclusive,
    realised_by_quarter,
    roll_up_to_quarters,
    straight_line_level,
)
from xl_brm.enums import EvidenceGrade
from xl_brm.periods import Period, parse_period

Make = Callable[..., Any]


def test_roll_up_averages_levels(make_series: Make) -> None:
    # Q1 2019/20 = mean(10, 20, 30) = 20; Q2 = Jul only = 40 (1 of 3 months).
    months = make_series({"2019-04": 10, "2019-05": 20, "2019-06": 30, "2019-07": 40})
    months[1] = months[1].model_copy(update={"evidence_grade": EvidenceGrade.ESTIMATED})
    q1, q2 = roll_up_to_quarters(months)
    assert (q1.period, q1.value) == (Period.quarter(2019, 1), 20)
    assert q1.evidence_grade is EvidenceGrade.ESTIMATED  # the weakest of its months
    assert q1.note == "mean of 3 of 3 months (2019-04, 2019-05, 2019-06)"
    assert (q2.period, q2.value, q2.note) == (
        Period.quarter(2019, 2),
        40,
        "mean of 1 of 3 months (2019-07)",
    )


def test_roll_up_prefers_a_measured_quarter(make_series: Make) -> None:
    mixed = make_series({"2019-04": 10, "2019-05": 20, "2019/20 Q1": 99, "2019-06": "n/a"})
    (only,) = roll_up_to_quarters(mixed)
    assert only.value == 99


def test_quarterly_realised_is_the_sum_of_months(make_benefit: Make, make_series: Make) -> None:
    # Nurse hours (example 3): Apr-Jun d = 3, 6, 9 -> Q1 quantity 18, value 18 x £20 = £360;
    # a rolled-up level would be mean(15, 18, 21) = 18, but realised amounts add up.
    benefit = make_benefit(
        benefit_type="non_cash_releasing",
        direction="increase",
        baseline_value=12,
        realisation_start="2019-04-01",
        unit_value_gbp=20,
    )
    series = make_series({"2019-04": 15, "2019-05": 18, "2019-06": 21, "2019-07": 22})
    figures = compute_benefit(benefit, series, as_of=parse_period("2019-07"))
    q1, q2 = realised_by_quarter(figures.series)
    assert (q1.period, q1.realised_quantity, q1.realised_value_gbp) == (
        Period.quarter(2019, 1),
        18,
        360,
    )
    assert (q2.realised_quantity, q2.realised_value_gbp) == (10, 200)


def test_mixed_months_and_quarters_are_rolled_up_with_a_warning(
    make_benefit: Make, make_series: Make
) -> None:
    benefit = make_benefit(direction="increase", baseline_value=10, unit_value_gbp=1)
    series = make_series({"2019-04": 12, "2019-05": 14, "2019-06": 16, "2019/20 Q2": 20})
    figures = compute_benefit(benefit, series, as_of=parse_period("2019/20 Q2"))
    # Q1 = mean(12, 14, 16) = 14 -> d = 4; Q2 = 20 -> d = 10.
    assert [r.improvement for r in figures.series] == [4, 10]
    assert any("mix months and quarters" in w for w in figures.warnings)


def test_straight_line_pieces_by_hand() -> None:
    # Apr-19 .. Mar-20 = 12 months; 2019/20 Q1 .. 2020/21 Q2 = 6 quarters.
    assert periods_inclusive(parse_period("2019-04"), parse_period("2020-03")) == 12
    assert periods_inclusive(Period.quarter(2019, 1), Period.quarter(2020, 2)) == 6
    assert straight_line_level(100, 70, k=0, n=12) == 100  # before the plan starts
    assert straight_line_level(100, 70, k=4, n=12) == 90  # 100 - 30 x 4/12
    assert straight_line_level(100, 70, k=13, n=12) == 70  # after the target date
    assert straight_line_level(100, 70, k=1, n=0) == 70  # target date before the start


def test_trajectory_lookups_across_period_lengths(make_trajectory: Make) -> None:
    quarterly = TrajectoryPlan(make_trajectory({"2019/20 Q1": 10, "2019/20 Q2": 20}))
    assert quarterly.level(parse_period("2019-05"), baseline=0) == 10  # month in a quarter
    assert quarterly.level(parse_period("2019-03"), baseline=7) == 7  # before the first point
    assert quarterly.level(parse_period("2020-01"), baseline=0) == 20  # holds the last point
    monthly = TrajectoryPlan(make_trajectory({"2019-04": 3, "2019-05": 6}))
    assert monthly.level(Period.quarter(2019, 1), baseline=0) == 4.5  # mean of Apr, May


def test_missing_inputs_give_warnings_not_errors(make_benefit: Make, make_series: Make) -> None:
    benefit = make_benefit()  # no direction, no baseline, no unit value
    series = make_series({"2019-04": 1, "2019-05": "about ten"})
    figures = compute_benefit(benefit, series, as_of=parse_period("2019-05"))
    assert figures.improvement is None
    assert figures.realised_value_gbp is None
    assert figures.pv_gbp is None
    assert figures.latest == 1
    text = " | ".join(figures.warnings)
    for expected in ("held no number", "no baseline_value", "no direction", "no unit_value_gbp"):
        assert expected in text


def test_baseline_from_few_points_warns_and_empty_window_falls_back(
    make_benefit: Make, make_series: Make
) -> None:
    common = {
        "direction": "increase",
        "baseline_method": "mean",
        "baseline_start": "2019-01-01",
        "baseline_end": "2019-02-28",
        "realisation_start": "2019-04-01",
        "unit_value_gbp": 1,
    }
    two = compute_benefit(
        make_benefit(**common),
        make_series({"2019-01": 10, "2019-02": 20, "2019-04": 30}),
        as_of=parse_period("2019-04"),
    )
    assert two.baseline == 15  # (10 + 20) / 2
    assert any("from only 2 of the measurements, fewer than 3" in w for w in two.warnings)
    none = compute_benefit(
        make_benefit(**common, baseline_value=25),
        make_series({"2019-04": 30}),
        as_of=parse_period("2019-04"),
    )
    assert none.baseline == 25
    assert any("baseline_value was used instead" in w for w in none.warnings)


def test_duplicate_periods_use_the_first(make_benefit: Make, make_series: Make) -> None:
    benefit = make_benefit(direction="increase", baseline_value=0, unit_value_gbp=1)
    series = make_series({"2019-04": 5}) + make_series({"Apr-19": 9})
    figures = compute_benefit(benefit, series, as_of=parse_period("2019-04"))
    assert figures.improvement == 5
    assert any("more than one measurement for 2019-04" in w for w in figures.warnings)


@pytest.mark.parametrize("as_of", ["2019-04", "2019/20 Q1"])
def test_to_json_detail(make_benefit: Make, make_series: Make, as_of: str) -> None:
    benefit = make_benefit(direction="increase", baseline_value=0, unit_value_gbp=1 / 3)
    figures = compute_benefit(benefit, make_series({"2019-04": 1}), as_of=parse_period(as_of))
    detail = figures.to_json(detail=True)
    assert detail["realised_value_gbp"] == 0.33  # 1 x £1/3, shown to the penny
    assert detail["series"][0]["period"] == "2019-04"
    assert detail["value_by_fy"] == {"2019": 0.33}
    assert figures.to_json(rounded=False)["realised_value_gbp"] == 1 / 3
