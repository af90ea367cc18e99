"""Periods across the page (SPEC §2.2, wide layout): one column per month or quarter.

Many trusts keep their figures wide: a benefit per row and a column per period ('Q1 19/20',
'Apr-19', a real date in the header cell), on a tracking sheet or to the right of the register
itself. The reader finds such columns here (`period_columns`), and every filled cell under one
becomes an entry of a `Source`; `assemble` then lays the entries of every source (wide sheets,
the period columns of the register, a long Measurements sheet beside them) out as the one
Measurements (and Trajectory) table the rule engine reads. The assembled table remembers where
each of its rows really is (`table.Origin`), and `relocate` moves the engine's findings there,
so that findings, `--annotate` and the ribbon name the trust's own cell.

Also here: the columns that look like periods but are not read (BRM108), and a column that
says which rows are actuals and which are the plan ('Actual' / 'Plan' rows of a tracker).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from xl_brm.enums import fold
from xl_brm.findings import Finding
from xl_brm.periods import MONTH_NAMES, Period, PeriodError, current_month, parse_fy, parse_period
from xl_brm.rules import RULES
from xl_brm.rules._checks import check
from xl_brm.table import Column, Origin, RawRow, RawTable, RawWorkbook, SheetRows

MEASUREMENTS, TRAJECTORY = "Measurements", "Trajectory"
FIELDS: dict[str, tuple[str, ...]] = {
    MEASUREMENTS: ("benefit_id", "period", "value", "source", "evidence_grade", "note"),
    TRAJECTORY: ("benefit_id", "period", "planned_value"),
}
"""The columns of an assembled table, in order."""
MEASURED = {MEASUREMENTS: "value", TRAJECTORY: "planned_value"}
ROW_FIELDS = frozenset({"benefit_id", "source", "evidence_grade", "note"})
"""Fields a wide row gives every period cell of it (one 'Data Source' column for the row)."""

FIRST_PERIOD = Period.month(2000, 4)
YEARS_AHEAD = 10
"""A date or serial in a header cell is a period only inside the plausible window (SPEC §3)."""

_ACTUAL_WORDS = frozenset({"actual", "actuals", "act", "outturn", "result", "results", "measured"})
_PLAN_WORDS = frozenset({"plan", "planned", "plans", "trajectory", "target", "targets", "profile",
                         "expected", "budget"})
_OTHER_ROWS = frozenset({"forecast", "variance", "var", "baseline", "cumulative", "cum", "ytd",
                         "difference", "diff", "rag", "comment", "comments", "total"})
"""What a row-type column may call rows that are neither actuals nor the plan (not read)."""
_LEAD_WORD = re.compile(r"^\(?([A-Za-z]+)\b\)?[\s:\-–]*(.+)$")
_TRAIL_WORD = re.compile(r"^(.+?)[\s:\-–]*\(?\b([A-Za-z]+)\)?$")
_MONTH_WORDS = frozenset(MONTH_NAMES)
_PERIOD_WORD = re.compile(
    r"^(?:q|qtr|quarter|m|mth|month|p|period|wk|week|h|half|yr|year|fy)\.?\s*\d{1,4}$|"
    r"^(?:fy\s*)?\d{2}(?:\d{2})?\s*[/-]\s*\d{2}(?:\d{2})?$|^(?:19|20)\d{2}$",
    re.I,
)
PLAN_SHEET = re.compile(r"plan|trajector|target|profile", re.I)
"""A sheet named like this holds planned values when its headings do not say."""
_ID_WORDS = re.compile(r"\b(?:id|ref|reference|no|number|code|identifier)\b", re.I)


@dataclass(frozen=True, slots=True)
class PeriodColumn:
    """A column whose header names a period: each filled cell under it is one entry."""

    index: int
    """0-based column index in the sheet."""
    header: str
    period: Period
    kind: str | None = None
    """What the header says its cells are (Measurements or Trajectory); None: the sheet's kind."""


@dataclass(slots=True)
class Source:
    """The entries one sheet gives an assembled table, and where each came from."""

    sheet: str
    header_row: int
    height: int
    """Rows in the sheet's grid: no real row of it is numbered above this."""
    fixed: dict[str, int]
    """Field -> 0-based column of the cells a row shares (benefit_id, source...)."""
    key_header: str
    kind: str = MEASUREMENTS
    """What a cell is when neither its heading nor its row says (the sheet's kind)."""
    entries: list[tuple[str, int, int, tuple[Any, ...]]] = field(default_factory=list)
    """(kind, Excel row, column of the measured cell, cells in `FIELDS[kind]` order)."""
    periods: list[PeriodColumn] = field(default_factory=list)
    """A wide sheet's period columns (empty for a long sheet)."""
    rows: dict[str, int] = field(default_factory=dict)
    """A wide sheet's benefit ID (as text) -> the Excel row that takes its measurements, blank
    cells and all: where `xl-brm actuals import` writes a figure."""
    headings: dict[int, str] = field(default_factory=dict)
    """0-based column -> the trust's heading over it."""


# -- recognising period headers ----------------------------------------------------------------


def period_of_header(cell: Any, banner: Any = None) -> tuple[Period, str | None] | None:
    """The period a header cell names, and the kind its words say (`Apr-19 Actual`, `Plan Q1
    19/20`); None when it names none. A bare month or quarter ('Apr', 'Q1') takes its year
    from a financial-year `banner` over it ('2019/20'). Dates and Excel date serials (Office.js
    hands a date header over as one) count only inside the plausible window."""
    if isinstance(cell, str):
        text = " ".join(cell.split())
        if not text:
            return None
        found = _text_period(text)
        if found is None and banner is not None and (year := _fy_text(banner)) is not None:
            found = _text_period(f"{year} {text}")
        return found
    if isinstance(cell, bool):
        return None
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        period = Period.of_date(cell)
    elif isinstance(cell, float | int) and float(cell).is_integer():
        try:
            period = parse_period(float(cell))
        except PeriodError:
            return None
    else:
        return None
    return (period, None) if _plausible(period) else None


@lru_cache(maxsize=8192)
def _text_period(text: str) -> tuple[Period, str | None] | None:
    """'Apr-19', 'Actual Q1 19/20', 'Q1 19/20 (plan)': a period, and the kind a word beside it
    names. Cached: header detection asks about the same few dozen headings again and again."""
    kind: str | None = None
    core = text
    for _ in range(3):
        try:
            period = parse_period(core)
        except PeriodError:
            pass
        else:
            return (period, kind) if _plausible(period) else None
        for pattern, word, rest in ((_LEAD_WORD, 1, 2), (_TRAIL_WORD, 2, 1)):
            match = pattern.match(core)
            said = _word_kind(match.group(word)) if match else None
            if match and said is not None and kind in (None, said):
                kind, core = said, match.group(rest)
                break
        else:
            return None
    return None


def _word_kind(word: str | None) -> str | None:
    w = (word or "").lower()
    if w in _ACTUAL_WORDS:
        return MEASUREMENTS
    if w in _PLAN_WORDS:
        return TRAJECTORY
    return None


def _plausible(period: Period) -> bool:
    return FIRST_PERIOD.index <= period.index <= current_month().index + 12 * YEARS_AHEAD


def _fy_text(banner: Any) -> str | None:
    """'2019/20' from a financial-year label over a run of period headers, or None."""
    if not isinstance(banner, str):
        return None
    text = " ".join(banner.replace("FY", " ").replace("fy", " ").split())
    try:
        start = parse_fy(text)
    except PeriodError:
        return None
    return f"{start}/{(start + 1) % 100:02d}"


def looks_like_period(header: str) -> bool:
    """A heading that reads like a period without being one xl-brm can place: 'Q1', 'Jan',
    'M1', 'Week 3', '2019/20', '2020' (no year, a year alone, or a financial year)."""
    text = " ".join(header.split())
    if not text or _text_period(text) is not None:
        return False
    if _PERIOD_WORD.match(text):
        return True
    words = re.findall(r"[a-z]+", text.lower())
    return bool(words) and len(words) <= 3 and words[0] in _MONTH_WORDS


def period_columns(
    grid: Sequence[Sequence[Any]], header: int, columns: Sequence[Column], *,
    mapped: Mapping[str, tuple[Period, str | None]] | None = None,
    local: Iterable[str] = (),
) -> list[PeriodColumn]:
    """The local columns whose header names a period. `mapped`: folded header -> period (and
    kind) from a mapping file, which also reads headers xl-brm cannot ('M1' = 2019-04);
    `local`: folded headers the mapping keeps as local columns, never periods."""
    keep = set(local)
    above = grid[header - 1] if header > 0 else ()
    found: list[PeriodColumn] = []
    for col in columns:
        if col.field is not None:
            continue
        key = fold(col.header)
        if key in keep:
            continue
        named = mapped.get(key) if mapped else None
        if named is None:
            cell = grid[header][col.index] if col.index < len(grid[header]) else col.header
            named = period_of_header(cell, banner(above, col.index))
            if named is None and cell != col.header:  # read under a group label
                named = period_of_header(col.header)
        if named is not None:
            found.append(PeriodColumn(col.index, col.header, named[0], named[1]))
    return [p for p in found if not _out_of_sequence(found, p, set(mapped or ()))]


def _out_of_sequence(found: Sequence[PeriodColumn], column: PeriodColumn, mapped: set[str]) -> bool:
    """A heading whose period breaks the run it stands in ('Sep-09' between 'Aug-20' and
    'Oct-20'): a typo, not read (BRM108 names the period that fits). A heading the mapping
    gives, or a period the sheet heads twice (two measurements, BRM403), is not judged here."""
    if fold(column.header) in mapped or _fitting(found, column.index) in (None, column.period):
        return False
    return not any(p.period == column.period and p.kind == column.kind for p in found if p is not column)


def _fitting(found: Sequence[PeriodColumn], index: int) -> Period | None:
    """The period a column between two period columns one step apart should be: 'Aug-20', ?,
    'Oct-20' -> Sep-20. None when its neighbours are not such a pair (periods of one length and
    kind, two steps apart), so runs with gaps, repeats or actual/plan pairs are left alone."""
    at = {p.index: p for p in found}
    before, after = at.get(index - 1), at.get(index + 1)
    if before is None or after is None or before.kind != after.kind:
        return None
    step = before.period.months
    if after.period.months != step or after.period.index - before.period.index != 2 * step:
        return None
    return before.period.shift(step)


def banner(above: Sequence[Any], index: int) -> Any:
    """The label over a column in the row above: its own cell, else the nearest filled cell to
    its left (a label typed or merged over the first column of its run)."""
    for j in range(min(index, len(above) - 1), -1, -1):
        if above[j] != "" and above[j] is not None:
            return above[j]
    return None


# -- one sheet's entries -----------------------------------------------------------------------


@check("BRM109", scope="reader")
def wide_source(
    sheet: str, grid: Sequence[Sequence[Any]], header: int, columns: Sequence[Column],
    periods: Sequence[PeriodColumn], rows: SheetRows, *, kind: str, row_types: bool = True,
) -> tuple[Source, list[Finding]]:
    """The entries of a sheet's period columns: a filled cell is an entry, a blank one none.

    `columns` are the sheet's other columns; a row's benefit_id (and source, grade, note) come
    from them. `kind` is what a cell is when neither its header nor its row says (the sheet's
    kind). With `row_types`, a column that says what each row is ('Actual' / 'Plan' /
    'Forecast') decides per row; rows of another type are not read, and an info finding says so."""
    fixed = {c.field: c.index for c in columns if c.field in ROW_FIELDS}
    key_header = next((c.header for c in columns if c.field == "benefit_id"), "benefit_id")
    source = Source(sheet, header + 1, len(grid), fixed, key_header, kind, periods=list(periods),
                    headings={c.index: c.header for c in columns} | {p.index: p.header for p in periods})
    typed = _row_type_column(grid, columns, rows) if row_types else None
    skipped: dict[str, int] = {}
    for r in rows.grid_rows():
        row = grid[r]
        row_kind = kind
        if typed is not None and (said := _cell(row, typed.index)) is not None:
            word = str(said).strip()
            if fold(word) not in _ROW_KIND:
                skipped[word] = skipped.get(word, 0) + 1
                continue
            row_kind = _ROW_KIND[fold(word)]
        shared = {name: _cell(row, j) for name, j in fixed.items()}
        if row_kind == MEASUREMENTS and (key := shared.get("benefit_id")) is not None:
            source.rows.setdefault(key_text(key), r + 1)
        for p in periods:
            value = _cell(row, p.index)
            if value is None:
                continue
            cell_kind = p.kind or row_kind
            measured = MEASURED[cell_kind]
            values = tuple(p.period if name == "period" else value if name == measured else shared.get(name)
                           for name in FIELDS[cell_kind])
            source.entries.append((cell_kind, r + 1, p.index, values))
    findings: list[Finding] = []
    if skipped and typed is not None:
        findings.append(RULES["BRM109"].finding(
            sheet=sheet, row=header + 1, cell=f"{typed.letter}{header + 1}", value=typed.header,
            kinds=", ".join(f"'{k}'" for k in skipped), count=sum(skipped.values())))
    return source, findings


_ROW_KIND = {fold(w): MEASUREMENTS for w in _ACTUAL_WORDS} | {fold(w): TRAJECTORY for w in _PLAN_WORDS}


def _row_type_column(grid: Sequence[Sequence[Any]], columns: Sequence[Column],
                     rows: SheetRows) -> Column | None:
    """A local column whose every filled cell says what its row is: actual, plan, forecast..."""
    indices = rows.grid_rows()
    for col in columns:
        if col.field is not None:
            continue
        words = {fold(str(grid[r][col.index])) for r in indices if grid[r][col.index] != ""}
        if words and words <= _ROW_KIND.keys() | _OTHER_ROWS and words & _ROW_KIND.keys():
            return col
    return None


def key_text(value: Any) -> str:
    """A benefit ID cell as the text the register knows it by (7.0 -> '7')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _cell(row: Sequence[Any], index: int) -> Any:
    value = row[index] if index < len(row) else ""
    return None if value == "" else value


def long_source(table: RawTable, height: int) -> Source:
    """A long sheet's rows as entries (a long sheet beside wide ones, or one more sheet named
    in a mapping): each row keeps its own cells."""
    kind = table.kind
    pos = {c.field: i for i, c in enumerate(table.columns) if c.field is not None}
    fixed = {c.field: c.index for c in table.columns if c.field is not None}
    measured = fixed.get(MEASURED[kind], fixed.get("period", 0))
    key_header = next((c.header for c in table.columns if c.field == "benefit_id"), "benefit_id")
    source = Source(table.sheet, table.header_row, height, fixed, key_header, kind,
                    headings={c.index: c.header for c in table.columns})
    order = [pos.get(name) for name in FIELDS[kind]]
    for rr in table.rows:
        values = tuple(rr.values[i] if i is not None else None for i in order)
        source.entries.append((kind, rr.row, measured, values))
    return source


def choose_key(columns: list[Column], findings: list[Finding], sheet: str) -> list[Column]:
    """On a wide sheet, 'Benefit' beside 'Benefit ID' is the title, not a second ID column:
    keep the ID-like one as benefit_id (and drop the BRM102 the two gave), the other local."""
    twice = [f for f in findings if f.code == "BRM102" and f.sheet == sheet and f.column == "benefit_id"]
    if not twice:
        return columns
    demoted = {re.sub(r"\d+$", "", f.cell or "") for f in twice}
    candidates = [c for c in columns if c.field == "benefit_id" or (c.field is None and c.letter in demoted)]
    best = next((c for c in candidates if _ID_WORDS.search(c.header)), None)
    if best is None:
        return columns
    for f in twice:
        findings.remove(f)
    return [replace(c, field="benefit_id" if c is best else None) if c in candidates else c
            for c in columns]


# -- columns that look like periods but are not read -------------------------------------------


@check("BRM108", scope="reader")
def unclear_columns(sheet: str, grid: Sequence[Sequence[Any]], header: int, columns: Sequence[Column],
                    periods: Sequence[PeriodColumn], rows: SheetRows) -> list[Finding]:
    """BRM108 for local columns of numbers that look like periods but are not read: two or
    more headed like periods ('Q1', 'Q2'; 'Jan', 'Feb'; '2019/20', '2020/21'), or one between
    two period columns (a typo: 'Jnu-19' between 'May-19' and 'Jul-19')."""
    period_at = {p.index for p in periods}
    local = [c for c in columns if c.field is None and c.index not in period_at]
    if not local:
        return []
    indices = rows.grid_rows()
    numeric = [c for c in local if not _SUMMARY.search(c.header) and _mostly_numbers(grid, indices, c.index)]
    if periods:  # beside months or quarters, a financial year's column is its total
        numeric = [c for c in numeric if _fy_text(c.header) is None]
    shaped = [c for c in numeric if looks_like_period(c.header)]
    flagged = shaped if len(shaped) >= 2 else []
    between = [c for c in local if c.index - 1 in period_at and c.index + 1 in period_at]
    flagged += [c for c in between if c not in flagged and (
        c in numeric  # a typo: 'Jnu-19' between 'May-19' and 'Jul-19'
        or (period_of_header(c.header) is not None and _filled(grid, indices, c.index)))]  # out of sequence
    return [_unclear(sheet, header, c, periods) for c in sorted(flagged, key=lambda c: c.index)]


def _unclear(sheet: str, header: int, column: Column, periods: Sequence[PeriodColumn]) -> Finding:
    """BRM108 at a heading; between two periods one step apart ('Sep-20', 'Otc-20', 'Nov-20';
    'Aug-20', 'Sep-09', 'Oct-20') it names the period that fits there instead of an example."""
    finding = RULES["BRM108"].finding(sheet=sheet, row=header + 1, cell=f"{column.letter}{header + 1}",
                                      value=column.header)
    fits = _fitting(periods, column.index)
    if fits is None:
        return finding
    before = next(p.header for p in periods if p.index == column.index - 1)
    after = next(p.header for p in periods if p.index == column.index + 1)
    named = period_of_header(column.header)
    said = (f"'{column.header}' reads as {_spoken(named[0])}, out of sequence between '{before}' and "
            f"'{after}'" if named is not None else
            f"'{column.header}' holds numbers under a heading xl-brm cannot place, between '{before}' "
            f"and '{after}'")
    shown = str(fits) if fits.is_quarter else fits.start.strftime("%b-%y")
    message = (f"Column {said}, so its figures are not read; if it is {shown}, correct the heading "
               f"or map it (`{column.header} = {fits}` in a mapping file)")
    return finding.replace(message=message)


def _spoken(period: Period) -> str:
    """'September 2009', '2019/20 Q1'."""
    return str(period) if period.is_quarter else period.start.strftime("%B %Y")


def _filled(grid: Sequence[Sequence[Any]], rows: Sequence[int], index: int) -> bool:
    return any(index < len(grid[r]) and grid[r][index] != "" for r in rows)


_SUMMARY = re.compile(r"\b(?:total|totals|ytd|cumulative|cum|sum|average|avg|mean|variance|var|"
                      r"forecast|baseline|target|plan|budget|change|diff|difference)\b", re.I)


def _mostly_numbers(grid: Sequence[Sequence[Any]], rows: Sequence[int], index: int) -> bool:
    cells = [grid[r][index] for r in rows if index < len(grid[r]) and grid[r][index] != ""]
    numbers = sum(1 for v in cells if (isinstance(v, float | int) and not isinstance(v, bool))
                  or (isinstance(v, str) and _NUMBER.match(v.strip())))
    return bool(cells) and numbers * 2 >= len(cells)


_NUMBER = re.compile(r"^[-(]?£?\s?\d[\d,]*(?:\.\d+)?\)?%?$")


# -- the assembled tables ----------------------------------------------------------------------


def assemble(tables: dict[str, RawTable], sources: Sequence[Source]) -> None:
    """Lay every source's entries out as the one Measurements (and Trajectory) table, beside
    the long table of that kind if there is one (which becomes a source too). A kind with
    no entries from elsewhere keeps its table as it is."""
    for kind in (MEASUREMENTS, TRAJECTORY):
        mine = [s for s in sources if any(e[0] == kind for e in s.entries)]
        if not mine:
            continue
        long = tables.get(kind)
        if long is not None:
            height = long.rows.last_row() if isinstance(long.rows, SheetRows) else max(
                (rr.row for rr in long.rows), default=long.header_row)
            mine.insert(0, long_source(long, height))
        first = mine[0]
        origin = Origin(first.height + 1)
        rows: list[RawRow] = []
        for s in mine:
            at = origin.add_sheet(s.sheet, s.fixed, s.header_row, s.headings)
            for entry_kind, row, column, values in s.entries:
                if entry_kind == kind:
                    rows.append(RawRow(origin.add(at, row, column), values))
        headers = {"benefit_id": first.key_header}
        columns = [Column(name, headers.get(name, name), i) for i, name in enumerate(FIELDS[kind])]
        tables[kind] = RawTable(kind, first.sheet, first.header_row, columns, rows, origin=origin)


def relocate(raw: RawWorkbook, findings: list[Finding]) -> list[Finding]:
    """The engine's findings on assembled tables moved to the cells they are about (a wide
    row's benefit_id, source and grade cells are shared by its period cells: the same finding
    at the same cell is kept once). Findings elsewhere are kept as they are."""
    assembled = [t for t in raw.tables.values() if t.origin is not None]
    if not assembled:
        return findings
    out: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for f in findings:
        for table in assembled:
            origin = table.origin
            assert origin is not None
            if f.sheet == table.sheet and f.row in origin:
                f = _moved(f, origin)
                break
        key = (f.code, f.sheet, f.cell, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


_ROW_IN_MESSAGE = re.compile(r"\brow (\d+)\b")


def _moved(f: Finding, origin: Origin) -> Finding:
    assert f.row is not None
    sheet, row, cell = origin.place(f.row, f.column)

    def where(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in origin:
            return match.group(0)
        other, _, at = origin.place(n, f.column)
        return f"cell {at}" if other == sheet else f"cell {at} of '{other}'"

    return f.replace(sheet=sheet, row=row, cell=cell, message=_ROW_IN_MESSAGE.sub(where, f.message))

