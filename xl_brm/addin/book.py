"""An open workbook (`xw.Book`, desktop or Office.js) as the reader's RawWorkbook.

Each sheet's values are placed at their addresses and handed to the reader's own grid reading
(`xl_brm.reader.tables_from_grids`), so the ribbon finds the header rows, maps the columns and
reports the cells exactly as `xl-brm validate` does for the saved file, without writing a file
(and without python-calamine, which xlwings Lite does not have). Sheets xl-brm writes
(Issues, Computed, Summary, ...: `xl_brm.sheet_names`) are left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from xl_brm.reader.grid import reader_grid, tables_from_grids
from xl_brm.sheet_names import is_output_sheet
from xl_brm.table import RawWorkbook

SETTINGS_SHEET = "BRM Settings"


def sheet_values(sheet: Any) -> tuple[int, int, list[list[Any]]]:
    """(first row, first column, values) of a sheet's used range, 1-based."""
    used = sheet.used_range
    values = used.options(ndim=2).value or [[]]
    return used.row, used.column, values


def trust_sheets(book: Any) -> list[tuple[Any, int, int, list[list[Any]]]]:
    """(sheet, first row, first column, values) of every sheet but those xl-brm wrote."""
    out = []
    for sheet in book.sheets:
        row0, col0, values = sheet_values(sheet)
        first = values[0][0] if (row0, col0) == (1, 1) and values and values[0] else None
        if not is_output_sheet(sheet.name, first):
            out.append((sheet, row0, col0, values))
    return out


def book_name(book: Any) -> str:
    name = str(book.name or "workbook.xlsx")
    return name if "." in name else name + ".xlsx"


def write_xlsx(book: Any, path: Path) -> None:
    """The book's values (not formulas, not formats) at their addresses, in a new .xlsx:
    for the sync client's `pull`, which reads a saved file (desktop only: needs openpyxl)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sheet, row0, col0, values in trust_sheets(book):
        ws = wb.create_sheet(title=sheet.name[:31])
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=row0 + i, column=col0 + j, value=_cell_value(value))
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text
    wb.save(path)


def _cell_value(value: Any) -> Any:
    if isinstance(value, (str, float, int, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.replace(tzinfo=None) if getattr(value, "tzinfo", None) else value
    return str(value)


def book_grids(book: Any) -> dict[str, list[list[Any]]]:
    """Sheet name -> its values from A1 in the reader's form, output sheets left out."""
    grids: dict[str, list[list[Any]]] = {}
    for sheet, row0, col0, values in trust_sheets(book):
        grids[sheet.name] = reader_grid(values, first_row=row0, first_col=col0)
    return grids


def book_to_raw(book: Any) -> RawWorkbook:
    """The RawWorkbook of an open workbook (a book with no Benefits sheet gets BRM105)."""
    return tables_from_grids(book_grids(book), path=book_name(book))


def book_setting(book: Any, key: str) -> str | None:
    """A value from the workbook's `BRM Settings` sheet (key in column A, value in B)."""
    from xl_brm.enums import fold

    for sheet in book.sheets:
        if fold(sheet.name) != fold(SETTINGS_SHEET):
            continue
        _, _, values = sheet_values(sheet)
        for row in values:
            if len(row) >= 2 and isinstance(row[0], str) and fold(row[0]) == fold(key) and row[1]:
                return str(row[1]).strip()
    return None


def workbook_path(book: Any) -> Path | None:
    """The saved file behind a desktop book (None in Excel on the web)."""
    try:
        full = Path(str(book.fullname))
    except Exception:
        return None
    return full if full.is_absolute() and os.path.exists(full) else None
