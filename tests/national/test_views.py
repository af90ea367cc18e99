"""The national page's pure parts by hand: return windows and lateness at their boundaries, the
spellings the filters read, chart ticks, and how evidence grades are put in words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from xl_brm.national.chart import nice_ticks, short_money
from xl_brm.national.returns import ReturnWindow, fy_start, latest_ended_quarter, read_date
from xl_brm.national.views import Filters, grades_text, green_book_basis, period_label, read_filters
from xl_brm.periods import Period


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (date(2020, 3, 31), "2019/20 Q3"),  # Q4 has not ended on its last day
        (date(2020, 4, 1), "2019/20 Q4"),  # the day after it has
        (date(2020, 7, 15), "2020/21 Q1"),
    ],
)
def test_the_latest_ended_quarter(today: date, quarter: str) -> None:
    assert str(latest_ended_quarter(today)) == quarter


def test_a_quarters_return_window_and_the_moment_it_is_late() -> None:
    window = ReturnWindow.for_quarter(Period.quarter(2019, 4), 30)
    assert (window.since, window.due) == (date(2020, 1, 1), date(2020, 4, 30))
    assert window.opens == datetime(2020, 1, 1, tzinfo=UTC)
    assert window.late_from == datetime(2020, 5, 1, tzinfo=UTC)  # all of the due day is on time
    assert ReturnWindow(date(2020, 1, 1)).late_from is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/03/2020", date(2020, 3, 31)),
        ("2020-03-31", date(2020, 3, 31)),
        ("31 Mar 2020", date(2020, 3, 31)),
        ("1/4/20", date(2020, 4, 1)),
        (" ", None),
        (None, None),
    ],
)
def test_dates_as_people_type_them(text: str | None, day: date | None) -> None:
    assert read_date(text) == day


@pytest.mark.parametrize("text", ["31/02/2020", "yesterday", "1/1/1999", "1/1/2099"])
def test_a_date_that_is_not_one_says_how_to_write_it(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a (plausible )?date"):
        read_date(text, today=date(2026, 12, 7))


def test_the_financial_year_starts_on_1_april() -> None:
    assert fy_start(date(2020, 3, 31)) == date(2019, 4, 1)
    assert fy_start(date(2020, 4, 1)) == date(2020, 4, 1)


def test_filters_read_the_spellings_people_use() -> None:
    filters, by, errors = read_filters({"category": "Safety & quality", "year": "FY2019/20", "trust": "rj1"})
    assert errors == {} and by == "programme"  # the first dimension not chosen
    assert (filters.category, filters.year, filters.trust) == ("safety_quality", "2019/20", "RJ1")
    _, by, errors = read_filters(
        {"trust": "not an ODS", "category": "Biscuits", "year": "2019/2x", "by": "x"}
    )
    assert set(errors) == {"trust", "category", "year", "by"}
    assert by == "programme"


def test_a_drill_down_leads_to_the_next_dimension_not_yet_chosen() -> None:
    assert Filters().next_dimension("programme") == "trust"
    assert Filters(programme="GDE").next_dimension("trust") == "category"
    assert Filters("GDE", "RJ1", "safety_quality", "2019/20").next_dimension("year") == "year"
    assert Filters(programme="GDE").url("/figures", trust="RJ1", by="category") == (
        "/figures?programme=GDE&trust=RJ1&by=category"
    )


def test_grades_in_words() -> None:
    assert grades_text({"measured": 6}) == "Measured"
    assert grades_text({"measured": 4, "estimated": 2}) == "4 measured, 2 estimated"
    assert grades_text({}) is None


def test_periods_and_the_green_book_basis_in_words() -> None:
    assert period_label("2020-03") == "Mar 2020" and period_label("2019/20 Q3") == "2019/20 Q3"
    basis = green_book_basis("2019/20")
    assert "discounted to 2019/20, one base year for every trust" in basis
    assert (
        "3.5% a year for years 1 to 30, 3% a year for years 31 to 75 and 2.5% a year for years 76 to 125"
        in basis
    )


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 230_000, [0, 50_000, 100_000, 150_000, 200_000, 250_000]),
        (-30, 90, [-50, -25, 0, 25, 50, 75, 100]),  # a step of 25: 120 / 5 rounded up
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_chart_ticks_are_round_and_cover_zero(low: float, high: float, ticks: list[float]) -> None:
    assert nice_ticks(low, high) == pytest.approx(ticks)


def test_axis_money_fits() -> None:
    assert [short_money(v) for v in (0, 900, 350_000, 1_200_000, -40_000)] == [
        "£0",
        "£900",
        "£350k",
        "£1.2m",
        "-£40k",
    ]
