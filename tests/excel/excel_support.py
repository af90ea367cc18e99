"""Helpers of the Excel-layer tests: the request body the xlwings Office.js client posts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any


def _office_value(value: Any) -> Any:
    """A cell as the xlwings Office.js client posts it: '' for blank, ISO text for dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON numbers: whole numbers arrive without a fraction
    return value


def book_json(path: Path, *, notes_supported: bool = True, version: str | None = None) -> dict[str, Any]:
    """The request body `xlwings.runPython` sends for a workbook, built from a real .xlsx."""
    import xlwings
    from openpyxl import load_workbook

    wb = load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        width, height = max(ws.max_column, 1), max(ws.max_row, 1)
        values = [
            [_office_value(ws.cell(row=r, column=c).value) for c in range(1, width + 1)]
            for r in range(1, height + 1)
        ]
        sheets.append(
            {
                "name": ws.title,
                "values": values,
                "pictures": [],
                "tables": [],
                "notes": [],
                "notes_supported": notes_supported,
            }
        )
    return {
        "client": "Office.js",
        "version": version or xlwings.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def actions_of(answer: dict[str, Any], func: str | None = None) -> list[dict[str, Any]]:
    acts = answer["actions"]
    return [a for a in acts if func is None or a["func"] == func]
