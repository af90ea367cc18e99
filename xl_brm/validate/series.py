"""Series rules: one benefit's measurements in period order (BRM403-BRM405, BRM407, BRM408,
BRM501, BRM504), and the one spike and gap test they and the quiet-series fast path share.

Each check is a function of a `Series` that yields findings. Most benefits' measurements are
quiet (all numbers, in order, no gap, no spike, inside the benefit's dates, none in the
future, not a qualitative benefit): a check registered with `quiet=True` says it can find
nothing there, and is skipped for them. `quiet` is built from the same helpers the checks use
(`spikes`, `gaps`), and the plain path (`XL_BRM_PLAIN=1`) runs every check on every series, so
a test can prove the skip changes nothing. A check that does not say `quiet=True` runs on
every series.

Decisions where SPEC §6 is silent:
- A measurement joins the Register when its benefit_id, period and value were read, its
  benefit is in the Register, and it is not a repeat of a period (BRM403, the first row wins)
  or text for a quantitative benefit (BRM407).
- BRM404 (issue 13): trusts record history before a go-live, so a measurement before the
  benefit's dates is ordinary; it is reported only when its period ends more than
  HISTORY_MONTHS (3 years) before the month of the earlier of baseline_start and
  realisation_start, which looks like a year typed wrong (2009 for 2019), once per such cell.
  Periods after today's month get BRM405. Measurements after target_date are fine.
- BRM501 flags a value more than 10x away from every value within two periods either side
  and above (or below) all of them, among the measurements that join the Register: an
  isolated spike, not a step change, and not a value on a ramp (go-live adoption climbing from
  near zero passes between its neighbours; a ramp's first or last value, nearer zero than the
  run it starts or ends, is not a slip either).
- BRM504 flags gaps between those measurements, not a missing tail (the calculations'
  `no_data` status covers that), not for a qualitative benefit, whose evidence comes when
  there is some, and not beside a period BRM404 or BRM405 reported (the 'gap' is the year
  typed wrong).
- Both look only at a series that is `unsettled` as it comes (in row order, text included):
  out of order, or with neighbours far apart or more than GAP periods apart. So a gap left
  only by text readings dropped for BRM407 is not also a BRM504, and a qualitative benefit's
  numbers (BRM408 errors) are checked for spikes only when out of order. This is how the
  engine behaved before it was split into checks, kept so findings did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from itertools import pairwise
from operator import add, attrgetter, lt
from typing import Any

from xl_brm.enums import BenefitType
from xl_brm.fields import MEASUREMENT_FIELD
from xl_brm.findings import Finding
from xl_brm.periods import Period
from xl_brm.rules import RULES
from xl_brm.rules._checks import Check, check, checks_of
from xl_brm.validate._shared import BenefitRow, Reading, State, earliest, num, positions
from xl_brm.validate.tables import measurements_checkable

HISTORY_MONTHS = 36
"""How far before a benefit's dates its measurements may go before BRM404 asks about the year."""
FAR = 10.0
"""A value more than FAR times, or less than 1/FAR of, another is far from it (BRM501)."""
GAP = 3
"""More than GAP periods between two measurements is a gap (BRM504)."""


# ------------------------------------------------------------------------------ spikes and gaps


def far(value: float, other: float) -> bool:
    if value == 0 or other == 0:
        return False
    ratio = abs(value / other)
    return ratio > FAR or ratio < 1 / FAR


def could_spike(values: Sequence[float]) -> bool:
    """False when no value can be a spike: no two neighbours are far apart. A spike is far from
    its nearest neighbour, so this is a cheap test to run before `spikes`. Values of one sign
    spanning less than a 9.9-fold range pass at once (the margin keeps rounding out of it)."""
    if len(values) < 2:
        return False
    low, high = min(values), max(values)
    if (low > 0 and high < 9.9 * low) or (high < 0 and low > 9.9 * high):
        return False
    return any(far(a, b) for a, b in pairwise(values))


def spikes(values: Sequence[float]) -> Iterator[tuple[int, list[float]]]:
    """(position, its neighbours) of each value that stands alone among the values within two
    either side (see `_spike`)."""
    if not could_spike(values):
        return
    for k, x in enumerate(values):
        left, right = list(values[max(0, k - 2) : k]), list(values[k + 1 : k + 3])
        if x and (left or right) and _spike(x, left, right):
            yield k, left + right


def _spike(x: float, left: list[float], right: list[float]) -> bool:
    """True when `x` stands alone: more than FAR away from every neighbour and beyond them all
    (above or below), unless it starts or ends a ramp that climbs away from zero (a go-live's
    first months: 1, 12, 130, ...; or paper forms falling to near zero after one)."""
    near = left + right
    if not all(far(x, other) for other in near) or min(near) <= x <= max(near):
        return False
    run = [*left, x, *right]
    monotone = all(a < b for a, b in pairwise(run)) or all(a > b for a, b in pairwise(run))
    return not (monotone and abs(x) < min(map(abs, near)))


def gaps(periods: Sequence[Period]) -> Iterator[tuple[int, int]]:
    """(position, periods missing before it) where more than GAP periods of the same length are
    missing between one period and the one before it."""
    for k, (before, per) in enumerate(pairwise(periods), start=1):
        if per.months == before.months and per.index - before.index > GAP * per.months:
            yield k, (per.index - before.index) // per.months - 1


# ------------------------------------------------------------------------------ the series


class Series:
    """One benefit's measurements, for the series checks."""

    __slots__ = (
        "_span",
        "benefit",
        "benefit_id",
        "date_field",
        "earliest",
        "first_month",
        "kept",
        "letters",
        "now",
        "readings",
        "repeated",
        "sheet",
        "today",
        "unsettled",
    )

    def __init__(
        self,
        benefit_id: str,
        benefit: BenefitRow,
        readings: list[Reading],
        kept: list[Reading],
        sheet: str,
        letters: dict[str, str],
        earliest_day: tuple[date | None, str],
        first_month: int,
        now: int,
        today: date,
        unsettled: bool,
        repeated: list[tuple[Reading, int]],
    ) -> None:
        self.benefit_id = benefit_id
        self.benefit = benefit
        self.readings = readings
        """Every usable reading, in period order (repeats and text included)."""
        self.kept = kept
        """The readings that join the Register (no repeat, no text for a quantitative benefit)."""
        self.sheet = sheet
        self.letters = letters
        """Field -> column letter on the Measurements sheet."""
        self.earliest, self.date_field = earliest_day
        self.first_month = first_month
        """Month index of `earliest` (-1 when the benefit has neither date)."""
        self.now = now
        self.today = today
        self.unsettled = unsettled
        """See `unsettled` (BRM501 and BRM504 look only at an unsettled series)."""
        self.repeated = repeated
        """`repeats(readings)`: each repeat of a period, with the row of its first reading."""
        self._span: tuple[int, int] | None = None

    @property
    def span(self) -> tuple[int, int]:
        """(the earliest month any reading's period ends in, the latest month one starts in)."""
        if self._span is None:
            index = list(map(_INDEX, map(_PERIOD, self.readings)))
            ends = map(add, index, map(_MONTHS, map(_PERIOD, self.readings)))
            self._span = (min(ends, default=0) - 1, max(index, default=0))
        return self._span

    @property
    def benefit_type(self) -> BenefitType | None:
        bt: BenefitType | None = self.benefit.values.get("benefit_type")
        return bt

    @property
    def qualitative(self) -> bool:
        return self.benefit_type is BenefitType.QUALITATIVE

    def at(self, code: str, m: Reading, column: str, value: Any, **params: Any) -> Finding:
        """A finding of `code` at reading `m`'s cell in `column`."""
        row = m.row
        return RULES[code].finding(
            sheet=self.sheet,
            row=row,
            column=column,
            cell=f"{self.letters[column]}{row}",
            value=value,
            **params,
        )


def repeats(ordered: Sequence[Reading]) -> list[tuple[Reading, int]]:
    """(reading, Excel row of the first reading of its period) for each repeat of a period."""
    if _in_order(ordered):  # the usual series: each period once
        return []
    seen: dict[tuple[int, int], int] = {}
    out = []
    for m in ordered:
        per = m.period
        key = (per.index, per.months)
        first = seen.get(key)
        if first is None:
            seen[key] = m.row
        else:
            out.append((m, first))
    return out


def texts(readings: Sequence[Reading], benefit_type: BenefitType | None) -> Iterator[Reading]:
    """Readings holding text where the benefit (of a known, quantitative type) needs a number."""
    if benefit_type is not None and benefit_type is not BenefitType.QUALITATIVE:
        for m in readings:
            if type(m.value) is not float:
                yield m


@check("BRM403", scope="series", quiet=True)
def repeated_period(s: Series) -> Iterator[Finding]:
    for m, first_row in s.repeated:
        per = str(m.period)
        yield s.at("BRM403", m, "period", per, benefit_id=s.benefit_id, period=per, first_row=first_row)


@check("BRM404", scope="series", quiet=True)
def before_benefit_dates(s: Series) -> Iterator[Finding]:
    years = HISTORY_MONTHS // 12
    for m in too_early(s):
        yield s.at(
            "BRM404", m, "period", str(m.period), date_field=s.date_field, date=s.earliest, years=years
        )


def too_early(s: Series) -> list[Reading]:
    """Readings whose period ends before `first_month` (HISTORY_MONTHS before the benefit's
    dates): a year typed wrong, more likely than history."""
    first = s.first_month
    if s.span[0] >= first:  # every period ends late enough
        return []
    return [m for m in s.readings if m.period.index + m.period.months - 1 < first]


@check("BRM405", scope="series", quiet=True)
def in_the_future(s: Series) -> Iterator[Finding]:
    first, now, today = s.first_month, s.now, s.today.strftime("%d/%m/%Y")
    if s.span[1] <= now:  # nothing in the future
        return
    for m in s.readings:
        per = m.period
        if per.index > now and not per.index + per.months - 1 < first:  # BRM404's already
            yield s.at("BRM405", m, "period", str(per), today=today)


@check("BRM407", scope="series", quiet=True)
def text_for_quantitative(s: Series) -> Iterator[Finding]:
    bt = s.benefit_type
    for m in texts(s.readings, bt):
        yield s.at("BRM407", m, "value", m.value, benefit_id=s.benefit_id, benefit_type=bt.value)  # type: ignore[union-attr]


@check("BRM408", scope="series", quiet=True)
def number_for_qualitative(s: Series) -> Iterator[Finding]:
    if not s.qualitative:
        return
    rule, sheet, letter, bid = RULES["BRM408"], s.sheet, s.letters["value"], s.benefit_id
    code, severity = rule.code, rule.severity
    for m in s.readings:  # `rule.finding`, made cheaply: a finding per reading, maybe 50k of them
        value = m.value
        if type(value) is float:
            row = m.row
            yield Finding(
                code, severity, None, sheet, row, "value", f"{letter}{row}", value, None,
                {"value": value, "column": "value", "sheet": sheet, "benefit_id": bid}, template=rule,
            )


@check("BRM501", scope="series", quiet=True)
def isolated_spike(s: Series) -> Iterator[Finding]:
    if not s.unsettled:
        return
    numeric = [m for m in s.kept if type(m.value) is float]
    values: list[float] = [m.value for m in numeric]  # type: ignore[misc]
    for k, near in spikes(values):
        m = numeric[k]
        yield s.at(
            "BRM501", m, "value", values[k], period=str(m.period), neighbours=", ".join(map(num, near))
        )


@check("BRM504", scope="series", quiet=True)
def measurement_gap(s: Series) -> Iterator[Finding]:
    if s.qualitative or not s.unsettled:
        return
    kept = s.kept
    periods = [m.period for m in kept]
    # a 'gap' beside a year typed wrong (too early, BRM404, or in the future, BRM405) is that typo
    typos = {m.row for m in too_early(s)}
    if s.span[1] > s.now:
        typos.update(m.row for m in kept if m.period.index > s.now)
    for k, missing in gaps(periods):
        m = kept[k]
        if typos and (m.row in typos or kept[k - 1].row in typos):
            continue
        yield s.at(
            "BRM504",
            m,
            "period",
            str(m.period),
            benefit_id=s.benefit_id,
            missing=missing,
            after=str(periods[k - 1]),
        )


# ------------------------------------------------------------------------------ running them

_PERIOD, _VALUE, _INDEX, _MONTHS = (attrgetter(n) for n in ("period", "value", "index", "months"))
_FLOAT_ONLY = {float}


class Quiet:
    """Spots, with C-level passes, a series in which no `quiet=True` check can find anything.

    Benefits usually follow one another with the same months, so the period facts of the last
    sequence are kept.
    """

    def __init__(self) -> None:
        self.periods: list[Period] = []
        self.facts = (False, 0, 0)
        """(strictly in order without a gap, earliest last month, latest start) of `periods`."""

    def __call__(self, group: list[Reading], qualitative: bool, first_month: int, now: int) -> bool:
        if qualitative:
            return False
        periods = list(map(_PERIOD, group))
        if periods != self.periods:  # the same Period objects: compared by identity, fast
            self.periods, self.facts = periods, _period_facts(periods)
        tidy, first_end, last_start = self.facts
        if not tidy or first_end < first_month or last_start > now:
            return False
        values = list(map(_VALUE, group))
        if set(map(type, values)) != _FLOAT_ONLY:
            return False
        return not could_spike(values)


def _period_facts(periods: list[Period]) -> tuple[bool, int, int]:
    """(strictly in order with no step of more than GAP periods, earliest last month, latest
    index). Stricter than `gaps` where lengths differ: it may only ever call too little quiet."""
    index = list(map(_INDEX, periods))
    months = list(map(_MONTHS, periods))
    tidy = all(map(_step_ok, index, index[1:], months))
    return tidy, min(map(add, index, months)) - 1, max(index)


def _step_ok(before: int, after: int, months: int) -> bool:
    return before < after <= before + GAP * months


def _in_order(group: Sequence[Reading]) -> bool:
    index = [m.period.index for m in group]
    return all(map(lt, index, index[1:]))


def unsettled(group: list[Reading], qualitative: bool) -> bool:
    """True when a benefit's readings as they come (row order, text included) are out of
    order, or (but for a qualitative benefit) show neighbouring numbers far apart or a step of
    more than GAP periods. A quiet series is never unsettled."""
    if not _in_order(group):
        return True
    if qualitative:
        return False
    if could_spike([m.value for m in group if type(m.value) is float]):
        return True
    return any(b.period.index - a.period.index > GAP * a.period.months for a, b in pairwise(group))


def run_series(state: State) -> Iterator[Finding]:
    """Every series check over every benefit's measurements (those of known benefits)."""
    table = state.mtable
    if state.single_row or table is None or not measurements_checkable(state):
        return
    pos = positions(table, MEASUREMENT_FIELD)
    letters = {name: table.columns[pos[name]].letter for name in ("benefit_id", "period", "value")}
    every = checks_of("series")
    loud = [c.function for c in every if not c.quiet]
    always = [c.function for c in every]
    quiet = Quiet()
    month_of = _memoised(lambda d: Period.of_date(d).index)
    now, today, sheet, plain = state.today_month, state.today, table.sheet, state.plain
    for bid, group in state.readings.items():
        b = state.by_id.get(bid)
        if b is None:
            continue  # BRM402's
        first_day = earliest(b.values)
        first_month = month_of(first_day[0]) - HISTORY_MONTHS if first_day[0] is not None else -1
        qualitative = b.values.get("benefit_type") is BenefitType.QUALITATIVE
        restless = False
        repeated: list[tuple[Reading, int]] = []
        if not plain and quiet(group, qualitative, first_month, now):
            if not loud:
                continue
            functions = loud
        else:
            functions = always
            restless = unsettled(group, qualitative)
            if not _in_order(group):
                group.sort(key=lambda m: (m.period.index, m.period.months, m.row))
            repeated = repeats(group)
            drops = {m.row for m, _ in repeated}
            drops.update(m.row for m in texts(group, b.values.get("benefit_type")))
            if drops:
                state.dropped.setdefault(bid, set()).update(drops)
        s = Series(
            bid,
            b,
            group,
            state.kept(bid),
            sheet,
            letters,
            first_day,
            first_month,
            now,
            today,
            restless,
            repeated,
        )
        for function in functions:
            yield from function(s)


def _memoised(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`function` with its results kept for repeated arguments (for one stage's lifetime)."""
    memo: dict[Any, Any] = {}

    def call(arg: Any) -> Any:
        got = memo.get(arg, memo)
        if got is memo:
            got = memo[arg] = function(arg)
        return got

    return call


__all__ = ["FAR", "Check", "Quiet", "Series", "could_spike", "gaps", "run_series", "spikes"]
