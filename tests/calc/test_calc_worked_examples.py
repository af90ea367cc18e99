"""Whole benefits computed end to end, each against arithmetic written out by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xl_brm.calc import JSON_KEYS, compute_benefit, compute_register
from xl_brm.enums import Rag
from xl_brm.model import Register
from xl_brm.periods import parse_period

Make = Callable[..., Any]


@pytest.fixture
def epma(make_benefit: Make) -> Any:
    """Example 1: medication errors a month, lower is better, 80% owed to EPMA, £50 an error.

    Baseline 100 (given), target 70 by Mar 2020, realisation from Apr 2019.
    """
    return make_benefit(
        direction="decrease",
        baseline_value=100,
        target_value=70,
        target_date="2020-03-01",
        realisation_start="2019-04-01",
        unit_value_gbp=50,
        attribution_pct=80,
    )


def test_example_1_decrease_with_80_percent_attribution(epma: Any, make_series: Make) -> None:
    # period  a(p)  d = 100 - a  q = d x 0.8  v = q x £50   planned level          pd
    # Apr-19   95       5           4           £200     100 + (70-100) x 1/12 = 97.5   2.5
    # May-19   90      10           8           £400     100 - 30 x 2/12 = 95.0         5.0
    # Jun-19   85      15          12           £600     100 - 30 x 3/12 = 92.5         7.5
    # N = Apr-19 .. Mar-20 inclusive = 12 months.
    # Σd = 30, Σq = 24, Σv = £1,200, Σpd = 15 -> 30/15 = 200% -> green.
    # percent of target = (85 - 100) / (70 - 100) x 100 = 50%.  PV (all in 2019/20) = £1,200.
    measurements = make_series({"2019-04": 95, "2019-05": 90, "2019-06": 85})
    figures = compute_benefit(epma, measurements, as_of=parse_period("2019-06"))

    assert [r.improvement for r in figures.series] == [5, 10, 15]
    assert [r.realised_quantity for r in figures.series] == [4, 8, 12]
    assert [r.realised_value_gbp for r in figures.series] == [200, 400, 600]
    assert [r.planned_level for r in figures.series] == [97.5, 95.0, 92.5]
    assert [r.planned_improvement for r in figures.series] == [2.5, 5.0, 7.5]
    assert figures.to_json() == {
        "benefit_id": "B1",
        "baseline": 100.0,
        "latest": 85.0,
        "improvement": 30.0,
        "realised_quantity": 24.0,
        "realised_value_gbp": 1200.0,
        "pv_gbp": 1200.0,
        "percent_of_target": 50.0,
        "planned_to_date": 15.0,
        "rag": "green",
    }
    assert figures.warnings == []
    assert tuple(figures.to_json()) == JSON_KEYS


def test_example_1_smoothed_progress(epma: Any, make_series: Make) -> None:
    # --smooth: latest = mean of the last three counted = (95 + 90 + 85) / 3 = 90
    # percent = (90 - 100) / (70 - 100) x 100 = 33.333333%
    measurements = make_series({"2019-04": 95, "2019-05": 90, "2019-06": 85})
    figures = compute_benefit(epma, measurements, as_of=parse_period("2019-06"), smooth=True)
    assert figures.percent_of_target == pytest.approx(100 / 3)
    assert figures.latest == 85  # `latest` itself is never smoothed
    assert figures.to_json()["percent_of_target"] == 33.333333


def test_example_2_non_financial_benefit_has_no_money(
    make_benefit: Make, make_series: Make
) -> None:
    # Patient satisfaction score, higher is better, b = 60, target 80 by Oct-19, start Jul-19,
    # 50% attribution. N = Jul, Aug, Sep, Oct = 4.
    # period a(p)  d = a - 60  q = d x 0.5  planned = 60 + 20 x k/4   pd
    # Jul-19  62       2          1.0       65 (k=1)                 5
    # Aug-19  66       6          3.0       70 (k=2)                10
    # Sep-19  70      10          5.0       75 (k=3)                15
    # Oct-19  73      13          6.5       80 (k=4 = N)            20
    # Σd = 31, Σq = 15.5, Σpd = 50 -> 31/50 = 62% -> red. percent = (73-60)/(80-60) = 65%.
    benefit = make_benefit(
        benefit_type="quantitative_non_financial",
        category="patient_experience",
        direction="increase",
        baseline_value=60,
        target_value=80,
        target_date="2019-10-20",
        realisation_start="2019-07-01",
        attribution_pct=50,
    )
    measurements = make_series({"2019-07": 62, "2019-08": 66, "2019-09": 70, "2019-10": 73})
    figures = compute_benefit(benefit, measurements, as_of=parse_period("2019-10"))
    assert [r.planned_level for r in figures.series] == [65, 70, 75, 80]
    assert [r.realised_value_gbp for r in figures.series] == [None] * 4
    out = figures.to_json()
    assert out["improvement"] == 31
    assert out["realised_quantity"] == 15.5
    assert out["planned_to_date"] == 50
    assert out["percent_of_target"] == 65
    assert out["realised_value_gbp"] is None
    assert out["pv_gbp"] is None
    assert out["rag"] == "red"
    assert figures.value_by_fy == {}


@pytest.fixture
def nurse_time(make_benefit: Make) -> Any:
    """Example 3: nurse hours released a month (non-cash, £20/hour); b = mean of Jan-Mar 2019."""
    return make_benefit(
        benefit_type="non_cash_releasing",
        category="staff_experience",
        direction="increase",
        baseline_method="mean",
        baseline_start="2019-01-01",
        baseline_end="2019-03-31",
        target_value=24,
        target_date="2019-09-01",
        realisation_start="2019-04-01",
        unit_value_gbp=20,
    )


NURSE_SERIES = {
    "2019-01": 10,
    "2019-02": 12,
    "2019-03": 14,
    "2019-04": 15,
    "2019-05": 18,
    "2019-06": 21,
}


def test_example_3_realisation_start_in_the_middle(nurse_time: Any, make_series: Make) -> None:
    # b = mean(10, 12, 14) = 12. Jan-Mar are before realisation_start: shown, not counted.
    # N = Apr .. Sep 2019 = 6.
    # period a(p) d = a - 12  v = d x £20  planned = 12 + (24-12) x k/6   pd
    # Apr-19  15      3         £60       14 (k=1)                      2
    # May-19  18      6        £120       16 (k=2)                      4
    # Jun-19  21      9        £180       18 (k=3)                      6
    # Σd = 18, Σv = £360, Σpd = 12 -> 150% -> green. percent = (21-12)/(24-12) = 75%.
    figures = compute_benefit(nurse_time, make_series(NURSE_SERIES), as_of=parse_period("2019-06"))
    assert [r.counted for r in figures.series] == [False, False, False, True, True, True]
    assert [r.planned_level for r in figures.series[3:]] == [14, 16, 18]
    assert figures.to_json() == {
        "benefit_id": "B1",
        "baseline": 12.0,
        "latest": 21.0,
        "improvement": 18.0,
        "realised_quantity": 18.0,
        "realised_value_gbp": 360.0,
        "pv_gbp": 360.0,
        "percent_of_target": 75.0,
        "planned_to_date": 12.0,
        "rag": "green",
    }
    assert figures.warnings == []


def test_example_3_baseline_methods_and_default_window(
    make_benefit: Make, make_series: Make
) -> None:
    # median(10, 12, 14) = 12; last = 14 -> Σd = (15-14) + (18-14) + (21-14) = 12.
    # With no baseline window, the window ends just before realisation_start: Jan-Mar again.
    common = {"direction": "increase", "realisation_start": "2019-04-01", "unit_value_gbp": 20}
    as_of = parse_period("2019-06")
    series = make_series(NURSE_SERIES)
    median = compute_benefit(make_benefit(baseline_method="median", **common), series, as_of=as_of)
    last = compute_benefit(make_benefit(baseline_method="last", **common), series, as_of=as_of)
    assert median.baseline == 12
    assert last.baseline == 14
    assert last.improvement == 12
    assert last.realised_value_gbp == 240  # 12 x £20


def test_example_4_as_of_cut_off(nurse_time: Any, make_series: Make) -> None:
    # As of May-19 only Apr and May count: Σd = 3 + 6 = 9, Σv = £180, Σpd = 2 + 4 = 6 (150%),
    # latest 18, percent = (18-12)/(24-12) = 50%. June is shown but not counted.
    figures = compute_benefit(nurse_time, make_series(NURSE_SERIES), as_of=parse_period("2019-05"))
    assert figures.series[-1].period == parse_period("2019-06")
    assert figures.series[-1].counted is False
    assert (figures.improvement, figures.realised_value_gbp, figures.planned_to_date) == (9, 180, 6)
    assert figures.latest == 18
    assert figures.percent_of_target == 50
    # A quarter as the as-of period means its last month: 2019/20 Q1 = up to Jun-19.
    quarter = compute_benefit(
        nurse_time, make_series(NURSE_SERIES), as_of=parse_period("2019/20 Q1")
    )
    assert quarter.improvement == 18


def test_example_5_straight_line_reaches_target_then_holds(
    make_benefit: Make, make_series: Make
) -> None:
    # b = 0, target 30, start Apr-19, target_date 15 Jun 2019 -> N = Apr, May, Jun = 3.
    # k=1: 0 + 30 x 1/3 = 10; k=2: 20; k=3: 30; Jul and Aug (k=4, 5 > N): the target, 30.
    benefit = make_benefit(
        direction="increase",
        baseline_value=0,
        target_value=30,
        target_date="2019-06-15",
        realisation_start="2019-04-01",
        unit_value_gbp=1,
    )
    measurements = make_series(
        {"2019-04": 6, "2019-05": 12, "2019-06": 20, "2019-07": 30, "2019-08": 35}
    )
    figures = compute_benefit(benefit, measurements, as_of=parse_period("2019-08"))
    assert [r.planned_level for r in figures.series] == [10, 20, 30, 30, 30]
    # Σd = 6+12+20+30+35 = 103, Σpd = 10+20+30+30+30 = 120 -> 85.8% -> amber
    assert figures.improvement == 103
    assert figures.planned_to_date == 120
    assert figures.rag is Rag.AMBER


def test_example_6_trajectory_overrides_the_straight_line(
    make_benefit: Make, make_series: Make, make_trajectory: Make
) -> None:
    # Same benefit; Trajectory rows Apr 5, May 15, Jul 40. June has no row: it holds May's 15;
    # August holds July's 40. b = 0 so pd = planned level.
    # Σpd = 5 + 15 + 15 + 40 + 40 = 115; Σd = 103 -> 103/115 = 89.57% -> amber (just under 90%).
    benefit = make_benefit(
        direction="increase",
        baseline_value=0,
        target_value=30,
        target_date="2019-06-15",
        realisation_start="2019-04-01",
        unit_value_gbp=1,
    )
    measurements = make_series(
        {"2019-04": 6, "2019-05": 12, "2019-06": 20, "2019-07": 30, "2019-08": 35}
    )
    plan = make_trajectory({"2019-04": 5, "2019-05": 15, "2019-07": 40})
    figures = compute_benefit(benefit, measurements, trajectory=plan, as_of=parse_period("2019-08"))
    assert [r.planned_level for r in figures.series] == [5, 15, 15, 40, 40]
    assert figures.planned_to_date == 115
    assert figures.rag is Rag.AMBER

    # Through a Register, the Trajectory sheet is picked up by benefit_id.
    register = Register(
        benefits=[benefit], measurements={"B1": measurements}, trajectory={"B1": plan}
    )
    (from_register,) = compute_register(register, as_of=parse_period("2019-08"))
    assert from_register.planned_to_date == 115


def test_example_7_same_period_last_year(make_benefit: Make, make_series: Make) -> None:
    # Falls a month (lower is better). Each month's baseline is the same month a year earlier.
    # target 40 by Jun-19, start Apr-19 -> N = 3; planned(p) = b(p) + (40 - b(p)) x k/3.
    # period a(p) b(p)  d = b - a  planned level                   pd = b - planned
    # Apr-19  45   50      5       50 + (40-50) x 1/3 = 46.6667    3.3333
    # May-19  46   52      6       52 + (40-52) x 2/3 = 44         8
    # Jun-19  47   54      7       40 (k = N)                      14
    # Σd = 18, Σpd = 25.3333 -> 71.05% -> amber. Reported baseline = Jun's, 54.
    # percent of target = (47 - 54) / (40 - 54) x 100 = 50%.
    benefit = make_benefit(
        benefit_type="quantitative_non_financial",
        direction="decrease",
        baseline_method="same_period_last_year",
        target_value=40,
        target_date="2019-06-01",
        realisation_start="2019-04-01",
    )
    values = {
        "2018-04": 50,
        "2018-05": 52,
        "2018-06": 54,
        "2019-04": 45,
        "2019-05": 46,
        "2019-06": 47,
    }
    figures = compute_benefit(benefit, make_series(values), as_of=parse_period("2019-06"))
    counted = [r for r in figures.series if r.counted]
    assert [str(r.period) for r in counted] == ["2019-04", "2019-05", "2019-06"]
    assert [r.baseline for r in counted] == [50, 52, 54]
    assert [r.planned_improvement for r in counted] == pytest.approx([10 / 3, 8, 14])
    assert figures.improvement == 18
    assert figures.planned_to_date == pytest.approx(76 / 3)
    assert figures.baseline == 54
    assert figures.percent_of_target == 50
    assert figures.rag is Rag.AMBER
    assert figures.warnings == []


def test_same_period_last_year_with_gaps_warns(make_benefit: Make, make_series: Make) -> None:
    # No Jun-18, so Jun-19 has no baseline and is not counted; only 2 points -> caution.
    benefit = make_benefit(
        benefit_type="quantitative_non_financial",
        direction="decrease",
        baseline_method="same_period_last_year",
        realisation_start="2019-04-01",
    )
    values = {"2018-04": 50, "2018-05": 52, "2019-04": 45, "2019-05": 46, "2019-06": 47}
    figures = compute_benefit(benefit, make_series(values), as_of=parse_period("2019-06"))
    assert figures.improvement == 11  # (50-45) + (52-46)
    assert any("no value 12 months earlier for 2019-06" in w for w in figures.warnings)
    assert any("from only 2 of its points, fewer than 3" in w for w in figures.warnings)


def test_example_8_quarterly_data(make_benefit: Make, make_series: Make) -> None:
    # Average length of stay (days), lower is better, b = 5.0, target 4.0, £1,000 a unit.
    # realisation_start 15 May 2019 lies in 2019/20 Q1; target_date 10 Feb 2020 in Q4:
    # N counts quarters: Q1, Q2, Q3, Q4 = 4.
    # quarter   a(p)  d = 5 - a  v = d x £1,000  planned = 5 - 1 x k/4  pd
    # 18/19 Q4   5.1   (before the start quarter: not counted)
    # 19/20 Q1   4.9     0.1       £100          4.75                   0.25
    # 19/20 Q2   4.6     0.4       £400          4.50                   0.50
    # 19/20 Q3   4.4     0.6       £600          4.25                   0.75
    # As of Dec-19 (inside Q3). Σd = 1.1, Σv = £1,100, Σpd = 1.5 -> 73.3% -> amber.
    # percent = (4.4 - 5) / (4 - 5) x 100 = 60%.
    benefit = make_benefit(
        benefit_type="non_cash_releasing",
        category="resource_sustainability",
        direction="decrease",
        baseline_value=5.0,
        target_value=4.0,
        target_date="2020-02-10",
        realisation_start="2019-05-15",
        unit_value_gbp=1000,
    )
    values = {"2018/19 Q4": 5.1, "2019/20 Q1": 4.9, "Q2 2019/20": 4.6, "FY2019/20 Q3": 4.4}
    figures = compute_benefit(benefit, make_series(values), as_of=parse_period("2019-12"))
    assert [r.counted for r in figures.series] == [False, True, True, True]
    assert [r.planned_level for r in figures.series[1:]] == [4.75, 4.5, 4.25]
    out = figures.to_json()
    assert out["improvement"] == 1.1
    assert out["realised_value_gbp"] == 1100.0
    assert out["pv_gbp"] == 1100.0
    assert out["planned_to_date"] == 1.5
    assert out["percent_of_target"] == 60.0
    assert out["rag"] == "amber"
    # Unrounded figures are honest floats (5 - 4.9 is 0.09999999999999964 in binary).
    assert figures.improvement == pytest.approx(1.1)
    assert figures.to_json(rounded=False)["improvement"] == figures.improvement


def test_example_9_dis_benefit(make_benefit: Make, make_series: Make) -> None:
    # Clinician hours a month spent documenting in EPMA: lower is better, b = 100 h, £40 an hour.
    # Expected to get worse, to 125 h by May-19 (start Apr-19, N = 2).
    # period a(p)  d = 100 - a  v = d x £40   planned = 100 + 25 x k/2   pd = 100 - planned
    # Apr-19  120     -20        -£800        112.5                      -12.5
    # May-19  130     -30       -£1,200       125                        -25
    # Σd = -50, Σv = -£2,000, Σpd = -37.5. RAG as a shortfall of |planned| = 37.5:
    # green needs Σd >= -37.5 - 10% x 37.5 = -41.25; amber >= -37.5 - 30% x 37.5 = -48.75;
    # -50 is worse than both -> red. percent = (130 - 100)/(125 - 100) x 100 = 120%.
    benefit = make_benefit(
        title="Clinician time spent documenting",
        benefit_type="non_cash_releasing",
        category="staff_experience",
        is_disbenefit=True,
        direction="decrease",
        baseline_value=100,
        target_value=125,
        target_date="2019-05-01",
        realisation_start="2019-04-01",
        unit_value_gbp=40,
    )
    figures = compute_benefit(
        benefit, make_series({"2019-04": 120, "2019-05": 130}), as_of=parse_period("2019-05")
    )
    assert figures.is_disbenefit is True
    assert figures.improvement == -50
    assert figures.realised_value_gbp == -2000
    assert figures.pv_gbp == -2000
    assert figures.planned_to_date == -37.5
    assert figures.percent_of_target == 120
    assert figures.rag is Rag.RED
    assert figures.to_json(detail=True)["is_disbenefit"] is True


def test_register_keeps_order_and_all_types(make_benefit: Make, make_series: Make) -> None:
    cash = make_benefit(benefit_id="C1", direction="increase", baseline_value=0, unit_value_gbp=10)
    words = make_benefit(
        benefit_id="Q1", benefit_type="qualitative", evidence="Staff say handover is calmer"
    )
    register = Register(
        benefits=[cash, words],
        measurements={
            "C1": make_series({"2019-04": 3, "2019-05": 4}, benefit_id="C1"),
            "Q1": make_series({"2019-05": "Survey comments attached"}, benefit_id="Q1"),
        },
    )
    first, second = compute_register(register, as_of=parse_period("2019-05"))
    assert first.benefit_id == "C1"
    assert first.realised_value_gbp == 70  # (3 + 4) x £10
    assert second.benefit_id == "Q1"
    assert second.rag is Rag.QUALITATIVE
    assert second.to_json() == {key: None for key in JSON_KEYS} | {
        "benefit_id": "Q1",
        "rag": "qualitative",
    }
