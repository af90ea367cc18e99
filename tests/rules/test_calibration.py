"""Warnings calibrated on ordinary registers (issue 13): history recorded before a go-live and a
go-live's ramp from near zero say nothing; a year typed wrong and a slipped decimal point still
do, at their own cell. Each threshold is tested at, inside and outside it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rules_workbooks import CLEAN_BENEFIT, cell, clean_parts, months, validate

from xl_brm.validate import HISTORY_MONTHS


def _with(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    parts = clean_parts()
    parts["Measurements"] = rows + parts["Measurements"]
    return parts


def _at(parts: dict[str, list[dict[str, Any]]], code: str) -> list[str | None]:
    return [f.cell for f in validate(parts).findings if f.code == code]


def test_the_history_allowance_is_three_years() -> None:
    assert HISTORY_MONTHS == 36


@pytest.mark.parametrize(
    ("period", "reported"),
    [
        ("2019-03", False),  # the month before baseline_start (01/04/2019): ordinary history
        ("2017-04", False),  # two years before: inside the allowance
        ("2016-04", False),  # ends exactly three years before: at the allowance
        ("2016-03", True),  # ends three years and a month before: outside it
        ("2009-04", True),  # 2009 typed for 2019
        ("2015/16 Q4", True),  # a quarter ending March 2016: outside
        ("2016/17 Q1", False),  # a quarter ending June 2016: inside
    ],
)
def test_brm404_only_for_periods_years_before_the_benefits_dates(period: str, reported: bool) -> None:
    parts = clean_parts()
    parts["Measurements"].insert(0, {**months("EPMA-01", (2019, 1), [119.0])[0], "period": period})
    found = _at(parts, "BRM404")
    assert found == ([cell(parts, "Measurements", "period", 0)] if reported else [])


def test_two_years_of_monthly_history_before_the_baseline_say_nothing() -> None:
    history = months("EPMA-01", (2017, 4), [float(118 + k % 5) for k in range(24)])  # 2017-04 .. 2019-03
    findings = validate(_with(history)).findings
    assert findings == []


def test_a_year_typo_among_history_is_reported_once_at_its_cell() -> None:
    history = months("EPMA-01", (2018, 4), [float(118 + k % 5) for k in range(12)])
    history[5]["period"] = "2008-09"  # 2008 typed for 2018
    parts = _with(history)
    (finding,) = validate(parts).findings  # and no BRM504 for the ten-year 'gap' beside it
    assert (finding.code, finding.cell) == ("BRM404", cell(parts, "Measurements", "period", 5))
    assert "more than 3 years before the benefit's baseline_start 01/04/2019" in finding.message


def test_the_message_counts_from_the_earlier_of_the_two_dates() -> None:
    parts = clean_parts()
    parts["Benefits"][0]["realisation_start"] = "01/10/2022"  # later than baseline_start: not used
    parts["Measurements"].insert(0, {**parts["Measurements"][0], "period": "2016-03"})
    (finding,) = [f for f in validate(parts).findings if f.code == "BRM404"]
    assert "baseline_start 01/04/2019" in finding.message


def _series(values: list[float]) -> dict[str, list[dict[str, Any]]]:
    parts = clean_parts()
    parts["Measurements"] = months("EPMA-01", (2019, 10), values)
    return parts


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 12.0, 130.0, 400.0, 410.0, 405.0],  # a go-live ramp from near zero, from the first month
        [0.0, 0.0, 1.0, 12.0, 130.0, 400.0, 410.0],  # zeros, then the ramp
        [2.0, 3.0, 40.0, 350.0, 900.0, 950.0],  # `0, 3, 40, 350, 900` of the rule's text
        [400.0, 390.0, 130.0, 12.0, 1.0],  # paper forms falling to near zero after go-live
        [120.0, 118.0, 12.0, 11.0, 12.0],  # a step change, not a spike
    ],
)
def test_ramps_and_steps_are_not_far_from_their_neighbours(values: list[float]) -> None:
    assert _at(_series(values), "BRM501") == []


@pytest.mark.parametrize(
    ("values", "at"),
    [
        ([95.0, 90.0, 8800.0, 88.0, 88.0], 2),  # the rule's own example
        ([48.0, 49.0, 4.7, 50.0, 48.0], 2),  # a slipped decimal point, below its neighbours
        ([46.0, 47.0, 45.0, 4700.0], 3),  # the latest month typed wrong: above a flat series
        ([4.8, 50.0, 49.0, 51.0], 0),  # the first month typed wrong: not a ramp (50 > 49)
    ],
)
def test_a_value_standing_alone_is_still_reported_at_its_cell(values: list[float], at: int) -> None:
    parts = _series(values)
    assert _at(parts, "BRM501") == [cell(parts, "Measurements", "value", at)]


def test_the_ramp_edge_at_exactly_ten_times() -> None:
    """FAR is 10: a value exactly ten times away is not far; just over ten times is."""
    assert _at(_series([45.0, 45.0, 45.0, 450.0]), "BRM501") == []
    parts = _series([45.0, 45.0, 45.0, 451.0])
    assert _at(parts, "BRM501") == [cell(parts, "Measurements", "value", 3)]


def test_clean_benefit_is_untouched() -> None:
    assert CLEAN_BENEFIT["baseline_start"].year == 2019  # the dates the cases above count from


def test_a_future_year_typo_is_one_brm405_and_no_gap_beside_it() -> None:
    parts = clean_parts()
    epma = [m for m in parts["Measurements"] if m["benefit_id"] == "EPMA-01"]
    at = len(epma)  # right after EPMA-01's last month, 2020-03
    parts["Measurements"].insert(at, {**epma[-1], "period": "2022-04"})  # 2020 typed wrong; today 01/06/2021
    findings = validate(parts).findings
    assert [(f.code, f.cell) for f in findings] == [("BRM405", cell(parts, "Measurements", "period", at))]
