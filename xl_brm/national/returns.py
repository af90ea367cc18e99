"""Returns: the window a return is counted in and when it is late, and dates as people type them.

Decisions (SPEC §7.3 says only "who has and has not submitted since a date"):
- A return **counts** when the trust submits anything on or after the window's first day
  (`since`); the store keeps no other notion of a return.
- It is **late** when its first submission in the window arrives after the due day, or none has
  arrived and the due day is over (`overdue`). Days are whole days in UTC.
- The national page's default window is the latest financial quarter that has ended: from its
  first day, due `return_due_days` (a setting, 30 by default) after its last day. The API's
  default stays `since` = 1 April of this financial year, with no due day (so nobody is late).
- Which trusts are **expected** is `queries.expected_trusts`: every trust holding a token that
  has not been revoked, plus the store's optional list (XL_BRM_EXPECTED_TRUSTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from xl_brm import display
from xl_brm.normalise import CellError, parse_date
from xl_brm.periods import Period

EARLIEST_YEAR = 2000
"""Dates before this are typing mistakes (the plausible window of SPEC §3 starts in April 2000)."""
YEARS_AHEAD = 10


def read_date(text: str | None, *, today: date | None = None) -> date | None:
    """A date as people type it (31/03/2020, 31 Mar 2020, 2020-03-31; UK day first), or None
    for nothing typed. ValueError saying how to write it otherwise."""
    if text is None or not text.strip():
        return None
    try:
        value, _note = parse_date(text.strip())
    except CellError:
        raise ValueError(f"'{text.strip()}' is not a date: write it like 31/03/2020 or 2020-03-31") from None
    if not isinstance(value, date):
        raise ValueError(f"'{text.strip()}' is not a date: write it like 31/03/2020 or 2020-03-31")
    last = (today or date.today()).year + YEARS_AHEAD
    if not EARLIEST_YEAR <= value.year <= last:
        raise ValueError(f"{display.day(value)} is not a plausible date (years {EARLIEST_YEAR} to {last})")
    return value


def fy_start(day: date) -> date:
    """1 April of the financial year `day` falls in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


@dataclass(frozen=True, slots=True)
class ReturnWindow:
    """Submissions from `since` count; after the end of `due` (if given) they are late."""

    since: date
    due: date | None = None

    @classmethod
    def for_quarter(cls, quarter: Period, due_days: int) -> ReturnWindow:
        return cls(quarter.start, quarter.end + timedelta(days=due_days))

    @property
    def opens(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=UTC)

    @property
    def late_from(self) -> datetime | None:
        """The first moment a return is late: the start of the day after the due day."""
        if self.due is None:
            return None
        return datetime.combine(self.due + timedelta(days=1), time.min, tzinfo=UTC)


def latest_ended_quarter(today: date | None = None) -> Period:
    """The most recent financial quarter whose last day is before `today`."""
    current = Period.of_date(today or date.today()).to_quarter()
    return current.shift(-3)
