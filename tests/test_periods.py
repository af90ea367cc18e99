"""Periods and NHS financial years (SPEC §3), checked against a calendar by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from xl_brm.periods import (
    Period,
    PeriodError,
    PeriodOutOfWindow,
    check_plausible,
    fy_of,
    parse_fy,
    parse_period,
    periods_between,
    plausible_window,
)


@pytest.mark.parametrize(
    "text",
    ["2019-04", "Apr-19", "April 2019", "apr 2019", "2019-04-01", date(2019, 4, 17),
     datetime(2019, 4, 30, 0, 0), 43556.0, 43585, "17/04/2019", "04/2019"],
)
def test_every_accepted_month_spelling_means_april_2019(text: object) -> None:
    assert str(parse_period(text)) == "2019-04"


@pytest.mark.parametrize("text", ["2019/20 Q1", "FY2019/20 Q1", "Q1 2019/20", "2019-2020 Q1", "q1 fy2019/20",
                                  "Q1 19/20", "19/20 Q1", "Qtr 1 2019/20", "FY19/20 Q1", "Quarter 1 2019-20",
                                  "Q1 - 2019/20", "Q1 FY19/20", "Q1 (2019/20)", "qtr.1 19/20"])
def test_every_accepted_quarter_spelling_means_q1_2019_20(text: str) -> None:
    period = parse_period(text)
    assert period.is_quarter
    assert str(period) == "2019/20 Q1"
    assert (period.start, period.end) == (date(2019, 4, 1), date(2019, 6, 30))


def test_quarter_four_is_january_to_march_of_the_next_calendar_year() -> None:
    q4 = parse_period("2019/20 Q4")
    assert (q4.start, q4.end) == (date(2020, 1, 1), date(2020, 3, 31))
    assert q4.fy == "2019/20"


@pytest.mark.parametrize(
    ("day", "fy"),
    [(date(2020, 3, 31), "2019/20"), (date(2020, 4, 1), "2020/21"), (date(2000, 1, 1), "1999/00"),
     (date(2099, 12, 31), "2099/00")],
)
def test_financial_year_turns_over_on_1_april(day: date, fy: str) -> None:
    assert fy_of(day) == fy


def test_months_roll_up_to_their_financial_quarter() -> None:
    assert str(parse_period("2020-03").to_quarter()) == "2019/20 Q4"
    assert str(parse_period("2019-07").to_quarter()) == "2019/20 Q2"
    assert [str(p) for p in parse_period("2019/20 Q3").month_periods()] == ["2019-10", "2019-11", "2019-12"]


def test_periods_order_and_range() -> None:
    months = periods_between(Period.month(2019, 11), Period.month(2020, 2))
    assert [str(p) for p in months] == ["2019-11", "2019-12", "2020-01", "2020-02"]
    quarters = periods_between(parse_period("2019/20 Q3"), parse_period("2020/21 Q1"))
    assert [str(p) for p in quarters] == ["2019/20 Q3", "2019/20 Q4", "2020/21 Q1"]


def test_parse_fy_accepts_the_usual_spellings_and_refuses_a_gap() -> None:
    assert parse_fy("2019/20") == parse_fy("FY2019/20") == parse_fy("2019-2020") == 2019
    with pytest.raises(PeriodError, match="not a financial year"):
        parse_fy("2019/21")


@pytest.mark.parametrize("bad", ["", "Smarch-19", "31/02/2020", "2019/20 Q5", "13/2019", True, 12.0])
def test_bad_periods_say_how_to_write_one(bad: object) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_uk_text_dates_are_day_first() -> None:
    # 02/08/2019 is 2 August 2019 in the UK, not 8 February.
    assert str(parse_period("02/08/2019")) == "2019-08"


# ------------------------------------------------------------------ the plausible window (SPEC §3)

TODAY = date(2026, 12, 7)
"""A fixed 'today' for the window: April 2000 to December 2036 (ten years after this month)."""


@pytest.mark.parametrize(
    "text",
    ["2000-04", "Apr-00", "2000/01 Q1", "Q1 2000/01", date(2000, 4, 1), "2036-12", "Dec-36",
     "2036/37 Q3", "01/12/2036", "2019-04"],
)
def test_periods_at_and_inside_the_window_are_read(text: object) -> None:
    assert parse_period(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "shown"),
    [("2000-03", "2000-03"), ("Mar-00", "2000-03"), ("1999/00 Q4", "1999/00 Q4"),
     (date(1999, 12, 31), "1999-12"), ("2037-01", "2037-01"), ("2036/37 Q4", "2036/37 Q4"),
     ("9999-12", "9999-12"), ("0001-01", "0001-01"), (36500.0, "1999-12"), ("Apr-99", "2099-04")],
)
def test_periods_outside_the_window_are_refused_saying_so(text: object, shown: str) -> None:
    with pytest.raises(PeriodOutOfWindow) as refused:
        parse_period(text, today=TODAY)
    message = f"{shown} is outside the plausible window (2000-04 to 2036-12); check the year"
    assert str(refused.value) == message
    assert (refused.value.first, refused.value.last) == ("2000-04", "2036-12")


def test_the_window_follows_today() -> None:
    assert [str(p) for p in plausible_window(TODAY)] == ["2000-04", "2036-12"]
    assert [str(p) for p in plausible_window(date(2030, 1, 31))] == ["2000-04", "2040-01"]
    last = plausible_window()[1]  # parse_period itself uses the real today
    assert parse_period(str(last)) == last
    with pytest.raises(PeriodOutOfWindow):
        parse_period(str(last.shift(1)))


def test_the_window_is_not_cached_with_the_period() -> None:
    """parse_period caches the reading, not the verdict, which moves with the calendar."""
    assert parse_period("2037-01", today=date(2027, 1, 1)) == Period.month(2037, 1)
    with pytest.raises(PeriodOutOfWindow):
        parse_period("2037-01", today=TODAY)
    assert check_plausible(Period.month(2037, 1), today=date(2027, 1, 1))


@pytest.mark.parametrize("number", [10**400, -(10**400), float("inf"), float("nan"), 1e300, -5.0])
def test_numbers_that_are_no_excel_date_are_refused_not_raised_on(number: object) -> None:
    with pytest.raises(PeriodError, match="not an Excel date serial"):
        parse_period(number)


def test_financial_years_inside_the_window_only() -> None:
    assert parse_fy("2000/01", today=TODAY) == 2000
    assert parse_fy("2036/37", today=TODAY) == 2036
    for outside in ("1999/00", "2037/38", "9999/00"):
        with pytest.raises(PeriodOutOfWindow, match=r"outside the plausible window \(2000/01 to 2036/37\)"):
            parse_fy(outside, today=TODAY)


def test_periods_built_in_code_are_not_checked() -> None:
    """The window is about what people type; calculations may build any Period."""
    far = Period.month(2999, 1)
    assert parse_period(far) is far


@pytest.mark.parametrize(
    ("text", "month"),
    [("M1 2019/20", "2019-04"), ("Month 9 2019/20", "2019-12"), ("M10 19/20", "2020-01"),
     ("2019/20 M12", "2020-03"), ("Apr 2019/20", "2019-04"), ("2019/20 Dec", "2019-12"),
     ("Jan 19/20", "2020-01"), ("March 2019/20", "2020-03")],
)
def test_a_month_of_a_financial_year_is_in_the_right_calendar_year(text: str, month: str) -> None:
    # NHS finance numbers months from April: M1 is April, M10 is the January after.
    assert str(parse_period(text)) == month


@pytest.mark.parametrize("bad", ["Q1", "Q1 2019", "Jan", "19/21 Q1", "M13 2019/20", "M0 2019/20",
                                 "2019/20 Total", "FY 2019/20", "Q5 19/20"])
def test_periods_without_a_year_or_with_a_wrong_one_are_refused(bad: str) -> None:
    # 'Q1 2019' could be a calendar or a financial quarter: refused rather than guessed
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_a_two_digit_financial_year_is_this_century() -> None:
    assert parse_fy("19/20") == 2019
    assert str(parse_period("05/06 Q1")) == "2005/06 Q1"
