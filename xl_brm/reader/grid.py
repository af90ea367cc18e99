"""Grids of cell values into the rule engine's `RawWorkbook` / `RawTable` (SPEC §4).

One way for every source, so each reports the same codes at the same cells: `read_workbook`
hands this module what python-calamine read from a file; the Excel layer hands it an open
workbook's sheet values (ribbon scripts, xlwings Lite) or a cell function's range. Finding the
sheets (by name, synonym or content), the header row under title rows, the mapping of headers
to fields, and the skipping of spacer, notes and totals rows all live here. Nothing here opens
a file or imports python-calamine, so it also runs in Pyodide.

A grid is a list of rows from A1: row i is Excel row i + 1 and column j is column j (0 = A).
The reader's own form has '' for a blank cell and rows of one width; the public functions take
looser grids (None or '' for blank, ragged rows, tuples, ints) and put them in that form with
`reader_grid`.

A table's rows are the grid itself (`SheetRows`): the rule engine reads a big sheet's cells
straight from it, and RawRows are built only for whoever asks. Finding the rows to skip looks
at the key column's distinct values; anything slower only runs for rows that might be notes or
totals.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import Any, Protocol

from xl_brm._gc import gc_paused
from xl_brm.enums import fold
from xl_brm.errors import MappingError
from xl_brm.fields import BENEFIT_FIELD, SETTINGS_SHEET, SHEETS, TOOL_SHEETS
from xl_brm.findings import Finding
from xl_brm.normalise import CellError, parse_date, parse_number
from xl_brm.reader import _limits as lim
from xl_brm.reader import wide
from xl_brm.reader._mapping import HeaderMapping, SheetMapping
from xl_brm.reader.headers import assign_by_keywords, keyword_score
from xl_brm.rules import RULES
from xl_brm.rules._checks import check
from xl_brm.sheet_choice import found_by_name, match_sheet
from xl_brm.table import Column, FormulaWithoutValue, RawTable, RawWorkbook, SheetRows, column_letter

Merge = tuple[tuple[int, int], tuple[int, int]]
"""A merged range as ((first row, first column), (last row, last column)), 0-based, inclusive."""

REQUIRED_SHEETS = ("Benefits",)
"""Kinds whose absence is a BRM105 error. Measurements and Trajectory may be absent."""

DEFAULTABLE = frozenset({"trust_ods", "programme"})
"""Core fields that `--trust`/`--programme` or the BRM Settings sheet can supply workbook-wide,
so a missing column is for the rule engine to judge (it knows the defaults), not the reader."""

CONTENT_MATCHES = 3
"""A sheet not named like a kind is taken for it when its header names this many of its fields."""

_SETTINGS_NAMES = {fold(SETTINGS_SHEET), "settings", "brmconfig"}
_SETTING_KEYS = {key: name for name in DEFAULTABLE for key in BENEFIT_FIELD[name].folded}
_SETTING_HEADERS = {"setting", "settings", "key", "name", "item", "parameter"}
_FOLDED = {kind: {key: f.name for f in fields for key in f.folded} for kind, fields in SHEETS.items()}
_FIGURES = {kind: frozenset(f.name for f in fields if f.kind in ("percent", "number", "value"))
            for kind, fields in SHEETS.items()}
"""Fields whose cell shown as a percentage reads as shown (88.5%, not 0.885), as the typed text
'88.5%' does: percentages, measurements, baselines, targets and planned values."""
_PERCENT_FIELDS = {kind: frozenset(f.name for f in fields if f.kind == "percent")
                   for kind, fields in SHEETS.items()}
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
"""Innermost brackets only: a pattern that may run over a '(' costs the square of a long cell."""
_NONE_AS_TEXT: Callable[[Any, Any], Any] = {None: ""}.get
_AS_STORED = frozenset({str, float, bool, dt.date, dt.time, dt.timedelta, FormulaWithoutValue,
                        type(None)})
"""Cell types that `reader_cell` passes through unchanged (None aside): a row of only these
is put in the reader's form with one C-level map."""

_TOTAL = re.compile(r"(?:grand\s*|sub[\s-]?)?totals?\b(?:\s*[:(\-–—].*)?", re.I | re.S)
_NOTES_LABEL = re.compile(
    r"(?:notes?|n\.?\s?b\.?|sources?|key|footnotes?|comments?)(?:\s*[:\-–—].*)?", re.I | re.S)
_FOOTNOTE = re.compile(r"[*†‡]|\(?\d{1,2}[.)]\s")
_SECTION = re.compile(r":(?:\s|$)")
_TRAILER_FIRST = frozenset("tTgGsSnNkKcCfF*†‡(0123456789")
_MISSING = object()
_HEADING_WORDS = 6
"""A benefit ID heading guessed from its words has at most this many ('Benefit reference no')."""
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class SheetSource(Protocol):
    """Where the sheets' cells come from: a file read by python-calamine, or grids in memory.

    Grids are in the reader's form ('' for blank, rows of one width, from A1) and are the
    caller's to mutate (merged and formula cells are filled in place).
    """

    def names(self) -> list[str]:
        """The worksheets, in workbook order."""
        ...

    def head(self, name: str) -> list[list[Any]]:
        """At least the top of a sheet: enough rows to find its header row."""
        ...

    def rows(self, name: str) -> list[list[Any]]:
        """The whole sheet."""
        ...

    def merged(self, name: str) -> Sequence[Merge]:
        """The sheet's merged ranges."""
        ...

    def percent_cells(self, name: str, columns: Collection[int]) -> Mapping[int, Collection[int]]:
        """Column -> rows (0-based) of the cells in `columns` shown as a percentage, where known."""
        ...


# -- public entry points -----------------------------------------------------------------------


def tables_from_grids(
    sheets: Mapping[str, Sequence[Sequence[Any]]],
    *,
    path: str,
    mapping: HeaderMapping | None = None,
    merged: Mapping[str, Sequence[Merge]] | None = None,
) -> RawWorkbook:
    """A workbook given as sheet name -> grid of values from A1, read as `read_workbook` reads
    a file: sheets found, header rows detected, columns mapped, data rows kept.

    `path` names the workbook in the result and in errors. Raises `MappingError` when
    `mapping` names a sheet that is not there; structural problems are BRM1xx findings.
    """
    return workbook_from_source(GridSheets(sheets, merged=merged), path=path, mapping=mapping)


def table_from_grid(
    kind: str,
    sheet: str,
    rows: Sequence[Sequence[Any]],
    *,
    first_row: int = 1,
    first_col: int = 1,
) -> tuple[RawTable, list[Finding]]:
    """One table whose first row is its header (a range handed to a cell function).

    `first_row`/`first_col` are where `rows[0][0]` is on the sheet, 1-based as Excel and
    xlwings count (`rng.row`, `rng.column`), so rows and column letters are the sheet's. The
    default numbers the header row 1 and its first cell column A. Returns the table (without
    columns when the header row is blank) and its BRM102 findings.
    """
    findings: list[Finding] = []
    grid = reader_grid(rows)
    empty = RawTable(kind, sheet, first_row, [])
    if not grid or all(v == "" for v in grid[0]):
        return empty, findings
    columns = header_columns(kind, grid[0], sheet=sheet, header_row=first_row,
                             first_col=first_col, findings=findings)
    if not columns:
        return empty, findings
    key = next((i for i, c in enumerate(columns) if c.field == "benefit_id"), None)
    shift = first_col - 1
    with gc_paused():
        data = _rows(grid, 0, [c.index - shift for c in columns], key, first_row=first_row)
    return RawTable(kind, sheet, first_row, columns, data), findings


def header_columns(
    kind: str,
    header: Sequence[Any],
    *,
    sheet: str | None = None,
    header_row: int = 1,
    first_col: int = 1,
    lookup: Mapping[str, str | None] | None = None,
    findings: list[Finding] | None = None,
) -> list[Column]:
    """One Column per non-blank header cell (`first_col`: the 1-based column of `header[0]`);
    a second column for the same field is kept local (a BRM102 finding, appended to
    `findings` when given). `lookup` is a mapping's folded header -> field (None = local)."""
    cells = [reader_cell(v) for v in header]
    return _columns(cells, kind, lookup, sheet if sheet is not None else kind, header_row,
                    findings if findings is not None else [], first_index=first_col - 1)


@check("BRM105", scope="reader")
def workbook_from_source(
    source: SheetSource, *, path: str, mapping: HeaderMapping | None = None,
    on_benefits: Callable[[RawWorkbook], None] | None = None,
) -> RawWorkbook:
    """The reader after the cells are in memory: sheets, header rows, columns, data rows and
    the BRM Settings sheet (see `tables_from_grids`). `on_benefits` is given the workbook so
    far (settings, findings, the Benefits table) as soon as the Benefits table is read, so
    validation can start while a thread still parses the other sheets."""
    findings: list[Finding] = []
    tables: dict[str, RawTable] = {}
    settings = _read_settings(source)
    located = locate_sheets(source, path=path, mapping=mapping)
    for kind in REQUIRED_SHEETS:
        if kind not in located:
            findings.append(RULES["BRM105"].finding(expected=kind))
    sources: list[wide.Source] = []
    for kind, name in located.items():
        sm = mapping.get(kind) if mapping else None
        table = _read_table(source, kind, name, sm, findings, sources)
        if table is not None:
            tables[kind] = table
            if kind == "Benefits" and on_benefits is not None:
                on_benefits(RawWorkbook(path=path, tables={kind: table}, settings=settings,
                                        findings=findings))
    _more_sheets(source, path, located, mapping, findings, sources)
    wide.assemble(tables, sources)
    return RawWorkbook(path=path, tables=tables, settings=settings, findings=findings,
                       sources=[s for s in sources if s.periods])


def mapping_from_source(source: SheetSource, *, path: str) -> HeaderMapping:
    """What `xl-brm map FILE` saves: where each sheet and header row is, and what each header
    maps to. Unmapped headers are listed for the trust to fill in or leave local."""
    mapping = HeaderMapping(source=path)
    located = locate_sheets(source, path=path, mapping=None)
    for kind, name in located.items():
        rows = source.head(name)
        sm = SheetMapping(kind=kind, sheet=name)
        mapping.sheets[kind] = sm
        merged = source.merged(name)
        idx = _find_header(rows, kind, None, merged)
        if kind != "Benefits":
            idx = _wide_header(rows, kind, None, idx)
        if idx is None:
            continue
        sm.header_row = idx + 1
        _propose(sm, rows, idx, _best_header(rows, idx, merged, kind, None))
    for name in source.names():
        if name in located.values() or fold(name) in _SETTINGS_NAMES or name in TOOL_SHEETS:
            continue
        head = source.head(name)
        tracking = _tracking_sheet(name, head) if _holds_data(head) else None
        if tracking is not None:
            kind, idx = tracking
            sm = SheetMapping(kind=kind, sheet=name, header_row=idx + 1)
            if kind in mapping.sheets:
                mapping.also.append(sm)
            else:
                mapping.sheets[kind] = sm
            _propose(sm, head, idx, head[idx])
    return mapping


def _propose(sm: SheetMapping, rows: Sequence[Sequence[Any]], idx: int, header: Sequence[Any]) -> None:
    """Fill a proposed mapping's columns, periods and unmapped headers from a header row."""
    every = _columns(header, sm.kind, None, sm.sheet or sm.kind, idx + 1, [])
    periods = {p.index: p for p in wide.period_columns(rows, idx, every)}
    for col in every:
        if col.index in periods:
            sm.periods[col.header] = (periods[col.index].period, periods[col.index].kind)
        elif col.field is None:
            sm.unmapped.append(col.header)
        else:
            sm.columns[col.header] = col.field


def locate_sheets(source: SheetSource, *, path: str,
                  mapping: HeaderMapping | None = None) -> dict[str, str]:
    """Canonical kind -> sheet name: from the mapping, by name or synonym, else by content."""
    names = source.names()
    found = found_by_name(names, path=path, mapping=mapping)
    for kind in ("Benefits", "Measurements"):
        if kind in found:
            continue
        taken = set(found.values())
        best, best_score = None, CONTENT_MATCHES - 1
        for name in names:
            if name in taken or fold(name) in _SETTINGS_NAMES:
                continue
            rows = source.head(name)
            idx = _find_header(rows, kind, None)
            score = _score(rows[idx], kind, None) if idx is not None else 0
            if score > best_score:
                best, best_score = name, score
        if best is not None:
            found[kind] = best
    return {kind: found[kind] for kind in SHEETS if kind in found}


# -- grids in memory ---------------------------------------------------------------------------


class GridSheets:
    """A `SheetSource` over grids already in memory (each put in the reader's form once)."""

    def __init__(self, sheets: Mapping[str, Sequence[Sequence[Any]]], *,
                 merged: Mapping[str, Sequence[Merge]] | None = None) -> None:
        self._sheets = sheets
        self._merged = merged or {}
        self._grids: dict[str, list[list[Any]]] = {}

    def names(self) -> list[str]:
        return list(self._sheets)

    def head(self, name: str) -> list[list[Any]]:
        return self.rows(name)

    def rows(self, name: str) -> list[list[Any]]:
        grid = self._grids.get(name)
        if grid is None:
            grid = self._grids[name] = reader_grid(self._sheets[name])
        return grid

    def merged(self, name: str) -> Sequence[Merge]:
        return self._merged.get(name, ())

    def percent_cells(self, name: str, columns: Collection[int]) -> Mapping[int, Collection[int]]:
        return {}  # an open workbook's values come without their number formats


def reader_cell(value: Any) -> Any:
    """One cell as python-calamine reads it from a saved file: '' for blank, numbers as float,
    a datetime at midnight as a date (time zones dropped), other unknown values as text."""
    if value is None:
        return ""
    kind = value.__class__
    if kind in _AS_STORED:
        return value
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dt.date | dt.time | dt.timedelta | str):
        return value
    return str(value)


def reader_grid(values: Sequence[Sequence[Any]], *, first_row: int = 1,
                first_col: int = 1) -> list[list[Any]]:
    """Values in the reader's form, as new lists: '' for blank (None or ''), cells as
    `reader_cell` gives them, every row as wide as the widest. `first_row`/`first_col` are the
    1-based position of `values[0][0]` on the sheet: the grid is padded to start at A1."""
    pad = max(first_col - 1, 0)
    width = max(map(len, values), default=0) + pad
    lead = [""] * pad
    out: list[list[Any]] = [[""] * width for _ in range(max(first_row - 1, 0))]
    append = out.append
    plain = _AS_STORED
    convert = reader_cell
    mixed = False  # once a row needs converting (ints from Office.js), stop testing for it
    for row in values:
        if not mixed and set(map(type, row)) <= plain:
            cells = list(map(_NONE_AS_TEXT, row, row))
        else:  # inline: a call of reader_cell per cell would cost three times as much
            mixed = True
            cells = ["" if v is None else v if (k := v.__class__) in plain
                     else float(v) if k is int else convert(v) for v in row]
        if pad:
            cells[:0] = lead
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        append(cells)
    return out


# -- one table ---------------------------------------------------------------------------------


@check("BRM103", "BRM104", scope="reader")
def _read_table(
    source: SheetSource,
    kind: str,
    name: str,
    sm: SheetMapping | None,
    findings: list[Finding],
    sources: list[wide.Source],
) -> RawTable | None:
    """One sheet as a table of its kind; its columns per period (the wide layout) go to
    `sources` instead, and a sheet of only those gives no table."""
    rows = source.rows(name)
    if not any(v != "" for row in rows for v in row):
        findings.append(RULES["BRM104"].finding(
            sheet=name, message=f"Sheet '{name}' is empty; fill it in or delete it"))
        return None
    lookup = sm.lookup() if sm is not None and sm.columns else None
    merged = source.merged(name)
    if sm is not None and sm.header_row is not None:
        idx: int | None = sm.header_row - 1
        if sm.header_row > len(rows) or all(v == "" for v in rows[sm.header_row - 1]):
            findings.append(RULES["BRM103"].finding(
                sheet=name, row=sm.header_row,
                message=f"Sheet '{name}': row {sm.header_row}, the header row named in the mapping, "
                        "is empty; correct 'header row' in the mapping or remake it with `xl-brm map`"))
            return None
    else:
        idx = _find_header(rows, kind, lookup, merged)
        if kind != "Benefits":
            idx = _wide_header(rows, kind, lookup, idx)
    if idx is None:
        findings.append(RULES["BRM103"].finding(sheet=name))
        return None
    header_row = idx + 1
    _fill_merges(rows, merged, idx)
    named: list[Finding] = []
    every = _columns(_best_header(rows, idx, merged, kind, lookup), kind, lookup, name, header_row, named)
    periods = wide.period_columns(rows, idx, every, mapped=sm.period_lookup() if sm else None,
                                  local=[k for k, v in (lookup or {}).items() if v is None])
    only_periods = bool(periods) and kind != "Benefits" and not _is_long(every, kind)
    if only_periods:
        every = wide.choose_key(every, named, name)
    findings.extend(named)
    at = {p.index for p in periods}
    columns = [c for c in every if c.index not in at]
    figures = [c.index for c in columns if c.field in _FIGURES[kind]] + [p.index for p in periods]
    texts = {c.index for c in columns if c.field in _PERCENT_FIELDS[kind]}
    for column, percent in source.percent_cells(name, figures).items():
        _as_shown(rows, percent, column, idx, text=column in texts)
    present = {c.field for c in columns}
    for f in SHEETS[kind]:
        if f.core and f.name not in DEFAULTABLE and f.name not in present and (
                not only_periods or f.name == "benefit_id"):
            findings.append(RULES["BRM101"].finding(sheet=name, column=f.name, row=header_row))
    if not columns:
        return None
    key = next((i for i, c in enumerate(columns) if c.field == "benefit_id"), None)
    with gc_paused():
        data = _rows(rows, idx, [c.index for c in (every if only_periods else columns)], key)
    if not data:
        findings.append(RULES["BRM104"].finding(sheet=name))
    if periods:
        kept, said = wide.wide_source(name, rows, idx, columns, periods, data,
                                      kind="Measurements" if kind == "Benefits" else kind,
                                      row_types=kind != "Benefits")
        sources.append(kept)
        findings.extend(said)
    findings.extend(wide.unclear_columns(name, rows, idx, every, periods, data))
    if only_periods:
        return None
    return RawTable(kind=kind, sheet=name, header_row=header_row, columns=columns, rows=data)


def _is_long(columns: Sequence[Column], kind: str) -> bool:
    """A sheet with a period column and a value column: one row per measurement (long)."""
    named = {c.field for c in columns}
    return "period" in named and wide.MEASURED.get(kind, "value") in named


def _wide_header(rows: Sequence[Sequence[Any]], kind: str, lookup: Mapping[str, str | None] | None,
                 found: int | None) -> int | None:
    """The header row of a sheet with a column per period: the row of the most period headings
    beside a benefit ID heading, unless the row `found` already reads as a long sheet's header."""
    first = next((i for i, row in enumerate(rows) if any(v != "" for v in row)), None)
    if first is None:
        return found
    if found is not None:
        named = {_match(kind, _header_text(v), lookup) for v in rows[found] if isinstance(v, str)}
        if "period" in named and wide.MEASURED.get(kind, "value") in named:
            return found
    best, most = found, 0
    for i in range(first, min(len(rows), first + lim.HEADER_SCAN_ROWS)):
        row = rows[i]
        above = rows[i - 1] if i > 0 else ()
        if not any(isinstance(v, str) and _names_key(kind, v, lookup) for v in row):
            continue
        count = sum(1 for j, v in enumerate(row)
                    if v != "" and wide.period_of_header(v, wide.banner(above, j)) is not None)
        if count > most:
            best, most = i, count
    return best


def _names_key(kind: str, text: str, lookup: Mapping[str, str | None] | None) -> bool:
    """A heading that names the benefit ID column: by its spelling, or by its words when it is
    short enough to be a heading ('Patient story at Board: no repeated history taking' is a
    row of evidence, whatever 'no' may mean in a heading)."""
    if _match(kind, text, lookup) == "benefit_id":
        return True
    if len(text.split()) > _HEADING_WORDS:
        return False
    guess = keyword_score(kind, text)
    return guess is not None and guess[0] == "benefit_id"


# -- sheets beyond the one of each kind ---------------------------------------------------------


def _more_sheets(source: SheetSource, path: str, located: Mapping[str, str], mapping: HeaderMapping | None,
                 findings: list[Finding], sources: list[wide.Source]) -> None:
    """Further sheets: those a mapping names beside the first of their kind, and sheets with a
    column per period beside a benefit ID (read as tracking sheets). Any other sheet holding
    data gets an info finding (BRM107) saying why it is not read and how to map it."""
    taken = set(located.values())
    for sm in mapping.also if mapping else ():
        name = match_sheet(sm.sheet or "", source.names())
        if name is None:
            raise MappingError(
                f"line {sm.line}: sheet '{sm.sheet}' is not in {PurePath(path).name} "
                "(its sheets are: " + ", ".join(source.names()) + ")",
                path=mapping.source if mapping else None,
                hint="correct the sheet name in the mapping, or remake it with `xl-brm map`")
        taken.add(name)
        table = _read_table(source, sm.kind, name, sm, findings, sources)
        if table is not None and isinstance(table.rows, SheetRows):
            sources.append(wide.long_source(table, table.rows.last_row()))
    for name in source.names():
        if name in taken or fold(name) in _SETTINGS_NAMES or name in TOOL_SHEETS:
            continue
        head = source.head(name)
        if not _holds_data(head):
            continue
        tracking = _tracking_sheet(name, head)
        if tracking is not None:
            _read_table(source, tracking[0], name, None, findings, sources)
        else:
            findings.append(_not_read(name, head, located))


def _tracking_sheet(name: str, head: Sequence[Sequence[Any]]) -> tuple[str, int] | None:
    """(kind, header index) of a sheet of period columns beside a benefit ID column, or None.
    Its kind is the plan when its name says so ('Trajectory', 'Plan 2020-21'), else measurements."""
    kind = wide.TRAJECTORY if wide.PLAN_SHEET.search(name) else "Measurements"
    idx = _wide_header(head, kind, None, None)
    if idx is None or _is_long(_columns(head[idx], kind, None, name, idx + 1, []), kind):
        return None
    return kind, idx


def _holds_data(rows: Sequence[Sequence[Any]]) -> bool:
    """A table of values: two rows of two or more cells, with a figure among them: a number or
    date cell, or text that reads as one ('60.2%', '3,950', '£1,200', '12/10/2020'), as figures
    pasted from a report or typed by hand are."""
    full = [row for row in rows if sum(1 for v in row if v != "") >= 2]
    return len(full) >= 2 and any(_figure(v) for row in full for v in row)


def _figure(value: Any) -> bool:
    if isinstance(value, str):
        return _reads_as(parse_number, value) or _reads_as(parse_date, value)
    return isinstance(value, float | int | dt.date | dt.datetime) and not isinstance(value, bool)


def _reads_as(parse: Callable[[Any], Any], text: str) -> bool:
    try:
        return parse(text)[0] is not None
    except CellError:
        return False


@check("BRM107", scope="reader")
def _not_read(name: str, head: Sequence[Sequence[Any]], located: Mapping[str, str]) -> Finding:
    best, score = None, 0
    for kind in SHEETS:
        idx = _find_header(head, kind, None)
        got = _score(head[idx], kind, None) if idx is not None else 0
        if got > score:
            best, score = kind, got
    if best is not None and score >= CONTENT_MATCHES and best in located:
        reason = (f"its headings read like a {best} sheet, but '{located[best]}' is the one read as {best}")
        how = f"a further section [{best}: {name}] reads it too" if best != "Benefits" else (
            f"[Benefits: {name}] to read it instead of '{located[best]}'")
    else:
        reason = "none of its rows reads as the headings of benefits, measurements or a plan"
        how = f"`xl-brm map FILE`, then a section such as [Measurements: {name}] with a line per column"
    return RULES["BRM107"].finding(sheet=name, reason=reason, how=how)


def _as_shown(rows: list[list[Any]], percent: Collection[int], column: int, header: int, *,
              text: bool) -> None:
    """A number shown as a percentage becomes the number the user sees (0.885 -> 88.5), as the
    typed '88.5%' reads. In a percent field (`text`) it becomes that text, '88.5%', so the field
    need not guess whether a number is a fraction (1.5 is 150%, not 1.5%). Fifteen significant
    figures: exact for what was typed, without the float's tail (0.07 * 100 = 7.000000000000001)."""
    for r in percent:
        if header < r < len(rows) and type(value := rows[r][column]) is float:
            shown = f"{value * 100:.15g}"
            rows[r][column] = shown + "%" if text else float(shown)


def _fill_merges(rows: list[list[Any]], merged: Sequence[Merge], header: int) -> None:
    """A vertically merged cell shows its value on every row it spans: give each row that value.

    Only the first column of a merge is filled (a title merged across columns is not copied
    into each column), only within the grid, and each cell at most once: Excel's merges never
    overlap, and a file whose merges do (crafted) must not make this repeat the same rows.
    """
    height = len(rows)
    tall = sorted((c1, r1, r2) for (r1, c1), (r2, _c2) in merged
                  if r1 < r2 and r1 != header and r1 < height and c1 < len(rows[r1]))
    column, reached = -1, -1
    for c1, r1, r2 in tall:
        if c1 != column:
            column, reached = c1, -1
        if r1 <= reached:
            continue  # overlaps the merge before it in this column
        reached = r2
        value = rows[r1][c1]
        if value == "":
            continue
        for r in range(max(r1 + 1, header), min(r2, height - 1) + 1):
            if rows[r][c1] == "":
                rows[r][c1] = value


# -- header row and columns --------------------------------------------------------------------


def _header_text(value: Any) -> str:
    """A heading as people write it: a date heading on the first of a month as 'Apr-20' (how
    such headings are shown), any other date day-first ('30/04/2020'); a saved mapping uses
    these, and `period_of_header` reads them back as the same period."""
    if value == "" or value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):  # month names in English whatever the locale
        return f"{_MONTH_ABBR[value.month - 1]}-{value:%y}" if value.day == 1 else f"{value:%d/%m/%Y}"
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _match(kind: str, text: str, lookup: Mapping[str, str | None] | None) -> Any:
    """Canonical field of a header (None = local; `_MISSING` = the mapping lists it as local)."""
    key = fold(text)
    if lookup is not None:
        named = lookup.get(key, _MISSING)
        if named is not _MISSING:
            return named if named is not None else _MISSING
    table = _FOLDED[kind]
    name = table.get(key)
    if name is None and ("(" in text or "[" in text):
        name = table.get(fold(_BRACKETS.sub("", text)))
    return name


def _score(row: Sequence[Any], kind: str, lookup: Mapping[str, str | None] | None) -> int:
    """How much a row looks like this kind's header: distinct fields (or mapped headers) named."""
    hits: set[str] = set()
    for value in row:
        if isinstance(value, str) and value:
            name = _match(kind, value, lookup)
            if name is _MISSING:
                hits.add("local:" + fold(value))
            elif name is not None:
                hits.add(name)
            elif (guess := keyword_score(kind, value)) is not None:
                hits.add(guess[0])
    return len(hits)


def _find_header(rows: Sequence[Sequence[Any]], kind: str,
                 lookup: Mapping[str, str | None] | None,
                 merged: Sequence[Merge] = ()) -> int | None:
    """Index of the best-scoring row among the first rows below any leading blank rows (a row
    under merged group labels scored as read with them, see `_best_header`)."""
    first = next((i for i, row in enumerate(rows) if any(v != "" for v in row)), None)
    if first is None:
        return None
    best, best_score = None, lim.MIN_HEADER_MATCHES - 1
    if lookup:
        best_score = min(lim.MIN_HEADER_MATCHES, len(lookup)) - 1
    last = min(len(rows), first + lim.HEADER_SCAN_ROWS)
    labels = [m for m in merged if first - 1 <= m[0][0] < last]  # a sheet may hold thousands
    for i in range(first, last):
        score = _score(_best_header(rows, i, labels, kind, lookup), kind, lookup)
        if score > best_score:
            best, best_score = i, score
    return best


def _best_header(rows: Sequence[Sequence[Any]], idx: int, merged: Sequence[Merge], kind: str,
                 lookup: Mapping[str, str | None] | None) -> Sequence[Any]:
    """The header row, or the header read under its group labels when that names more fields:
    'Baseline' merged over 'Value', 'Start', 'End' gives 'Baseline Value', 'Baseline Start'…"""
    grouped = _grouped(rows, idx, merged)
    if grouped is not None and _score(grouped, kind, lookup) > _score(rows[idx], kind, lookup):
        return grouped
    return rows[idx]


def _grouped(rows: Sequence[Sequence[Any]], idx: int, merged: Sequence[Merge]) -> list[Any] | None:
    """The header cells under a label merged across columns in the row right above, each led
    by that label; None when there is no such label, or one covers the whole header (a title).
    A merge may reach far beyond the cells (a whole row merged): only the header's width counts."""
    if idx < 1:
        return None
    above, width = rows[idx - 1], len(rows[idx])
    labels: dict[int, str] = {}
    for (r1, c1), (r2, c2) in merged:
        if r1 == r2 == idx - 1 and c1 < c2 and c1 < min(width, len(above)) \
                and isinstance(label := above[c1], str) and label.strip():
            labels.update(dict.fromkeys(range(c1, min(c2, width - 1) + 1), label.strip()))
    if not labels:
        return None
    header = list(rows[idx])
    named = [j for j, v in enumerate(header) if isinstance(v, str) and v.strip()]
    if all(j in labels for j in named):
        return None
    for j in named:
        if j in labels:
            header[j] = f"{labels[j]} {header[j].strip()}"
    return header


@check("BRM102", scope="reader")
def _columns(header: Sequence[Any], kind: str, lookup: Mapping[str, str | None] | None,
             sheet: str, header_row: int, findings: list[Finding], *,
             first_index: int = 0) -> list[Column]:
    """One Column per non-blank header; a second column for the same field is kept local.
    `first_index` is the 0-based column of `header[0]` (as `Column.index` counts)."""
    columns: list[Column] = []
    first: dict[str, Column] = {}
    texts = [_header_text(value) for value in header]
    exact = [_match(kind, text, lookup) if text else None for text in texts]
    unnamed = [text if name is None and wide.period_of_header(text) is None else ""
               for text, name in zip(texts, exact, strict=True)]
    guessed = assign_by_keywords(kind, unnamed, taken={n for n in exact if isinstance(n, str)})
    for j, text in enumerate(texts, start=first_index):
        if not text:
            continue
        name = exact[j - first_index]
        if name is _MISSING:
            name = None
        elif name is None:
            name = guessed.get(j - first_index)
        if name is not None and name in first:
            other = first[name]
            findings.append(RULES["BRM102"].finding(
                sheet=sheet, row=header_row, column=name, cell=f"{column_letter(j)}{header_row}",
                value=text, header=f"{other.letter} '{other.header}'",
                other=f"{column_letter(j)} '{text}'"))
            name = None
        col = Column(field=name, header=text, index=j)
        if name is not None:
            first[name] = col
        columns.append(col)
    return columns


# -- data rows ---------------------------------------------------------------------------------


def _rows(rows: list[list[Any]], header: int, positions: list[int], key: int | None, *,
          first_row: int = 1) -> SheetRows:
    """Data rows below the header: blank rows skipped, notes and totals rows below the table
    skipped (see `_trailer`), '' read as None. `first_row` is the row number of rows[0]
    (1 for a sheet from A1, so row numbers are Excel's)."""
    start = header + 1
    data = SheetRows(rows, start=start, positions=positions, offset=first_row)
    values = data.values()
    keys = data.column(key) if key is not None else None
    skipped = [start + i for i in _skipped(lambda i: values(rows[start + i]), key, keys,
                                           len(data), len(positions))]
    if not skipped:
        return data
    return SheetRows(rows, start=start, positions=positions, offset=first_row, skipped=skipped)


def _skipped(values: Callable[[int], tuple[Any, ...]], key: int | None, keys: Sequence[Any] | None,
             height: int, width: int) -> Iterator[int]:
    """Indices of blank, notes and totals rows among `height` data rows (`values(i)`: row i's
    cells, None for blank; `keys`: the cells of the key column, `key` its position). Only rows
    whose key cell is blank or reads like a label (`_suspect`) are looked at, and every row
    inside a block of notes, which a data row ends; a key column of plain IDs is judged by its
    distinct values alone."""
    if key is None or keys is None:
        suspects: list[int] = list(range(height))
    else:
        labels = {k for k in set(keys) if _suspect(k)}
        suspects = [i for i, k in enumerate(keys) if k in labels] if labels else []
    empty = (None,) * width
    last = _last_benefit(values, key, keys) if key is not None and keys is not None else height
    in_notes, below, at, i = False, False, 0, -1
    while True:
        if in_notes and i + 1 < height:
            i += 1  # inside notes every row is looked at
        else:
            while at < len(suspects) and suspects[at] <= i:
                at += 1
            if at == len(suspects):
                return
            i = suspects[at]
        row = values(i)
        if row == empty:
            below = below or i > last  # a blank row below the last benefit ends the table
            yield i
            continue
        kind = _trailer(row, key, in_notes, below=below)
        if kind is not None:
            yield i
            in_notes = in_notes or kind == "notes"
        else:
            in_notes = False


def _last_benefit(values: Callable[[int], tuple[Any, ...]], key: int,
                  keys: Sequence[Any]) -> int:
    """Index of the last row with a key cell that is data (not a notes or totals label)."""
    for i in range(len(keys) - 1, -1, -1):
        k = keys[i]
        if k is not None and (not _suspect(k) or _trailer(values(i), key, False) is None):
            return i
    return -1


def _suspect(key: Any) -> bool:
    """A key cell that may belong to a blank, notes or totals row rather than a benefit."""
    return key is None or (key.__class__ is str and (key[:1] in _TRAILER_FIRST or " " in key))


def _trailer(vals: tuple[Any, ...], key: int | None, in_notes: bool, *,
             below: bool = False) -> str | None:
    """Is this a notes or totals row rather than data? 'notes', 'skip' or None (data).

    - A row whose first non-blank cell is text like "Total", "Sub-total:", "Grand total (£)"
      and whose key (benefit_id) cell is blank or is that label: a totals row -> skip.
    - The same with "Notes", "Note:", "NB", "Source:", "Key", "Comments -": a notes label ->
      skip, and the single-text rows that follow are notes too.
    - A row with one non-blank cell, text in the table's first or key column, that reads as a
      sentence (4+ words or longer than any ID), a footnote ("* …", "1. …") or a section band
      ("Workstream: EPMA", often merged across the row): not a benefit -> skip.
    - `below` the table (after its last benefit and a blank row), a row with one non-blank
      cell, text with a blank key, in any column: a footer ("End of register") -> skip.
    Anything else is data, however incomplete: the rule engine reports what is missing.
    """
    filled = [(j, v) for j, v in enumerate(vals) if v is not None]
    j0, first = filled[0]
    if not isinstance(first, str):
        return None
    label = first.strip()
    key_value = vals[key] if key is not None else None
    if key_value is None or j0 == key:
        if _TOTAL.fullmatch(label):
            return "skip"
        if _NOTES_LABEL.fullmatch(label):
            return "notes"
    if len(filled) == 1 and below and key_value is None:
        return "skip"
    if len(filled) == 1 and (j0 == 0 or j0 == key) and (
        in_notes or _FOOTNOTE.match(label) or _SECTION.search(label)
        or len(label.split()) >= 4 or len(label) > 64
    ):
        return "skip"
    return None


# -- settings ----------------------------------------------------------------------------------


def _setting_key(text: str) -> str:
    """'Trust ODS code' -> 'trust_ods': a known setting by spelling or keywords, else folded."""
    key = fold(text)
    if key in _SETTING_KEYS:
        return _SETTING_KEYS[key]
    guess = keyword_score("Benefits", text)
    return guess[0] if guess is not None and guess[0] in DEFAULTABLE else key


def _read_settings(source: SheetSource) -> dict[str, Any]:
    """`key | value` rows of an optional BRM Settings sheet; keys folded, known ones canonical.
    A formula cell with no value counts as blank here (a setting is one value or none)."""
    name = next((n for n in source.names() if fold(n) in _SETTINGS_NAMES), None)
    if name is None:
        return {}
    settings: dict[str, Any] = {}
    for row in source.rows(name):
        cells = [v for v in row if v != "" and v.__class__ is not FormulaWithoutValue]
        if len(cells) < 2 or not isinstance(cells[0], str):
            continue
        key = fold(cells[0])
        if not key or key in _SETTING_HEADERS:
            continue
        value = cells[1].strip() if isinstance(cells[1], str) else cells[1]
        settings.setdefault(_setting_key(cells[0]), value)
    return settings
