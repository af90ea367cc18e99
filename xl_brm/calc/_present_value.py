"""Present value with the HM Treasury Green Book social time preference rate (SPEC §5.3).

Rates by year after the base year: 3.5% for years 1-30, 3.0% for 31-75, 2.5% for 76-125. Beyond
125 years SPEC §5.3 is silent, so the Green Book's own schedule continues: 2.0% for 126-200,
1.5% for 201-300 and 1.0% after that.

Values *before* the base year are compounded forward to it with the same schedule:
discount_factor(-n) = 1 / discount_factor(n). "Compound forward" and "n < 0 with the rates
inverted" are the same thing, so the two readings of the spec agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

from xl_brm.calc._numbers import finite
from xl_brm.errors import UsageError

GREEN_BOOK_RATES: tuple[tuple[int, float], ...] = (
    (30, 0.035),
    (75, 0.030),
    (125, 0.025),
    (200, 0.020),
    (300, 0.015),
)
"""(last year of the band, rate) in order; years after the last band use LONG_TERM_RATE."""
LONG_TERM_RATE = 0.010


def rate_for_year(k: int) -> float:
    """The discount rate r_k that applies to year k (k >= 1) after the base year."""
    if k < 1:
        raise UsageError(f"year {k} has no discount rate", hint="years are counted from 1")
    for last_year, rate in GREEN_BOOK_RATES:
        if k <= last_year:
            return rate
    return LONG_TERM_RATE


def discount_factor(n: int) -> float:
    """Product over k = 1..n of 1 / (1 + r_k); 1 for n = 0; the inverse of factor(-n) for n < 0.

    Worked out band by band with powers, so a silly n never loops for long.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise UsageError(f"{n!r} is not a whole number of years")
    return _discount_factor(n)


@lru_cache(maxsize=1024)
def _discount_factor(n: int) -> float:
    if n < 0:
        forward = _discount_factor(-n)
        if forward == 0.0 or math.isinf(1.0 / forward):
            raise UsageError(f"{n} years before the base year is too far back to compound forward")
        return 1.0 / forward
    growth = 1.0
    first = 1
    for last_year, rate in (*GREEN_BOOK_RATES, (n, LONG_TERM_RATE)):
        years = min(n, last_year) - first + 1
        if years <= 0:
            break
        try:
            growth *= (1.0 + rate) ** years
        except OverflowError:  # tens of thousands of years away: worth nothing today
            return 0.0
        first = last_year + 1
    return 1.0 / growth


def present_value(values_by_fy: Mapping[int, float], *, base_fy: int) -> float:
    """Sum of each financial year's value x discount_factor(FY - base FY).

    Keys are the calendar years in which the financial years start (2019 for 2019/20).
    """
    terms = [
        finite(value * discount_factor(fy - base_fy), "present value") for fy, value in values_by_fy.items()
    ]
    try:
        return finite(math.fsum(terms), "present value")
    except OverflowError:  # terms each finite, their sum beyond the largest float
        return finite(math.inf, "present value")
