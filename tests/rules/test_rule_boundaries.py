"""Every comparison rule at its boundary: at the limit, just inside and just outside (issue 12).

A rule that compares (a percentage within 0-100, a target above its baseline, a value ten times
its neighbours...) is only pinned down when a test sits on the limit itself: a mutation turning
BRM302's `<=` into `<` passed every suite before these. Each case goes through the public entry
points (`validate_row` for one Benefits row, `validate_workbook` for a register), so the tests
hold whatever shape the engine takes inside. `tests/rules/mutate.py` runs them against mutants.

Cases are (label, input, whether the rule fires). The same clean register of `rules_workbooks`
is the starting point, one cell changed at a time.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from rules_workbooks import CLEAN_BENEFIT, TODAY, clean_parts, months, validate

from xl_brm.periods import plausible_window
from xl_brm.validate import validate_row

DAY = timedelta(days=1)


def row_codes(**changes: Any) -> list[str]:
    """The codes `validate_row` gives the clean benefit with some cells changed."""
    return [f.code for f in validate_row({**CLEAN_BENEFIT, **changes}, today=TODAY)]


def register_codes(values: list[Any] | None = None, *, first: tuple[int, int] = (2019, 4),
                   extra: list[dict[str, Any]] | None = None, **changes: Any) -> list[tuple[str, str]]:
    """(code, cell) of every finding on the clean register, the cash-releasing benefit's cells
    changed and its readings replaced by `values` (monthly from `first`) plus `extra` rows."""
    parts = clean_parts()
    parts["Benefits"][0].update(changes)
    if values is not None:
        parts["Measurements"] = [m for m in parts["Measurements"] if m["benefit_id"] != "EPMA-01"]
        parts["Measurements"][:0] = months("EPMA-01", first, values) + (extra or [])
    return [(f.code, f.cell or "") for f in validate(parts).findings]


def fires(code: str, found: list[str] | list[tuple[str, str]]) -> bool:
    return any((c if isinstance(c, str) else c[0]) == code for c in found)


def check(code: str, cases: list[tuple[str, Any, bool]], run: Any) -> None:
    wrong = [(label, value, expected) for label, value, expected in cases
             if fires(code, run(value)) is not expected]
    assert not wrong, f"{code} wrong at: " + "; ".join(
        f"{label} ({value!r}) should {'fire' if exp else 'pass'}" for label, value, exp in wrong)


# ------------------------------------------------------------------ cells


def test_brm206_attribution_is_0_to_100_inclusive() -> None:
    check("BRM206", [
        ("at 0", "0%", False), ("just inside 0", "0.01%", False), ("just below 0", "-0.01%", True),
        ("at 100", "100%", False), ("just inside 100", "99.99%", False),
        ("just above 100", "100.01%", True), ("number at 100", 100, False),
        ("number just above 100", 100.000001, True),
    ], lambda v: row_codes(attribution_pct=v))


def test_brm207_a_fraction_is_up_to_1_without_a_percent_sign() -> None:
    assert row_codes(attribution_pct=1.01) == []  # 1.01%, not 101% (out of range)
    assert row_codes(attribution_pct=1.5) == []
    check("BRM207", [
        ("at 1", 1, True), ("just inside 1", 0.99, True),
        ("just above 1", 1.01, False), ("at 0", 0, False), ("just above 0", 0.0001, True),
        ("1 with a sign", "1%", False),
    ], lambda v: row_codes(attribution_pct=v))


def test_brm209_text_up_to_its_limit() -> None:
    limit = 64  # benefit_id (fields.py)
    check("BRM209", [
        ("at the limit", "B" * limit, False), ("just inside", "B" * (limit - 1), False),
        ("just over", "B" * (limit + 1), True),
    ], lambda v: row_codes(benefit_id=v))


def test_brm214_and_brm506_number_limits() -> None:
    check("BRM506", [
        ("at 1e9", 1e9, False), ("just inside 1e9", 999_999_999.99, False),
        ("negative at 1e9", -1e9, False),
        ("just above 1e9", 1_000_000_000.01, True), ("negative just above", -1_000_000_000.01, True),
        ("at 1e12", 1e12, True),
    ], lambda v: row_codes(baseline_value=v, target_value=v / 2 if isinstance(v, float) else 1))
    check("BRM214", [
        ("at 1e12", 1e12, False), ("just inside 1e12", 1e12 - 1, False),
        ("just above 1e12", 1e12 + 1, True), ("negative at 1e12", -1e12, False),
        ("negative just above", -1e12 - 1, True),
    ], lambda v: row_codes(baseline_value=v))


def test_brm214_unit_value_up_to_1bn_and_brm502_above_1m() -> None:
    check("BRM214", [
        ("at £1bn", 1e9, False), ("just above £1bn", 1e9 + 0.01, True),
    ], lambda v: row_codes(unit_value_gbp=v))
    check("BRM502", [
        ("at £1m", 1_000_000, False), ("text at £1m", "£1,000,000.00", False),
        ("just inside", 999_999.99, False), ("just above", 1_000_000.01, True),
        ("negative just above", -1_000_000.01, True), ("negative at £1m", -1_000_000, False),
    ], lambda v: row_codes(unit_value_gbp=v))


def test_brm205_ods_codes_are_3_to_5_characters() -> None:
    check("BRM205", [
        ("2", "RJ", True), ("3", "RJ1", False), ("5", "RJ123", False), ("6", "RJ1234", True),
    ], lambda v: row_codes(trust_ods=v))


def test_brm202_excel_serials_from_61_to_the_last_excel_day() -> None:
    check("BRM202", [
        ("60, Excel's phantom 29/02/1900", 60, True), ("61", 61, False),
        ("the last day Excel has", 2_958_465, False), ("a day after it", 2_958_466, True),
    ], lambda v: row_codes(target_date=v))


def test_brm202_a_date_that_only_reads_month_first_says_so() -> None:
    """12/13/2019 and 01/13/2019 are no day-first date but read month-first (US style): the
    finding says which date it may be; 13/13/2019 reads neither way."""
    for text, shown in (("12/13/2019", "13/12/2019"), ("01/13/2019", "13/01/2019")):
        found = validate_row({**CLEAN_BENEFIT, "target_date": text}, today=TODAY)
        assert [f.code for f in found] == ["BRM202"] and shown in found[0].message, found
    found = validate_row({**CLEAN_BENEFIT, "target_date": "13/13/2019"}, today=TODAY)
    assert [f.code for f in found] == ["BRM202"] and "month-first" not in found[0].message


def test_brm505_dates_from_2000_to_2100() -> None:
    check("BRM505", [
        ("first day of 2000", "01/01/2000", False), ("last day of 1999", "31/12/1999", True),
    ], lambda v: row_codes(approved_on=v))
    check("BRM505", [
        ("last day of 2100", "31/12/2100", False), ("first day of 2101", "01/01/2101", True),
    ], lambda v: row_codes(target_date=v))


def test_brm216_periods_from_april_2000_to_ten_years_ahead() -> None:
    first, last = plausible_window()  # the cell parser's window runs to ten years after today
    cases = [("first month", str(first), False), ("month before", str(first.shift(-1)), True),
             ("last month", str(last), False), ("month after", str(last.shift(1)), True)]

    def run(period: str) -> list[tuple[str, str]]:
        return register_codes([], extra=[{"benefit_id": "EPMA-01", "period": period, "value": 100.0}])

    check("BRM216", cases, run)


# ------------------------------------------------------------------ one benefit's fields


def test_brm301_baseline_window_may_be_one_day() -> None:
    start = datetime(2019, 4, 1)
    check("BRM301", [
        ("end on the start day", start, False), ("end a day after", start + DAY, False),
        ("end a day before", start - DAY, True),
    ], lambda end: row_codes(baseline_start=start, baseline_end=end))


@pytest.mark.parametrize(("direction", "up"), [("Increase", True), ("Decrease", False)])
def test_brm302_target_must_improve_on_the_baseline(direction: str, up: bool) -> None:
    base, step = 120.0, 0.01
    better, worse = (base + step, base - step) if up else (base - step, base + step)
    check("BRM302", [
        ("target equal to the baseline", base, True), ("just better", better, False),
        ("just worse", worse, True),
    ], lambda target: row_codes(direction=direction, baseline_value=base, target_value=target))


def test_brm305_approval_date_up_to_today() -> None:
    check("BRM305", [
        ("today", TODAY, False), ("yesterday", TODAY - DAY, False), ("tomorrow", TODAY + DAY, True),
    ], lambda day: row_codes(approved_on=day))


def test_brm308_target_date_on_or_after_realisation_start() -> None:
    start = date(2019, 10, 1)
    check("BRM308", [
        ("the same day", start, False), ("a day after", start + DAY, False),
        ("a day before", start - DAY, True),
    ], lambda day: row_codes(realisation_start=start, target_date=day))


# ------------------------------------------------------------------ measurements against dates


STEADY = [120.0, 118.0, 121.0, 119.0]


@pytest.mark.parametrize("steady", [True, False], ids=["quiet-series", "per-reading"])
def test_brm404_readings_from_the_month_of_the_earliest_date(steady: bool) -> None:
    """baseline_start 15/04/2019, history allowed for HISTORY_MONTHS (36) before it: April 2016
    is inside; March 2016 ends before it. Both the quiet series (all numbers) and the
    per-reading loop (a text reading among them) decide."""
    tail = STEADY if steady else [*STEADY[:-1], "audit"]

    def run(first: tuple[int, int]) -> list[tuple[str, str]]:
        return register_codes(tail, first=first, baseline_start=datetime(2019, 4, 15),
                              benefit_type="Quantitative non-financial", unit_value_gbp=None)

    found = run((2016, 4))
    assert not fires("BRM404", found), found
    found = run((2016, 3))
    assert ("BRM404", "B2") in found and not any(c == "BRM404" and cell != "B2" for c, cell in found)


@pytest.mark.parametrize("steady", [True, False], ids=["quiet-series", "per-reading"])
def test_brm404_a_quarter_ending_in_the_month_before(steady: bool) -> None:
    def run(quarter: str) -> list[tuple[str, str]]:
        readings = [{"benefit_id": "EPMA-01", "period": quarter, "value": 120.0 if steady else "x"}]
        return register_codes([], extra=readings, baseline_start=datetime(2019, 4, 1),
                              benefit_type="Qualitative" if not steady else "Cash releasing")

    assert fires("BRM404", run("2015/16 Q4"))  # Jan-Mar 2016 ends before April 2016 (36 months)
    assert not fires("BRM404", run("2016/17 Q1"))


@pytest.mark.parametrize("steady", [True, False], ids=["quiet-series", "per-reading"])
def test_brm405_readings_up_to_this_month(steady: bool) -> None:
    now = (TODAY.year, TODAY.month)  # 2021-06
    values = [100.0, 101.0, 102.0, 101.0] if steady else [100.0, 101.0, "audit", 101.0]
    before = (2021, 3)  # the last reading in May 2021 (April if one step on, June at the end)

    found = register_codes(values, first=before)  # Mar..Jun 2021: June is this month
    assert not fires("BRM405", found), found
    found = register_codes(values, first=(2021, 4))  # Apr..Jul 2021
    assert [cell for code, cell in found if code == "BRM405"] == ["B5"], (now, found)


# ------------------------------------------------------------------ series


def spike(value: float, *, at: int = 3, base: float = 100.0, n: int = 7,
          also: dict[int, float] | None = None) -> list[float]:
    readings = [base] * n
    readings[at] = value
    for k, v in (also or {}).items():
        readings[k] = v
    return readings


def test_brm501_more_than_ten_times_every_neighbour() -> None:
    check("BRM501", [
        ("exactly 10x", spike(1000.0), False), ("just over 10x", spike(1000.01), True),
        ("just under 10x", spike(999.99), False),
        ("exactly a tenth", spike(10.0), False), ("just under a tenth", spike(9.99), True),
        ("a hundredth", spike(1.0), True),
        ("minus one among hundreds", spike(-1.0), True),
        ("negative exactly 10x", spike(-1000.0, base=-100.0), False),
        ("negative just over 10x", spike(-1000.1, base=-100.0), True),
        ("negative just under a tenth", spike(-9.99, base=-100.0), True),
        ("a sign change", spike(-100.0), False),
        ("the last reading, over 10x", spike(1000.01, at=6), True),
        ("the last reading, a twentieth", spike(5.0, at=6), True),
        ("the first reading, over 10x", spike(1000.01, at=0), True),
    ], lambda values: register_codes(values))


def test_brm501_limits_hold_in_a_series_checked_for_another_spike() -> None:
    """A series with one real spike (50x, at the 10th reading) is checked reading by reading:
    readings exactly on the limits elsewhere in it are still not spikes, a zero is nobody's
    neighbour to divide by, and only the real spike is reported."""
    def only_the_real_spike(value: float) -> bool:
        found = register_codes(spike(value, n=12, also={9: 5000.0}))
        return [c for c in found if c[0] == "BRM501"] == [("BRM501", "C11")]

    for value in (1000.0, 10.0, 15.0, 0.0, 999.99):
        assert only_the_real_spike(value), value
    assert not only_the_real_spike(1000.01)
    assert not only_the_real_spike(9.99)


def test_brm501_neighbours_are_two_periods_either_side() -> None:
    """A spike whose neighbour two away is as big is a step, not a spike; three away is not
    a neighbour."""
    two_away = spike(1001.0)
    two_away[5] = 1001.0
    assert not fires("BRM501", register_codes(two_away))
    three_away = spike(1001.0)
    three_away[6] = 1001.0
    assert ("BRM501", "C5") in register_codes(three_away)


def test_brm403_a_repeated_period_among_steady_readings() -> None:
    readings = [{"benefit_id": "EPMA-01", "period": p, "value": v}
                for p, v in (("2019-04", 120.0), ("2019-05", 118.0), ("2019-05", 119.0),
                             ("2019-06", 121.0))]
    found = register_codes([], extra=readings)
    assert [c for c in found if c[0] == "BRM403"] == [("BRM403", "B4")], found


def test_brm504_a_gap_of_more_than_two_periods() -> None:
    def run(missing: int) -> list[tuple[str, str]]:
        reading = {"benefit_id": "EPMA-01", "period": f"2019-{7 + missing:02d}", "value": 119.0}
        return register_codes([120.0, 118.0, 121.0], extra=[reading])

    assert not fires("BRM504", run(0))
    assert not fires("BRM504", run(2))  # two periods missing: allowed
    found = run(3)
    assert [c for c in found if c[0] == "BRM504"] == [("BRM504", "B5")], found


def test_brm504_limit_holds_in_a_series_checked_for_another_gap() -> None:
    """Apr-Jun, Sep (two missing: allowed), then Jan (three missing): only Jan is reported."""
    readings = [{"benefit_id": "EPMA-01", "period": p, "value": 119.0} for p in ("2019-09", "2020-01")]
    found = register_codes([120.0, 118.0, 121.0], extra=readings)
    assert [c for c in found if c[0] == "BRM504"] == [("BRM504", "B6")], found


def test_brm504_quarters_may_miss_two_quarters() -> None:
    def run(last: str) -> list[tuple[str, str]]:
        readings = [{"benefit_id": "EPMA-01", "period": q, "value": v}
                    for q, v in (("2019/20 Q1", 120.0), ("2019/20 Q2", 118.0), (last, 110.0))]
        return register_codes([], extra=readings)

    assert not fires("BRM504", run("2020/21 Q1"))  # Q3, Q4 missing
    assert fires("BRM504", run("2020/21 Q2"))  # Q3, Q4, Q1 missing


def test_brm503_a_computed_baseline_needs_three_points_in_its_window() -> None:
    """Window 01/04/2019 to 30/06/2019: April, May and June count; July does not."""
    def run(values: list[Any], first: tuple[int, int] = (2019, 4)) -> list[tuple[str, str]]:
        return register_codes(values, first=first, baseline_method="Mean", baseline_value=None,
                              baseline_start=datetime(2019, 4, 1), baseline_end=datetime(2019, 6, 30))

    assert not fires("BRM503", run([120.0, 118.0, 121.0, 119.0]))  # three in the window
    assert fires("BRM503", run([120.0, 118.0]))  # two
    assert fires("BRM503", run([118.0, 121.0, 119.0], first=(2019, 5)))  # May, June (July outside)
    assert fires("BRM503", run([121.0, 119.0, 120.0], first=(2019, 3)))  # March outside, April-May



def test_brm503_a_given_baseline_value_excuses_an_empty_window_only() -> None:
    """Method Mean with a baseline_value typed in: no points in the window is fine (the value
    stands); one or two points are still too few to compute from."""
    def run(values: list[Any]) -> list[tuple[str, str]]:
        return register_codes(values, first=(2019, 7), baseline_method="Mean", baseline_value=120.0,
                              baseline_start=datetime(2019, 4, 1), baseline_end=datetime(2019, 6, 30))

    assert not fires("BRM503", run([118.0, 121.0]))  # July onwards: none in the window
    found = register_codes([118.0, 121.0], first=(2019, 6), baseline_method="Mean",
                           baseline_value=120.0, baseline_start=datetime(2019, 4, 1),
                           baseline_end=datetime(2019, 6, 30))
    assert fires("BRM503", found)  # June: one point


def test_the_clean_starting_point_has_no_findings() -> None:
    """Every case above changes one thing; this is what they change it from."""
    assert row_codes() == []
    assert register_codes() == []
    assert register_codes(copy.deepcopy(STEADY)) == []
