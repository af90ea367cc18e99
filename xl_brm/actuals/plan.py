"""Where each figure of an extract goes in a register, worked out before anything is written.

The extract's lines are matched to the register's benefits (by benefit ID, else by a measure
code the register gives exactly one benefit: its national_measure_code or its measure), rolled
up to each benefit's own period (its measurements are monthly or quarterly; a day's or a
month's figures add up, or average for a level such as a percentage or a mean), and placed in
the register's own measurement cells: a long sheet's row for that period (a placeholder row is
filled, else a row is added), or a wide sheet's cell under that period's heading (a column is
added for a period it lacks). Each figure becomes a `Change`: new, changed, unchanged, or kept
(the register holds another value and `--overwrite` was not given: never silently replaced).
"""

from __future__ import annotations

import calendar
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from xl_brm.actuals.extract import Extract, ExtractRow
from xl_brm.enums import BenefitType, fold
from xl_brm.findings import Finding
from xl_brm.model import Benefit, Register
from xl_brm.normalise import CellError, parse_number
from xl_brm.periods import Period, PeriodError, parse_period
from xl_brm.reader.wide import MEASUREMENTS, Source, key_text
from xl_brm.rules import RULES
from xl_brm.rules._checks import check
from xl_brm.table import RawTable, RawWorkbook, column_cells, column_letter

Status = Literal["new", "changed", "unchanged", "kept"]
RollUp = Literal["sum", "mean"]

_LEVEL_UNITS = frozenset({"percent", "rate_per_1000", "score"})
_PER_TIME = re.compile(r"\b(?:a|an|per|each)\s+(day|week|month|quarter|year)\b|"
                       r"\b(daily|weekly|monthly|quarterly|annual|annually|yearly)\b", re.IGNORECASE)
_TIME_MONTHS = {"day": 0.03, "daily": 0.03, "week": 0.25, "weekly": 0.25, "month": 1, "monthly": 1,
                "quarter": 3, "quarterly": 3, "year": 12, "annual": 12, "annually": 12, "yearly": 12}
_LEVEL_WORDS = re.compile(
    r"\b(?:mean|median|average|avg|rate|ratio|proportion|percentage|percent)\b|%|"
    r"\bper\s+(?!month\b|quarter\b|year\b|annum\b|week\b)\w", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Figure:
    """One value for the register: a benefit's figure for one of its periods."""

    benefit_id: str
    period: Period
    value: float
    lines: tuple[int, ...]
    """The extract's lines it was made from."""
    how: str
    """'30 daily figures summed', 'as in the extract'..."""


@dataclass(slots=True)
class Change:
    """One register cell and what the import does to it."""

    figure: Figure
    status: Status
    sheet: str
    row: int
    column: int
    """0-based."""
    old: Any = None
    """The cell as it is (None when blank or not there yet)."""
    adds: Literal["", "row", "column", "sheet"] = ""
    """What has to be added to the register for the cell to exist."""
    as_percent: bool = False
    """Written into a cell formatted as a percentage (91.2 stored as 0.912): set on writing."""

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    @property
    def writes(self) -> bool:
        return self.status in ("new", "changed")


@dataclass(slots=True)
class LongSheet:
    """A sheet of one row per measurement."""

    sheet: str
    header_row: int
    columns: dict[str, int]
    last_row: int
    periods: list[Any] = field(default_factory=list)
    """Period cells as the sheet holds them, months and quarters alike (how a new one is written)."""
    new: bool = False
    """To be created by the import (the register had nowhere to put measurements)."""
    keys: list[tuple[int, str]] = field(default_factory=list)
    """(row, benefit) of each measurement row, in the sheet's order."""
    ends: dict[str, int] | None = None

    def after(self, benefit_id: str) -> int:
        """The row a new row for the benefit goes under: its own last row when the sheet keeps
        each benefit's rows together, else the sheet's last measurement row."""
        return self._ends().get(benefit_id, self.last_row)

    def _ends(self) -> dict[str, int]:
        """Benefit -> its last row, when every benefit's rows run together (else empty)."""
        if self.ends is None:
            runs: Counter[str] = Counter()
            previous = None
            for _, bid in sorted(self.keys):
                if bid != previous:
                    runs[bid] += 1
                    previous = bid
            grouped = all(n == 1 for n in runs.values())
            self.ends = {bid: row for row, bid in sorted(self.keys)} if grouped else {}
        return self.ends


@dataclass(slots=True)
class Plan:
    """What an import will do: every change, and the findings about the extract."""

    register: Path
    extract: Extract
    changes: list[Change]
    findings: list[Finding]
    long_sheets: list[LongSheet]
    wide_sheets: list[Source]
    register_sheets: dict[str, str]
    """Kind -> sheet name of the register (for messages)."""

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(c.status for c in self.changes)
        return {s: tally.get(s, 0) for s in ("new", "changed", "unchanged", "kept")}

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@check("BRM411", "BRM412", "BRM413", scope="import")
def plan_import(extract: Extract, raw: RawWorkbook, register: Register, *, register_path: Path,
                overwrite: bool = False, roll_up: RollUp | None = None) -> Plan:
    findings = list(extract.findings)
    benefits = {b.benefit_id: b for b in register.benefits}
    rows = _matched(extract, register, findings, raw)
    existing, long_sheets = _measurement_cells(raw)
    wide_sheets = [s for s in raw.sources if s.rows and _columns_of(s)]
    grains = _grains(register, wide_sheets)
    figures = _figures(rows, benefits, grains, roll_up, findings, extract)
    layout = _Layout(existing, long_sheets, wide_sheets, raw)
    changes = layout.rows_inserted([layout.place(f, overwrite) for f in figures])
    for change in changes:
        if change.status == "kept":
            findings.append(RULES["BRM412"].finding(
                sheet=change.sheet, row=change.row, column="value", cell=change.cell,
                value=_shown(change.old), new=_shown(change.figure.value), lines=_lines(change.figure.lines)))
    sheets = {kind: t.sheet for kind, t in raw.tables.items()}
    return Plan(register_path, extract, changes, findings, layout.long_sheets, wide_sheets, sheets)


# -- matching lines to benefits ----------------------------------------------------------------------


def _matched(extract: Extract, register: Register, findings: list[Finding],
             raw: RawWorkbook) -> list[tuple[ExtractRow, Benefit]]:
    """Each line with its benefit: by ID, else by a measure code naming exactly one benefit."""
    by_id = {b.benefit_id: b for b in register.benefits}
    by_code: dict[str, list[Benefit]] = defaultdict(list)
    for b in register.benefits:
        for code in {b.national_measure_code, b.measure}:
            if code:
                by_code[fold(code)].append(b)
    benefits_sheet = raw.tables["Benefits"].sheet if "Benefits" in raw.tables else "Benefits"
    unread = _row_ids(raw) - by_id.keys()
    letter = extract.letters[extract.by_code]
    out: list[tuple[ExtractRow, Benefit]] = []
    for row in extract.rows:
        place: dict[str, Any] = {"sheet": extract.path.name, "row": row.line, "column": extract.by_code,
                                 "cell": f"{letter}{row.line}", "value": row.code}
        benefit = by_id.get(row.code) if extract.by_code == "benefit_id" else None
        if benefit is None:
            named = by_code.get(fold(row.code), [])
            if len(named) > 1:
                findings.append(RULES["BRM411"].finding(
                    **place, reason="the register gives it to " + ", ".join(b.benefit_id for b in named)))
                continue
            benefit = named[0] if named else by_id.get(row.code)
        if benefit is None and row.code in unread:
            findings.append(RULES["BRM411"].finding(
                **place, reason=f"{row.code}'s row on '{benefits_sheet}' has errors that keep it out of "
                "the register (see `xl-brm validate`)"))
            continue
        if benefit is None:
            findings.append(RULES["BRM402"].finding(**place, benefits_sheet=benefits_sheet, nearest=""))
            continue
        if benefit.benefit_type is BenefitType.QUALITATIVE:
            findings.append(RULES["BRM411"].finding(
                **place, reason=f"{benefit.benefit_id} is qualitative: its evidence is text, not a number"))
            continue
        out.append((row, benefit))
    return out


def _row_ids(raw: RawWorkbook) -> set[str]:
    """The benefit IDs on the Benefits sheet, read or not."""
    table = raw.tables.get("Benefits")
    at = table.position("benefit_id") if table is not None else None
    if table is None or at is None:
        return set()
    return {key_text(v) for v in column_cells(table, at) if v is not None}


# -- rolling up -------------------------------------------------------------------------------------


def roll_up_method(benefit: Benefit, months: int = 1) -> RollUp:
    """How a benefit's figures add up into its period of `months`: counts, hours and money are
    summed; a level is averaged: a percentage, a rate per 1,000, a score, a mean or median,
    anything 'per' patient or shift, and an amount stated per a shorter time than the
    register keeps ('errors a month' kept quarterly is a monthly level)."""
    measure = benefit.measure or ""
    if (benefit.unit or "") in _LEVEL_UNITS or _LEVEL_WORDS.search(measure):
        return "mean"
    said = _PER_TIME.search(measure)
    if said is not None and _TIME_MONTHS[(said.group(1) or said.group(2)).lower()] < months:
        return "mean"
    return "sum"


def _figures(rows: list[tuple[ExtractRow, Benefit]], benefits: dict[str, Benefit], grains: dict[str, int],
             roll_up: RollUp | None, findings: list[Finding], extract: Extract) -> list[Figure]:
    groups: dict[tuple[str, Period], list[ExtractRow]] = defaultdict(list)
    for row, benefit in rows:
        months = grains.get(benefit.benefit_id, 1)
        if row.period.months > months:
            findings.append(RULES["BRM411"].finding(
                sheet=extract.path.name, row=row.line, column="period",
                cell=f"{extract.letters['period']}{row.line}", value=str(row.period),
                reason=f"{benefit.benefit_id} is measured monthly: a quarter's figure cannot be split"))
            continue
        target = row.period if row.period.months == months else row.period.to_quarter()
        groups[(benefit.benefit_id, target)].append(row)
    figures: list[Figure] = []
    for (bid, period), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        method = roll_up or roll_up_method(benefits[bid], period.months)
        have, need, unit = _coverage(group, period)
        months = len(_months(group))
        lines = tuple(r.line for r in group)
        short = (have, need, unit) if method == "sum" else (months, period.months, "months")
        if short[0] < short[1]:
            findings.append(RULES["BRM413"].finding(
                sheet=extract.path.name, row=lines[0], column="period",
                cell=f"{extract.letters['period']}{lines[0]}", value=str(period), benefit_id=bid,
                have=short[0], need=short[1], unit=short[2]))
            continue
        values = [r.value for r in group]
        value = math.fsum(values) if method == "sum" else statistics.fmean(values)
        if len(group) == 1:
            how = "as in the extract"
        else:
            what = "daily" if group[0].day is not None else "monthly" if group[0].period.months == 1 else ""
            verb = "summed" if method == "sum" else "averaged"
            how = " ".join(w for w in (str(len(group)), what, "figures", verb) if w)
            if have < need:
                how += f" ({have} of {need} {unit})"
        figures.append(Figure(bid, period, value, lines, how))
    return figures


def _months(group: list[ExtractRow]) -> set[Period]:
    """The months the lines cover: a quarter's line covers its three."""
    return {m for r in group for m in r.period.month_periods()}


def _coverage(group: list[ExtractRow], period: Period) -> tuple[int, int, str]:
    """(how many days or months of the period the lines cover, how many it has, which)."""
    if all(r.day is not None for r in group):
        days = {r.day for r in group}
        need = sum(calendar.monthrange(m.year, m.month_number)[1] for m in period.month_periods())
        return len(days), need, "days"
    if period.months == 3 and all(r.period.months == 1 for r in group):
        return len({r.period for r in group}), 3, "months"
    return 1, 1, "periods"


def _grains(register: Register, wide: list[Source]) -> dict[str, int]:
    """Benefit -> 1 (monthly) or 3 (quarterly): as its measurements are kept, else as its wide
    row's columns are, else as most of the register's measurements are (monthly if none)."""
    grains: dict[str, int] = {}
    tally: Counter[int] = Counter()
    for bid, measurements in register.measurements.items():
        kinds = Counter(m.period.months for m in measurements)
        if kinds:
            grains[bid] = kinds.most_common(1)[0][0]
            tally.update(kinds)
    for source in wide:
        columns = Counter(p.period.months for p in _columns_of(source))
        if columns:
            for bid in source.rows:
                grains.setdefault(bid, columns.most_common(1)[0][0])
            tally.update(columns)
    usual = tally.most_common(1)[0][0] if tally else 1
    for b in register.benefits:
        grains.setdefault(b.benefit_id, usual)
    return grains


# -- placing figures in the register ---------------------------------------------------------------


def _measurement_cells(raw: RawWorkbook) -> tuple[dict[tuple[str, Period], tuple[str, int, int, Any]],
                                                  list[LongSheet]]:
    """Every measurement cell the register has, by (benefit, period) (the first of repeats), and
    its long sheets."""
    table = raw.tables.get("Measurements")
    if table is None:
        return {}, []
    pos = {c.field: i for i, c in enumerate(table.columns) if c.field is not None}
    if not {"benefit_id", "period", "value"} <= pos.keys():
        return {}, []
    origin = table.origin
    long_sheets: dict[str, LongSheet] = {}
    if origin is None:
        fixed = {c.field: c.index for c in table.columns if c.field}
        long_sheets[table.sheet] = LongSheet(table.sheet, table.header_row, fixed, table.header_row)
    else:
        for at, sheet in enumerate(origin.sheets):
            if "period" in origin.fixed[at]:
                long_sheets[sheet] = LongSheet(sheet, origin.header_rows[at], dict(origin.fixed[at]),
                                               origin.header_rows[at])
    cells: dict[tuple[str, Period], tuple[str, int, int, Any]] = {}
    samples: Counter[tuple[str, int]] = Counter()
    """(sheet, months) -> period cells kept as samples of how the sheet writes that grain."""
    for rr in table.rows:
        bid, period_cell, value = (rr.values[pos[n]] for n in ("benefit_id", "period", "value"))
        if origin is not None and rr.row in origin:
            at, row, column = origin.locate(rr.row, "value")
            sheet = origin.sheets[at]
        else:
            sheet, row, column = table.sheet, rr.row, table.columns[pos["value"]].index
        try:
            period = parse_period(period_cell) if period_cell is not None else None
        except (PeriodError, TypeError):
            period = None
        if sheet in long_sheets:
            long = long_sheets[sheet]
            long.last_row = max(long.last_row, row)
            if bid is not None:
                long.keys.append((row, key_text(bid)))
            if period is not None and samples[(sheet, period.months)] < 24:
                samples[(sheet, period.months)] += 1
                long.periods.append(period_cell)
        if bid is None or period is None:
            continue
        cells.setdefault((key_text(bid), period), (sheet, row, column, value))
    return cells, list(long_sheets.values())


def _columns_of(source: Source) -> list[Any]:
    """A wide sheet's columns that take measurements."""
    return [p for p in source.periods if (p.kind or source.kind) == MEASUREMENTS]


class _Layout:
    """Where figures go: existing cells first, then new cells, rows and columns as needed."""

    def __init__(self, existing: dict[tuple[str, Period], tuple[str, int, int, Any]],
                 long_sheets: list[LongSheet], wide_sheets: list[Source], raw: RawWorkbook) -> None:
        self.existing = existing
        self.long_sheets = long_sheets
        self.wide_sheets = wide_sheets
        self.raw = raw
        self.home: dict[str, str] = {}
        """Benefit -> the sheet most of its measurements are on."""
        per_sheet: dict[str, Counter[str]] = defaultdict(Counter)
        for (bid, _), (sheet, *_rest) in existing.items():
            per_sheet[bid][sheet] += 1
        self.home = {bid: counts.most_common(1)[0][0] for bid, counts in per_sheet.items()}
        self.new_columns: dict[tuple[str, Period], int] = {}
        self.new_rows: dict[tuple[str, str], int] = {}
        """(sheet, benefit) -> the row added for it on a wide sheet."""

    def place(self, figure: Figure, overwrite: bool) -> Change:
        key = (figure.benefit_id, figure.period)
        found = self.existing.get(key)
        if found is not None:
            sheet, row, column, old = found
            return Change(figure, _status(old, figure.value, overwrite), sheet, row, column, old)
        home = self.home.get(figure.benefit_id)
        wide = self._wide_for(figure.benefit_id, home)
        if wide is not None:
            return self._wide_cell(figure, wide)
        long = next((s for s in self.long_sheets if s.sheet == home), None)
        long = long or next(iter(self.long_sheets), None)
        if long is not None:  # the row is, for now, the one it goes under (see `rows_inserted`)
            return Change(figure, "new", long.sheet, long.after(figure.benefit_id), long.columns["value"],
                          adds="row")
        tracking = next((s for s in self.wide_sheets if s.sheet != self._benefits_sheet()), None)
        if tracking is not None:
            return self._wide_cell(figure, tracking)
        columns = {"benefit_id": 0, "period": 1, "value": 2, "source": 3}
        long = LongSheet("Measurements", 1, columns, 1, new=True)
        self.long_sheets.append(long)
        long.last_row += 1
        return Change(figure, "new", long.sheet, long.last_row, 2, adds="sheet")

    def rows_inserted(self, changes: list[Change]) -> list[Change]:
        """Each long sheet's new rows go under the row `place` named, in the order placed, and
        the rows below move down: every change gets the row it will have once they are in."""
        for long in self.long_sheets:
            if long.new:
                continue
            added = [c for c in changes if c.sheet == long.sheet and c.adds == "row"]
            under = Counter(c.row for c in added)
            for change in changes:
                if change.sheet == long.sheet and change.adds != "row":
                    change.row = _moved(change.row, under)
            placed: Counter[int] = Counter()
            for change in added:
                anchor = change.row
                placed[anchor] += 1
                change.row = _moved(anchor, under) + placed[anchor]
            long.last_row += len(added)
        return changes

    def _wide_for(self, bid: str, home: str | None) -> Source | None:
        with_row = [s for s in self.wide_sheets if bid in s.rows]
        if home is not None and any(s.sheet == home for s in self.long_sheets):
            return None  # its measurements are kept long
        return next((s for s in with_row if s.sheet == home), None) or next(iter(with_row), None)

    def _wide_cell(self, figure: Figure, source: Source) -> Change:
        adds: Literal["", "row", "column"] = ""
        row = source.rows.get(figure.benefit_id) or self.new_rows.get((source.sheet, figure.benefit_id))
        if row is None:
            added = [r for (s, _), r in self.new_rows.items() if s == source.sheet]
            row = max([*source.rows.values(), *added, source.header_row]) + 1
            self.new_rows[(source.sheet, figure.benefit_id)] = row
            adds = "row"
        column = next((p.index for p in _columns_of(source) if p.period == figure.period), None)
        if column is None:
            column = self.new_columns.get((source.sheet, figure.period))
        if column is None:
            taken = [p.index for p in source.periods] + [c for (s, _), c in self.new_columns.items()
                                                          if s == source.sheet]
            column = max(taken) + 1
            self.new_columns[(source.sheet, figure.period)] = column
            adds = adds or "column"
        return Change(figure, "new", source.sheet, row, column, adds=adds)

    def _benefits_sheet(self) -> str | None:
        table: RawTable | None = self.raw.tables.get("Benefits")
        return table.sheet if table is not None else None


def _moved(row: int, under: Counter[int]) -> int:
    """Where a row ends up once `under[a]` rows are inserted under each row `a`."""
    return row + sum(n for anchor, n in under.items() if anchor < row)


def _status(old: Any, value: float, overwrite: bool) -> Status:
    if old is None:
        return "new"
    try:
        number, _ = parse_number(old)
    except CellError:
        number = None
    if number is not None and math.isclose(number, value, rel_tol=0, abs_tol=1e-9):
        return "unchanged"
    return "changed" if overwrite else "kept"


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.10g}"
    return str(value)


def _lines(lines: Iterable[int]) -> str:
    numbers = sorted(set(lines))
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return f"lines {numbers[0]}-{numbers[-1]}" if numbers[-1] - numbers[0] + 1 == len(numbers) else (
        "lines " + ", ".join(map(str, numbers[:5])) + ("…" if len(numbers) > 5 else ""))
