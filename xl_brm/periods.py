"""Months, NHS financial quarters and financial years (SPEC §3).

The NHS financial year runs 1 April - 31 March and is written `2019/20`; Q1 is Apr-Jun.
A `Period` is a month or a quarter. Months are canonically `2019-04`, quarters `2019/20 Q1`.

What people type or send is read by `parse_period` and `parse_fy`, which refuse anything outside
the plausible window (April 2000 to ten years after this month, SPEC §3): no cell, command line
or request can make the calculations or the store walk millions of empty periods. A period (or
financial year) is inside when its first month is. `Period` objects built in code are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (serial 60 is Excel's phantom 29 Feb 1900)."""

MONTH_NAMES = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}


class PeriodError(ValueError):
    """Text that is not a month or a quarter we can read."""


class PeriodOutOfWindow(PeriodError):
    """A real month, quarter or financial year outside the plausible window (SPEC §3)."""

    def __init__(self, what: str, first: str, last: str) -> None:
        super().__init__(f"{what} is outside the plausible window ({first} to {last}); check the year")
        self.first = first
        self.last = last


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A month (`months == 1`) or an NHS financial quarter (`months == 3`), ordered by start."""

    index: int
    """Months since January of year 0 of the period's first month: year * 12 + (month - 1)."""
    months: Literal[1, 3] = 1

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} is not 1-12")
        return cls(year * 12 + month - 1, 1)

    @classmethod
    def quarter(cls, fy_start_year: int, q: int) -> Period:
        """Quarter `q` (1-4) of the financial year that starts in April of `fy_start_year`."""
        if not 1 <= q <= 4:
            raise PeriodError(f"quarter {q} is not 1-4")
        return cls(fy_start_year * 12 + 3 + (q - 1) * 3, 3)

    @classmethod
    def of_date(cls, day: date) -> Period:
        return cls.month(day.year, day.month)

    @property
    def year(self) -> int:
        return self.index // 12

    @property
    def month_number(self) -> int:
        return self.index % 12 + 1

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def start(self) -> date:
        return date(self.year, self.month_number, 1)

    @property
    def end(self) -> date:
        last = Period(self.index + self.months - 1, 1)
        following = Period(last.index + 1, 1).start
        return following - timedelta(days=1)

    @property
    def fy_start_year(self) -> int:
        """The calendar year in which this period's financial year starts."""
        return self.year if self.month_number >= 4 else self.year - 1

    @property
    def fy(self) -> str:
        return fy_label(self.fy_start_year)

    @property
    def quarter_number(self) -> int:
        return (self.index - (self.fy_start_year * 12 + 3)) // 3 + 1

    def to_quarter(self) -> Period:
        """The financial quarter containing this period."""
        return Period.quarter(self.fy_start_year, self.quarter_number)

    def month_periods(self) -> list[Period]:
        return [Period(self.index + i, 1) for i in range(self.months)]

    def shift(self, months: int) -> Period:
        return Period(self.index + months, self.months)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        if self.is_quarter:
            return f"{self.fy} Q{self.quarter_number}"
        return f"{self.year:04d}-{self.month_number:02d}"


def fy_label(fy_start_year: int) -> str:
    """2019 -> '2019/20'."""
    return f"{fy_start_year}/{(fy_start_year + 1) % 100:02d}"


def fy_of(day: date) -> str:
    """The financial year of a date: 2020-03-31 -> '2019/20', 2020-04-01 -> '2020/21'."""
    return Period.of_date(day).fy


_FY = r"(?:FY\s*)?(\d{4}|\d{2})\s*[/-]\s*(\d{2}|\d{4})"
_QTR = r"(?:Q|Qtr\.?|Quarter)\s*([1-4])"
_MONTH_NO = r"(?:M|Mth\.?|Month)\s*(0?[1-9]|1[0-2])"
_JOIN = r"\s*[,:\-–]?\s*"
_QUARTER_PATTERNS = (
    re.compile(rf"^{_FY}{_JOIN}{_QTR}$", re.IGNORECASE),
    re.compile(rf"^{_QTR}{_JOIN}\(?{_FY}\)?$", re.IGNORECASE),
)
_FY_MONTH_PATTERNS = (
    re.compile(rf"^{_FY}{_JOIN}(?:{_MONTH_NO}|([A-Za-z]+))$", re.IGNORECASE),
    re.compile(rf"^(?:{_MONTH_NO}|([A-Za-z]+)){_JOIN}\(?{_FY}\)?$", re.IGNORECASE),
)
"""A month of a financial year: `M1 2019/20` (NHS finance's month 1 is April), `Apr 2019/20`."""
_FY_ONLY = re.compile(rf"^{_FY}$", re.IGNORECASE)
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00(?::00)?)?$")
_NAMED_MONTH = re.compile(r"^([A-Za-z]+)[\s\-'/]*(\d{2}|\d{4})$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_SLASH_MONTH = re.compile(r"^(\d{1,2})[/.](\d{4})$")


def _four_digit(year: str) -> int:
    y = int(year)
    return y + 2000 if len(year) == 2 else y


def _fy_start(first: str, second: str) -> int:
    start = _four_digit(first)
    end = int(second)
    expected = (start + 1) % (100 if len(second) == 2 else 10_000)
    if end != expected:
        raise PeriodError(f"'{first}/{second}' is not a financial year (expected {fy_label(start)})")
    return start


def parse_fy(text: str, *, today: date | None = None) -> int:
    """'2019/20', 'FY2019/20' or '2019-2020' -> 2019 (the year the financial year starts).

    The financial year must start inside the plausible window (2000/01 onwards, SPEC §3).
    """
    match = _FY_ONLY.match(text.strip())
    if not match:
        raise PeriodError(f"'{text}' is not a financial year; write it like 2019/20")
    start = _fy_start(match.group(1), match.group(2))
    first, last = plausible_window(today)
    if not first.fy_start_year <= start <= last.fy_start_year:
        raise PeriodOutOfWindow(fy_label(start), first.fy, last.fy)
    return start


def excel_serial_to_date(serial: float) -> date:
    """An Excel 1900-system serial to a date (serials below 61 predate any benefit and are refused).

    Compared before any conversion, so NaN, infinities and huge integers are refused, not raised on.
    """
    if not 61 <= serial < 2_958_466:
        shown = repr(serial)
        raise PeriodError(f"{shown if len(shown) <= 20 else shown[:17] + '...'} is not an Excel date serial")
    return EXCEL_EPOCH + timedelta(days=int(serial))


YEARS_AHEAD = 10
"""How far after this month a plausible period may start (SPEC §3)."""


def plausible_window(today: date | None = None) -> tuple[Period, Period]:
    """The first and last month a period people type may start in: April 2000 and the month ten
    years after this one."""
    return FIRST_PLAUSIBLE, Period(current_month(today).index + 12 * YEARS_AHEAD, 1)


def check_plausible(period: Period, *, today: date | None = None) -> Period:
    """`period` if it starts inside the plausible window, else `PeriodOutOfWindow` saying so."""
    first, last = plausible_window(today)
    if not first.index <= period.index <= last.index:
        raise PeriodOutOfWindow(str(period), str(first), str(last))
    return period


def parse_period(value: object, *, today: date | None = None) -> Period:
    """A month or quarter from what a trust typed or Excel stored, inside the plausible window.

    Accepts `2019-04`, `Apr-19`, `April 2019`, `2019/20 Q1`, `FY2019/20 Q1`, `Q1 2019/20`,
    `Q1 19/20`, `19/20 Q1`, `Qtr 1 2019/20`, `FY19/20 Q1`, a month of a financial year
    (`M1 2019/20`, `Apr 2019/20`), a date or datetime (its month), an Excel serial, or a UK
    `dd/mm/yyyy` text date (its month).
    A `Period` is returned as it is. Raises `PeriodError` (`PeriodOutOfWindow` for a real period
    outside the window, SPEC §3).
    """
    if isinstance(value, Period):
        return value
    return check_plausible(_parse_period(value), today=today)


@lru_cache(maxsize=4096)
def _parse_period(value: object) -> Period:
    """`parse_period` before the window check (which depends on today, so is not cached).

    Cached: a register repeats the same few dozen periods hundreds of thousands of times.
    """
    if isinstance(value, datetime):
        return Period.of_date(value.date())
    if isinstance(value, date):
        return Period.of_date(value)
    if isinstance(value, bool):
        raise PeriodError(f"{value} is not a period")
    if isinstance(value, (int, float)):
        return Period.of_date(excel_serial_to_date(value))
    if not isinstance(value, str):
        raise PeriodError(f"{value!r} is not a period")
    text = " ".join(value.split())
    if not text:
        raise PeriodError("the period is blank")
    for pattern in _QUARTER_PATTERNS:
        if match := pattern.match(text):
            groups = match.groups()
            fy_first = pattern is _QUARTER_PATTERNS[0]
            q, first, second = (groups[2], groups[0], groups[1]) if fy_first else groups
            return Period.quarter(_fy_start(first, second), int(q))
    for pattern in _FY_MONTH_PATTERNS:
        if match := pattern.match(text):
            return _month_of_fy(match.groups(), fy_first=pattern is _FY_MONTH_PATTERNS[0], text=value)
    if match := _ISO_MONTH.match(text):
        return Period.month(int(match.group(1)), int(match.group(2)))
    if match := _NAMED_MONTH.match(text):
        month = MONTH_NAMES.get(match.group(1).lower())
        if month is None:
            raise PeriodError(f"'{value}' is not a month; write it like 2019-04 or Apr-19")
        return Period.month(_four_digit(match.group(2)), month)
    if match := _UK_DATE.match(text):
        day, month, year = int(match.group(1)), int(match.group(2)), _four_digit(match.group(3))
        try:
            return Period.of_date(date(year, month, day))
        except ValueError as exc:
            raise PeriodError(f"'{value}' is not a real date (dd/mm/yyyy)") from exc
    if match := _SLASH_MONTH.match(text):
        return Period.month(int(match.group(2)), int(match.group(1)))
    raise PeriodError(
        f"'{value}' is not a period; write a month like 2019-04 or Apr-19, or a quarter like 2019/20 Q1"
    )


def _month_of_fy(groups: tuple[str | None, ...], *, fy_first: bool, text: object) -> Period:
    """`M1 2019/20` or `Apr 2019/20`: a month number of the financial year (1 = April) or a
    month's name, in the year of that financial year it falls in."""
    first, second, number, name = (*groups[:2], *groups[2:]) if fy_first else (*groups[2:], *groups[:2])
    start = _fy_start(first, second)  # type: ignore[arg-type]
    if number is not None:
        month = (int(number) + 2) % 12 + 1
    else:
        month = MONTH_NAMES.get((name or "").lower(), 0)
        if not month:
            raise PeriodError(f"'{text}' is not a period; write a month like 2019-04 or Apr-19, "
                              "or a quarter like 2019/20 Q1")
    return Period.month(start if month >= 4 else start + 1, month)


def current_month(today: date | None = None) -> Period:
    return Period.of_date(today or date.today())


FIRST_PLAUSIBLE = Period.month(2000, 4)
"""The first month of the plausible window (SPEC §3): no digital programme's benefit is older."""


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period of `first`'s length from `first` to `last` inclusive."""
    return [Period(i, first.months) for i in range(first.index, last.index + 1, first.months)]
