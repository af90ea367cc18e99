"""RAG (SPEC §5.4): every state, the thresholds and their boundaries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from xl_brm.calc import RagThresholds, compute_benefit, rag_status
from xl_brm.enums import Rag
from xl_brm.errors import UsageError
from xl_brm.periods import parse_period

Make = Callable[..., Any]


@pytest.mark.parametrize(
    ("realised", "planned", "expected"),
    [
        (9, 10, Rag.GREEN),  # 90% exactly
        (8.99, 10, Rag.AMBER),  # 89.9%
        (7, 10, Rag.AMBER),  # 70% exactly
        (6.99, 10, Rag.RED),  # 69.9%
        (25, 10, Rag.GREEN),  # ahead of plan
        (-1, 10, Rag.RED),  # went the wrong way
        (0.3 * 3, 1.0, Rag.GREEN),  # 0.8999999999999999: float noise never flips a status
        (0, 0, Rag.GREEN),  # nothing planned yet, nothing lost
        (-0.5, 0, Rag.RED),
        (-41.25, -37.5, Rag.GREEN),  # negative plan: 10% worse than planned
        (-48.75, -37.5, Rag.AMBER),  # 30% worse
        (-50, -37.5, Rag.RED),
    ],
)
def test_rag_status(realised: float, planned: float, expected: Rag) -> None:
    assert rag_status(realised, planned) is expected


def test_thresholds_are_configurable() -> None:
    # 103 / 115 = 89.57%: amber by default, green at 85%, red with amber at 95%.
    assert rag_status(103, 115) is Rag.AMBER
    assert rag_status(103, 115, RagThresholds(green=0.85)) is Rag.GREEN
    assert rag_status(103, 115, RagThresholds(green=0.99, amber=0.95)) is Rag.RED


@pytest.mark.parametrize(
    ("green", "amber", "message"),
    [(0.6, 0.7, "out of order"), (0.9, -0.1, "out of order"), (90, 70, "looks like a percentage")],
)
def test_bad_thresholds_are_refused(green: float, amber: float, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        RagThresholds(green=green, amber=amber)


@pytest.fixture
def epma(make_benefit: Make) -> Any:
    return make_benefit(
        direction="decrease",
        baseline_value=100,
        target_value=70,
        target_date="2020-03-01",
        realisation_start="2019-04-01",
        unit_value_gbp=50,
        attribution_pct=80,
    )


@pytest.fixture
def spring(make_series: Make) -> Any:
    return make_series({"2019-04": 95, "2019-05": 90, "2019-06": 85})


def test_green(epma: Any, spring: Any) -> None:
    # Σd = 30 against Σpd = 15 (worked in test_example_1): 200%.
    assert compute_benefit(epma, spring, as_of=parse_period("2019-06")).rag is Rag.GREEN


def test_amber_and_red_through_thresholds(epma: Any, spring: Any) -> None:
    # The same 200% is amber if green needs 250%, and red if amber needs 210% too.
    amber = RagThresholds(green=2.5, amber=1.5)
    red = RagThresholds(green=2.5, amber=2.1)
    as_of = parse_period("2019-06")
    assert compute_benefit(epma, spring, as_of=as_of, thresholds=amber).rag is Rag.AMBER
    assert compute_benefit(epma, spring, as_of=as_of, thresholds=red).rag is Rag.RED


def test_not_started_before_realisation_start(epma: Any, spring: Any) -> None:
    figures = compute_benefit(epma, spring, as_of=parse_period("2019-03"))
    assert figures.rag is Rag.NOT_STARTED
    assert figures.improvement is None  # nothing counted yet: no figure, not a realised 0
    assert figures.realised_quantity is None and figures.planned_to_date is None
    assert figures.latest is None
    assert figures.percent_of_target is None


def test_no_data_when_the_last_two_periods_are_missing(epma: Any, spring: Any) -> None:
    # Data to Jun-19. As of Jul-19, Jun is one of the last two periods: still rated.
    assert compute_benefit(epma, spring, as_of=parse_period("2019-07")).rag is Rag.GREEN
    # As of Aug-19, neither Jul nor Aug has a measurement.
    figures = compute_benefit(epma, spring, as_of=parse_period("2019-08"))
    assert figures.rag is Rag.NO_DATA
    assert figures.improvement == 30  # the figures themselves are still there


def test_no_data_counts_quarters_for_quarterly_data(make_benefit: Make, make_series: Make) -> None:
    benefit = make_benefit(
        direction="decrease",
        baseline_value=5,
        target_value=4,
        target_date="2020-03-01",
        realisation_start="2019-04-01",
        unit_value_gbp=1,
    )
    series = make_series({"2019/20 Q1": 4.9, "2019/20 Q2": 4.6})
    # As of Dec-19 the last two quarters are Q3 (missing) and Q2 (present): rated.
    assert compute_benefit(benefit, series, as_of=parse_period("2019-12")).rag is not Rag.NO_DATA
    # As of Jan-20 they are Q4 and Q3: both missing.
    assert compute_benefit(benefit, series, as_of=parse_period("2020-01")).rag is Rag.NO_DATA


def test_qualitative(make_benefit: Make, make_series: Make) -> None:
    benefit = make_benefit(benefit_type="qualitative", evidence="Patients report calmer wards")
    figures = compute_benefit(
        benefit, make_series({"2019-04": "Ward survey"}), as_of=parse_period("2019-06")
    )
    assert figures.rag is Rag.QUALITATIVE
    assert figures.realised_value_gbp is None


def test_no_plan_means_no_rag(make_benefit: Make, make_series: Make) -> None:
    benefit = make_benefit(direction="increase", baseline_value=0, unit_value_gbp=1)
    figures = compute_benefit(benefit, make_series({"2019-04": 2}), as_of=parse_period("2019-04"))
    assert figures.rag is None
    assert figures.planned_to_date is None
    assert any("no target_value/target_date" in w for w in figures.warnings)
