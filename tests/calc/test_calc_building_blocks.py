"""The pure building blocks the cell functions call: one formula each, checked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from xl_brm import calc
from xl_brm.calc import (
    compute_baseline,
    improvement,
    in_window,
    realised_quantity,
    realised_value,
    round_half_up,
    same_period_last_year,
)
from xl_brm.enums import BaselineMethod, Direction
from xl_brm.errors import UsageError
from xl_brm.periods import Period, parse_period


def test_public_names_are_sorted_and_exist() -> None:
    assert calc.__all__ == sorted(calc.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n))
    for name in calc.__all__:
        assert hasattr(calc, name), name


# d(p) = a(p) - b for increase; b - a(p) for decrease.
@pytest.mark.parametrize(
    ("baseline", "actual", "direction", "expected"),
    [
        (100, 85, Direction.DECREASE, 15),  # 100 - 85
        (100, 85, "increase", -15),  # 85 - 100
        (60, 73, "Higher is better", 13),  # 73 - 60, a human spelling
        (100, 120, "Lower is better", -20),  # 100 - 120: worse, so negative
    ],
)
def test_improvement_by_direction(
    baseline: float, actual: float, direction: str, expected: float
) -> None:
    assert improvement(baseline, actual, direction) == expected


def test_improvement_rejects_an_unknown_direction() -> None:
    with pytest.raises(UsageError, match="'sideways' is not a direction"):
        improvement(1, 2, "sideways")


def test_realised_quantity_and_value() -> None:
    # q = d x attribution / 100 = 15 x 80 / 100 = 12; v = q x unit value = 12 x £50 = £600
    q = realised_quantity(15, 80)
    assert q == 12
    assert realised_value(q, 50) == 600
    assert realised_quantity(15) == 15  # attribution defaults to 100%


@pytest.mark.parametrize("pct", [-1, 100.5])
def test_realised_quantity_rejects_attribution_outside_0_to_100(pct: float) -> None:
    with pytest.raises(UsageError, match="outside 0-100"):
        realised_quantity(10, pct)


def test_compute_baseline_methods() -> None:
    values = [10, 14, 12, 30]
    assert compute_baseline(values, BaselineMethod.MEAN) == 16.5  # (10+14+12+30)/4 = 66/4
    assert compute_baseline(values, "median") == 13  # sorted 10,12,14,30 -> (12+14)/2
    assert compute_baseline(values, "Latest") == 30  # last in period order
    assert compute_baseline([7]) == 7  # mean by default


@pytest.mark.parametrize(
    ("values", "method", "message"),
    [
        ([], "mean", "no measurements"),
        ([1.0], "given", "baseline_value cell itself"),
        ([1.0], "same_period_last_year", "one baseline per period"),
        ([1.0], "typical", "'typical' is not a baseline method"),
    ],
)
def test_compute_baseline_refuses_clearly(values: list[float], method: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        compute_baseline(values, method)


def test_a_period_lies_in_the_window_when_all_its_months_do() -> None:
    start, end = date(2019, 1, 15), date(2019, 6, 10)  # window = months Jan..Jun 2019
    assert in_window(parse_period("2019-01"), start, end)
    assert in_window(parse_period("2019-06"), start, end)
    assert not in_window(parse_period("2018-12"), start, end)
    assert not in_window(parse_period("2019-07"), start, end)
    assert in_window(parse_period("2018/19 Q4"), start, end)  # Jan-Mar 2019
    assert not in_window(parse_period("2018/19 Q3"), start, end)  # Oct-Dec 2018
    assert in_window(parse_period("2019/20 Q1"), start, end)  # Apr-Jun 2019
    assert not in_window(parse_period("2019/20 Q1"), start, date(2019, 5, 31))  # June is outside
    assert in_window(parse_period("2010-01"), None, None)


def test_same_period_last_year_months_and_quarters() -> None:
    # Each period's baseline is the value 12 months earlier (a quarter: the same quarter
    # a year earlier).
    values = {
        parse_period("2018-04"): 50.0,
        parse_period("2019-04"): 45.0,
        parse_period("2019-05"): 46.0,  # no May 2018: no baseline
        Period.quarter(2018, 1): 10.0,
        Period.quarter(2019, 1): 8.0,
    }
    assert same_period_last_year(values) == {
        parse_period("2019-04"): 50.0,
        Period.quarter(2019, 1): 10.0,
    }


def test_round_half_up_is_for_display_only() -> None:
    assert round_half_up(2.675, 2) == 2.68  # Python's round() gives 2.67 (binary 2.67499…)
    assert round_half_up(3518.840579710145, 2) == 3518.84
    assert round_half_up(-0.001, 2) == 0.0
    assert str(round_half_up(-0.001, 2)) == "0.0"  # never "-0.0"
    assert round_half_up(None, 2) is None
