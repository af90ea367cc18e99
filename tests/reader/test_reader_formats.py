"""A number shown as a percentage reads as what the user sees: python-calamine gives 1.5 for a
cell Excel shows as 150%, and only the cell's number format says which (real .xlsx files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xl_brm.reader import read_workbook
from xl_brm.reader._formats import _shows_percent
from xl_brm.validate import validate_workbook

HEADER = ["Benefit ID", "Title", "Attribution %", "Local share"]


def register(tmp_path: Path, cells: list[tuple[Any, str | None]]) -> Path:
    """A Benefits sheet with one attribution cell per row, each with its own number format, and
    a local column formatted 0% throughout."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws.append(HEADER)
    for i, (value, fmt) in enumerate(cells, start=2):
        ws.append([f"B{i}", "Fewer falls", value, 0.5])
        if fmt is not None:
            ws.cell(i, 3).number_format = fmt
        ws.cell(i, 4).number_format = "0%"
    path = tmp_path / "percent.xlsx"
    wb.save(path)
    return path


def test_percent_formatted_cells_read_as_shown_and_others_as_stored(tmp_path: Path) -> None:
    path = register(tmp_path, [(1.5, "0%"), (0.8, "0%"), (0.125, "0.0%"), (0.8, None), (80, None),
                               (0.5, '0.0"%"')])
    table = read_workbook(path).tables["Benefits"]
    at = table.position("attribution_pct")
    local = [c.index for c in table.columns].index(3)
    assert [r.values[at] for r in table.rows] == ["150%", "80%", "12.5%", 0.8, 80.0, 0.5]
    assert {r.values[local] for r in table.rows} == {0.5}  # only percent fields are read so


def test_a_percent_formatted_150_is_out_of_range_and_80_needs_no_guess(tmp_path: Path) -> None:
    raw = read_workbook(register(tmp_path, [(1.5, "0%"), (0.8, "0%"), (0.8, None)]))
    found = validate_workbook(raw).findings
    assert [(f.code, f.cell) for f in found if f.column == "attribution_pct"] == [
        ("BRM206", "C2"), ("BRM207", "C4")]  # 150% refused; the unformatted 0.8 is a guess


@pytest.mark.parametrize(("code", "percent"), [
    ("0%", True), ("0.00%", True), ("#,##0.0%;[Red]-#,##0.0%", True), ('0.0"%"', False),
    ("0.0\\%", False), ("[$%-809]0.00", False), ("General", False), ("0.00", False)])
def test_which_format_codes_show_a_percentage(code: str, percent: bool) -> None:
    assert _shows_percent(code) is percent
