"""The one writer of registers from data: a `Register` in canonical terms rendered in a
`Style` (header spellings, title rows, merged cells, spacer, totals and notes rows, local and
hidden columns, UK text dates or date cells, £ strings, percent strings, Yes/No flags, monthly
or quarterly periods, long or a column per period, a BRM Settings sheet), with openpyxl.

It returns where every row and field landed (`Layout`), so a planted mistake or an injected
error can be named by its A1 cell. Output is deterministic: the same register, style and seed
give the same cells.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeGuard

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_brm.examples.style import (
    BENEFITS,
    KIND,
    MEASUREMENTS,
    TRAJECTORY,
    Formula,
    Look,
    Month,
    Quarter,
    Raw,
    Register,
    Style,
    spell,
)
from xl_brm.excel._save import save_atomic
from xl_brm.periods import Period


@dataclass(slots=True)
class Layout:
    """Where the register landed: uid -> Excel row, field -> column letter, per canonical sheet."""

    path: Path
    sheet_names: dict[str, str]
    rows: dict[str, dict[str, int]]
    columns: dict[str, dict[str, str]]
    measured: dict[str, str] = field(default_factory=dict)
    """Wide layouts: measurement uid -> the column letter of its period (its value's cell)."""

    def cell(self, sheet: str, uid: str, name: str) -> str | None:
        if sheet == MEASUREMENTS and uid in self.measured and name in ("period", "value"):
            return f"{self.measured[uid]}{self.rows[sheet][uid]}"
        letter = self.columns[sheet].get(name)
        if letter is None:
            return None
        return f"{letter}{self.rows[sheet][uid]}"


@dataclass(slots=True)
class _Cell:
    value: Any
    fmt: str | None = None
    force_text: bool = False


def write_register(reg: Register, style: Style, path: Path, *, seed: int) -> Layout:
    """Write the register in the style; return where each row and field landed."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = style.benefit_sheet
    rows: dict[str, dict[str, int]] = {BENEFITS: {}, MEASUREMENTS: {}, TRAJECTORY: {}}
    columns: dict[str, dict[str, str]] = {BENEFITS: {}, MEASUREMENTS: {}, TRAJECTORY: {}}
    look = style.look
    header_row = _write_benefits(ws, reg, style, seed, rows, columns)
    measured: dict[str, str] = {}
    if style.wide:
        measured = _write_wide(wb, ws, reg, style, seed, rows, columns, header_row=header_row,
                               width=len(_columns(style.benefit_headers, style.local_columns)))
    else:
        _write_long(wb, reg, style, seed, rows, columns)
    if style.trajectory_sheet:
        ts = wb.create_sheet(style.trajectory_sheet)
        _table(ts, reg.trajectory, style.trajectory_headers, style, seed, 1, TRAJECTORY, rows, columns)
        _finish(ts, look, len(style.trajectory_headers), 1, look.trajectory_widths, look.trajectory_freeze)
    _trust_sheets(wb, style)
    save_atomic(wb, path)
    sheet = style.benefit_sheet if style.wide == "right" else style.measurement_sheet
    names = {BENEFITS: style.benefit_sheet, MEASUREMENTS: sheet, TRAJECTORY: style.trajectory_sheet or ""}
    return Layout(path, names, rows, columns, measured)


def _write_benefits(ws: Worksheet, reg: Register, style: Style, seed: int,
                    rows: dict[str, dict[str, int]], columns: dict[str, dict[str, str]]) -> int:
    """The register sheet; returns its header row."""
    look = style.look
    cols = _columns(style.benefit_headers, style.local_columns)
    width = len(cols)
    r = 1
    for k, text in enumerate(style.title_rows):
        cell = ws.cell(row=r, column=1, value=text)
        if k < len(look.title_fonts):
            bold, italic, size, colour = look.title_fonts[k]
            cell.font = Font(bold=bold, italic=italic, size=size, color=colour)
        if look.title_fill and k == 0:
            cell.fill = _fill(look.title_fill)
        if look.centre_titles:
            cell.alignment = Alignment(horizontal="center")
        if style.merge_titles:
            span = width if style.title_span is None else min(width, style.title_span)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        r += 1
    if style.title_rows and style.blank_after_title:
        r += 1
    if style.group_band:
        for label, c1, c2 in style.group_band:
            ws.cell(row=r, column=c1, value=label)
            if c2 > c1:
                ws.merge_cells(start_row=r, start_column=c1, end_row=r, end_column=c2)
        r += 1
    header_row = r
    for c, (key, header) in enumerate(cols, start=1):
        ws.cell(row=r, column=c, value=header)
        if not key.startswith("local:"):
            columns[BENEFITS][key] = get_column_letter(c)
    _style_header(ws, r, width, look)
    if style.hidden_local is not None:
        header = style.local_columns[style.hidden_local][1]
        c = next(i for i, (k, _) in enumerate(cols, start=1) if k == f"local:{header}")
        ws.column_dimensions[get_column_letter(c)].hidden = True
    ws.freeze_panes = look.freeze or ws.cell(row=r + 1, column=1)
    r += 1
    project = None
    group = None
    for k, row in enumerate(reg.benefits):
        if (
            style.section_rows
            and row.cells.get("project") != project
            and isinstance(row.cells.get("project"), str)
        ):
            project = row.cells["project"]
            ws.cell(row=r, column=1, value=f"Workstream: {project}")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=min(width, 6))
            r += 1
        if style.spacer_every and k and k % style.spacer_every == 0:
            r += 1  # a blank spacer row
        if style.spacer_by is not None:
            if k and row.cells.get(style.spacer_by) != group:
                r += 1  # a blank row between groups
            group = row.cells.get(style.spacer_by)
        rows[BENEFITS][row.uid] = r
        for c, (key, header) in enumerate(cols, start=1):
            if key.startswith("local:"):
                value = row.local.get(header, _local_value(header, seed, row.uid))
                fmt = style.local_formats.get(header, "dd/mm/yyyy" if isinstance(value, datetime) else None)
                _write(ws, r, c, _Cell(value, fmt if value is not None else None))
            else:
                _write(ws, r, c, _render(style, seed, row.uid, key, row.cells.get(key)))
        r += 1
    if style.totals_row:
        r += 1 if style.totals_gap else 0
        label = ws.cell(row=r, column=1, value=style.totals_row)
        if look.bold_totals:
            label.font = Font(bold=True)
        for key in style.totals_of:
            at = next((c for c, (k, _) in enumerate(cols, start=1) if k in (key, f"local:{key}")), None)
            if at is None:
                continue
            values = [row.cells.get(key, row.local.get(key)) for row in reg.benefits]
            numbers: list[float] = [v for v in values if _number(v)]
            total = ws.cell(row=r, column=at, value=round(sum(numbers), 2))
            total.number_format = style.local_formats.get(key, "General")
            if look.bold_totals:
                total.font = Font(bold=True)
        r += 1
    if style.notes:
        r += 1
        for text in style.notes:
            note = ws.cell(row=r, column=1, value=text)
            if look.notes_font:
                note.font = Font(italic=True, color=look.notes_font)
            r += 1
    _widths(ws, look.widths)
    return header_row


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _write_long(wb: Workbook, reg: Register, style: Style, seed: int,
                rows: dict[str, dict[str, int]], columns: dict[str, dict[str, str]]) -> None:
    """One row per measurement, under the sheet's title rows."""
    look = style.look
    ms = wb.create_sheet(style.measurement_sheet)
    r = 1
    for text in style.measurement_title:
        cell = ms.cell(row=r, column=1, value=text)
        if look.measurement_title_font:
            bold, size = look.measurement_title_font
            cell.font = Font(bold=bold, size=size)
        r += 1
    if style.measurement_title and style.measurement_title_gap:
        r += 1
    _table(ms, reg.measurements, style.measurement_headers, style, seed, r, MEASUREMENTS, rows, columns)
    _finish(ms, look, len(style.measurement_headers), r, look.measurement_widths, look.measurement_freeze)


def _table(sheet: Worksheet, data: list[Any], headers: dict[str, str], style: Style, seed: int, r: int,
           kind: str, rows: dict[str, dict[str, int]], columns: dict[str, dict[str, str]]) -> None:
    """A header at row `r`, then one row per item (measurements or trajectory points)."""
    cols = list(headers.items())
    for c, (key, header) in enumerate(cols, start=1):
        sheet.cell(row=r, column=c, value=header)
        columns[kind][key] = get_column_letter(c)
    r += 1
    previous = None
    for m in data:
        bid = m.cells.get("benefit_id")
        if kind == MEASUREMENTS and style.measurement_spacers and previous is not None and bid != previous:
            r += 1
        previous = bid
        rows[kind][m.uid] = r
        for c, (key, _header) in enumerate(cols, start=1):
            value = m.cells.get(key)
            if key == "benefit_id" and isinstance(value, str | float) and not isinstance(value, Raw):
                cell = _Cell(value)
            else:
                cell = _render(style, seed, m.uid, key, value)
            _write(sheet, r, c, cell)
        r += 1


def _finish(sheet: Worksheet, look: Look, width: int, header: int, widths: tuple[int, ...],
            freeze: str | None) -> None:
    _style_header(sheet, header, width, look)
    _widths(sheet, widths)
    if freeze:
        sheet.freeze_panes = freeze


def _trust_sheets(wb: Workbook, style: Style) -> None:
    """The BRM Settings sheet and the trust's own sheets."""
    if style.settings:
        st = wb.create_sheet("BRM Settings")
        if style.settings_header:
            st.append(style.settings_header)
        for key, value in style.settings:
            st.append((key, value))
        if style.settings_note:
            st["D1"] = style.settings_note
        _widths(st, style.look.settings_widths)
    for name in style.extra_sheets:
        other = wb.create_sheet(name)
        other.append(("Risk", "Owner", "Score"))
        other.append(("Go-live slips", "CCIO", 12))


# -- a column per period ---------------------------------------------------------------------------


def _as_month_or_quarter(p: Any) -> Any:
    if isinstance(p, Period):
        return Quarter(p.fy_start_year, p.quarter_number) if p.is_quarter else Month(p.year, p.month_number)
    return p


def _period_key(p: Any) -> tuple[int, int]:
    p = _as_month_or_quarter(p)
    return (p.fy, p.q) if isinstance(p, Quarter) else (p.year * 12 + p.month, 0)


def _write_wide(
    wb: Workbook, ws: Worksheet, reg: Register, style: Style, seed: int,
    rows: dict[str, dict[str, int]], columns: dict[str, dict[str, str]], *, header_row: int, width: int,
) -> dict[str, str]:
    """Measurements a column per period: on the register's own rows ('right') or a tracking
    sheet with a row per benefit ('sheet'); a measurement for a benefit that already has one
    for its period, or for an ID the register lacks, goes on a further row of its own."""
    look = style.look
    periods = sorted({_period_key(m.cells["period"]): m.cells["period"] for m in reg.measurements}.items())
    if style.wide == "right":
        sheet, first_col, r = ws, width + 1, header_row
        id_letter = columns[BENEFITS]["benefit_id"]
        placed = {b.cells["benefit_id"]: rows[BENEFITS][b.uid] for b in reg.benefits}
    else:
        sheet, first_col, r = wb.create_sheet(style.measurement_sheet), 2 + len(style.wide_headers), 1
        for text in style.measurement_title:
            sheet.cell(row=r, column=1, value=text)
            r += 1
        if style.measurement_title and style.measurement_title_gap:
            r += 1
        header = style.measurement_headers.get("benefit_id", "Benefit ID")
        for c, text in enumerate((header, *style.wide_headers), start=1):
            sheet.cell(row=r, column=c, value=text)
        id_letter = "A"
        placed = {}
    columns[MEASUREMENTS] = {"benefit_id": id_letter}
    at = {key: first_col + k for k, (key, _p) in enumerate(periods)}
    for key, p in periods:
        _write(sheet, r, at[key], _period(style.periods, p))
    if style.wide == "sheet":
        last = first_col + len(periods) - 1
        _finish(sheet, look, last, r, look.measurement_widths, look.measurement_freeze)
    else:
        _style_header(sheet, r, first_col + len(periods) - 1, look)
    taken: dict[int, set[tuple[int, int]]] = {}
    next_row = max(placed.values(), default=r) + 1
    measured: dict[str, str] = {}
    measure = {b.cells["benefit_id"]: b.cells.get("measure") for b in reg.benefits}
    for m in reg.measurements:
        bid, key = m.cells["benefit_id"], _period_key(m.cells["period"])
        row = placed.get(bid)
        if row is None or key in taken.get(row, set()):
            row = next_row
            next_row += 1
            placed.setdefault(bid, row)
            if style.wide == "sheet":
                sheet.cell(row=row, column=1, value=bid.value if isinstance(bid, Raw) else bid)
                if style.wide_headers:
                    sheet.cell(row=row, column=2, value=measure.get(bid))
        taken.setdefault(row, set()).add(key)
        rows[MEASUREMENTS][m.uid] = row
        measured[m.uid] = get_column_letter(at[key])
        _write(sheet, row, at[key], _render(style, seed, m.uid, "value", m.cells.get("value")))
    return measured


# -- cells ---------------------------------------------------------------------------------------------


def _columns(headers: dict[str, str], local: tuple[tuple[int, str], ...]) -> list[tuple[str, str]]:
    """(key, header) in sheet order; key is a canonical field or 'local:<header>'."""
    cols: list[tuple[str, str]] = list(headers.items())
    for pos, header in sorted(local):
        cols.insert(min(pos, len(cols)), (f"local:{header}", header))
    return cols


def _write(ws: Worksheet, r: int, c: int, cell: _Cell) -> None:
    target = ws.cell(row=r, column=c)
    target.value = cell.value
    if cell.force_text:
        target.data_type = "s"
    if cell.fmt:
        target.number_format = cell.fmt


def _cell_rng(seed: int, uid: str, name: str) -> random.Random:
    return random.Random(f"{seed}:{uid}:{name}")


def _render(style: Style, seed: int, uid: str, name: str, value: Any) -> _Cell:
    """One canonical value in the style's spelling."""
    if value is None:
        return _Cell(None)
    if isinstance(value, Raw):
        v = value.value
        if isinstance(v, date):
            return _Cell(v, "dd/mm/yyyy")
        return _Cell(v, force_text=isinstance(v, str) and v.startswith("="))
    if isinstance(value, Formula):
        return _Cell(value.text)
    kind = KIND[name]
    rng = _cell_rng(seed, uid, name)
    if kind == "date":
        return _date(style, rng, value)
    if kind == "period":
        return _period(style.periods, value)
    if kind == "money":
        return _money(style, rng, value)
    if kind == "percent":
        if style.percent == "number":
            return _Cell(value, style.percent_format)
        if style.percent == "spaced":
            return _Cell(f"{value:g} %")
        return _Cell(f"{value:g}%")
    if kind == "bool":
        if style.flags == "bool":
            return _Cell(bool(value))
        if style.flags == "y_n":
            return _Cell("Y" if value else "N")
        return _Cell("Yes" if value else "No")
    if kind == "enum":
        return _Cell(spell(style, name, value))
    if kind == "number":
        if style.thousands and rng.random() < 0.15 and value >= 1000:
            return _Cell(f"{value:,.0f}")  # typed with a thousands separator
        return _Cell(value, style.number_format)
    if isinstance(value, str):
        return _Cell(value, force_text=value.startswith("="))
    return _Cell(value)


def _date(style: Style, rng: random.Random, d: date) -> _Cell:
    mode = style.dates
    if mode == "mixed":
        mode = rng.choice(("uk_text", "cell", "dmon"))
    if mode == "cell":
        return _Cell(datetime(d.year, d.month, d.day), style.date_format)
    if mode == "dmon":
        return _Cell(f"{d.day} {d:%b %Y}")
    if mode == "dots":
        return _Cell(f"{d:%d.%m.%Y}")
    return _Cell(f"{d:%d/%m/%Y}")


def _money(style: Style, rng: random.Random, x: float) -> _Cell:
    mode = style.money
    if mode == "mixed":
        mode = rng.choice(("gbp_text", "number", "number_fmt"))
    if mode == "number":
        return _Cell(x)
    if mode == "number_fmt":
        return _Cell(x, style.money_format)
    return _Cell(f"£{x:,.2f}")


def _period(mode: str, p: Any) -> _Cell:
    p = _as_month_or_quarter(p)
    if isinstance(p, Quarter):
        fy = f"{p.fy}/{(p.fy + 1) % 100:02d}"
        short = f"{p.fy % 100:02d}/{(p.fy + 1) % 100:02d}"
        if mode == "q_first":
            return _Cell(f"Q{p.q} {fy}")
        if mode == "q_short":
            return _Cell(f"Q{p.q} {short}")
        if mode == "short_q":
            return _Cell(f"{short} Q{p.q}")
        if mode == "qtr":
            return _Cell(f"Qtr {p.q} {fy}")
        return _Cell(f"{fy} Q{p.q}")
    assert isinstance(p, Month)
    if mode == "iso":
        return _Cell(f"{p.year}-{p.month:02d}")
    if mode == "date_cell":
        return _Cell(datetime(p.year, p.month, 1), "mmm-yy")
    if mode == "month_end":
        d = p.last_day
        return _Cell(datetime(d.year, d.month, d.day), "dd/mm/yyyy")
    if mode == "long":
        return _Cell(f"{p.first_day:%B %Y}")
    return _Cell(f"{p.first_day:%b-%y}")


# -- looks -------------------------------------------------------------------------------------------


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _style_header(sheet: Worksheet, row: int, width: int, look: Look) -> None:
    if look.header_fill is None:
        return
    for col in range(1, width + 1):
        cell = sheet.cell(row=row, column=col)
        cell.font = Font(bold=True, color=look.header_font)
        cell.fill = _fill(look.header_fill)
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet: Worksheet, widths: tuple[int, ...]) -> None:
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width


LOCAL_VALUES: dict[str, tuple[Any, ...]] = {
    "RAG (local)": ("G", "A", "R", "Green", "Amber"),
    "Finance validated?": ("Y", "N", "Pending", ""),
    "Exec Sponsor": ("Medical Director", "Chief Nurse", "COO"),
    "Last Reviewed": ("12/03/2020", "not yet", "Q3"),
    "Risk Ref": ("R-101", "R-214", "", "n/a"),
    "PMO Comments": ("Awaiting data from BI", "Discussed at board 4/2/20", "", "Check with finance"),
    "Row No.": (),
    "Workstream Lead": ("S. Patel", "T. Okafor", "R. Hughes"),
    "Data Source (BI)": ("Qlik", "Tableau", "Manual"),
    "Benefits Realised to Date (£)": ("see tracker", "£0", ""),
    "Priority": ("1", "2", "3", "High"),
}
"""Invented values for the trust's own columns when a row does not give them."""


def _local_value(header: str, seed: int, uid: str) -> Any:
    if header == "Row No.":
        return float(int(uid[1:]) + 1)
    options = LOCAL_VALUES.get(header, ("x", "", "local note"))
    value = _cell_rng(seed, uid, header).choice(options)
    return value or None
