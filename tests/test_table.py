"""The reader's rows (`SheetRows`): the rule engine reads a big sheet's cells straight from the
grid, and everyone else gets RawRows built from it. Both must say the same."""

from __future__ import annotations

import dataclasses
from datetime import date

from xl_brm.reader import tables_from_grids
from xl_brm.table import Column, FormulaWithoutValue, RawRow, RawTable, RawWorkbook, SheetRows, row_cells
from xl_brm.validate import validate_workbook

GRID = [
    ["Benefit ID", "Period", "Value", "Local"],
    ["B1", "2024-04", 1.0, ""],
    ["", "", "", ""],
    ["B2", "", 2.0, "x"],
]


def test_sheet_rows_are_the_rows_below_the_header_with_blank_cells_as_none() -> None:
    rows = SheetRows(GRID, start=1, positions=[0, 2, 3], skipped=[2])
    assert len(rows) == 2
    assert list(rows) == [RawRow(2, ("B1", 1.0, None)), RawRow(4, ("B2", 2.0, "x"))]
    assert rows[1] == RawRow(4, ("B2", 2.0, "x")) and rows == list(rows)


def test_sheet_rows_number_rows_from_where_the_grid_starts() -> None:
    rows = SheetRows(GRID, start=1, positions=[1], offset=10)
    assert [r.row for r in rows] == [11, 12, 13]
    assert [r.values for r in rows] == [("2024-04",), (None,), (None,)]


def test_row_cells_read_the_same_rows_from_the_grid_as_from_a_list() -> None:
    grid_rows = SheetRows(GRID, start=1, positions=[0, 2, 3], skipped=[2])
    for rows in (grid_rows, list(grid_rows)):
        columns = [Column("benefit_id", "Benefit ID", 0), Column("value", "Value", 2),
                   Column(None, "Local", 3)]
        table = RawTable("Measurements", "M", 1, columns, rows)
        at, pairs, values = row_cells(table)
        assert [(n, values(cells)) for n, cells in pairs] == [(r.row, r.values) for r in grid_rows]
        assert len(at) == 3


def test_validation_finds_the_same_reading_the_grid_or_the_rows_built_from_it() -> None:
    benefits = [
        ["Benefit ID", "Benefit title", "Benefit type", "Measure", "Unit", "Direction",
         "Baseline value", "Target value", "Target date", "Trust ODS", "Programme"],
        ["B1", "Fewer falls", "Quantitative", "Falls", "count", "Decrease", 10, 5, "31/03/2026",
         "RJ1", "GDE"],
        ["B2", "Staff time", "Non-cash releasing", "Hours", "hours", "Decrease", 100, 80,
         "31/03/2026", "RJ1", "GDE"],
    ]
    measurements = [  # column B is a spacer without a header: not a column of the table
        ["Benefit ID", "", "Period", "Value", "Source", "Evidence grade", "Note", "Local"],
        ["B1", "", "2024-04", 9, "Datix", "Measured", "", ""],
        ["B1", "", "2024-05", "about 8", "", "", "", ""],
        ["", "", "2024-06", 7, "", "", "", ""],
        ["B1", "", "", 7, "", "", "", "x"],
        ["B1", "", "2024-07", "", "", "", "", ""],
        ["B9", "", "2024-04", 3, "", "", "", ""],
        ["B2", "", "2024-04", FormulaWithoutValue("=A1*2"), "", "", "", ""],
        ["B2", "", "2024-05", 90, "", "Guessed", "", ""],
        ["B2", "", "2024-06", 90, "", "", "checked twice", ""],
        ["B2", "", "2024-06", 91, "", "", "", ""],
        ["B2", "", "2024-05", 91, "", "", "", ""],
        ["", "", "", "", "", "", "", ""],
        ["Total", "", "", 117, "", "", "", ""],
        ["Notes: figures from the BI team", "", "", "", "", "", "", ""],
    ]
    raw = tables_from_grids({"Benefits": benefits, "Measurements": measurements}, path="t.xlsx")
    assert isinstance(raw.tables["Measurements"].rows, SheetRows)
    as_lists = RawWorkbook(
        path=raw.path, settings=raw.settings, findings=raw.findings,
        tables={kind: dataclasses.replace(t, rows=list(t.rows)) for kind, t in raw.tables.items()})
    today = date(2026, 11, 26)
    found = validate_workbook(raw, today=today)
    again = validate_workbook(as_lists, today=today)
    assert found.findings == again.findings
    codes = {f.code for f in found.findings if f.sheet == "Measurements"}
    assert {"BRM106", "BRM210", "BRM402", "BRM403", "BRM407"} <= codes, codes
    assert found.measurement_count == again.measurement_count
