"""Writing a planned import into the register, in the trust's own layout and formatting.

A long sheet gets its placeholder rows filled and new rows under the benefit's own rows (below
its last row when it does not keep each benefit's rows together), styled like the row above,
the period written as the row above writes it (else as the sheet writes that grain), the
extract named in its source column. A wide sheet gets the cell under the period's heading (a
heading added in the sheet's own spelling when the period has no column yet) with a note
naming the extract. A figure in a cell formatted as a percentage is written as it is shown.
The register is written to a temporary file beside it, read back to check every figure landed
where the plan said, and only then put in place (`os.replace`): it is never left half-written.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from copy import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm.actuals._shift import Insert, inserted
from xl_brm.actuals.plan import Change, LongSheet, Plan
from xl_brm.enums import EvidenceGrade, parse_enum
from xl_brm.errors import InputError, UsageError
from xl_brm.excel._book import load_copy, set_text
from xl_brm.excel._save import atomic_path
from xl_brm.periods import Period, PeriodError, parse_period

DROPPED_PARTS = ("xl/charts/", "xl/media/", "xl/pivotTables/", "xl/pivotCache/", "xl/slicers/",
                 "xl/threadedComments/", "xl/drawings/drawing")
"""Parts of a workbook openpyxl does not keep when it saves: charts, pictures, pivot tables,
slicers and threaded comments. A register holding any is never written over in place."""


def write_plan(plan: Plan, *, target: Path, source: str, check: Callable[[Path], None]) -> Path:
    """Write the plan's new and changed cells into a copy of the register saved at `target`
    (the register itself, or another file). `check(path)` reads the written copy back and
    raises if a figure is not where it should be; nothing is replaced unless it passes."""
    if target.resolve() == plan.register.resolve():
        lost = _dropped_parts(plan.register)
        if lost:
            raise UsageError(
                f"{plan.register.name} holds {', '.join(lost)}, which would be lost if it were "
                "rewritten here", hint="write the updated register to another file with --out, "
                "then copy the figures across in Excel")
    workbook = load_copy(plan.register, keep_vba=plan.register.suffix.lower() == ".xlsm")
    _Writer(workbook, plan, source).write()
    with atomic_path(target) as tmp:
        try:
            workbook.save(tmp)
        except PermissionError as exc:
            raise InputError("cannot write the register", path=target,
                             hint="close it in Excel and try again") from exc
        check(tmp)
    return target


def _dropped_parts(path: Path) -> list[str]:
    names = {"xl/charts/": "charts", "xl/media/": "pictures", "xl/pivotTables/": "pivot tables",
             "xl/pivotCache/": "pivot tables", "xl/slicers/": "slicers",
             "xl/threadedComments/": "threaded comments", "xl/drawings/drawing": "drawings"}
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    found = (what for prefix, what in names.items() if any(p.startswith(prefix) for p in parts))
    return list(dict.fromkeys(found))


class _Writer:
    def __init__(self, workbook: Workbook, plan: Plan, source: str) -> None:
        self.wb = workbook
        self.plan = plan
        self.source = source
        self.stamp = date.today().strftime("%d/%m/%Y")

    def write(self) -> None:
        by_sheet: dict[str, list[Change]] = defaultdict(list)
        for change in self.plan.changes:
            if change.writes:
                by_sheet[change.sheet].append(change)
        long_sheets = {s.sheet: s for s in self.plan.long_sheets}
        wide_sheets = {s.sheet: s for s in self.plan.wide_sheets}
        for sheet, changes in by_sheet.items():
            if sheet in long_sheets:
                self._long(long_sheets[sheet], changes)
            else:
                self._wide(sheet, changes, wide_sheets[sheet])

    # -- one row per measurement

    def _long(self, layout: LongSheet, changes: list[Change]) -> None:
        if layout.new:
            ws = self.wb.create_sheet(layout.sheet)
            for column, text in enumerate(("Benefit ID", "Period", "Value", "Source"), start=1):
                ws.cell(row=1, column=column, value=text)
        else:
            ws = self.wb[layout.sheet]
        cols = layout.columns
        added = sorted((c for c in changes if c.adds), key=lambda c: c.row)
        write_period = period_writer(layout.periods)
        grade = self._grade_word(ws, layout)
        likes: dict[int, Any] = {}
        """id(change) -> the value cell it is written like: its own (before), or the row above's."""
        blocks = _blocks(added)
        inserts: list[Insert] = []
        for block in blocks:  # top to bottom: each goes in under the rows already put in
            insert = _make_room(ws, block[0].row, len(block), rows=True)
            if insert is not None:
                inserts.append(Insert(ws.title, insert.at - sum(i.count for i in inserts), insert.count))
        inserted(self.wb, inserts)  # in one pass: references in the sheet as it was
        for block in blocks:
            model = block[0].row - 1 if block[0].row - 1 > layout.header_row else None
            for change in block:
                if model is not None:
                    likes[id(change)] = ws.cell(row=model, column=change.column + 1).value
                    _copy_row_style(ws, model, change.row)
                    _copy_row_formulas(ws, model, change.row, skip={c + 1 for c in cols.values()})
                f = change.figure
                key = ws.cell(row=model, column=cols["benefit_id"] + 1).value if model else None
                numeric = isinstance(key, float | int) and f.benefit_id.isdigit()
                ws.cell(row=change.row, column=cols["benefit_id"] + 1).value = (
                    float(f.benefit_id) if numeric else f.benefit_id)
                above = ws.cell(row=model, column=cols["period"] + 1).value if model else None
                ws.cell(row=change.row, column=cols["period"] + 1).value = (
                    period_writer([above]) if _grain(above) == f.period.months else write_period)(f.period)
                if grade is not None and "evidence_grade" in cols:
                    ws.cell(row=change.row, column=cols["evidence_grade"] + 1).value = grade
        for change in changes:
            self._value(ws, change, like=likes.get(id(change)))
            if "source" in cols:
                set_text(ws.cell(row=change.row, column=cols["source"] + 1), self.source)
            else:
                self._note(ws, change)

    def _value(self, ws: Worksheet, change: Change, *, like: Any = None) -> None:
        """The figure as the cell shows it: 91.2 (%) in a cell formatted 0.0% is 0.912; typed as
        text '91.2%' where the trust types percentages as text ('68.0%' in the cell, else in
        `like`: the row above, or the period before on a wide sheet)."""
        cell = ws.cell(row=change.row, column=change.column + 1)
        value = change.figure.value
        if cell.value is not None:
            like = cell.value
        change.as_percent = shows_percent(cell.number_format)
        if change.as_percent:
            cell.value = value / 100
        elif isinstance(like, str) and _PERCENT_TEXT.match(like.strip()):
            cell.value = _percent_text(value, like.strip())
        else:
            cell.value = value

    def _grade_word(self, ws: Worksheet, layout: LongSheet) -> str | None:
        """How the sheet spells 'measured' ('Actual', 'Measured'), if it has a grade column."""
        column = layout.columns.get("evidence_grade")
        if column is None:
            return None
        for row in range(layout.header_row + 1, layout.last_row + 1):
            value = ws.cell(row=row, column=column + 1).value
            if isinstance(value, str) and parse_enum(EvidenceGrade, value) is EvidenceGrade.MEASURED:
                return value
        return None

    # -- a column per period

    def _wide(self, sheet: str, changes: list[Change], layout: Any) -> None:
        ws = self.wb[sheet]
        header = layout.header_row
        periods = [p for p in layout.periods]
        last = max(p.index for p in periods) + 1  # 1-based
        new_columns = sorted({(c.column, c.figure.period) for c in changes if c.adds == "column"})
        if new_columns:
            inserted(self.wb, [i for i in [_make_room(ws, last + 1, len(new_columns), rows=False)] if i])
            write_heading = period_writer([ws.cell(row=header, column=p.index + 1).value for p in periods])
            for column, period in new_columns:
                _copy_column_style(ws, last, column + 1)
                ws.cell(row=header, column=column + 1).value = write_heading(period)
        key = layout.fixed.get("benefit_id", 0) + 1
        for change in sorted((c for c in changes if c.adds == "row"), key=lambda c: c.row):
            if ws.cell(row=change.row, column=key).value in (None, ""):
                inserted(self.wb, [i for i in [_make_room(ws, change.row, 1, rows=True)] if i])
                _copy_row_style(ws, change.row - 1, change.row)
                ws.cell(row=change.row, column=key).value = change.figure.benefit_id
        columns = sorted({p.index for p in periods} | {c.column for c in changes})
        for change in changes:
            before = [c for c in columns if c < change.column]  # the period to its left, as typed
            like = ws.cell(row=change.row, column=before[-1] + 1).value if before else None
            self._value(ws, change, like=like)
            self._note(ws, change)

    def _note(self, ws: Worksheet, change: Change) -> None:
        f = change.figure
        lines = f"line {f.lines[0]}" if len(f.lines) == 1 else f"lines {min(f.lines)}-{max(f.lines)}"
        text = f"From {self.source} ({lines}; {f.how}), imported {self.stamp} by xl-brm"
        cell = ws.cell(row=change.row, column=change.column + 1)
        cell.comment = Comment(text, "xl-brm", width=260, height=80)


# -- keeping the trust's layout ------------------------------------------------------------------


_PERCENT_TEXT = re.compile(r"^-?\d+(?:\.(\d+))?\s?%$")


def _percent_text(value: float, like: str) -> str:
    """'75.5%' with as many decimals as `like` ('68.0%'), or more when they would round it."""
    found = _PERCENT_TEXT.match(like)
    decimals = len(found.group(1) or "") if found else 0
    text = f"{value:.{decimals}f}"
    if float(text) != value:
        text = repr(value)  # the shortest that reads back as the same number
    return f"{text}%"


def _blocks(added: list[Change]) -> list[list[Change]]:
    """New rows in runs of consecutive rows (each run is inserted at once)."""
    blocks: list[list[Change]] = []
    for change in added:
        if blocks and blocks[-1][-1].row + 1 == change.row:
            blocks[-1].append(change)
        else:
            blocks.append([change])
    return blocks


_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def shows_percent(number_format: str | None) -> bool:
    """Whether Excel shows a number in this format as a percentage ('0.0%', not '"%"0')."""
    return bool(number_format) and "%" in _LITERAL.sub("", str(number_format).split(";")[0])


def _make_room(ws: Worksheet, at: int, count: int, *, rows: bool) -> Insert | None:
    """Rows (or columns) `at`.. for new cells: when what follows is empty the sheet is left as it
    is, else it moves along (notes below a table, columns to the right of a register) and the
    insert is returned, for `inserted` to move what points at the cells that moved."""
    if rows:
        below = any(ws.cell(row=r, column=c).value not in (None, "")
                    for r in range(at, ws.max_row + 1) for c in range(1, ws.max_column + 1))
        if below:
            ws.insert_rows(at, count)
            for merged in list(ws.merged_cells.ranges):
                if merged.min_row >= at:
                    merged.shift(0, count)
        _grow_tables(ws, at, count, moved=below)
        return Insert(ws.title, at, count) if below else None
    right = any(ws.cell(row=r, column=c).value not in (None, "")
                for c in range(at, ws.max_column + 1) for r in range(1, ws.max_row + 1))
    if not right:
        return None
    ws.insert_cols(at, count)
    for merged in list(ws.merged_cells.ranges):
        if merged.min_col >= at:
            merged.shift(count, 0)
    return Insert(ws.title, at, count, rows=False)


def _grow_tables(ws: Worksheet, at: int, count: int, *, moved: bool) -> None:
    """An Excel table the new rows fall in, or end just under, takes them in; one below them
    moves down with its rows (`moved`: the rows below were moved)."""
    from openpyxl.utils.cell import range_boundaries

    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row < at <= max_row + 1:
            max_row += count if (moved and at <= max_row) or max_row == at - 1 else 0
        elif moved and min_row >= at:
            min_row, max_row = min_row + count, max_row + count
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref


def _copy_row_style(ws: Worksheet, model: int, row: int) -> None:
    for column in range(1, ws.max_column + 1):
        source = ws.cell(row=model, column=column)
        if source.has_style:
            ws.cell(row=row, column=column)._style = copy(source._style)
    if ws.row_dimensions[model].height is not None:
        ws.row_dimensions[row].height = ws.row_dimensions[model].height


def _copy_row_formulas(ws: Worksheet, model: int, row: int, *, skip: set[int]) -> None:
    """A formula the row above works out from its own figures ('=C9-D9'), for the new row too."""
    from openpyxl.formula.translate import Translator, TranslatorError

    for column in range(1, ws.max_column + 1):
        source = ws.cell(row=model, column=column)
        if column in skip or not isinstance(source.value, str) or not source.value.startswith("="):
            continue
        target = ws.cell(row=row, column=column)
        try:
            target.value = Translator(source.value, origin=source.coordinate).translate_formula(
                target.coordinate)
        except TranslatorError:
            continue


def _copy_column_style(ws: Worksheet, model: int, column: int) -> None:
    for row in range(1, ws.max_row + 1):
        source = ws.cell(row=row, column=model)
        if source.has_style:
            ws.cell(row=row, column=column)._style = copy(source._style)
    width = ws.column_dimensions[get_column_letter(model)].width
    if width:
        ws.column_dimensions[get_column_letter(column)].width = width


_MONTH_FORMATS: tuple[Callable[[Period], str], ...] = (
    lambda p: f"{p.start:%Y-%m}", lambda p: f"{p.start:%b-%y}", lambda p: f"{p.start:%b %y}",
    lambda p: f"{p.start:%b-%Y}", lambda p: f"{p.start:%b %Y}", lambda p: f"{p.start:%B %Y}",
    lambda p: f"{p.start:%B-%y}", lambda p: f"{p.start:%d/%m/%Y}", lambda p: f"{p.end:%d/%m/%Y}",
)
_QUARTER_FORMATS: tuple[Callable[[Period], str], ...] = (
    lambda p: f"{p.fy} Q{p.quarter_number}", lambda p: f"Q{p.quarter_number} {p.fy}",
    lambda p: f"Q{p.quarter_number} {p.fy[2:]}", lambda p: f"{p.fy[2:]} Q{p.quarter_number}",
    lambda p: f"Qtr {p.quarter_number} {p.fy}", lambda p: f"FY{p.fy} Q{p.quarter_number}",
    lambda p: f"FY{p.fy[2:]} Q{p.quarter_number}", lambda p: f"Quarter {p.quarter_number} {p.fy}",
)


def period_writer(samples: Sequence[Any]) -> Callable[[Period], Any]:
    """How this sheet writes a period, learnt from the periods it holds, a month as its months
    and a quarter as its quarters: a date cell (first or last day of the month: months only),
    or text in the spelling its cells use ('Apr-19', 'Q1 19/20'). A grain the sheet has no
    sample of is written as xl-brm writes it ('2019-04', '2019/20 Q1'). Whatever is written
    reads back as the same period, or it is written as xl-brm writes it."""
    grains: dict[int, list[Any]] = defaultdict(list)
    for sample in samples:
        if sample in (None, ""):
            continue
        try:
            grains[parse_period(sample).months].append(sample)
        except (PeriodError, TypeError, ValueError):
            continue
    month = _spelling(grains[1], _MONTH_FORMATS, dates=True)
    quarter = _spelling(grains[3], _QUARTER_FORMATS, dates=False)

    def write(period: Period) -> Any:
        written = (month if period.months == 1 else quarter)(period)
        try:
            same = parse_period(written) == period
        except (PeriodError, TypeError, ValueError):
            same = False
        return written if same else str(period)

    return write


def _spelling(shown: list[Any], formats: tuple[Callable[[Period], str], ...], *,
              dates: bool) -> Callable[[Period], Any]:
    as_dates = [s.date() if isinstance(s, datetime) else s for s in shown if isinstance(s, date)]
    if dates and as_dates and len(as_dates) * 2 >= len(shown):
        month_end = all(Period.of_date(d).end == d for d in as_dates)

        def as_date(p: Period) -> datetime:
            day = p.end if month_end else p.start
            return datetime(day.year, day.month, day.day)

        return as_date
    texts = [" ".join(s.split()) for s in shown if isinstance(s, str)][:12]
    for spell in formats:
        if texts and all(_spelt(spell, t) for t in texts):
            return spell
    return str


def _grain(cell: Any) -> int | None:
    """1 for a month, 3 for a quarter, None for what is not a period."""
    if cell in (None, ""):
        return None
    try:
        return parse_period(cell).months
    except (PeriodError, TypeError, ValueError):
        return None


def _spelt(spell: Callable[[Period], str], text: str) -> bool:
    try:
        return spell(parse_period(text)).lower() == text.lower()
    except (PeriodError, ValueError):
        return False
