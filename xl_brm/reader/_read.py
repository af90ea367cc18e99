"""Read a trust's workbook into located raw cells (`RawWorkbook`) with python-calamine.

Cells keep the type they were stored with: calamine gives str, float, bool, datetime, date, time
and timedelta as Excel stored them, and nothing here coerces them (a UK text date stays text for
the rule engine to read day-first). Blank cells become None, formula cells with no cached value
become `FormulaWithoutValue`, and row numbers are the Excel row numbers the user sees.

The row loop is the hot path (a Measurements sheet can hold 240k rows): per row it does one
C-level column pick, one C-level blank substitution, and a cheap test of the key cell; anything
slower only runs for rows that might be notes or totals.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

from xl_brm.enums import fold
from xl_brm.errors import InputError, MappingError
from xl_brm.fields import BENEFIT_FIELD, SETTINGS_SHEET, SHEET_SYNONYMS, SHEETS
from xl_brm.findings import Finding
from xl_brm.reader import _limits as lim
from xl_brm.reader._mapping import HeaderMapping, SheetMapping
from xl_brm.reader._safety import SafetyReport, check_safety
from xl_brm.rules import RULES
from xl_brm.table import Column, FormulaWithoutValue, RawRow, RawTable, RawWorkbook, column_letter

REQUIRED_SHEETS = ("Benefits",)
"""Kinds whose absence is a BRM105 error. Measurements and Trajectory may be absent."""

DEFAULTABLE = frozenset({"trust_ods", "programme"})
"""Core fields that `--trust`/`--programme` or the BRM Settings sheet can supply workbook-wide,
so a missing column is for the rule engine to judge (it knows the defaults), not the reader."""

CONTENT_MATCHES = 3
"""A sheet not named like a kind is taken for it when its header names this many of its fields."""

_SHEET_NAMES = {kind: {fold(kind)} | {fold(s) for s in names} for kind, names in SHEET_SYNONYMS.items()}
_SETTINGS_NAMES = {fold(SETTINGS_SHEET), "settings", "brmconfig"}
_SETTING_KEYS = {key: name for name in DEFAULTABLE for key in BENEFIT_FIELD[name].folded}
_SETTING_HEADERS = {"setting", "settings", "key", "name", "item", "parameter"}
_FOLDED = {kind: {key: f.name for f in fields for key in f.folded} for kind, fields in SHEETS.items()}
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_BLANK: Callable[[Any, Any], Any] = {"": None}.get

_TOTAL = re.compile(r"(?:grand\s*|sub[\s-]?)?totals?\b(?:\s*[:(\-–—].*)?", re.I | re.S)
_NOTES_LABEL = re.compile(
    r"(?:notes?|n\.?\s?b\.?|sources?|key|footnotes?|comments?)(?:\s*[:\-–—].*)?", re.I | re.S)
_FOOTNOTE = re.compile(r"[*†‡]|\(?\d{1,2}[.)]\s")
_TRAILER_FIRST = frozenset("tTgGsSnNkKcCfF*†‡(0123456789")
_MISSING = object()


def read_workbook(path: str | Path, *, mapping: HeaderMapping | None = None) -> RawWorkbook:
    """Read a trust workbook: safety gate, sheets, header rows, columns and data rows.

    Raises `UnsafeWorkbookError` / `InputError` / `MappingError`; structural problems of the
    sheets (missing columns, no header row…) are BRM1xx findings on the result instead.
    """
    p = Path(path)
    report = check_safety(p)
    findings: list[Finding] = []
    tables: dict[str, RawTable] = {}
    with _open(p) as wb:
        located = _locate(wb, p, mapping)
        for kind in REQUIRED_SHEETS:
            if kind not in located:
                findings.append(RULES["BRM105"].finding(expected=kind))
        for kind, name in located.items():
            sm = mapping.get(kind) if mapping else None
            table = _read_table(wb, p, report, kind, name, sm, findings)
            if table is not None:
                tables[kind] = table
        settings = _read_settings(wb, p)
    return RawWorkbook(path=str(p), tables=tables, settings=settings, findings=findings)


def propose_mapping(path: str | Path) -> HeaderMapping:
    """What `xl-brm map FILE` saves: where each sheet and header row is, and what each header
    maps to. Unmapped headers are listed for the trust to fill in or leave local."""
    p = Path(path)
    check_safety(p)
    mapping = HeaderMapping(source=str(p))
    with _open(p) as wb:
        for kind, name in _locate(wb, p, None).items():
            rows = _head_rows(wb, p, name)
            sm = SheetMapping(kind=kind, sheet=name)
            mapping.sheets[kind] = sm
            idx = _find_header(rows, kind, None)
            if idx is None:
                continue
            sm.header_row = idx + 1
            for col in _columns(rows[idx], kind, None, name, idx + 1, []):
                if col.field is None:
                    sm.unmapped.append(col.header)
                else:
                    sm.columns[col.header] = col.field
    return mapping


# -- workbook and sheets -----------------------------------------------------------------------


@contextmanager
def _open(p: Path) -> Iterator[CalamineWorkbook]:
    try:
        wb = CalamineWorkbook.from_path(str(p))
    except (CalamineError, OSError, ValueError, UnicodeError) as exc:
        raise InputError(f"cannot be read as an Excel workbook ({exc})", path=p,
                         hint="open it in Excel and save it as an Excel Workbook (.xlsx)") from None
    try:
        yield wb
    finally:
        wb.close()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of acyclic objects.

    Without this, the collector re-walks the growing heap again and again: it triples
    calamine's own `to_python()` time on a 240k-row sheet, and the row loop's too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sheet(wb: CalamineWorkbook, p: Path, name: str) -> CalamineSheet:
    try:
        return wb.get_sheet_by_name(name)
    except (CalamineError, ValueError, UnicodeError) as exc:
        raise InputError(f"cannot be read ({exc})", path=p, sheet=name,
                         hint="open the workbook in Excel and save it again") from None


def _sheet_rows(sheet: CalamineSheet, p: Path, nrows: int | None = None) -> list[list[Any]]:
    """A sheet's cells from A1 (no offset to track), or InputError if calamine cannot read it."""
    try:
        with _gc_paused():
            if nrows is None:
                return sheet.to_python(skip_empty_area=False)
            return sheet.to_python(skip_empty_area=False, nrows=nrows)
    except (CalamineError, ValueError, UnicodeError) as exc:
        raise InputError(f"cannot be read ({exc})", path=p, sheet=sheet.name,
                         hint="open the workbook in Excel and save it again") from None


def _head_rows(wb: CalamineWorkbook, p: Path, name: str) -> list[list[Any]]:
    """The top of a sheet, enough to find its header row."""
    sheet = _sheet(wb, p, name)
    start = sheet.start
    if start is None:
        return []
    return _sheet_rows(sheet, p, nrows=start[0] + lim.HEADER_SCAN_ROWS)


def _worksheets(wb: CalamineWorkbook) -> list[str]:
    return [m.name for m in wb.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]


def _locate(wb: CalamineWorkbook, p: Path, mapping: HeaderMapping | None) -> dict[str, str]:
    """Canonical kind -> sheet name: from the mapping, by name or synonym, else by content."""
    names = _worksheets(wb)
    found: dict[str, str] = {}
    for kind in SHEETS:
        sm = mapping.get(kind) if mapping else None
        if sm is not None and sm.sheet:
            name = _match_sheet(sm.sheet, names)
            if name is None:
                raise MappingError(
                    f"line {sm.line}: sheet '{sm.sheet}' is not in {p.name} (its sheets are: "
                    + ", ".join(names) + ")",
                    path=mapping.source if mapping else None,
                    hint="correct the sheet name in the mapping, or remake it with `xl-brm map`")
            found[kind] = name
            continue
        taken = set(found.values())
        name = next((n for n in names if n not in taken and fold(n) in _SHEET_NAMES[kind]), None)
        if name is not None:
            found[kind] = name
    for kind in ("Benefits", "Measurements"):
        if kind in found:
            continue
        taken = set(found.values())
        best, best_score = None, CONTENT_MATCHES - 1
        for name in names:
            if name in taken or fold(name) in _SETTINGS_NAMES:
                continue
            rows = _head_rows(wb, p, name)
            idx = _find_header(rows, kind, None)
            score = _score(rows[idx], kind, None) if idx is not None else 0
            if score > best_score:
                best, best_score = name, score
        if best is not None:
            found[kind] = best
    return {kind: found[kind] for kind in SHEETS if kind in found}


def _match_sheet(wanted: str, names: Sequence[str]) -> str | None:
    if wanted in names:
        return wanted
    return next((n for n in names if fold(n) == fold(wanted)), None)


# -- one table ---------------------------------------------------------------------------------


def _read_table(
    wb: CalamineWorkbook,
    p: Path,
    report: SafetyReport,
    kind: str,
    name: str,
    sm: SheetMapping | None,
    findings: list[Finding],
) -> RawTable | None:
    sheet = _sheet(wb, p, name)
    rows = _sheet_rows(sheet, p)
    formulas = report.formulas(name)
    if formulas:
        _place_formulas(rows, formulas)
    if not any(v != "" for row in rows for v in row):
        findings.append(Finding(code="BRM104", severity=RULES["BRM104"].severity, sheet=name,
                                message=f"Sheet '{name}' is empty; fill it in or delete it"))
        return None
    lookup = sm.lookup() if sm is not None and sm.columns else None
    if sm is not None and sm.header_row is not None:
        idx: int | None = sm.header_row - 1
        if sm.header_row > len(rows) or all(v == "" for v in rows[sm.header_row - 1]):
            findings.append(Finding(
                code="BRM103", severity=RULES["BRM103"].severity, sheet=name, row=sm.header_row,
                message=f"Sheet '{name}': row {sm.header_row}, the header row named in the mapping, "
                        "is empty; correct 'header row' in the mapping or remake it with `xl-brm map`"))
            return None
    else:
        idx = _find_header(rows, kind, lookup)
    if idx is None:
        findings.append(RULES["BRM103"].finding(sheet=name))
        return None
    header_row = idx + 1
    _fill_merges(rows, sheet.merged_cell_ranges or [], idx)
    columns = _columns(rows[idx], kind, lookup, name, header_row, findings)
    present = {c.field for c in columns}
    for f in SHEETS[kind]:
        if f.core and f.name not in DEFAULTABLE and f.name not in present:
            findings.append(RULES["BRM101"].finding(sheet=name, column=f.name, row=header_row))
    if not columns:
        return None
    key = next((i for i, c in enumerate(columns) if c.field == "benefit_id"), None)
    with _gc_paused():
        data = _rows(rows, idx, [c.index for c in columns], key)
    if not data:
        findings.append(RULES["BRM104"].finding(sheet=name))
    return RawTable(kind=kind, sheet=name, header_row=header_row, columns=columns, rows=data)


def _place_formulas(rows: list[list[Any]], formulas: dict[tuple[int, int], str]) -> None:
    """Put `FormulaWithoutValue` where calamine saw a blank (growing the grid if it must)."""
    need_rows = max(r for r, _ in formulas) + 1
    need_cols = max(c for _, c in formulas) + 1
    width = len(rows[0]) if rows else 0
    if need_cols > width:
        for row in rows:
            row.extend([""] * (need_cols - width))
        width = need_cols
    while len(rows) < need_rows:
        rows.append([""] * width)
    for (r, c), text in formulas.items():
        if rows[r][c] == "":
            rows[r][c] = FormulaWithoutValue(text)


def _fill_merges(rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]],
                 header: int) -> None:
    """A vertically merged cell shows its value on every row it spans: give each row that value.

    Only the first column of a merge is filled (a title merged across columns is not copied
    into each column), and only within the grid calamine returned.
    """
    height = len(rows)
    for (r1, c1), (r2, _c2) in merged:
        if r2 <= r1 or r1 == header or r1 >= height or c1 >= len(rows[r1]):
            continue
        value = rows[r1][c1]
        if value == "":
            continue
        for r in range(max(r1 + 1, header), min(r2, height - 1) + 1):
            if rows[r][c1] == "":
                rows[r][c1] = value


# -- header row and columns --------------------------------------------------------------------


def _header_text(value: Any) -> str:
    if value == "" or value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _match(kind: str, text: str, lookup: dict[str, str | None] | None) -> Any:
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


def _score(row: Sequence[Any], kind: str, lookup: dict[str, str | None] | None) -> int:
    """How much a row looks like this kind's header: distinct fields (or mapped headers) named."""
    hits: set[str] = set()
    for value in row:
        if isinstance(value, str) and value:
            name = _match(kind, value, lookup)
            if name is _MISSING:
                hits.add("local:" + fold(value))
            elif name is not None:
                hits.add(name)
    return len(hits)


def _find_header(rows: Sequence[Sequence[Any]], kind: str,
                 lookup: dict[str, str | None] | None) -> int | None:
    """Index of the best-scoring row among the first rows below any leading blank rows."""
    first = next((i for i, row in enumerate(rows) if any(v != "" for v in row)), None)
    if first is None:
        return None
    best, best_score = None, lim.MIN_HEADER_MATCHES - 1
    if lookup:
        best_score = min(lim.MIN_HEADER_MATCHES, len(lookup)) - 1
    for i in range(first, min(len(rows), first + lim.HEADER_SCAN_ROWS)):
        score = _score(rows[i], kind, lookup)
        if score > best_score:
            best, best_score = i, score
    return best


def _columns(header: Sequence[Any], kind: str, lookup: dict[str, str | None] | None,
             sheet: str, header_row: int, findings: list[Finding]) -> list[Column]:
    """One Column per non-blank header; a second column for the same field is kept local."""
    columns: list[Column] = []
    first: dict[str, Column] = {}
    for j, value in enumerate(header):
        text = _header_text(value)
        if not text:
            continue
        name = _match(kind, text, lookup)
        if name is _MISSING:
            name = None
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


def _rows(rows: list[list[Any]], header: int, positions: list[int], key: int | None) -> list[RawRow]:
    """Data rows below the header: blank rows skipped, notes and totals rows below the table
    skipped (see `_trailer`), '' turned into None. Row numbers are Excel's (1-based)."""
    n = len(positions)
    pick: Callable[[list[Any]], tuple[Any, ...]]
    if n == 1:
        only = positions[0]

        def pick(row: list[Any]) -> tuple[Any, ...]:
            return (row[only],)
    else:
        pick = itemgetter(*positions)
    blank = _BLANK
    first_chars = _TRAILER_FIRST
    out: list[RawRow] = []
    append = out.append
    in_notes = False
    empty = (None,) * n
    for number, row in enumerate(islice(rows, header + 1, None), start=header + 2):
        picked = pick(row)
        vals = tuple(map(blank, picked, picked))
        if vals == empty:
            continue
        if in_notes or key is None:
            suspect = True
        else:
            k = vals[key]
            suspect = k is None or (k.__class__ is str and (k[:1] in first_chars or " " in k))
        if suspect:
            kind = _trailer(vals, key, in_notes)
            if kind is not None:
                in_notes = in_notes or kind == "notes"
                continue
            in_notes = False
        append(RawRow(number, vals))
    return out


def _trailer(vals: tuple[Any, ...], key: int | None, in_notes: bool) -> str | None:
    """Is this a notes or totals row rather than data? 'notes', 'skip' or None (data).

    - A row whose first non-blank cell is text like "Total", "Sub-total:", "Grand total (£)"
      and whose key (benefit_id) cell is blank or is that label: a totals row -> skip.
    - The same with "Notes", "Note:", "NB", "Source:", "Key", "Comments -": a notes label ->
      skip, and the single-text rows that follow are notes too.
    - A row with one non-blank cell, text in the table's first or key column, that reads as a
      sentence (4+ words or longer than any ID) or a footnote ("* …", "1. …"): a note -> skip.
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
    if len(filled) == 1 and (j0 == 0 or j0 == key) and (
        in_notes or _FOOTNOTE.match(label) or len(label.split()) >= 4 or len(label) > 64
    ):
        return "skip"
    return None


# -- settings ----------------------------------------------------------------------------------


def _read_settings(wb: CalamineWorkbook, p: Path) -> dict[str, Any]:
    """`key | value` rows of an optional BRM Settings sheet; keys folded, known ones canonical."""
    name = next((n for n in _worksheets(wb) if fold(n) in _SETTINGS_NAMES), None)
    if name is None:
        return {}
    settings: dict[str, Any] = {}
    for row in _sheet_rows(_sheet(wb, p, name), p):
        cells = [v for v in row if v != ""]
        if len(cells) < 2 or not isinstance(cells[0], str):
            continue
        key = fold(cells[0])
        if not key or key in _SETTING_HEADERS:
            continue
        value = cells[1].strip() if isinstance(cells[1], str) else cells[1]
        settings.setdefault(_SETTING_KEYS.get(key, key), value)
    return settings
