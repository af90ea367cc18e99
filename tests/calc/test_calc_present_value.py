"""Green Book present value (SPEC §5.3), against figures worked by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xl_brm.calc import compute_benefit, discount_factor, present_value, rate_for_year
from xl_brm.errors import UsageError
from xl_brm.periods import parse_period

MakeBenefit = Callable[..., Any]
MakeSeries = Callable[..., Any]


def test_spec_worked_example() -> None:
    # SPEC §5.3: £1,200 in 2019/20 and £2,400 in 2020/21, base 2019/20:
    # PV = 1,200 x 1 + 2,400 x 1/1.035 = 1,200 + 2,318.840579... = £3,518.84
    pv = present_value({2019: 1200.0, 2020: 2400.0}, base_fy=2019)
    assert pv == pytest.approx(1200 + 2400 / 1.035, abs=1e-9)
    assert round(pv, 2) == 3518.84


@pytest.mark.parametrize(
    ("k", "rate"),
    [
        (1, 0.035),
        (30, 0.035),
        (31, 0.03),
        (75, 0.03),
        (76, 0.025),
        (125, 0.025),
        (126, 0.02),
        (301, 0.01),
    ],
)
def test_rate_bands(k: int, rate: float) -> None:
    assert rate_for_year(k) == rate


def test_discount_factor_by_hand() -> None:
    assert discount_factor(0) == 1.0
    assert discount_factor(1) == pytest.approx(1 / 1.035)  # 0.966184
    assert discount_factor(30) == pytest.approx(1 / 1.035**30)  # 1/2.806794 = 0.356278
    # Across the 30/31 boundary: year 31 is discounted at 3.0%, not 3.5%.
    # factor(31) = 1/1.035^30 x 1/1.03 = 0.356278 / 1.03 = 0.345901
    assert discount_factor(31) == pytest.approx(1 / 1.035**30 * 1 / 1.03, rel=1e-12)
    assert discount_factor(31) == pytest.approx(0.3459013695, abs=1e-10)
    # factor(76) = 1/1.035^30 x 1/1.03^45 x 1/1.025 = 0.094214 / 1.025 = 0.091916
    assert discount_factor(76) == pytest.approx(1 / (1.035**30 * 1.03**45 * 1.025), rel=1e-12)


def test_pv_across_the_30_31_year_boundary() -> None:
    # £1,000 in each of 2019/20 (n=0), 2049/50 (n=30) and 2050/51 (n=31), base 2019/20:
    # 1,000 + 1,000 x 0.3562784 + 1,000 x 0.3562784/1.03 = 1,000 + 356.2784 + 345.9014 = £1,702.18
    pv = present_value({2019: 1000.0, 2049: 1000.0, 2050: 1000.0}, base_fy=2019)
    assert round(pv, 2) == 1702.18


def test_values_before_the_base_year_are_compounded_forward() -> None:
    # Base 2020/21: the 2019/20 £1,200 is one year earlier, so x 1.035 = £1,242.00;
    # PV = 1,242 + 2,400 = £3,642.00. factor(-n) is 1/factor(n).
    assert present_value({2019: 1200.0, 2020: 2400.0}, base_fy=2020) == pytest.approx(3642.0)
    assert discount_factor(-31) == pytest.approx(1.035**30 * 1.03)


def test_silly_horizons_do_not_hang_or_crash() -> None:
    assert discount_factor(10**9) == 0.0
    with pytest.raises(UsageError):
        discount_factor(-(10**9))
    with pytest.raises(UsageError):
        discount_factor(1.5)  # type: ignore[arg-type]


def test_base_year_defaults_to_realisation_start_and_can_be_overridden(
    make_benefit: MakeBenefit, make_series: MakeSeries
) -> None:
    # Baseline 0, increase, £100 a unit: 12 units in Jun 2019 = £1,200 (FY 2019/20),
    # 24 units in Jun 2020 = £2,400 (FY 2020/21): the SPEC example through a whole benefit.
    benefit = make_benefit(
        direction="increase", baseline_value=0, unit_value_gbp=100, realisation_start="2019-04-01"
    )
    measurements = make_series({"2019-06": 12, "2020-06": 24})
    as_of = parse_period("2020-06")

    default = compute_benefit(benefit, measurements, as_of=as_of)
    assert default.base_fy == 2019
    assert default.value_by_fy == {2019: 1200.0, 2020: 2400.0}
    assert default.to_json()["pv_gbp"] == 3518.84

    # --base-fy 2020/21: 1,200 x 1.035 + 2,400 = £3,642.00
    later = compute_benefit(benefit, measurements, as_of=as_of, base_fy=2020)
    assert later.base_fy == 2020
    assert later.to_json()["pv_gbp"] == 3642.00

    # --base-fy 2018/19: 1,200/1.035 + 2,400/1.035^2 = 1,159.42 + 2,240.43 = £3,399.85
    earlier = compute_benefit(benefit, measurements, as_of=as_of, base_fy=2018)
    assert earlier.to_json()["pv_gbp"] == 3399.85


def test_blank_realisation_start_uses_the_first_counted_period(
    make_benefit: MakeBenefit, make_series: MakeSeries
) -> None:
    benefit = make_benefit(direction="increase", baseline_value=0, unit_value_gbp=100)
    figures = compute_benefit(
        benefit, make_series({"2020-03": 12, "2020-04": 24}), as_of=parse_period("2020-04")
    )
    # First counted period is Mar 2020, in FY 2019/20: 1,200 + 2,400/1.035 = £3,518.84
    assert figures.base_fy == 2019
    assert figures.to_json()["pv_gbp"] == 3518.84
