"""Grids of values in memory read as the file reader reads the saved workbook.

The Excel layer (ribbon scripts, xlwings Lite, cell functions) hands the reader sheet values,
not files: the same workbook must give the same tables, rows, cells and findings either way.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import hostile
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_reader_read import trust_register

from xl_brm.errors import MappingError
from xl_brm.reader import (
    HeaderMapping,
    SheetMapping,
    header_columns,
    read_workbook,
    reader_grid,
    table_from_grid,
    tables_from_grids,
)
from xl_brm.reader.grid import Merge


def desktop_grids(path: Path) -> tuple[dict[str, list[list[Any]]], dict[str, list[Merge]]]:
    """Each sheet's values from A1 as desktop Excel hands them over (None for blank, whole
    numbers as int, dates as datetimes), and its merged ranges (0-based, inclusive)."""
    wb = openpyxl.load_workbook(path)
    grids: dict[str, list[list[Any]]] = {}
    merged: dict[str, list[Merge]] = {}
    for ws in wb.worksheets:
        grids[ws.title] = [
            [dt.datetime.combine(v, dt.time()) if type(v) is dt.date else v for v in row]
            for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)
        ]
        merged[ws.title] = [((m.min_row - 1, m.min_col - 1), (m.max_row - 1, m.max_col - 1))
                            for m in ws.merged_cells.ranges]
    return grids, merged


def same_as_file(path: Path, mapping: HeaderMapping | None = None) -> None:
    from_file = read_workbook(path, mapping=mapping)
    grids, merged = desktop_grids(path)
    from_grids = tables_from_grids(grids, path=str(path), mapping=mapping, merged=merged)
    assert repr(from_grids) == repr(from_file)  # repr: 1 == 1.0, but a cell's type matters too


def test_a_trust_register_reads_the_same_from_grids_as_from_its_file(tmp_path: Path) -> None:
    path = trust_register(tmp_path / "register.xlsx")
    same_as_file(path)
    raw = tables_from_grids(desktop_grids(path)[0], path="register.xlsx")
    table = raw.tables["Benefits"]
    assert (table.sheet, table.header_row) == ("Benefit Register", 4)
    assert [r.row for r in table.rows] == [5, 7]  # spacer, totals and notes rows skipped
    assert raw.path == "register.xlsx" and raw.findings == []


def test_the_example_registers_read_the_same_from_grids(tmp_path: Path) -> None:
    from xl_brm.examples import write_examples

    write_examples(tmp_path)
    paths = sorted(tmp_path.glob("*.xlsx"))
    assert len(paths) == 4  # the fourth keeps its figures a column per quarter
    for path in paths:
        same_as_file(path)


def test_merges_synonyms_content_settings_and_findings_read_the_same(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actuals"
    for row in (["Benefit ID", "Period", "Value"], ["B1", "2019-10", 1], [None, "2019-11", 2],
                [None, "2019-12", 3], ["B2", "2019-10", 9], ["TOTAL", None, 15]):
        ws.append(row)
    ws.merge_cells("A2:A4")
    sheet = wb.create_sheet("Sheet1")
    sheet.append(["Ref", "Benefit Title", "Benefit Type", "Owner", "Baseline", "Baseline value"])
    sheet.append(["B1", "x", "Qualitative", "me", 1, 2])
    settings = wb.create_sheet("BRM Settings")
    for row in (["Setting", "Value"], ["Trust ODS", " RJ1 "], ["Programme", "GDE"]):
        settings.append(row)
    wb.save(tmp_path / "mixed.xlsx")
    same_as_file(tmp_path / "mixed.xlsx")
    raw = read_workbook(tmp_path / "mixed.xlsx")
    assert [r.values[0] for r in raw.tables["Measurements"].rows] == ["B1", "B1", "B1", "B2"]
    assert raw.settings == {"trust_ods": "RJ1", "programme": "GDE"}
    assert "BRM102" in {f.code for f in raw.findings}


def test_missing_empty_and_headerless_sheets_give_the_same_findings(tmp_path: Path) -> None:
    for name, sheets in {
        "none.xlsx": {"Notes": [["hello"]]},
        "empty.xlsx": {"Benefits": []},
        "headerless.xlsx": {"Benefits": [["Our list"], ["thing one", 3]]},
        "header_only.xlsx": {"Benefits": [["Benefit ID", "Title"]]},
    }.items():
        same_as_file(hostile.workbook(tmp_path / name, sheets))


def test_a_mapping_reads_the_same_and_a_missing_sheet_names_the_workbook(tmp_path: Path) -> None:
    path = hostile.workbook(tmp_path / "m.xlsx", {"Our Benefits": [
        ["Title row"], ["Code", "What", "Kind"], ["B1", "Fewer errors", "Qualitative"]]})
    mapping = HeaderMapping(sheets={"Benefits": SheetMapping(
        kind="Benefits", sheet="Our Benefits", header_row=2,
        columns={"Code": "benefit_id", "What": "title", "Kind": "benefit_type"})})
    same_as_file(path, mapping)
    wrong = HeaderMapping(sheets={"Benefits": SheetMapping(kind="Benefits", sheet="Elsewhere")})
    with pytest.raises(MappingError, match=r"'Elsewhere' is not in m\.xlsx.*Our Benefits"):
        tables_from_grids(desktop_grids(path)[0], path=str(path), mapping=wrong)


def test_reader_grid_puts_values_at_their_address_as_calamine_types() -> None:
    utc = dt.UTC
    grid = reader_grid(
        [["a", None, 3], [dt.datetime(2020, 3, 31), dt.datetime(2020, 3, 31, 9, 30, tzinfo=utc)],
         [True, "", "  ", dt.date(2020, 1, 1), dt.time(9)]],
        first_row=3, first_col=2)
    assert grid == [
        ["", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["", "a", "", 3.0, "", ""],
        ["", dt.date(2020, 3, 31), dt.datetime(2020, 3, 31, 9, 30), "", "", ""],
        ["", True, "", "  ", dt.date(2020, 1, 1), dt.time(9)],
    ]
    assert type(grid[2][3]) is float


def test_a_table_away_from_a1_keeps_sheet_rows_and_letters() -> None:
    rows: list[list[Any]] = [
        ["Benefit ID", "Title", "Baseline", "Baseline value"],
        ["B1", "Fewer errors", 1, 2],
        [None, None, None, None],
        ["B2", "Time saved", None, 4],
        ["Notes: provisional figures", None, None, None],
    ]
    table, findings = table_from_grid("Benefits", "Register", rows, first_row=5, first_col=3)
    assert table.header_row == 5
    assert [(c.field, c.letter) for c in table.columns] == [
        ("benefit_id", "C"), ("title", "D"), ("baseline_value", "E"), (None, "F")]
    assert [(r.row, r.values) for r in table.rows] == [
        (6, ("B1", "Fewer errors", 1.0, 2.0)), (8, ("B2", "Time saved", None, 4.0))]
    assert table.cell(8, 3) == "F8"
    assert [(f.code, f.cell) for f in findings] == [("BRM102", "F5")]


def test_a_blank_header_row_gives_a_table_without_columns() -> None:
    table, findings = table_from_grid("Benefits", "Benefits", [[None, ""], ["B1", "x"]])
    assert (table.columns, table.rows, findings) == ([], [], [])
    assert table_from_grid("Benefits", "Benefits", [])[0].columns == []


def test_header_columns_match_headers_as_the_file_reader_does() -> None:
    columns = header_columns("Benefits", ["Ref No", None, "BENEFIT   type", 2020, "Target Date (dd/mm/yyyy)"])
    assert [(c.field, c.header, c.index) for c in columns] == [
        ("benefit_id", "Ref No", 0), ("benefit_type", "BENEFIT type", 2), (None, "2020", 3),
        ("target_date", "Target Date (dd/mm/yyyy)", 4)]


def test_the_grid_reader_imports_without_python_calamine(tmp_path: Path) -> None:
    # xlwings Lite (Pyodide) has no python-calamine, openpyxl or defusedxml.
    script = textwrap.dedent("""
        import sys
        for name in ("python_calamine", "openpyxl", "defusedxml"):
            sys.modules[name] = None
        from xl_brm.reader import tables_from_grids
        raw = tables_from_grids({"Benefits": [["Benefit ID", "Title"], ["B1", "x"]]}, path="b.xlsx")
        print([r.values for r in raw.tables["Benefits"].rows])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('B1', 'x')]"


def _rows_one_by_one(grid: list[list[Any]], key: int | None) -> list[tuple[int, tuple[Any, ...]]]:
    """The rule for skipping rows, row by row as written in `_trailer`'s docstring: blank rows,
    totals and notes rows go; inside a notes block every row is judged, and data ends it; after
    the last benefit (a keyed data row) and a blank row, the table has ended."""
    from xl_brm.reader.grid import _trailer

    rows = [tuple(None if v == "" else v for v in row) for row in grid[1:]]
    last = len(rows)
    if key is not None:
        keyed = [i for i, vals in enumerate(rows) if vals[key] is not None and (
            not _looks_like_label(vals[key]) or _trailer(vals, key, False) is None)]
        last = keyed[-1] if keyed else -1
    out, in_notes, below = [], False, False
    for i, vals in enumerate(rows):
        number = i + 2
        if all(v is None for v in vals):
            below = below or i > last
            continue
        kind = _trailer(vals, key, in_notes, below=below) if in_notes or key is None or _looks_like_label(
            vals[key]) else None
        if kind is not None:
            in_notes = in_notes or kind == "notes"
            continue
        in_notes = False
        out.append((number, vals))
    return out


def _looks_like_label(k: Any) -> bool:
    return k is None or (isinstance(k, str) and (k[:1] in "tTgGsSnNkKcCfF*†‡(0123456789" or " " in k))


CELLS = st.sampled_from(["", "", "", "", "", "B001", "B002", "Total", "Sub-total:", "Notes", "NB:",
                         "* see below", "1. Source: Datix", "Data from the PAS team monthly", "12", 3.5,
                         "Key", None])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=25), st.sampled_from([0, 1, None]))
def test_rows_are_skipped_as_the_row_by_row_rule_says(body: list[list[Any]], key: int | None) -> None:
    from xl_brm.reader.grid import _rows

    grid = [["ID", "Title", "Value"], *([("" if v is None else v) for v in row] for row in body)]
    got = [(r.row, r.values) for r in _rows(grid, 0, [0, 1, 2], key)]
    assert got == _rows_one_by_one(grid, key)


# -- merged ranges anywhere ----------------------------------------------------------------------


def test_a_merge_above_the_header_beyond_the_data_is_read(tmp_path: Path) -> None:
    # A range merged in the row above the header, to the right of every cell (the grid ends
    # at column C): looking for group labels there raised IndexError and refused the file.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Benefits"
    ws["A1"] = "Benefits register"
    ws.merge_cells("A1:C1")
    ws.merge_cells("E1:XFD1")
    ws.append(["Benefit ID", "Title", "Benefit Type"])
    ws.append(["B1", "Fewer falls", "Qualitative"])
    path = tmp_path / "wide-merges.xlsx"
    wb.save(path)
    same_as_file(path)
    table = read_workbook(path).tables["Benefits"]
    assert table.header_row == 2
    assert [c.field for c in table.columns] == ["benefit_id", "title", "benefit_type"]
    grid = [["Label", "", ""], ["Benefit ID", "Title", "Owner"]]
    merged: dict[str, list[Merge]] = {"Benefits": [((0, 5), (0, 16383)), ((0, 0), (0, 16383))]}
    tables = tables_from_grids({"Benefits": grid}, path="g.xlsx", merged=merged).tables
    assert [c.field for c in tables["Benefits"].columns] == ["benefit_id", "title", "benefit_owner"]


def test_overlapping_tall_merges_fill_each_cell_once() -> None:
    # Excel never writes overlapping merges; a crafted file may repeat one tens of thousands of
    # times over every row. Each cell is filled once (it was 20,000 rows x 50,000 merges).
    import time

    grid = [["Benefit ID", "Period", "Value"], ["B1", "2019-10", 1]]
    grid += [["", "2019-11", float(i)] for i in range(20_000)]
    tall: list[Merge] = [((1, 0), (1_048_575, 0))] * 50_000 + [((2, 0), (3, 0))]
    start = time.perf_counter()
    raw = tables_from_grids({"Measurements": grid}, path="m.xlsx", merged={"Measurements": tall})
    assert time.perf_counter() - start < 10  # about 0.1 s
    assert {r.values[0] for r in raw.tables["Measurements"].rows} == {"B1"}
